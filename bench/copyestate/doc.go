// Package copyestate builds a benchmark estate of undeclared copies of PII
// columns, to measure whether a piimap scan finds them (copy_of edges with
// source "fingerprint") and at what cost.
//
// Generate, from a seed and a size, writes:
//
//   - originals: entity tables in PostgreSQL (customers, patients) and
//     MariaDB (members), each with a unique mixed-case email per row
//     ("Ann.Lee1234@Example.com"), a phone number and non-PII columns;
//   - planted copies, CopiesPerTransform of each transform (identity,
//     lower, subset, sha256, md5, sha1 of an original's email), spread
//     round-robin over the store kinds available (PostgreSQL, MariaDB,
//     DuckDB, a files store of CSV and JSONL, and S3 when a server is
//     given), each a column of its own table or file beside non-PII
//     columns, in a shuffled row order and of varied sizes (identity
//     90–100% of the original, subset 20–60%, the others 100%, 5–30% or
//     30–90%); half of the identity and subset copies carry the original's
//     phone column too, planted as phone copies;
//   - decoys that must yield no edge: emails of unrelated people, sha256
//     and md5 hex of unrelated emails, random hex64 tokens, and low-overlap
//     columns (20% of an original's values among 80% unrelated ones);
//   - a piimap YAML config naming every store (WriteConfig, with the graph
//     directory the caller chooses, so each scan can start from a fresh
//     graph).
//
// The Estate it returns is the ground truth: every planted copy as
// (copy store, asset, field) → (original store, asset, field) with its
// transform, and every decoy. Score reads the copy_of edges of a
// `piimap map --json` document and counts true positives (a planted pair),
// edges to a sibling copy of the same original (neither true nor false),
// and false positives (any other fingerprint copy_of edge, reversed edges
// broken out), giving recall and precision. Nothing it reports holds a
// value, only counts and location names.
//
// Every database, bucket and file it creates is uniquely named and removed
// by Estate.Clean (Generate cleans up itself when it fails part-way); an
// Estate saved with Save can be cleaned later from another process with
// Load and Clean. Only loopback servers are meant to be used.
package copyestate
