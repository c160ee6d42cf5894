// Package lineagetest holds what every lineage.Graph implementation and
// every consumer of one share in tests.
//
// RunGraphSuite is the conformance suite a Graph must pass: a run written
// and read back (nodes, edges in both directions, findings, unit errors,
// run metadata), runs as independent snapshots, carry-forward of stores a
// run did not scan (and dropping of stores that left the configuration),
// Latest over finished runs only, time-ordered run IDs, concurrent writers,
// piimap.ErrNotFound for unknown runs, a sealed run refusing writes, and —
// for graphs kept in a directory — that a raw PII canary never reaches the
// directory's bytes while the masked form does. RunDocStoreSuite does the
// same for lineage.DocStore.
//
// Estate and WriteEstate describe a small three-store scan (a DuckDB app
// with customers → orders → order_items and products, a warehouse with a
// view column and a hashed copy of the email, a log file with PII and a
// broken unit) used by the suite and by tests of the map and traversals.
//
// MemGraph is an in-memory Graph and DocStore with the same semantics as
// lineage/badgerstore. It passes the suite, and packages above lineage use
// it as their fake.
package lineagetest
