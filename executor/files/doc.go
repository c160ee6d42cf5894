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
// bytes (csv.Reader.InputOffset, raw JSONL lines, json.Decoder offsets), so
// an erasure keeps every other record byte for byte. Lines are read in
// blocks of 256 KiB, and a block, line or record in which
// executor.Prefilter finds none of the subject's values is passed over
// (copied through by a rewrite) without being decoded or matched. The
// same stream functions serve executor/s3.
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
