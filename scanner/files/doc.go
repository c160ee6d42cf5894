// Package files is the read-only Source for a local directory tree
// (file://DIR).
//
// Enumerate walks DIR and lists each regular file as a unit; Read opens
// it. Everything about the bytes — format detection (content first, the
// extension second), seeded sampling of CSV, TSV, JSON, JSONL and Parquet
// (and .gz of each), flattening of nested JSON, text chunking, the gzip
// and cell-size limits, the errors of bad input — is the shared codec's,
// scanner/fileformat, which the S3 source uses too: the same bytes yield
// the same records in either store. This package holds the store access:
// walking, opening without following links, and the local rules below.
// A gzip-compressed Parquet file, which has no random access, is
// decompressed into memory up to MaxGzipParquet bytes.
//
// Nothing is dropped silently: a binary file, a fifo, socket or device is
// listed as a skipped unit (fileformat.MetaSkipped) whose read fails with
// the reason (wrapping piimap.ErrUnsupported); a file that cannot be
// opened is listed too, and its read reports why.
//
// piimap's own temp files (".<base>.piimap-<random>.tmp", IsTempName),
// which a killed erasure can leave beside the file it was rewriting, are
// not units: they are never listed or read. executor/files names its temp
// files with TempPattern.
//
// Store-root containment: the source never leaves the store root (the
// configured directory, its own symlinks resolved once at Open) and never
// follows a symlink below it. A symlink whose target is a file or directory
// inside the root is not a unit: the target is read once, under its own
// name. Any other symlink — to a file or directory outside the root,
// dangling or looping, or to a file inside the root that the store's
// include/exclude leaves out — is listed as a skipped unit (unit meta
// fileformat.MetaSkipped, an asset attribute in the map) whose read fails
// with the reason, e.g. "files: read logs/x.csv: symlink to outside the
// store root; not followed — copy the file into the root or add its
// directory as a store: unsupported". A file whose name holds control
// characters (fileformat.UnsafeName) is listed the same way under its
// escaped name (fileformat.EscapeName) and never opened. Those unit errors
// appear in the scan result, the scan run's errors and the plan's gaps:
// nothing is skipped silently. Reads open files through an os.Root on the
// root after an Lstat of every path component, and refuse a file that is
// not the one checked.
package files
