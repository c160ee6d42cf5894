// Package sqlcatalog is what the SQL Sources (scanner/postgres,
// scanner/mysql, scanner/duckdb) share when they read a database's
// catalog: each kind keeps its own catalog queries and dialect, and hands
// the rows to the same code. No kind imports another; all import this.
//
// Names. Assets are `schema.table` (a MySQL database plays the schema):
// Asset joins the two, SplitAsset cuts at the first dot (schema names
// hold no dot in piimap's naming; table names may). QuoteIdent quotes the
// ANSI way that Postgres and DuckDB read; it also serves the DuckDB SQL
// the executor's Parquet engine writes, since scanner-floor code is the
// lowest both floors can import.
//
// Declared edges. DeclaredEdges is the skeleton of a Source's
// DeclaredEdges: the foreign keys first, as `references` edges from each
// child column to its parent column (ForeignKeyEdges reads the six-column
// rows every kind's query returns), then the view definitions as
// `derived_from` edges; each step failing is named ("foreign keys", "view
// definitions") by the kind's own error wrapper.
//
// View lineage. A Catalog holds the column lists of every relation and the
// view definitions, each already written as one CREATE VIEW statement that
// lineage/sqlextract parses. Catalog.Edges parses each, points its edges
// at the view's asset and keeps column-level edges only; a definition that
// does not parse yields no edges and, since it may hold literals, is never
// quoted. Relation names resolve to this store's assets as a bare name
// (in the view's default schema), schema.table, or database.schema.table
// when the kind has a database level; relations the catalog does not list
// are outside the estate.
//
// Sampling. Sampler is the skeleton of a Source's ReadSample for the
// kinds that sample inside one read-only transaction: a cancelled context
// stops it first, a unit name that is not schema.table is ErrNotFound, an
// error of the caller's emit comes back as is and any other error is named
// "sample <asset>" by the kind's wrapper.
package sqlcatalog
