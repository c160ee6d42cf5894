// Package duckdbsql is the DuckDB SQL that more than one writer speaks:
// the duckdb store kind (executor/duckdb) and the Parquet engine of the
// file kinds (executor/files), which runs an in-memory DuckDB over
// read_parquet. Neither imports the other; both import this.
//
// Columns describes a relation (a quoted table or a table function call)
// as column name → DuckDB type. ColumnExpr renders a target field over
// those columns: a column, a struct path, or a path into a JSON column.
// Where is sqlkit.Where in DuckDB's SQL: IN lists of at most InChunk
// values and regexp_matches, with the statement's arguments returned in
// order. QueryArrow runs a query through go-duckdb's Arrow interface and
// emits record batches. QuoteIdent and QuoteLiteral quote identifiers
// and string literals.
package duckdbsql
