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
// piimap.ErrCorrupt for a corrupt Parquet file, a truncated gzip stream or
// invalid UTF-8 (reported as "line N: invalid UTF-8" after the valid parts
// have been scanned), piimap.ErrNotFound for a missing object.
package files
