// Package duckdb is the read-only Source for a DuckDB database file
// (duckdb:///abs/path.duckdb or duckdb://relative/path.duckdb), and the
// shared connection helper (ParseURL, Open, QuoteIdent) that
// executor/duckdb imports to write to the same file.
//
// The scanner opens the file with access_mode=read_only and one DuckDB
// thread, lists tables and views (`schema.table`) with their columns, types,
// PRIMARY KEY/UNIQUE constraints and row estimates, and samples each with
// DuckDB's seeded reservoir (`USING SAMPLE reservoir(N ROWS) REPEATABLE
// (seed)`), so the same seed yields the same rows, drawn from the whole
// table. Nested columns (JSON, STRUCT, LIST, MAP) are read as JSON and
// flattened to dotted fields. Declared FOREIGN KEYs become `references`
// edges from the child column to the parent column; view definitions
// (duckdb_views()) become `derived_from` edges from each view column to the
// columns it is computed from, marked identity, transformation or masked by
// lineage/sqlextract, with the catalog's column lists expanding stars. The
// definitions are parsed as Postgres SQL: a view using DuckDB-only syntax
// is skipped, never quoted. Close releases the file
// so the executor can open it read-write in the same process.
package duckdb
