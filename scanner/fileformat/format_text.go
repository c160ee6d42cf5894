package fileformat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/piimap/piimap"
)

// DefaultChunkSize is the text chunk size: big enough to amortise the
// classifier's per-call cost, small enough to bound memory per unit.
const DefaultChunkSize = 1 << 20

// softCutWindow is how far back from a full window a cut looks for
// whitespace when a line is longer than the chunk, so a token is not split.
const softCutWindow = 4 << 10

// Chunk is one piece of a text object: Data starts at byte Offset of the
// (decompressed) object, on 1-based line Line.
type Chunk struct {
	Data   []byte
	Offset int64
	Line   int64
}

// ChunkText streams r in chunks of about size bytes (DefaultChunkSize when
// size <= 0), cut after the last newline of each window; a line longer than
// a window (a 10 MB single-line log) is cut at whitespace, else at a rune
// boundary, so no byte is dropped and memory stays bounded by two windows.
// Each chunk is a fresh slice the caller may keep.
//
// NUL bytes (a log's zero-filled head after a crash, stray NULs) are
// replaced by spaces, so they separate tokens and the text around them is
// classified. Invalid UTF-8 bytes are replaced by spaces (offsets stay exact) and
// reported after the whole input has been emitted, as "line N: invalid
// UTF-8 (k lines)" wrapping piimap.ErrCorrupt. A read error is returned
// after the bytes read before it have been emitted.
func ChunkText(ctx context.Context, r io.Reader, size int, emit func(Chunk) error) error {
	if size <= 0 {
		size = DefaultChunkSize
	}
	buf := make([]byte, 0, size)
	var (
		offset            int64
		line              int64 = 1
		badLines          int64
		firstBad, lastBad int64
		readErr           error
		eof               bool
	)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		for !eof && readErr == nil && len(buf) < size {
			n, err := r.Read(buf[len(buf):size])
			buf = buf[:len(buf)+n]
			if errors.Is(err, io.EOF) {
				eof = true
			} else if err != nil {
				readErr = err
			}
		}
		if len(buf) == 0 {
			break
		}
		cut := len(buf)
		if !eof && readErr == nil {
			cut = cutPoint(buf)
		}
		chunk := bytes.Clone(buf[:cut])
		nulToSpace(chunk)
		startLine := line
		if !utf8.Valid(chunk) {
			line, badLines, firstBad, lastBad = sanitize(chunk, line, badLines, firstBad, lastBad)
		} else {
			line += int64(bytes.Count(chunk, []byte{'\n'}))
		}
		if err := emit(Chunk{Data: chunk, Offset: offset, Line: startLine}); err != nil {
			return err
		}
		offset += int64(cut)
		buf = buf[:copy(buf, buf[cut:])]
	}
	var errs []error
	if readErr != nil {
		errs = append(errs, fmt.Errorf("offset %d: %w", offset, readErr))
	}
	if badLines > 0 {
		errs = append(errs, fmt.Errorf("line %d: invalid UTF-8 (%d lines): %w", firstBad, badLines, piimap.ErrCorrupt))
	}
	return errors.Join(errs...)
}

// cutPoint picks where a full window ends: after its last newline, else at
// the last whitespace in its final softCutWindow bytes, else at the last
// rune start.
func cutPoint(buf []byte) int {
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		return i + 1
	}
	lo := max(0, len(buf)-softCutWindow)
	for i := len(buf) - 1; i >= lo; i-- {
		switch buf[i] {
		case ' ', '\t', '\r', ',', ';':
			return i + 1
		}
	}
	cut := len(buf)
	for back := 0; back < utf8.UTFMax && cut > 1; back++ {
		if utf8.RuneStart(buf[cut-1]) {
			// buf[cut-1] starts a rune: keep it only if it is complete.
			if utf8.FullRune(buf[cut-1:]) {
				return cut
			}
			return cut - 1
		}
		cut--
	}
	return len(buf)
}

// sanitize replaces invalid UTF-8 bytes by spaces, counting lines as it
// goes and noting those that held invalid bytes.
func sanitize(b []byte, line, badLines, firstBad, lastBad int64) (int64, int64, int64, int64) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == '\n' {
				line++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			b[i] = ' '
			if lastBad != line {
				badLines++
				lastBad = line
				if firstBad == 0 {
					firstBad = line
				}
			}
		}
		i += n
	}
	return line, badLines, firstBad, lastBad
}

// nulToSpace replaces NUL bytes by spaces in place (offsets stay exact).
func nulToSpace(b []byte) {
	for i := bytes.IndexByte(b, 0); i >= 0; {
		b[i] = ' '
		j := bytes.IndexByte(b[i+1:], 0)
		if j < 0 {
			return
		}
		i += 1 + j
	}
}
