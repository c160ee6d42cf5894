// Package evidence keeps what shows, afterwards, that a data-subject
// request was carried out as approved, and lets anyone check it.
//
// # Keys
//
// Every record is bound to the installation's keys, which live in a key
// directory outside the graph (KeyDir; docs/TRUST_MODEL.md): mode 0700,
// files 0600, refused when looser. installation.key is the installation
// key: raw identifiers are sealed with AES-GCM under a key derived from
// it, identifiers that must be compared later (the plan digest, the forget
// ledger, identifier filters) appear only as HMACs, masking tokens are
// keyed by it. signing.key is the Ed25519 key that signs receipts and
// audit heads; signing.pub is its public half, for whoever verifies.
// A copy of the graph alone therefore opens nothing and can sign nothing.
//
// `piimap init` creates the directory (SetupKeyDir). A graph from before
// key directories still holds its installation key (and the signing key,
// sealed under it): SetupKeyDir moves both into a new key directory, has
// the graph drop them, and records the move in the audit log, once.
// NewKeys, which reads the keys from the graph, remains for tests and
// embedding without a key directory.
//
// # The story of one request's evidence
//
//   - AuditLog is the hash-chained, append-only audit log: every action of
//     the request flow, each entry linked to the one before by its
//     SHA-256. Each Append signs the new head twice: in the graph, and
//     outside it, in the key directory's audit-head.json (written
//     atomically) and any HeadSink such as an append-only file. Check
//     walks the whole chain and names the first bad entry: modified,
//     deleted, reordered, truncated, or re-signed with another key. A log
//     cut short whose graph head was re-signed still shows, because the
//     head outside the graph names an entry the log no longer has.
//     SignedHead is what `piimap audit head` prints for pinning elsewhere.
//   - Ledger is the forget ledger: the HMAC of every erased identifier, so
//     that erasures can be replayed after a backup restore without keeping
//     the identifiers.
//   - Receipt is the signed statement of one request: what was found and
//     changed where, the residual, the purge state, the gaps, exceptions
//     and lineage actions of the plan it executed, and its digest.
//     Receipts signs and keeps them; VerifyReceipt checks one with nothing
//     but the receipt and the trusted public key.
//   - Package writes an access or portability export: the rows per asset
//     as JSON Lines, CSV and Parquet, a data dictionary, and a manifest
//     with every file's SHA-256.
//   - WritePack writes the evidence pack of one request (a zip): intake
//     with masked identifiers, attestation, plan, approvals, the request's
//     audit entries, verification results, receipt, exceptions, the public
//     key, a completion notice for the controller (notice.md, notice.html)
//     and a README on checking it all offline, with manifest.json and
//     SHA256SUMS over every file.
//
// The request flow (package executor) decides when each is written; this
// package decides what they hold and how they are checked. It imports the
// plan's vocabulary (executor/planning) for what a receipt states, and the
// driver contract for reading an export's rows; nothing above them.
package evidence
