// Package sqlkit is the toolkit the SQL store handlers (executor/postgres,
// executor/mysql, executor/duckdb) share. A kind keeps only its dialect
// (quoting, placeholders, SQL functions) and its catalog queries; what is
// the same logic in every SQL store lives here, once.
//
// Ordering. ChildrenFirst sorts a store's targets so that no table is
// written before a table that references it, keeping the planner's order
// wherever the catalog's foreign keys allow (a stable topological sort);
// self-references and cycles keep the given order.
//
// The catalog. Catalog caches a store's catalog entries by asset: the
// kind's Load reads the relations not cached yet in one go; a name that
// is not schema.table is ErrConfig, a relation the catalog lacks is
// ErrNotFound.
//
// The transaction skeleton. Txn runs every target of a store in one
// transaction: it refuses writes on a read-only handler, reads the
// catalog once for all targets, orders them children first, begins,
// applies each target, runs the kind's Finish, commits (a dry run rolls
// back) and returns the results in the order the targets were given. The
// kind supplies Begin, Commit and Rollback for its driver and the apply
// step for its SQL. Counted and RectifyCounted are the results of targets
// only counted: dry runs, and views, which change through their base
// tables.
//
// Set-based matching. Where renders driver.Match values as one boolean
// expression that decides a row the way the executor's Go matcher decides
// a cell: emails trimmed and lower-cased, equal or as a whole token;
// phones by their digits or as a token; cards and SSNs by digits; IBANs
// by upper-cased letters and digits; other kinds by exact trimmed text, or
// typed for key columns. A Dialect writes each comparison in its SQL: one
// array parameter (Postgres) or IN lists (InList: MySQL, DuckDB), so a
// statement's count grows with tables, never with rows.
//
// Mode checks and masks. CheckMode is the opening every kind's CheckMode
// shares (delete needs nothing, null and mask are checked against the
// catalog within a timeout, other modes are unsupported); CheckAll is the
// opening of Erase; NeedMaskKey refuses a mask without a key.
//
// Purge. EachAsset is one purge report per distinct asset. (Find's rows
// are batched by driver.Batcher, which every kind shares.)
//
// The subpackage duckdbsql is DuckDB's SQL (Where's dialect, column
// types and expressions, Arrow queries) for the duckdb kind and for the
// Parquet engine of the file kinds, which runs an in-memory DuckDB.
//
// sqlkit imports the driver contract (executor/driver) only, never a kind:
// kinds import it, not each other.
package sqlkit
