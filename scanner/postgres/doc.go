// Package postgres is the read-only Source for PostgreSQL
// (postgres://user:pass@host:port/db?params, scheme postgres or
// postgresql), and the shared connection helper (ParseURL, Open, Begin,
// QuoteIdent, QuoteTable, WrapError) that executor/postgres imports to write
// to the same database.
//
// # Connections
//
// One bounded pgx pool per store (pool_max_conns, default 4; connect
// timeout default 5 s, so an unreachable server fails fast with an error
// wrapping piimap.ErrUnreachable). Scanner pools set
// default_transaction_read_only, and every query runs inside a READ ONLY,
// REPEATABLE READ transaction whose statement_timeout (default 30 s) and
// lock_timeout (default 5 s) are set with SET LOCAL semantics; both are
// configurable as URL parameters (`?statement_timeout=2m&lock_timeout=1s`)
// and never leak into the pool.
//
// # Enumeration
//
// Tables, partitioned tables (read through the parent; partitions are not
// listed twice), views, materialized views and foreign tables outside
// pg_catalog, information_schema, TOAST and temporary schemas become units
// named `schema.table` in namespace postgres://host:port. Each unit carries
// its row estimate (pg_class.reltuples, summed over leaf partitions, else
// pg_stat n_live_tup), its size, comment and relation kind. Each field
// carries its SQL type, nullability, primary key / single-column unique
// constraints and column comment.
//
// # Sampling
//
// All selected columns of a relation are read in one query. Tables and
// materialized views are sampled with `TABLESAMPLE SYSTEM|BERNOULLI (p)
// REPEATABLE (seed)`, p computed from the row estimate (PlanSample): SYSTEM,
// which reads only the drawn pages, for big relations when at least 64
// pages are drawn and they are at most 10% of the relation; BERNOULLI,
// random rows in one pass, otherwise (small tables). The sample is
// oversampled and cut to exactly n rows by a seeded hash of the row's
// physical address, so rows come from the whole table, never its head, and
// the same seed over the same data gives the same rows; a short sample
// grows p ×4 and retries. A relation never analyzed is counted (up to 1M
// rows) first. Views and foreign tables, which TABLESAMPLE cannot read,
// are ordered by a seeded hash of the whole row. The seed mixes the store's
// sample seed with the unit name.
//
// JSON and JSONB columns are classified by path: sampled documents are
// flattened into fields such as `payload.user.email`; arrays and composite
// values are read as JSON the same way. A full read (Sample.Full) streams
// every row in batches of 4096.
//
// # Lineage
//
// Declared FOREIGN KEYs become `references` edges from each child column to
// its parent column (source fk, confidence 1), composite keys column by
// column, so the executor can order erasure children first.
//
// View and materialized view definitions become `derived_from` edges from
// each view column to the columns it is computed from (source view,
// confidence 1), marked identity, transformation or masked by
// lineage/sqlextract. The definitions are read with pg_get_viewdef under an
// empty search_path, so every relation comes schema-qualified, and parsed
// with the column lists of the catalog, so stars and unqualified columns
// resolve. Relations outside the database (set-returning functions) give no
// edge; a definition that does not parse is skipped, never quoted.
package postgres
