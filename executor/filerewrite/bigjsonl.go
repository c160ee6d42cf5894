package filerewrite

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// A JSON Lines line longer than maxRecord (an oversized line) is not held
// whole. Its pieces go to an encrypted spool while the prefilter runs over
// each piece and each edge between two. When the prefilter rules the line
// out, the spool is copied to the walk as structural bytes. Otherwise the
// line is one oversized JSON row: it is read again from the spool through
// the JSON lexer and handed to a jsonlBig (scanBigJSON for Find,
// rewriteBigJSON for a rewrite), as a JSON document's oversized rows are.

// jsonlBig takes oversized JSON Lines row n (src yields its JSON value)
// and writes what stays of it to out; writing nothing drops the line with
// its terminator.
type jsonlBig func(n int, src *jsonSrc, out io.Writer) error

// longJSONL is the longLine of oversized line n for walkJSONL. With big
// nil a line the prefilter cannot rule out fails with an error wrapping
// piimap.ErrUnsupported, as before oversized lines were read. The spool
// it opens is registered with spools, so that the walk closes it when it
// ends in the middle of the line.
func longJSONL(n int64, size int, pre *driver.Prefilter, visit visitor, big jsonlBig, spools *[]*spool) longLine {
	var tail []byte
	var sp *spool
	hit := false
	return func(p []byte, last bool) error {
		edge := append(tail, p[:min(len(p), longLineOverlap)]...)
		if pre.MayMatch(p) || pre.MayMatch(edge) {
			hit = true
		}
		tail = append(tail[:0], edge[max(len(edge)-longLineOverlap, 0):]...)
		if big == nil {
			if hit {
				return fmt.Errorf("jsonl line %d is longer than %d bytes and may hold the subject's data; a line that long is not read whole: %w",
					n, size, piimap.ErrUnsupported)
			}
			return visit(p, nil)
		}
		if sp == nil {
			var err error
			if sp, err = newSpool(); err != nil {
				return fmt.Errorf("jsonl line %d: spool: %w", n, err)
			}
			*spools = append(*spools, sp)
		}
		if _, err := sp.Write(p); err != nil {
			return fmt.Errorf("jsonl line %d: spool: %w", n, err)
		}
		if !last {
			return nil
		}
		rd, err := sp.reader()
		if err != nil {
			return fmt.Errorf("jsonl line %d: spool: %w", n, err)
		}
		if !hit {
			return copyPieces(rd, visit)
		}
		return bigJSONLine(int(n), bufio.NewReaderSize(rd, jsonSegment), visit, big)
	}
}

// copyPieces hands r's bytes to visit as structural pieces.
func copyPieces(r io.Reader, visit visitor) error {
	buf := make([]byte, blockSize)
	for {
		k, err := io.ReadFull(r, buf)
		if k > 0 {
			if verr := visit(buf[:k], nil); verr != nil {
				return verr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// bigJSONLine reads oversized line n from br (whitespace, one JSON value,
// whitespace and the terminator) and hands its value to big. The
// whitespace around the value is kept with it: written before the value's
// first byte, after its last, and dropped with it.
func bigJSONLine(n int, br *bufio.Reader, visit visitor, big jsonlBig) error {
	lead, err := readWS(br)
	if err != nil {
		return err
	}
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return visit(lead, nil) // only whitespace: structural
	}
	wrote := false
	out := writerFunc(func(b []byte) error {
		if !wrote {
			wrote = true
			if err := visit(lead, nil); err != nil {
				return err
			}
		}
		return visit(b, nil)
	})
	src := &jsonSrc{br: br}
	if err := big(n, src, out); err != nil {
		return err
	}
	if !src.lex.done {
		return fmt.Errorf("jsonl line %d was not read to its end", n) // a bug, not the data
	}
	trail, err := readWS(br)
	if err != nil {
		return err
	}
	if _, err := br.Peek(1); !errors.Is(err, io.EOF) {
		return jsonCorrupt("jsonl line %d holds more than one JSON value", n)
	}
	if !wrote {
		return nil
	}
	return visit(trail, nil)
}
