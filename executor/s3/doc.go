// Package s3 is the executor handler for S3 stores (kind "s3"): it finds,
// counts, exports and erases a data subject's records in the objects under
// a store's bucket prefix. It opens stores through scanner/s3's connection
// helper and runs the shared record codec (executor/filerewrite, which
// executor/files runs too) over streams, so an object is matched and
// rewritten exactly as the same file on disk would be: CSV/TSV, JSON,
// JSONL (records dropped, or their PII fields nulled or masked, or
// rectified; every other record kept byte for byte) and text logs
// (identifiers redacted or masked, or lines dropped), each optionally
// gzip-compressed. This package holds only the store access: resolving
// and reading objects pinned to their ETag, and conditional puts.
//
// Objects are streamed: Find and Count read one GET; Erase pipes that GET
// through the record filter into a streaming upload, so memory does not
// grow with the object: the codec streams oversized CSV records, JSON
// Lines lines and JSON documents (see executor/filerewrite). Parquet is
// spooled to a temp file on disk and handled by the codec's Parquet engine
// (an in-memory DuckDB per operation), then uploaded the same way.
//
// Every read of an erasure is pinned to the ETag seen when the object was
// resolved (If-Match on the GET), and the new version is written with a
// conditional put (If-Match on PutObject, or on CompleteMultipartUpload for
// large objects, set through gocloud's As escape hatch to the AWS transfer
// manager). A writer that changes the object in between is therefore never
// overwritten: the erasure fails with ErrConflict, nothing is written, and
// a retry starts from the new version. The replacement keeps the object's
// content type, metadata and other headers. Objects are rewritten only when
// something matched, so a second erasure reads but never writes.
//
// Store-root containment: a target whose key, relative to the store
// prefix, is unsafe (scanner/s3's CheckAsset: absolute, a . or .. segment,
// an empty segment, a NUL or other control character) is refused by every
// operation — CheckMode (so planning shows a gap), Find, Count, Erase,
// Rectify, ExportParquet, AssetVersion — with piimap.ErrUnsupported before
// any request is sent. Parquet objects are spooled under a fixed local name
// in a private temp directory, never under their key.
package s3
