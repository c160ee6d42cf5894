// Package mysql is the executor handler for MariaDB and MySQL stores
// (mysql://… or mariadb://…): it finds, counts, erases and rectifies one
// data subject's rows, and it is the only piimap code that writes to them.
//
// Matching. Where turns driver.Match values into one boolean expression
// that decides every row the way the executor's Go matcher decides a cell.
// MariaDB/MySQL compare strings under the column's collation, which is
// usually case- and accent-insensitive and pads trailing spaces, so every
// text comparison is forced to utf8mb4_bin: emails compare trimmed and
// lower-cased, or as a whole token (REGEXP) inside longer text; phones
// compare by digits or as a token; other kinds compare the exact trimmed
// text form. Integer key columns compare typed (col IN (1, 2, …)), so
// foreign-key lookups use their indexes. A value list is one IN list in one
// statement: statements grow with tables, not rows.
//
// Erasure. Erase runs every target of the store in ONE transaction, with
// max_statement_time (MariaDB) or max_execution_time (MySQL) and
// lock_wait_timeout / innodb_lock_wait_timeout set by scanner/mysql's
// DB.Begin. Targets run children first: the executor orders them and Erase
// checks that order against the catalog's foreign keys, moving a parent
// after its children only when the catalog proves the given order wrong.
// InnoDB checks foreign keys row by row, so a parent deleted after its
// children in the same transaction is fine.
//
//   - delete: DELETE t FROM … WHERE <match>;
//   - null:   UPDATE … SET <pii and match columns> = NULL WHERE <match>;
//   - mask:   one SELECT of the distinct values, HMAC tokens computed in Go
//     (driver.MaskToken; the key never reaches the server or its logs),
//     one INSERT of the value→token pairs per masked column into a
//     temporary table, and one UPDATE joining them; non-string columns
//     become NULL.
//
// A view (or materialized view) in the plan is counted, never written: its
// rows go when its base tables, targets of their own, are erased, and
// Verify reports whatever it still shows. No mode needs a primary key.
//
// A second erasure finds and changes nothing. CheckMode refuses the null
// and mask erasures the catalog shows cannot succeed, which the planner
// lists as gaps. Handler.Statements counts every statement sent.
//
// The connection helper (URL parsing, timeouts, quoting, error
// classification, MariaDB detection) is scanner/mysql's; the logic every
// SQL kind shares (the matching rules, the transaction skeleton and its
// children-first order, the catalog cache, the mode checks, Find's
// batches) is executor/sqlkit's. This package adds MySQL's SQL for them
// (the sqlkit.Dialect with IN lists and utf8mb4_bin comparisons) and its
// catalog queries.
package mysql
