package files

import (
	"compress/gzip"
	"fmt"
	"io"

	"github.com/piimap/piimap"
)

// This file exports the glue object-store sources (scanner/s3) need to emit
// exactly what this source emits for the same bytes.

// EmitBatch turns a sampled Batch of unit u into one record per field, with
// the rows-sampled/rows-total, SQL type and text-field meta the files
// source sets.
func EmitBatch(u piimap.Unit, b *Batch, emit func(piimap.Record) error) error {
	return emitBatch(u, b, emit)
}

// NewGzipReader decompresses r; a bad header and, while reading, a
// truncated stream or a bad checksum wrap piimap.ErrCorrupt, and passing
// MaxGzipOutput or MaxGzipRatio fails the read ("gzip bomb: …").
func NewGzipReader(r io.Reader) (io.ReadCloser, error) {
	in := &countReader{r: r}
	zr, err := gzip.NewReader(in)
	if err != nil {
		return nil, fmt.Errorf("gzip header: %v: %w", err, piimap.ErrCorrupt)
	}
	return struct {
		io.Reader
		io.Closer
	}{&gzipErrs{r: zr, in: in}, zr}, nil
}
