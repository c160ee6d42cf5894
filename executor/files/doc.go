// Package files is the executor handler for file:// stores: directories of
// CSV/TSV, JSON, JSONL and Parquet files and text logs, each optionally
// gzip-compressed. An asset is a path relative to the store root.
//
// Store-root containment (contain.go): the handler never reads or writes
// through a symlink or outside the root (the configured directory, its own
// symlinks resolved once at Open). A target must be a safe, canonical name
// (no absolute name, no . or .. segment, no control character) naming a
// regular file whose every path component, checked with Lstat, is not a
// symlink, and whose directory resolves (filepath.EvalSymlinks) to itself
// under the root; an erasure or rectification also refuses a file with
// more than one hard link. Anything else is refused by Find, Count,
// ExportParquet, AssetVersion, Erase, Rectify and CheckMode with
// piimap.ErrUnsupported and a message such as "files: erase
// lake/logs/app.log: symlink; refusing to write through it", which planning
// turns into an explicit gap. Files are opened through an os.Root and must
// be the file checked; a rewrite opens the checked directory as its own
// os.Root and renames within it, only over the same regular file.
//
// Find reads Parquet through an in-memory DuckDB (read_parquet, Arrow record
// batches) and streams everything else in Go, applying executor's matching
// rules to each record (CSV columns, JSON paths such as user.email as the
// scanner names them) or, for text, to each line as whole tokens. The Go
// readers are used where DuckDB cannot help: they know each record's exact
// bytes (CSV records cut by a reader that follows encoding/csv's rules
// with LazyQuotes, raw JSONL lines, json.Decoder offsets), so an erasure
// keeps every other record byte for byte. Lines are read in blocks of 256
// KiB, and a block, line or record in which executor.Prefilter finds none
// of the subject's values is passed over (copied through by a rewrite)
// without being decoded or matched; a CSV record it lets through is
// decoded by encoding/csv. The same stream functions serve executor/s3.
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
// (with no short cell shown), so that Erase rewrites it. A rewrite reads
// the record twice: first into a spool (an unlinked temp file in
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
// is erased in about 100 MiB of RSS (TestBigCellEraseMemory), with 300 MB
// of spool on disk for the time of the record. A JSON Lines line is held
// whole up to about 16 MiB; a longer one goes through in pieces, copied as
// it is when executor.Prefilter rules out each piece and each piece's
// edges, and otherwise (it may be the subject's: one of their values, or
// a \u or \/ escape, is in it) is refused with an error wrapping
// piimap.ErrUnsupported naming the line, which fails the file's Find,
// Count and Erase; it is never skipped. Text lines are still held whole,
// up to 64 MiB.
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
// row (the Handler adds the file). Otherwise its tokens in long strings
// are replaced ([REDACTED], or "[hmac:<token>]" in mode mask; not in a
// rectification) and the rest copied. A skeleton over 16 MiB is not held:
// it is prefiltered, and refused (ErrUnsupported) when executor.Prefilter
// lets it through (one of the subject's values, or a \u or \/ escape, is
// in it). Find shows an oversized row with a note in place of each long
// string, its other values only when it is the subject's. A 300 MB string
// is erased in about 140 MiB of RSS (TestBigJSONEraseMemory), with the
// row's bytes spooled on disk meanwhile. A malformed document is an error
// wrapping piimap.ErrCorrupt.
//
// Erase rewrites a file without the subject's records (mode delete), with
// their PII and match fields nulled or masked (modes null and mask: an
// empty cell or JSON null, or an HMAC token; only that record is
// re-encoded), or, for text, with the subject's identifiers redacted
// ([REDACTED] or an HMAC token) or their lines dropped. It writes into a
// temp file in the same directory (created O_EXCL through that directory's
// os.Root), fsyncs it, renames it over the original (only if the entry is
// still the regular file read; never over a link) and fsyncs the
// directory. A crash leaves the old file or the new one, never a mix. Every
// temp file has one recognisable name, ".<base>.piimap-<random>.tmp"
// (sfiles.TempPattern; DuckDB's COPY writes straight into it with
// USE_TMP_FILE false), which the scanner never reads as data
// (sfiles.IsTempName); the first Erase or Rectify of a handler (not a dry
// run) removes every stale one in the store, left by a killed run, and
// each rewrite removes those of its own file. Files are only rewritten
// when something matched, so a second erasure reads but writes nothing. Parquet is rewritten with
// DuckDB's COPY of the rows that stay, or of every row with the subject's
// top-level fields set to NULL or to HMAC tokens computed in Go (CheckMode
// refuses nested fields, and tokens in columns that are not VARCHAR).
//
// Rectify sets the subject's records' fields to their corrected values in
// CSV, TSV, JSON, JSON Lines and Parquet files the same way; records that
// already hold them are not rewritten, so a second rectification changes
// nothing. Text refuses it (CheckMode), which planning turns into a gap.
package files
