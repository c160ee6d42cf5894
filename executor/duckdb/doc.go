// Package duckdb is the executor handler for DuckDB warehouses
// (duckdb:///abs/file.duckdb): it finds, erases and rectifies a data
// subject's rows in the database's tables.
//
// Find runs one parameterised SELECT per table through go-duckdb's Arrow
// interface and emits Arrow record batches. The WHERE clause is
// executor/sqlkit/duckdbsql's Where (DuckDB's SQL shared with the Parquet
// engine of the file kinds), following the executor's matching rules
// (emails case-insensitive and as whole tokens, phones by digits, keys
// exactly); IN lists are chunked, so statements grow with tables, not rows.
//
// Erase applies every target of the store in ONE transaction, in the order
// given (children first): DELETE by default, UPDATE … SET NULL for the null
// mode, or HMAC masking (string columns get tokens via a set-based join on a
// value→token map; other columns NULL) for the mask mode. Counts come from
// the same transaction; a dry run counts and rolls back. Because a cleared
// row no longer matches, a second erasure changes nothing.
//
// The connection helper (URL parsing, read-only opens, identifier quoting)
// is scanner/duckdb's; the transaction skeleton and the mode checks are
// executor/sqlkit's. This package adds only what writes.
package duckdb
