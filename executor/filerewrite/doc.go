// Package filerewrite is the record-level codec the file-like store
// handlers share: finding, counting and rewriting a data subject's
// records in CSV, TSV, JSON, JSON Lines, Parquet and text. executor/files
// (a local directory) and executor/s3 (a bucket prefix) each hold only
// their store access — resolving and opening a target, an atomic replace
// on disk or a conditional put of a new object version — and run this
// over the bytes, so an object is matched and rewritten exactly as the
// same file on disk would be. Neither kind imports the other; both import
// this. Format detection and gzip come from scanner/fileformat, the
// scanner's side of the same codec.
//
// Streams (FindStream, CountStream, RewriteStream) work on the
// decompressed bytes of one object; compression is the caller's. They
// apply executor's matching rules to each record (CSV columns, JSON paths
// such as user.email as the scanner names them) or, for text, to each line
// as whole tokens. The readers know each record's exact bytes (CSV records
// cut by a reader that follows encoding/csv's rules with LazyQuotes, raw
// JSONL lines, json.Decoder offsets), so an erasure keeps every other
// record byte for byte. Lines are read in blocks of 256 KiB, and a block,
// line or record in which executor.Prefilter finds none of the subject's
// values is passed over (copied through by a rewrite) without being
// decoded or matched; a CSV record it lets through is decoded by
// encoding/csv.
//
// Oversized records (bigcsv.go) are never held whole. A CSV/TSV record
// longer than maxRecord (8 MiB) is read field by field: a cell up to 8
// MiB is decoded as usual and matched as in any record (exact cell match
// on the match fields; a match without a field looks for tokens in every
// cell); a longer cell is free text, searched in 1 MiB windows, with a
// margin on both sides, for the subject's identifiers as whole tokens
// (executor.MatchText), so a token across a window's edge is found. Find
// shows such a record as a row with a note in place of each oversized
// cell, and its short cells only when it is the subject's; a record whose
// only trace of the subject is a token in an oversized cell is found too
// (with no short cell shown), so that a rewrite handles it. A rewrite
// reads the record twice: first into a spool (an unlinked temp file in
// os.TempDir, encrypted with AES-CTR under a random key held only in
// memory), matching it, then from the spool to the output: not at all
// when it is the subject's in mode delete; otherwise with the subject's
// tokens in its oversized cells replaced ([REDACTED], or "[hmac:<token>]"
// in mode mask; not in a rectification) and, when it is the subject's in
// modes null or mask or in a rectification, the fields to clear
// re-encoded alone (not the whole record). Every other byte is copied as
// it was. An oversized field to clear can only be nulled (an empty cell):
// masking or rectifying it is refused with an error wrapping
// piimap.ErrUnsupported, as is a header longer than 8 MiB. A 300 MB cell
// is erased in about 100 MiB of RSS (executor/files'
// TestBigCellEraseMemory), with 300 MB of spool on disk for the time of
// the record. A JSON Lines line is held whole up to about 16 MiB; a longer
// one goes through in pieces, copied as it is when executor.Prefilter
// rules out each piece and each piece's edges, and otherwise (it may be
// the subject's: one of their values, or a \u or \/ escape, is in it) is
// refused with an error wrapping piimap.ErrUnsupported naming the line,
// which fails the object's find, count and rewrite; it is never skipped.
// Text lines are still held whole, up to 64 MiB.
//
// A JSON document (.json) is read whole up to jsonDocBound (16 MiB): its
// rows are the elements of a top-level array, or its top-level values,
// each decoded and matched by JSON path; the subject's row is dropped
// (the rows left then joined by the document's first separator) or
// re-encoded alone, every other byte kept. A larger document streams, of
// any size (jsonlex.go, jsondoc.go, bigjson.go): a byte-level scanner that
// follows only strings, escapes and nesting cuts it into rows and copies
// every byte around them as it was. A row up to 16 MiB is held and
// handled as in a document read whole, except that a dropped row goes
// with the separator before it (after it, for the first row kept), so
// the rows left keep their own separators (the same bytes wherever all
// separators are alike). A longer row (oversized; a top-level object over
// 16 MiB is one) is read like an oversized CSV record: spooled encrypted,
// its skeleton (its bytes with each string over 1 MiB replaced by a
// placeholder) matched as any row, and each such long string decoded and
// searched in windows (tokenMasker in JSON mode) for the subject's
// tokens. Escapes are decoded for the search, each decoded byte mapped
// back to its raw bytes, so a token next to \n or \", or written with \u
// escapes, is found and replaced whole, and every other raw byte
// (escapes included) is copied as it was; a surrogate pair cut between
// two reads is searched as two U+FFFD. The row is the subject's when its
// skeleton matches, or when a long string holds a token of a match
// without a field, or of an email, phone, card, IBAN or SSN match whose
// field is that string's path. It is then dropped in mode delete, and
// refused in modes null and mask and in a rectification (which would
// re-encode it) with an error wrapping piimap.ErrUnsupported naming the
// row (the handler adds the object). Otherwise its tokens in long strings
// are replaced ([REDACTED], or "[hmac:<token>]" in mode mask; not in a
// rectification) and the rest copied. A skeleton over 16 MiB is not held:
// it is prefiltered, and refused (ErrUnsupported) when executor.Prefilter
// lets it through (one of the subject's values, or a \u or \/ escape, is
// in it). Find shows an oversized row with a note in place of each long
// string, its other values only when it is the subject's. A 300 MB string
// is erased in about 140 MiB of RSS (executor/files'
// TestBigJSONEraseMemory), with the row's bytes spooled on disk meanwhile.
// A malformed document is an error wrapping piimap.ErrCorrupt.
//
// Modes (clear.go; ModeSupported, RectifySupported, CheckTarget). A
// rewrite drops the subject's records (mode delete), nulls or masks their
// PII and match fields (modes null and mask: an empty cell or JSON null,
// or an HMAC token; only that record is re-encoded), or, for text,
// redacts the subject's identifiers ([REDACTED] or an HMAC token) or
// drops their lines. A rectification sets the subject's records' fields
// to their corrected values in CSV, TSV, JSON, JSON Lines and Parquet;
// records that already hold them are not rewritten, so a second
// rectification changes nothing. Text refuses it.
//
// Parquet needs random access and a columnar engine: Parquet is an
// in-memory DuckDB working on a local file by path (read_parquet, Arrow
// record batches, executor/sqlkit/duckdbsql's matching SQL). Its Rewrite
// is DuckDB's COPY of the rows that stay, or of every row with the
// subject's top-level fields set to NULL, to HMAC tokens computed in Go,
// or to their corrected values (Check refuses nested fields, and tokens
// in columns that are not VARCHAR); the caller's Replacer says where the
// COPY writes and puts the result in place.
package filerewrite
