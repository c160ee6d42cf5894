package fileformat

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/piimap/piimap"
)

// Decompression limits. A gzip object whose decompressed size passes
// MaxGzipOutput bytes, or whose decompressed bytes outnumber the compressed
// bytes read by more than MaxGzipRatio to 1 (checked once past
// gzipRatioFloor bytes of output), stops being read: the bytes before count
// and the unit fails with "gzip bomb: …". Set them before a scan; 0 turns a
// limit off.
var (
	MaxGzipOutput int64 = 1 << 30
	MaxGzipRatio  int64 = 200
)

// gzipRatioFloor is the output below which the ratio is not checked: a
// small, very repetitive file is not a bomb.
const gzipRatioFloor = 4 << 20

var gzipMagic = []byte{0x1f, 0x8b}

// IsGzip reports whether head starts with the gzip magic number.
func IsGzip(head []byte) bool { return bytes.HasPrefix(head, gzipMagic) }

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

// GunzipHead decompresses up to HeadSize bytes of a gzip object whose
// first bytes are head. rest, when not nil, holds the object's bytes after
// head (the rest of a local file); done then says the whole object
// decompressed within HeadSize. Without rest only head is decompressed,
// and done also needs complete (head is the whole object). A bad header
// yields nothing.
func GunzipHead(head []byte, complete bool, rest io.Reader) (inner []byte, done bool) {
	var src io.Reader = bytes.NewReader(head)
	if rest != nil {
		src = io.MultiReader(src, rest)
	}
	zr, err := gzip.NewReader(src)
	if err != nil {
		return nil, false
	}
	out := make([]byte, HeadSize)
	n, err := io.ReadFull(zr, out)
	eof := errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	return out[:n], eof && (complete || rest != nil)
}

// gzipErrs marks decompression failures (truncated stream, bad checksum)
// as corrupt input and enforces the decompression limits.
type gzipErrs struct {
	r   io.Reader
	in  *countReader // compressed bytes read
	out int64
}

func (g *gzipErrs) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.out += int64(n)
	if lim := MaxGzipOutput; lim > 0 && g.out > lim {
		return n, fmt.Errorf("gzip bomb: decompressed size exceeds %d bytes after %d compressed bytes; the rest is not read (raise gzip.max_output in the config if the file is genuine): %w",
			lim, g.in.n, piimap.ErrUnsupported)
	}
	if lim := MaxGzipRatio; lim > 0 && g.out > gzipRatioFloor && g.in.n > 0 && g.out/g.in.n > lim {
		return n, fmt.Errorf("gzip bomb: ratio %d:1 exceeds %d:1 (%d bytes from %d compressed); the rest is not read (raise gzip.max_ratio in the config if the file is genuine): %w",
			g.out/g.in.n, lim, g.out, g.in.n, piimap.ErrUnsupported)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return n, fmt.Errorf("gzip: truncated stream: %w", piimap.ErrCorrupt)
		}
		return n, fmt.Errorf("gzip: %v: %w", err, piimap.ErrCorrupt)
	}
	return n, err
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
