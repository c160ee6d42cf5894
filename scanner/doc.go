// Package scanner discovers personal data: it opens configured stores,
// enumerates their units (tables, objects, key patterns, streams), reads
// samples or text chunks from each, classifies them, and writes the result
// into one lineage.ScanRun of the PII location map.
//
// The flow is readable in one function, Run:
//
//	open stores (registry by URL scheme) → BeginRun → Enumerate units
//	  → bounded pools (global × per store) → Read → Classify (adaptive
//	  re-sampling of ambiguous fields) → nodes, contains edges, findings,
//	  declared edges, unit errors → fingerprint copy_of edges → Finish
//
// Store kinds live in sub-packages (scanner/files, scanner/duckdb, ...) that
// register an Opener for their URL scheme in init, as database/sql drivers
// do; the command blank-imports them. Every Source is read-only by contract
// and passes the conformance suite in scanner/scannertest.
//
// Sampling is seeded and reproducible (Sample, Reservoir), starts at the
// store's sample.rows (default 200) and grows ×4 up to sample.max_rows
// (default 2000) for fields the classifier calls ambiguous; it never reads
// only the head of a unit. A full scan reads everything.
//
// # Copies found by fingerprints
//
// With Options.FingerprintKey (cmd passes the graph's installation key) each
// structured field's values go, as they are classified, into a
// lineage/fingerprint Builder made for the field's strongest PII type so far,
// or untyped when it has none, so that a column of sha256 hex digests of
// emails is sketched too. No value is kept, only the builder's keyed hashes.
// Batches of a full scan are merged into one sketch; an adaptive re-sample
// replaces the field's sketch as it replaces its findings, so a sketch always
// describes the final sample. The sketch kept is the builder of the field's
// final strongest type (values fed before the type settled are not in it).
// Untyped fields whose values take no masked shape (ids, amounts, SKUs) and
// free-text fields are not kept; units that failed part-way are left out.
// Before Finish, the run's sketches go into a fingerprint.Index with their
// store kind, row count and modification time as hints, and every copy whose
// chance-adjusted containment reaches CopyThreshold becomes a copy_of edge
// (source fingerprint, transform identity or masked, the Wilson lower bound
// as confidence, evidence without values), unless a declared edge (a foreign
// key, a view column) already links the two fields.
//
// Sketches of samples measure samples (two 10% samples of one column share
// ~10% of their values), so a sampled scan probes instead (copyprobe.go):
// once every unit is sampled, the identifier fields (fingerprint.ProbeType)
// of sampled units are read in full, only those columns, largest unit first
// and the likelier original first within a size band, in waves of
// Concurrency; a field whose sample is already contained in one read (or
// kept) is a copy and is not read. The fields read get whole sketches and
// membership filters (binary fuse, keyed hashes of the values and of their
// masked forms), and every other field's sample is probed against them
// (fingerprint.Probe); pairs no probe measured go through the sketch index.
// Units over CopyMaxRows are compared by sketch only, and the log says so.
//
// The sketch and filters of every field read in full (a probe read, a full
// scan, or a source that cannot sample) are kept in the graph's document
// store (DocFingerprint, keyed hashes only) and replace the ones kept
// before. A later run compares its own sketches against them: a sampled
// field once read in full is compared as the union of its sample and its
// kept sketch, and the kept sketches and filters of configured stores the
// run did not scan take part too, so a `scan --store lake` finds the copies
// its objects hold of a database scanned last week. A later sampled scan
// reuses a field's kept filters instead of reading it again while its
// unit's change stamp (piimap.MetaChangeStamp, or the object's size, mtime
// and ETag) and its seeded sample are unchanged, for up to CopyRefresh.
// Edges between two kept sketches are not written again: the graph carries
// them forward with their stores. Ingested lineage (Options.Declared) is
// written into every run and, like foreign keys and views, keeps the pairs
// it links out of the inferred copies.
//
// # Identifier filters
//
// A full read (Options.Full with a FingerprintKey) of a text, CSV or JSON
// object of a files or s3 store also feeds its bytes or cells to a
// scanner/idfilter Set, which keeps keyed hashes of every identifier the
// executor could match there; when the unit finishes without error its
// binary fuse filter is stored in the graph's document store with the
// object's version (scanner/idfilter.go). Requests then skip the objects
// whose filter rules the subject out. Sampled scans never build or replace
// a filter, and a unit that failed part-way gets none.
//
// Every scan that lists a store completely then forgets the filters and
// kept sketches of the store's assets it no longer lists (docgc.go), so
// the documents follow the estate as it is.
//
// Join keys nobody declared are inferred per SQL store (inferref.go): a
// column named after a unique key of another table (invoices.member_id →
// members.member_id, orders.customer_id → customers.id), of the same type
// class and with no declared FK, is probed through the store's Prober (a
// seeded sample of up to 200 distinct values, then how many of them the
// unique key holds); containment of at least 0.95 on at least 5 values
// becomes a references edge with source "inferred", its containment as
// confidence and the evidence without values. An abbreviated key name
// pairs too (orders.cust_no → customers.id). A pair no name relates is
// taken by its values alone (inferref_values.go) only into a unique key
// of a table holding PII, from a non-unique column, on at least 10
// values, when the parent's keys fill so little of the child's value range
// (on the child's own step) that the containment seen has a binomial
// chance below 1e-9: dense ids never pair by values. Plans follow an
// inferred edge as they follow a declared foreign key.
//
// A unit that fails is listed in Result.Errors with its error and the scan
// continues; a store that cannot be opened is a store-level error. Only a
// cancelled context or a failing graph stops a scan. No raw value ever
// reaches the graph, a log line or an error.
package scanner
