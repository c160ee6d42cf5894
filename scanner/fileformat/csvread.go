package fileformat

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/piimap/piimap"
)

// MaxCellBytes bounds how much of one cell (a CSV/TSV field, a JSON string)
// the structured readers keep for classification: the rest of a longer
// cell is read past without being held, so a 300 MB cell costs no more
// memory than a 1 MiB one. The field's record then carries MetaTruncated.
// Set it before a scan; values below 4 KiB are raised to 4 KiB.
var MaxCellBytes = 1 << 20

// MetaTruncated is the record meta key set on a field some of whose
// sampled cells were cut at MaxCellBytes for classification; its value
// says how many and where ("2 cells truncated at 1 MiB for
// classification"). A full read (identifier filters) that truncates a cell
// fails its unit instead, so no filter is built from a partial cell.
const MetaTruncated = "cells_truncated"

func maxCell() int { return max(MaxCellBytes, 4<<10) }

// truncatedNote is MetaTruncated's value.
func truncatedNote(n int64) string {
	return fmt.Sprintf("%d cell(s) truncated at %s for classification", n, sizeName(int64(maxCell())))
}

func sizeName(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// errTruncatedFull is the error of a full read that cut a cell.
func errTruncatedFull(n int64, where string) error {
	return fmt.Errorf("%s: %s; the rest of each such cell was not classified and no identifier filter is built for this object: %w",
		where, truncatedNote(n), piimap.ErrUnsupported)
}

// csvReader reads delimited records the way encoding/csv does with
// LazyQuotes and a variable number of fields (a bare quote inside a field
// is kept; "" inside a quoted field is a quote; \r\n ends a line; empty
// lines are skipped), but streams: no line or field is held beyond
// maxCell bytes, and a quoted field still open at the end of the input is
// an error naming the line it opened on instead of silently swallowing
// the rest of the file.
type csvReader struct {
	br     *bufio.Reader
	comma  byte
	line   int64 // line of the next byte, 1-based
	fields [][]byte
	cut    []bool // per field of the last record: truncated at maxCell
	max    int
	cuts   int64 // cells truncated so far

	scratch  []byte
	over     int64 // fields beyond MaxCSVFields read past
	overLine int64 // first line holding such fields
}

// MaxCSVFields bounds the fields of one delimited record that are kept: a
// line of a million delimiters must not cost a million cells. Fields past
// it are read over and reported as the unit's error.
const MaxCSVFields = 1 << 16

// overErr reports fields read past, or nil.
func (r *csvReader) overErr() error {
	if r.over == 0 {
		return nil
	}
	return fmt.Errorf("line %d: %d fields beyond the first %d of a row were not read: %w", r.overLine, r.over, MaxCSVFields, piimap.ErrUnsupported)
}

func newCSVReader(br *bufio.Reader, comma rune) (*csvReader, error) {
	if comma <= 0 || comma >= utf8.RuneSelf || comma == '"' || comma == '\n' || comma == '\r' {
		return nil, fmt.Errorf("delimiter %q: %w", comma, piimap.ErrUnsupported)
	}
	return &csvReader{br: br, comma: byte(comma), line: 1, max: maxCell()}, nil
}

// errUnterminated is a quoted field never closed.
type errUnterminated struct{ line int64 }

func (e errUnterminated) Error() string {
	return fmt.Sprintf("line %d: quoted field never closed (unbalanced quote)", e.line)
}

// Read returns the next record's fields (valid until the next call), the
// line it starts on, and io.EOF at the end.
func (r *csvReader) Read() ([][]byte, int64, error) {
	for { // skip empty lines
		p, err := r.br.Peek(1)
		if err != nil {
			return nil, r.line, err
		}
		if p[0] == '\n' {
			_, _ = r.br.ReadByte()
			r.line++
			continue
		}
		if q, err := r.br.Peek(2); p[0] == '\r' && (err == nil && q[1] == '\n' || len(q) == 1 && errors.Is(err, io.EOF)) {
			_, _ = r.br.Discard(len(q)) // \r\n, or a \r ending the input (dropped, as encoding/csv does)
			r.line++
			continue
		}
		break
	}
	start := r.line
	r.fields = r.fields[:0]
	r.cut = r.cut[:0]
	for i := 0; ; i++ {
		if i >= MaxCSVFields { // read past the extra fields, keeping none
			if r.overLine == 0 {
				r.overLine = start
			}
			r.over++
			var cut bool
			r.scratch = r.scratch[:0]
			end, err := r.field(&r.scratch, &cut)
			if err != nil {
				if errors.Is(err, io.EOF) && !isUnterminated(err) {
					return r.fields, start, nil
				}
				return r.fields, start, err
			}
			if end {
				return r.fields, start, nil
			}
			continue
		}
		if i >= cap(r.fields) {
			r.fields = append(r.fields[:i], nil)
		} else {
			r.fields = r.fields[:i+1]
		}
		r.cut = append(r.cut, false)
		f := r.fields[i][:0]
		end, err := r.field(&f, &r.cut[i])
		r.fields[i] = f
		if r.cut[i] {
			r.cuts++
			r.fields[i] = trimPartialRune(r.fields[i])
		}
		if err != nil {
			if errors.Is(err, io.EOF) && !isUnterminated(err) {
				return r.fields, start, nil // the last record, without a final newline
			}
			return r.fields, start, err
		}
		if end {
			return r.fields, start, nil
		}
	}
}

func isUnterminated(err error) bool {
	var u errUnterminated
	return errors.As(err, &u)
}

// field reads one field into *f; end says the record ended after it.
func (r *csvReader) field(f *[]byte, cut *bool) (end bool, err error) {
	add := func(b byte) {
		if len(*f) < r.max {
			*f = append(*f, b)
		} else {
			*cut = true
		}
	}
	b, err := r.br.ReadByte()
	if err != nil {
		return true, err
	}
	if b != '"' { // unquoted
		for {
			switch b {
			case r.comma:
				return false, nil
			case '\n':
				r.line++
				return true, nil
			case '\r':
				nx, err := r.br.Peek(1)
				if err == nil && nx[0] == '\n' {
					_, _ = r.br.ReadByte()
					r.line++
					return true, nil
				}
				if errors.Is(err, io.EOF) {
					return true, io.EOF // a \r ending the input is dropped
				}
				add(b)
			default:
				add(b)
			}
			if b, err = r.br.ReadByte(); err != nil {
				return true, err
			}
		}
	}
	opened := r.line
	for { // quoted
		b, err := r.br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return true, fmt.Errorf("%w: %w", errUnterminated{opened}, io.EOF)
			}
			return true, err
		}
		switch b {
		case '"':
			nx, err := r.br.ReadByte()
			switch {
			case err != nil:
				return true, err // EOF right after the closing quote ends the record
			case nx == '"':
				add('"')
			case nx == r.comma:
				return false, nil
			case nx == '\n':
				r.line++
				return true, nil
			case nx == '\r':
				p, err := r.br.Peek(1)
				if err == nil && p[0] == '\n' {
					_, _ = r.br.ReadByte()
					r.line++
					return true, nil
				}
				if errors.Is(err, io.EOF) {
					return true, io.EOF
				}
				add('"')
				add('\r')
			default: // lazy: a bare quote inside a quoted field is kept
				add('"')
				_ = r.br.UnreadByte()
			}
		case '\r':
			if p, err := r.br.Peek(1); err == nil && p[0] == '\n' {
				continue // \r\n in a quoted field reads as \n
			}
			add(b)
		case '\n':
			r.line++
			add(b)
		default:
			add(b)
		}
	}
}

// trimPartialRune drops an incomplete UTF-8 sequence a cut left at the end.
func trimPartialRune(b []byte) []byte {
	for back := 1; back <= utf8.UTFMax && back <= len(b); back++ {
		c := b[len(b)-back]
		if c < utf8.RuneSelf {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-back:]) {
				return b[:len(b)-back]
			}
			return b
		}
	}
	return b
}
