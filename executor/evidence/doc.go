// Package evidence keeps what shows, afterwards, that a data-subject
// request was carried out as approved, and lets anyone check it.
//
// Every record is bound to the installation key (Keys): raw identifiers
// are sealed with AES-GCM under a key derived from it, identifiers that
// must be compared later (the plan digest, the forget ledger) appear only
// as HMACs, and an ed25519 key pair created once per installation signs
// the receipts and the audit chain's head.
//
//   - AuditLog is the hash-chained, append-only audit log: every action of
//     the request flow, each entry linked to the one before, the head
//     signed so that truncation shows too (Verify).
//   - Ledger is the forget ledger: the HMAC of every erased identifier, so
//     that erasures can be replayed after a backup restore without keeping
//     the identifiers.
//   - Receipt is the signed statement of one request: what was found and
//     changed where, the residual, the purge state, the gaps, exceptions
//     and lineage actions of the plan it executed, and its digest.
//     Receipts signs and keeps them; VerifyReceipt checks one with nothing
//     but the receipt and, optionally, the trusted key.
//   - Package writes an access or portability export: the rows per asset
//     as JSON Lines, CSV and Parquet, a data dictionary, and a manifest
//     with every file's SHA-256.
//
// The request flow (package executor) decides when each is written; this
// package decides what they hold and how they are checked. It imports the
// plan's vocabulary (executor/planning) for what a receipt states, and the
// driver contract for reading an export's rows; nothing above them.
package evidence
