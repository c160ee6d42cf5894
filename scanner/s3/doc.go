// Package s3 is the read-only Source for S3 and S3-compatible object stores
// (s3://bucket/prefix?endpoint=…&use_path_style=true&region=…), built on
// gocloud.dev/blob with its s3blob driver (AWS SDK v2).
//
// Connect parses the store URL (ParseURL: the bucket, a key prefix, and
// connection parameters passed to gocloud — endpoint, region, path style;
// anything unknown is a config error), opens the bucket and probes it with
// HeadBucket, so a server that is down fails fast with
// piimap.ErrUnreachable. Credentials come only from the environment (the AWS
// SDK's default chain); a URL carrying them is refused and nothing prints
// them. executor/s3 opens its stores through the same Conn.
//
// Enumerate lists the objects under the prefix; an asset is the key
// relative to the prefix. Each object's head is fetched with one ranged GET
// to detect its format by content (the shared codec's fileformat.Sniff,
// exactly as the files source does), and the unit records its size, ETag
// and modification time — asset attributes in the graph, which make
// incremental rescans possible.
//
// Read streams: a 1 GB object never sits in memory. Text, CSV/TSV, JSON and
// JSONL go through one GET into scanner/fileformat's readers
// (fileformat.ReadUnit), gzip decompressed on the fly;
// Parquet is read through ReaderAt, an io.ReaderAt of ranged GETs with a
// small block cache, every request pinned to the object's ETag (If-Match) so
// that a replaced object fails the read instead of mixing two versions.
// Sampling is the codec's, as for local files: a seeded reservoir over the
// whole stream, row numbers drawn across all row groups for Parquet, never
// the head only. A gzip-wrapped Parquet object, which has no random
// access, is spooled to a temp file (TempDir). This package holds only the
// store access: listing, ranged and pinned GETs, ETags and connections.
//
// Store-root containment: an object whose key, relative to the prefix, is
// unsafe (UnsafeKey: absolute as in `/abs.csv`, with a . or .. segment as in
// `../x.csv` or `a/../../b.csv`, between slashes or backslashes, with an
// empty segment, or holding a NUL or other control character) is never
// read, not even its head, and never mapped to anything local: it is listed
// as a skipped unit under its escaped key (fileformat.EscapeName) with the
// reason in its fileformat.MetaSkipped meta, and its read fails with that reason
// ("s3: read ../x.csv: unsafe object key (name has a . or .. segment); not
// read — rename the object: unsupported"), so it shows in the scan's errors
// and the plan's gaps. CheckAsset refuses such names on every read path
// (here and in executor/s3) with piimap.ErrUnsupported.
package s3
