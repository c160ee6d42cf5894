package filerewrite

import (
	"bytes"
	"encoding/csv"
	"io"
	"unicode/utf8"
)

// maxRecord bounds a CSV/TSV record (and a JSON Lines line) held whole in
// memory. A longer CSV record goes the streaming path (bigcsv.go): it is
// never held whole. A variable for tests.
var maxRecord = 8 << 20

// csvSegment is the read size of the CSV walk (bufio.Reader.ReadSlice).
const csvSegment = 64 << 10

// States of fieldWalker, which follows encoding/csv's reading of a record
// with LazyQuotes and a variable number of fields: a field is quoted only
// when its first byte is a quote; inside it "" is a quote, a quote before
// the delimiter or the end of the line closes it, and any other quote is
// kept (lazy); \r\n ends a line like \n; an empty line (\n or \r\n) before
// a record is skipped; a \r ending the input is dropped.
const (
	stStart    = iota // before a record: nothing but empty lines yet
	stField           // at the start of a field (after a delimiter)
	stUnquoted        // inside an unquoted field
	stQuoted          // inside a quoted field
	stQuote           // after a quote inside a quoted field
)

// A fieldSink receives one record's bytes from fieldWalker, every byte
// exactly once: prefix gets the empty lines before it, field the raw bytes
// of field i (quotes and escapes included, in pieces), end the bytes that
// end field i: the delimiter, or the record's terminator (\n, \r\n, a \r
// or nothing at the end of the input).
type fieldSink interface {
	prefix(b []byte) error
	field(i int, b []byte) error
	end(i int, delim []byte) error
}

// fieldWalker splits a stream of CSV bytes, fed in pieces, into one
// record's fields. A zero walker (but for comma) is at a record's start.
type fieldWalker struct {
	comma byte
	st    int
	cr    bool // a \r whose meaning depends on the next byte
	i     int  // current field
}

func (fw *fieldWalker) reset() { fw.st, fw.cr, fw.i = stStart, false, 0 }

var (
	bLF   = []byte("\n")
	bCR   = []byte("\r")
	bCRLF = []byte("\r\n")
	bQuot = []byte(`"`)
)

// streamableComma reports whether fieldWalker handles the delimiter: one
// byte, none of those with a meaning of their own.
func streamableComma(comma rune) bool {
	return comma > 0 && comma < utf8.RuneSelf && comma != '"' && comma != '\r' && comma != '\n'
}

// feed walks b, handing its bytes to s (nil: none), and reports whether the
// record ended at b's last byte. A record only ends at a \n, so fed
// bufio.Reader.ReadSlice('\n') pieces it never ends inside one.
func (fw *fieldWalker) feed(b []byte, s fieldSink) (bool, error) {
	var err error
	put := func(f func() error) {
		if s != nil && err == nil {
			err = f()
		}
	}
	for j := 0; j < len(b) && err == nil; {
		c := b[j]
		if fw.cr { // the \r before c
			fw.cr = false
			if c == '\n' {
				if fw.st == stStart {
					put(func() error { return s.prefix(bCRLF) })
					j++
					continue
				}
				i := fw.i
				put(func() error { return s.end(i, bCRLF) })
				return true, err
			}
			switch fw.st { // the \r was content
			case stStart, stField:
				fw.st = stUnquoted
			case stQuote:
				fw.st = stQuoted // lazy: the quote before it is kept
			}
			i := fw.i
			put(func() error { return s.field(i, bCR) })
			continue // c again, in the new state
		}
		switch fw.st {
		case stStart:
			switch c {
			case '\n':
				put(func() error { return s.prefix(bLF) })
				j++
			case '\r':
				fw.cr = true
				j++
			default:
				fw.st = stField
			}
		case stField:
			i := fw.i
			switch c {
			case '"':
				fw.st = stQuoted
				put(func() error { return s.field(i, bQuot) })
				j++
			case fw.comma:
				put(func() error { return s.end(i, b[j:j+1]) })
				fw.i++
				j++
			case '\n':
				put(func() error { return s.end(i, bLF) })
				return true, err
			case '\r':
				fw.cr = true
				j++
			default:
				fw.st = stUnquoted
			}
		case stUnquoted:
			k := j
			for k < len(b) && b[k] != fw.comma && b[k] != '\n' && b[k] != '\r' {
				k++
			}
			i := fw.i
			if k > j {
				run := b[j:k]
				put(func() error { return s.field(i, run) })
				j = k
				continue
			}
			switch c {
			case fw.comma:
				put(func() error { return s.end(i, b[j:j+1]) })
				fw.i++
				fw.st = stField
				j++
			case '\n':
				put(func() error { return s.end(i, bLF) })
				return true, err
			case '\r':
				fw.cr = true
				j++
			}
		case stQuoted:
			k := bytes.IndexByte(b[j:], '"')
			if k < 0 {
				k = len(b) - j
			} else {
				k++
				fw.st = stQuote
			}
			run, i := b[j:j+k], fw.i
			put(func() error { return s.field(i, run) })
			j += k
		case stQuote:
			i := fw.i
			switch c {
			case '"':
				fw.st = stQuoted
				put(func() error { return s.field(i, bQuot) })
				j++
			case fw.comma:
				put(func() error { return s.end(i, b[j:j+1]) })
				fw.i++
				fw.st = stField
				j++
			case '\n':
				put(func() error { return s.end(i, bLF) })
				return true, err
			case '\r':
				fw.cr = true
				j++
			default:
				fw.st = stQuoted // lazy: a bare quote inside a quoted field is kept
			}
		}
	}
	return false, err
}

// eof ends the record at the end of the input: a pending \r is its
// terminator (encoding/csv drops it). It reports whether there was a
// record (false: nothing but empty lines, given to prefix).
func (fw *fieldWalker) eof(s fieldSink) (bool, error) {
	if fw.st == stStart {
		if fw.cr && s != nil {
			fw.cr = false
			return false, s.prefix(bCR)
		}
		return false, nil
	}
	d := []byte(nil)
	if fw.cr {
		d = bCR
		fw.cr = false
	}
	if s == nil {
		return true, nil
	}
	return true, s.end(fw.i, d)
}

// scan is feed without a sink, with a fast path for a whole line holding
// no quote, read at a record's start or inside a quoted field.
func (fw *fieldWalker) scan(line []byte) bool {
	if !fw.cr && line[len(line)-1] == '\n' && bytes.IndexByte(line, '"') < 0 {
		switch fw.st {
		case stStart:
			if len(line) == 1 || len(line) == 2 && line[0] == '\r' {
				return false // an empty line
			}
			return true
		case stQuoted:
			return false
		}
	}
	end, _ := fw.feed(line, nil)
	return end
}

// csvReaderOf is a csv.Reader of one record's (or one cell's) bytes, read
// as walkCSV reads a file.
func csvReaderOf(b []byte, comma rune) *csv.Reader {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return cr
}

// decodeCell is the value of one field's raw bytes, as encoding/csv reads
// it inside its record.
func decodeCell(raw []byte, comma rune) string {
	if len(raw) == 0 || raw[0] != '"' {
		return string(raw) // unquoted: taken as it is
	}
	rec, err := csvReaderOf(raw, comma).Read()
	if err != nil || len(rec) == 0 {
		if err == io.EOF {
			return ""
		}
		return string(raw)
	}
	return rec[0]
}

// encodeCell is v written as one field by encoding/csv's Writer.
func encodeCell(v string, comma rune) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = comma
	_ = w.Write([]string{v, ""})
	w.Flush()
	out := b.Bytes()
	return out[:len(out)-1-utf8.RuneLen(comma)] // less the delimiter and the \n
}
