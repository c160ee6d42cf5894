// Package mysql is the read-only Source for MySQL and MariaDB
// (mysql://user:pass@host:port/db?params, scheme mysql or mariadb), and the
// shared connection helper (ParseURL, Open, DB.Begin, QuoteIdent,
// QuoteTable, WrapError) that executor/mysql imports to write to the same
// server.
//
// # Connections
//
// One bounded database/sql pool per store (pool_max_conns, default 4;
// connect timeout default 5 s, so an unreachable server fails fast with an
// error wrapping piimap.ErrUnreachable). Every query runs inside START
// TRANSACTION READ ONLY, after the session's statement timeout is set —
// max_execution_time on MySQL, max_statement_time on MariaDB (the server
// flavour is read from VERSION() at open) — together with lock_wait_timeout
// and innodb_lock_wait_timeout. URL parameters statement_timeout (default
// 30s) and lock_timeout (default 5s) configure them.
//
// # Enumeration
//
// Without a database in the URL every database but mysql,
// information_schema, performance_schema and sys is scanned. Base tables and
// views become units named `db.table` in namespace mysql://host:port, with
// the TABLE_ROWS estimate, size, comment, and the sampling method their key
// allows (unit meta "sampling"). Fields carry their column type, nullability,
// primary key and single-column unique flags and column comment. JSON
// columns — MySQL's JSON type, and MariaDB's alias, a LONGTEXT with a
// json_valid check — are flattened into dotted paths (`payload.user.email`).
//
// # Sampling (never LIMIT n from the head)
//
// All selected columns are read in one statement per batch. A table of at
// most n rows is read whole ("all_rows"). Otherwise the table's key — its
// PRIMARY KEY, else a UNIQUE index over NOT NULL columns — drives it:
//
//   - pk_ranges, integer leading key column: seeded random start points in
//     [MIN, MAX] of that column, each reading a short run
//     `WHERE k >= ? ORDER BY key LIMIT L` (L = n/20, 1..16), batched into
//     UNION ALL statements; repeated rows are dropped and rounds repeat
//     until n rows are in hand, then a seeded shuffle cuts the surplus;
//   - pk_offsets, other key types: the same with seeded random positions,
//     `ORDER BY key LIMIT L OFFSET ?`;
//   - order_by_rand, keyless tables and views up to 100k rows:
//     `ORDER BY RAND(seed) LIMIT n`;
//   - rand_filter, bigger keyless tables: `WHERE RAND(seed) < p` and a
//     seeded reservoir.
//
// The method used is recorded on the unit and on every record (meta
// "sampling"). Seeds derive from the store's sample seed and the unit name,
// so the same seed over the same data gives the same sample. A full read
// (Sample.Full) streams every row in batches of 4096.
//
// # Lineage
//
// Declared FOREIGN KEYs (information_schema.KEY_COLUMN_USAGE) become
// `references` edges from each child column to its parent column (source
// fk, confidence 1), composite keys column by column.
//
// View definitions (information_schema.VIEWS.VIEW_DEFINITION, which the
// server stores fully qualified) are rewritten into the Postgres dialect by
// sqlextract.FromMySQL and become `derived_from` edges from each view
// column to the columns it is computed from (source view, confidence 1),
// marked identity, transformation or masked. A definition that does not
// parse (MySQL-only syntax FromMySQL does not rewrite) is skipped, never
// quoted.
package mysql
