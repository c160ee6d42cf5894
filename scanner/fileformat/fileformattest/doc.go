// Package fileformattest encodes scannertest tables in the file formats
// scanner/fileformat reads — CSV/TSV (any delimiter), JSON, JSON Lines,
// Parquet — and gzip-compresses them, so that the codec's own tests and
// the conformance harnesses of the sources built on it (scanner/files,
// scanner/s3) store the same fixture bytes without each writing its own
// encoders. It is test support only: nothing in a production path
// imports it.
package fileformattest
