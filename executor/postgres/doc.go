// Package postgres is the executor handler for PostgreSQL stores
// (postgres://…): it finds, counts, erases and rectifies one data subject's
// rows, and it is the only piimap code that writes to a Postgres database.
//
// Matching. Where turns driver.Match values into one parameterised
// boolean expression that decides every row the way the executor's Go
// matcher (driver.Match.MatchValue) decides a cell: emails compare
// trimmed and lower-cased, or as a whole token inside longer text; phones
// compare by their digits, or as a token; other kinds compare the trimmed
// text form exactly. Integer and uuid key columns compare typed (=
// ANY($n::int8[]) / ::uuid[]), so foreign-key lookups use their indexes.
// A list field (a text[] column tags[], a path into a JSON array
// profile.emails[] or contacts[].mail) matches a row when one of its
// elements does (EXISTS over unnest or jsonb_array_elements; a value at
// the path that is no array has no elements); lists inside lists are
// unsupported. Value lists travel as one array parameter, never as one statement per
// value: a subject with 10,000 rows costs the same number of statements as
// one with 10.
//
// Erasure. Erase runs every target of the store in ONE transaction
// (statement_timeout and lock_timeout set with SET LOCAL semantics through
// scanner/postgres's Config.Begin), children first: the executor orders the
// targets, and Erase checks that order against the catalog's foreign keys,
// moving a parent after its children only when the catalog proves the given
// order wrong. Each target costs one statement:
//
//   - delete: DELETE … WHERE <match>;
//   - null:   UPDATE … SET <pii and match columns> = NULL WHERE <match>;
//   - mask:   one SELECT of the distinct values to mask, HMAC tokens
//     computed in Go (driver.MaskToken: emails keep their shape), then one
//     UPDATE joining value→token arrays; non-string columns become NULL.
//     The mask key never leaves the process.
//
// A view (or materialized view) in the plan is counted, never written: its
// rows go when its base tables, targets of their own, are erased, and
// Verify reports whatever it still shows. No mode needs a primary key.
//
// A row that was erased no longer matches, so a second erasure finds and
// changes nothing. CheckMode refuses, before anything runs, the null and
// mask erasures the catalog shows cannot succeed (a primary-key or NOT NULL
// column, a string key of a foreign key, a column too short for a token),
// and the planner lists them as gaps. A dry run counts inside a read-only
// transaction.
//
// Handler.Statements counts every statement the handler sends (BEGIN,
// SET LOCAL and COMMIT included) so tests and benchmarks can show that the
// cost grows with tables, not rows.
//
// The connection helper (URL parsing, timeouts, quoting, error
// classification) is scanner/postgres's; the logic every SQL kind shares
// (the matching rules, the transaction skeleton and its children-first
// order, the catalog cache, the mode checks, Find's batches) is
// executor/sqlkit's. This package adds Postgres's SQL for them (the
// sqlkit.Dialect with array parameters, typed int and uuid keys) and its
// catalog queries.
package postgres
