// Package fileformat is the file-format codec the object sources share.
// scanner/files (a local directory) and scanner/s3 (a bucket prefix) each
// hold only their store access — listing, opening, change stamps — and
// hand the bytes here, so an object is detected, sampled and chunked the
// same way whatever store holds it. Neither source imports the other;
// both import this, the way gocloud's drivers share blob/driver.
//
// Detection (Sniff, DetectFormat) looks at an object's (decompressed)
// head, content first — gzip and Parquet magic numbers, JSON/JSONL
// syntax, a delimiter that splits every line into the same number of
// fields (SniffDelimiter) — and its name's extension second (FormatOf
// when there is no content to look at). Binary content (BinaryReason: a
// known binary magic number, UTF-16, or mostly control bytes; NUL bytes
// alone are not binary, a log with NULs is read as text, each NUL a space)
// is never dropped: Sniff lists it as a skipped unit (MetaSkipped, the
// reason ending in ReasonContent) whose read fails with the reason.
//
// Reading (ReadUnit, or the readers themselves). Structured objects (CSV,
// TSV, JSON, JSONL, Parquet, and gzip of each) are sampled
// (SampleDelimited, SampleJSON, SampleJSONL, SampleParquet): a seeded
// reservoir over the streamed rows, or seeded random rows across Parquet
// row groups, never the head only; a full read emits every row in
// batches (Batch, FullBatchRows). Nested JSON is flattened to dotted paths
// (`payload.user.email`, `items[].sku`). EmitBatch turns a batch into one
// record per field. Text (ChunkText) is read in full, in chunks cut on
// line boundaries (or whitespace inside a very long line), so a huge
// object never sits in memory. The readers take an io.Reader; Parquet
// takes an io.ReaderAt, whose random access is the store's to give (a
// local file, ranged GETs, a spool of a gzip-wrapped object).
//
// Bad input fails only its own unit, with an error the source names the
// object in: piimap.ErrCorrupt for a corrupt Parquet file, a truncated
// gzip stream, invalid UTF-8 (reported as "line N: invalid UTF-8" after
// the valid parts have been read) or a CSV quote never closed ("line N:
// quoted field never closed", after the rows before it have been
// sampled). Gzip (NewGzipReader) is decompressed up to MaxGzipOutput
// bytes and MaxGzipRatio to 1; past either the read fails with "gzip
// bomb: …" after the bytes before count.
//
// Memory stays bounded by the chunk and sample sizes, not by the input: a
// CSV/TSV cell or JSON string longer than MaxCellBytes (1 MiB) is read
// past and only its first MiB classified; the field's record carries
// MetaTruncated ("1 cell(s) truncated at 1 MiB for classification"), and
// a full read, which builds identifier filters, fails the unit instead so
// no filter is built from a partial cell.
//
// Names. UnsafeName says why an asset name may not be mapped to a file or
// read as an object (absolute, a . or .. segment, a control or bidi
// character); EscapeName renders any name for messages, unit names and
// logs with no raw control byte. The sources and the executor handlers of
// both kinds use them.
//
// Test fixtures in these formats are in fileformattest.
package fileformat
