package classifiers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/piimap/piimap"
)

// Match is a span found by ScanParallel: Start and End are byte offsets in
// the whole stream, Line is the 1-based line of Start and Col the byte
// offset of Start within that line.
type Match struct {
	piimap.Span
	Line int64
	Col  int
}

// ChunkSize is the target size of the line-aligned chunks ScanParallel
// hands to its workers.
const ChunkSize = 1 << 20

// MaxLine bounds how far a chunk grows looking for a newline; a longer line
// is cut there (a span straddling the cut may be missed).
const MaxLine = 64 << 20

type chunk struct {
	buf     []byte
	data    []byte
	offset  int64
	lines   int64 // newlines in data
	matches []Match
	err     error
	done    chan struct{}
}

// ScanParallel reads r to the end, splits it into line-aligned chunks of
// about ChunkSize and runs Spans on them with at most workers goroutines
// (GOMAXPROCS when workers <= 0). Matches are emitted in stream order from
// the calling goroutine; an error from emit stops the scan and is returned.
// It returns the number of bytes read.
func (e *Engine) ScanParallel(ctx context.Context, r io.Reader, workers int, emit func(Match) error) (int64, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *chunk, workers)
	order := make(chan *chunk, 2*workers)
	free := make(chan []byte, 3*workers)
	freeMatches := make(chan []Match, 3*workers) // emitted chunks' match slices, for reuse
	for w := 0; w < workers; w++ {
		go func() {
			for c := range jobs {
				select {
				case c.matches = <-freeMatches:
				default:
				}
				e.scanChunk(c)
				close(c.done)
			}
		}()
	}
	var total int64
	var readErr error
	go func() {
		defer close(order)
		defer close(jobs)
		var carry []byte
		var off int64
		for {
			var buf []byte
			select {
			case buf = <-free:
			default:
				buf = make([]byte, 0, ChunkSize+64<<10)
			}
			buf = append(buf[:0], carry...)
			carry = carry[:0]
			eof := false
			for len(buf) < ChunkSize || bytes.IndexByte(buf, '\n') < 0 && len(buf) < MaxLine {
				if cap(buf)-len(buf) < 32<<10 {
					nb := make([]byte, len(buf), 2*cap(buf))
					copy(nb, buf)
					buf = nb
				}
				n, err := r.Read(buf[len(buf):cap(buf)])
				buf = buf[:len(buf)+n]
				if err == io.EOF {
					eof = true
					break
				}
				if err != nil {
					readErr = fmt.Errorf("classifiers: read at byte %d: %w", off+int64(len(buf)), err)
					eof = true
					break
				}
			}
			data := buf
			if !eof {
				if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
					data = buf[:i+1]
					carry = append(carry, buf[i+1:]...)
				}
			}
			if len(data) > 0 {
				c := &chunk{buf: buf, data: data, offset: off, done: make(chan struct{})}
				off += int64(len(data))
				select {
				case order <- c:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- c:
				case <-ctx.Done():
					close(c.done)
					return
				}
			}
			if eof {
				total = off
				return
			}
		}
	}()
	var line int64 = 1
	var emitErr error
	for c := range order {
		<-c.done
		if emitErr == nil {
			for _, m := range c.matches {
				m.Line += line
				if err := emit(m); err != nil {
					emitErr = err
					cancel()
					break
				}
			}
		}
		line += c.lines
		select {
		case free <- c.buf[:0]:
		default:
		}
		select {
		case freeMatches <- c.matches[:0]:
		default:
		}
	}
	if emitErr != nil {
		return total, emitErr
	}
	if readErr != nil {
		return total, readErr
	}
	if err := parent.Err(); err != nil {
		return total, fmt.Errorf("classifiers: scan: %w", err)
	}
	return total, nil
}

// scanChunk runs Spans over one chunk (appending to c.matches, which may
// hold a recycled slice) and resolves line/column locally. Spans come in
// offset order: the newlines between one span and the next are counted
// once, and the line start is the last of them.
func (e *Engine) scanChunk(c *chunk) {
	nl := []byte{'\n'}
	var line int64
	pos := 0 // the start of the line of the last span; newlines before it are counted
	e.Spans(c.data, func(sp piimap.Span) {
		if k := bytes.LastIndexByte(c.data[pos:sp.Start], '\n'); k >= 0 {
			line += int64(bytes.Count(c.data[pos:pos+k], nl)) + 1
			pos += k + 1
		}
		m := Match{Span: sp, Line: line, Col: sp.Start - pos}
		m.Start += int(c.offset)
		m.End += int(c.offset)
		c.matches = append(c.matches, m)
	})
	c.lines = line + int64(bytes.Count(c.data[pos:], nl))
}
