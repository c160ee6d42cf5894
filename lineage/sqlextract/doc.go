// Package sqlextract derives declared column lineage from what data teams
// already write down: view definitions, CREATE TABLE AS and INSERT …
// SELECT statements, query logs, dbt's manifest.json and OpenLineage run
// events. Each column edge says which input column an output column comes
// from and how, after OpenLineage's column-lineage facet: identity (the
// value is copied), transformation (computed from it) or masked (hashed,
// truncated, redacted).
//
// # SQL
//
// Extract parses Postgres SQL with pg_query_go (the server's own parser,
// via libpg_query), so anything Postgres accepts is read as Postgres reads
// it: quoting and case folding of identifiers, CTEs, subqueries in FROM
// and in expressions, UNIONs, SELECT INTO, materialized views. DuckDB's
// json_serialize_sql was the alternative; it parses SELECT only, so every
// CREATE VIEW, CTAS and INSERT would need its wrapper stripped by hand,
// and it is a different dialect from the Postgres views and logs that
// carry most declared lineage. MySQL and MariaDB view definitions go
// through FromMySQL first, which rewrites backquotes, string escapes and
// the ALGORITHM/DEFINER clauses into the Postgres dialect.
//
// Names are resolved the way the server does: each SELECT has a scope of
// FROM items (tables, subqueries, CTEs, joins), a qualified column goes to
// the item with that alias, an unqualified one to the only item that has
// it — which needs a Schema when several tables are joined — and a star
// expands to the columns of the items it covers (a table's only when the
// Schema knows them). Lineage through subqueries and CTEs is composed, so
// md5 applied in a CTE still makes the final column masked. What cannot be
// tied to one table is listed in Result.Unresolved rather than guessed.
//
// Any masking function on the path from input to output makes the edge
// masked: digests (md5, sha256, digest, hmac, crypt, hash…), encryption,
// truncation to a part (left, right, substr, substring, overlay),
// redaction (regexp_replace, translate), and the anon.* functions of
// PostgreSQL Anonymizer or names starting with mask/redact/hash. Any other
// function or operator makes it a transformation; casts keep identity.
// Only values flow into the edges: columns in WHERE, JOIN … ON, GROUP BY
// and CASE conditions are read, not copied (Result.Reads lists the tables
// read). Functions are kept by name as evidence; arguments never are.
//
// # Query logs
//
// MaskLiterals replaces every literal of a logged statement with ? before
// anything is stored, using Postgres' scanner so it agrees with the server
// on where a string ends; comments are dropped; a quoted identifier that
// looks like a value (holds an @ or is mostly digits) is masked too, in
// case a MySQL line came this way. Text the scanner refuses goes through
// MaskLiteralsLenient, which also serves MySQL logs and errs towards
// masking too much. ParamPlaceholders makes a masked statement parseable
// again, so stored logs can be re-read for lineage.
//
// # dbt and OpenLineage
//
// ParseDBTManifest extracts the compiled SQL of every model and snapshot,
// resolved against the columns documented on all nodes and sources, and
// names relations "schema.name"; models without compiled SQL yield table
// edges from depends_on. ParseOpenLineage reads run events (an object, an
// array or JSON lines) and maps each input field's transformations: DIRECT
// with masking → masked, DIRECT IDENTITY → identity, other DIRECT →
// transformation; INDIRECT inputs (filters, joins) copy nothing and are
// skipped; facet 1.0's transformationType is honoured.
//
// # Into the graph
//
// Edges turns a Result into derived_from edges (target → source) with the
// caller's source kind (view, sql, dbt, openlineage) and confidence, using
// a Resolver that maps relation or dataset names to the stores piimap
// scans; ends outside the estate are returned as unknown, not invented.
//
// # Limits
//
//   - Postgres dialect, plus what FromMySQL rewrites: other MySQL-only
//     syntax (INTERVAL units, IF(), string || meaning OR) and
//     DuckDB-specific syntax fail to parse and are reported, not guessed.
//   - Without a Schema, unqualified columns in joins and stars over base
//     tables are unresolved; dbt manifests supply a schema only for
//     documented columns.
//   - Column order is unknown to dbt's manifest (columns are a map), so
//     INSERT without a column list needs a caller-supplied Schema.
//   - UPDATE … FROM, MERGE and COPY statements are not traced; procedural
//     code (PL/pgSQL bodies) is not parsed.
package sqlextract
