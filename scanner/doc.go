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
//	  declared edges, unit errors → Finish
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
// A unit that fails is listed in Result.Errors with its error and the scan
// continues; a store that cannot be opened is a store-level error. Only a
// cancelled context or a failing graph stops a scan. No raw value ever
// reaches the graph, a log line or an error.
package scanner
