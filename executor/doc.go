// Package executor carries out data-subject requests (access, erasure,
// rectification, portability, restriction) over the PII location map.
//
// The flow reads top to bottom in Service.Execute:
//
//	NewRequest ─► Plan ─► Approve (four eyes, digest frozen) ─► Execute ─► Verify ─► Receipt
//
// A Request is a persisted state machine in the lineage.DocStore; its raw
// identifiers are sealed with AES-GCM under a key derived from the
// installation key and appear elsewhere only masked (a***@e***.com) or as
// HMACs. Every step can run in a separate process.
//
// NewRequest refuses what could reach the wrong person (intake.go): every
// identifier is parsed by classifiers/identifier (a bare domain, a partial
// phone, a wildcard are refused, naming the kind, never the value; several
// values of a kind are kept), and every request has a tenant some store
// serves. Plan, find, export, erase and verify read only that tenant's part
// of the map (loadGraph), and openHandler refuses any other tenant's store
// whatever a plan says. Matching is classifiers/identifier's throughout:
// whole normalised values in cells, whole tokens in text, phones in E.164
// under each field's phone region, keys only in fields the map binds to
// their kind (lineage.BindIdentities). Before anything is written the plan
// counts the entity records its identifiers select (blast.go); more than
// the request allows is refused at approval and at run time.
//
// Plan derives the work from the latest scan run of the graph: fields that
// hold subject keys (declared identity attributes, configured hints, or
// email/phone/user_id findings) are matched against the subject's
// identifiers; the subject's rows are read to resolve further keys (the
// customers row found by email yields its id, and a declared or sole
// user_id column yields the user id); `references` edges carry parent keys
// to child tables; text assets are matched line by line on whole tokens.
// A masked copy (a copy_of edge with transform masked, from fingerprinting)
// is matched exactly by the masked form of what is known of its original:
// the subject's identifiers normalised and hashed as the fingerprint
// builder did (fingerprint.MaskedSpellings), so sha256(lower(email)) rows
// are found and erased; a last-four-digits copy identifies no one and stays
// a gap. Identity copy_of and derived_from edges (a copy found by
// fingerprints, a view column, a dbt model column) let a copy be matched
// with its original's known values even where the copy's own field is no
// subject key. A view (a relation the store computes) becomes a recompute
// step: it is never written, it is verified after its base tables, and a
// materialized view is refreshed (Recomputer). Mode expire leaves a
// location to the TTL or retention its scan measured, as a retention
// exception with the expiry date, and is refused where some probed key
// never expires. Plan.Lineage lists every copy_of and derived_from edge out
// of a location in scope with its action (delete, recompute, expires,
// export, held, skipped, gap) and the evidence; the receipt carries it.
// An identifier filter built on a full scan may show that an unchanged file
// or object cannot hold the subject: the plan lists it under Skipped.
// Planning checks filters and counts steps, and an export reads them, with
// up to Concurrency assets at once (ParallelReader handlers read several
// of one store's assets together). Streaming handlers ask a Prefilter
// before they parse a line or record, so what cannot match costs a byte
// search.
// Every PII location the plan cannot reach, every scan error and every
// store kind without a handler is an explicit Gap. The plan's digest (SHA-256
// of its canonical JSON with identifiers as HMACs, counts excluded) is frozen
// at approval; Execute re-derives the plan and refuses with
// piimap.ErrPlanChanged when the digest moved.
//
// Execute is a dry run unless RunOptions.Apply is set. An applied run works
// store by store in a bounded pool, each store's targets children-first in one
// Handler.Erase call (one transaction for SQL stores, atomic file
// replacement for files), persists per-step progress so an interrupted run
// resumes, then verifies by re-running every Find: the receipt states the
// residual per location. Receipts are signed with an ed25519 key created once
// per installation (VerifyReceipt); every action is appended to a hash-chained
// audit log (VerifyAudit); erased identifiers enter the forget ledger as
// HMACs; legal holds and immutable backups live in the exceptions register.
//
// Access and portability write an export package: manifest.json (every file
// with its SHA-256), data/<store>/<asset>.jsonl and .csv (plus .parquet for
// columnar sources), and dictionary.json.
//
// Stores are reached only through Handler implementations registered by
// store kind (executor/duckdb, executor/files, ...): they are the only code
// in piimap that writes to a store. executor/executortest is the conformance
// suite every handler passes.
package executor
