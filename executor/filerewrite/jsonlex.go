package filerewrite

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/piimap/piimap"
)

// The streaming path of JSON documents (a .json file) larger than
// jsonDocBound: the document is never held whole. walkJSONStream cuts it
// into its rows (the elements of a top-level array, or a sequence of
// top-level values, as parseJSONDoc does) and the bytes around them, with
// jsonLex, a byte-level scanner that only follows strings, escapes and
// nesting (encoding/json's Decoder.Token would hold a 300 MB string
// whole). A row up to jsonDocBound is held and handled as in a document
// read whole; a longer one is read piece by piece (bigjson.go).

// jsonDocBound bounds a JSON document read whole, and a row of a larger
// one held whole (a variable for tests).
var jsonDocBound = 16 << 20

// jsonSegment is how much of a streamed document is read at once.
const jsonSegment = 256 << 10

// lexSink takes the bytes of one JSON value as jsonLex cuts them: the
// bytes outside strings (structure, numbers, literals, whitespace), and
// each string (its quotes are the sink's to write) as pieces of its raw
// content, never cutting an escape.
type lexSink interface {
	other(b []byte) error
	open() error
	str(b []byte) error
	close() error
}

// jsonLex follows one JSON value fed in pieces and finds its end. It
// checks the nesting of brackets and braces only; a row held whole is
// checked by json.Valid, an oversized one by its skeleton (bigjson.go).
type jsonLex struct {
	depth  int
	inStr  bool
	esc    []byte // an escape cut by the end of a piece
	scalar bool   // in a top-level number or literal
	done   bool
}

var errLex = errors.New("unbalanced brackets")

func escLen(e []byte) int {
	if len(e) > 1 && e[1] == 'u' {
		return 6
	}
	return 2
}

// feed takes p (or its first bytes, up to the value's end) and returns how
// many bytes it took; s may be nil.
func (l *jsonLex) feed(p []byte, s lexSink) (int, error) {
	i := 0
	for i < len(p) && !l.done {
		if l.inStr {
			if len(l.esc) > 0 { // finish a cut escape
				for i < len(p) && len(l.esc) < escLen(l.esc) {
					l.esc = append(l.esc, p[i])
					i++
				}
				if len(l.esc) < escLen(l.esc) {
					return i, nil
				}
				if err := sinkStr(s, l.esc); err != nil {
					return i, err
				}
				l.esc = l.esc[:0]
				continue
			}
			j := i
			for j < len(p) && p[j] != '"' && p[j] != '\\' {
				j++
			}
			for j < len(p) && p[j] == '\\' { // whole escapes stay in the run
				if j+1 < len(p) && j+escLen(p[j:]) <= len(p) {
					j += escLen(p[j:])
					for j < len(p) && p[j] != '"' && p[j] != '\\' {
						j++
					}
					continue
				}
				if err := sinkStr(s, p[i:j]); err != nil {
					return i, err
				}
				l.esc = append(l.esc[:0], p[j:]...)
				return len(p), nil
			}
			if err := sinkStr(s, p[i:j]); err != nil {
				return i, err
			}
			i = j
			if j < len(p) { // the closing quote
				i++
				l.inStr = false
				if s != nil {
					if err := s.close(); err != nil {
						return i, err
					}
				}
				l.done = l.depth == 0
			}
			continue
		}
		j := i
	outside:
		for ; j < len(p); j++ {
			switch c := p[j]; {
			case l.scalar:
				if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}' || c == '[' || c == '{' || c == '"' || c == ':' {
					l.done = true
					break outside
				}
			case c == '"':
				break outside
			case c == '{' || c == '[':
				l.depth++
			case c == '}' || c == ']':
				if l.depth--; l.depth < 0 {
					return j, errLex
				}
				if l.depth == 0 {
					j++
					l.done = true
					break outside
				}
			case l.depth == 0:
				l.scalar = true // a number or literal: ends at a delimiter or the input's end
			}
		}
		if s != nil && j > i {
			if err := s.other(p[i:j]); err != nil {
				return j, err
			}
		}
		i = j
		if !l.done && i < len(p) { // an opening quote
			i++
			l.inStr = true
			if s != nil {
				if err := s.open(); err != nil {
					return i, err
				}
			}
		}
	}
	return i, nil
}

// finish is the input's end: it ends a top-level number or literal.
func (l *jsonLex) finish() bool {
	if l.scalar && !l.inStr {
		l.done = true
	}
	return l.done
}

func sinkStr(s lexSink, b []byte) error {
	if s == nil || len(b) == 0 {
		return nil
	}
	return s.str(b)
}

// jsonRows takes a streamed document: frame its bytes before the first
// row and after the last, sep those between two rows (n is the next
// row's, counted from 1), row each row held whole, big each longer one,
// which must read it all with src.run.
type jsonRows struct {
	frame func(b []byte) error
	sep   func(n int, b []byte) error
	row   func(n int, raw []byte) error
	big   func(n int, src *jsonSrc) error
}

func jsonCorrupt(format string, a ...any) error {
	return fmt.Errorf("json: %w: %s", piimap.ErrCorrupt, fmt.Sprintf(format, a...))
}

// peekSome returns what br holds buffered (reading more when empty).
func peekSome(br *bufio.Reader) ([]byte, error) {
	if br.Buffered() == 0 {
		if _, err := br.Peek(1); err != nil {
			return nil, err
		}
	}
	return br.Peek(br.Buffered())
}

// readWS reads the JSON whitespace at br's head.
func readWS(br *bufio.Reader) ([]byte, error) {
	var ws []byte
	for {
		p, err := peekSome(br)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return ws, nil
			}
			return nil, err
		}
		k := len(p) - len(bytes.TrimLeft(p, " \t\r\n"))
		ws = append(ws, p[:k]...)
		_, _ = br.Discard(k)
		if k < len(p) {
			return ws, nil
		}
	}
}

// walkJSONStream cuts the document in r into rows for cb.
func walkJSONStream(r io.Reader, cb jsonRows) error {
	br := bufio.NewReaderSize(r, jsonSegment)
	ws, err := readWS(br)
	if err != nil {
		return err
	}
	c, err := br.Peek(1)
	if errors.Is(err, io.EOF) {
		return cb.frame(ws)
	} else if err != nil {
		return err
	}
	array := c[0] == '['
	if array {
		_, _ = br.Discard(1)
		ws2, err := readWS(br)
		if err != nil {
			return err
		}
		if err := cb.frame(append(append(ws, '['), ws2...)); err != nil {
			return err
		}
		if c, err := br.Peek(1); err == nil && c[0] == ']' {
			return copyRest(br, cb.frame)
		}
	} else if err := cb.frame(ws); err != nil {
		return err
	}
	for n := 1; ; n++ {
		if err := readRow(br, n, cb); err != nil {
			return err
		}
		ws, err := readWS(br)
		if err != nil {
			return err
		}
		c, err := br.Peek(1)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		switch {
		case !array && err != nil: // the input's end
			return cb.frame(ws)
		case !array:
			if err := cb.sep(n+1, ws); err != nil {
				return err
			}
		case err != nil:
			return jsonCorrupt("unexpected end of the document after row %d", n)
		case c[0] == ']':
			if err := cb.frame(ws); err != nil {
				return err
			}
			return copyRest(br, cb.frame)
		case c[0] == ',':
			_, _ = br.Discard(1)
			ws2, err := readWS(br)
			if err != nil {
				return err
			}
			if err := cb.sep(n+1, append(append(ws, ','), ws2...)); err != nil {
				return err
			}
		default:
			return jsonCorrupt("invalid character %q after row %d", c[0], n)
		}
	}
}

// copyRest hands what is left of br to frame, as parseJSONDoc keeps the
// bytes after a top-level array.
func copyRest(br *bufio.Reader, frame func([]byte) error) error {
	for {
		p, err := peekSome(br)
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if err := frame(p); err != nil {
			return err
		}
		_, _ = br.Discard(len(p))
	}
}

// readRow reads row n: whole up to jsonDocBound, else through cb.big.
func readRow(br *bufio.Reader, n int, cb jsonRows) error {
	var buf []byte
	var lex jsonLex
	for !lex.done {
		p, err := peekSome(br)
		if errors.Is(err, io.EOF) {
			if !lex.finish() {
				return jsonCorrupt("unexpected end of row %d", n)
			}
			break
		} else if err != nil {
			return err
		}
		k, err := lex.feed(p[:min(len(p), jsonDocBound+1-len(buf))], nil)
		if err != nil {
			return jsonCorrupt("row %d: %v", n, err)
		}
		buf = append(buf, p[:k]...)
		_, _ = br.Discard(k)
		if !lex.done && len(buf) > jsonDocBound {
			src := &jsonSrc{head: buf, br: br}
			if err := cb.big(n, src); err != nil {
				return err
			}
			if !src.lex.done {
				return fmt.Errorf("json row %d was not read to its end", n) // a bug, not the data
			}
			return nil
		}
	}
	if !json.Valid(buf) {
		return jsonCorrupt("row %d is not valid JSON", n)
	}
	return cb.row(n, buf)
}

// jsonSrc is one oversized row: the head readRow read, then the rest from
// br up to the row's end.
type jsonSrc struct {
	head []byte
	br   *bufio.Reader
	lex  jsonLex
}

// run feeds the row to s, copying its bytes to cp when not nil.
func (src *jsonSrc) run(s lexSink, cp io.Writer) error {
	feed := func(p []byte) (int, error) {
		k, err := src.lex.feed(p, s)
		if errors.Is(err, errLex) {
			return k, jsonCorrupt("%v", err)
		} else if err != nil {
			return k, err
		}
		if cp != nil {
			if _, err := cp.Write(p[:k]); err != nil {
				return k, err
			}
		}
		return k, nil
	}
	if _, err := feed(src.head); err != nil {
		return err
	}
	for !src.lex.done {
		p, err := peekSome(src.br)
		if errors.Is(err, io.EOF) {
			if !src.lex.finish() {
				return jsonCorrupt("unexpected end of the document in an oversized row")
			}
			return nil
		} else if err != nil {
			return err
		}
		k, err := feed(p)
		_, _ = src.br.Discard(k)
		if err != nil {
			return err
		}
	}
	return nil
}
