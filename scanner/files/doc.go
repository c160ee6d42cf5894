// Package files is the read-only Source for a local directory tree
// (file://DIR).
//
// Enumerate walks DIR and detects each file's format from its content first
// — gzip and Parquet magic numbers, JSON/JSONL syntax, a delimiter that
// splits every line into the same number of fields — and its extension
// second. Structured objects (CSV, TSV, JSON, JSONL, Parquet, and .gz of
// each) are sampled: a seeded reservoir over the streamed rows, or seeded
// random rows across Parquet row groups, never the head only. Nested JSON is
// flattened to dotted paths (`payload.user.email`, `items[].sku`). Text is
// read in full, in chunks cut on line boundaries (or whitespace inside a
// very long line), so a huge file never sits in memory.
//
// The format readers (SampleDelimited, SampleJSON, SampleJSONL,
// SampleParquet, ChunkText, DetectFormat) work on plain io.Reader and
// io.ReaderAt values so object-store sources can reuse them.
//
// Bad input fails only its own unit, with an error naming the object:
// piimap.ErrCorrupt for a corrupt Parquet file, a truncated gzip stream,
// invalid UTF-8 (reported as "line N: invalid UTF-8" after the valid parts
// have been scanned) or a CSV quote never closed ("line N: quoted field
// never closed", after the rows before it have been sampled),
// piimap.ErrNotFound for a missing object. Nothing is dropped silently: a
// binary file (BinaryReason: a known binary magic number, UTF-16, or mostly
// control bytes — NUL bytes alone are not binary: a log with NULs is read
// as text, each NUL a space), a fifo, socket or device is listed as a
// skipped unit (MetaSkipped) whose read fails with the reason. Gzip is
// decompressed up to MaxGzipOutput bytes and MaxGzipRatio to 1; past
// either the unit fails with "gzip bomb: …" after the bytes before count.
//
// Memory stays bounded by the chunk and sample sizes, not by the input: a
// CSV/TSV cell or JSON string longer than MaxCellBytes (1 MiB) is read past
// and only its first MiB classified; the field's record carries
// MetaTruncated ("1 cell(s) truncated at 1 MiB for classification"), and a
// full read, which builds identifier filters, fails the unit instead so no
// filter is built from a partial cell.
//
// piimap's own temp files (".<base>.piimap-<random>.tmp", IsTempName),
// which a killed erasure can leave beside the file it was rewriting, are
// not units: they are never listed or read.
//
// Store-root containment: the source never leaves the store root (the
// configured directory, its own symlinks resolved once at Open) and never
// follows a symlink below it. A symlink whose target is a file or directory
// inside the root is not a unit: the target is read once, under its own
// name. Any other symlink — to a file or directory outside the root,
// dangling or looping, or to a file inside the root that the store's
// include/exclude leaves out — is listed as a skipped unit (unit meta
// MetaSkipped, an asset attribute in the map) whose read fails with the
// reason, e.g. "files: read logs/x.csv: symlink to outside the store root;
// not followed — copy the file into the root or add its directory as a
// store: unsupported". A file whose name holds control characters is listed
// the same way under its escaped name (EscapeName) and never opened. Those
// unit errors appear in the scan result, the scan run's errors and the
// plan's gaps: nothing is skipped silently. Reads open files through an
// os.Root on the root after an Lstat of every path component, and refuse a
// file that is not the one checked. UnsafeName and EscapeName are shared
// with the S3 source and the executor handlers.
package files
