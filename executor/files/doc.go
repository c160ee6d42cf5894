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
// Find, Count, Erase and Rectify run the shared record codec
// (executor/filerewrite, which executor/s3 runs too) over each file's
// decompressed bytes: what a record is, how it matches, what a rewrite
// keeps byte for byte, the oversized CSV records and JSON rows, the null,
// mask and rectification modes are all described there. Parquet goes
// through the codec's in-memory DuckDB (filerewrite.Parquet) by path.
// This package holds the store access: containment, opening, and the
// atomic replace below.
//
// Erase rewrites a file without the subject's records, or with them
// changed as the mode says (filerewrite). It writes into a temp file in
// the same directory (created O_EXCL through that directory's os.Root),
// fsyncs it, renames it over the original (only if the entry is still the
// regular file read; never over a link) and fsyncs the directory. A crash
// leaves the old file or the new one, never a mix. Every temp file has one
// recognisable name, ".<base>.piimap-<random>.tmp" (sfiles.TempPattern;
// DuckDB's COPY writes straight into it with USE_TMP_FILE false), which
// the scanner never reads as data (sfiles.IsTempName); the first Erase or
// Rectify of a handler (not a dry run) removes every stale one in the
// store, left by a killed run, and each rewrite removes those of its own
// file. Files are only rewritten when something matched, so a second
// erasure reads but writes nothing. CheckMode refuses what the codec
// cannot do (filerewrite.CheckTarget; for Parquet, fields that are nested
// or cannot hold a token), which planning turns into a gap.
//
// Rectify sets the subject's records' fields to their corrected values
// the same way; text refuses it (CheckMode).
package files
