package filerewrite

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
)

// record is one row of a structured file: its exact bytes and a view of
// its fields.
type record struct {
	raw  []byte
	cols []driver.Column
	vals []any
	get  func(field string) []string
	text string // the record's text, for matches without a field
	// clear returns the record's bytes with the values of fields replaced
	// (null and mask modes, rectification: clear.go); nil when nothing
	// changes.
	clear func(fields []string, c clearer) []byte
}

// matches reports whether the record is the subject's: any match hits.
func (r *record) matches(ms []driver.Match) bool {
	for _, m := range ms {
		if m.Field == "" {
			if len(m.Spans(r.text)) > 0 {
				return true
			}
			continue
		}
		for _, v := range r.get(m.Field) {
			if m.MatchValue(v) {
				return true
			}
		}
	}
	return false
}

// A visitor gets each record's exact bytes. A nil record stands for bytes
// no match concerns: structural bytes (a CSV header, a blank line) or a
// record the walk's prefilter ruled out. Rewrites keep them as they are.
type visitor func(raw []byte, r *record) error

// captureReader remembers every byte read so that the raw bytes of each CSV
// record can be cut out by csv.Reader's InputOffset.
type captureReader struct {
	r    io.Reader
	buf  []byte
	base int64 // stream offset of buf[0]
}

func (c *captureReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	return n, err
}

// take returns the bytes from the last cut up to stream offset end.
func (c *captureReader) take(end int64) []byte {
	n := int(end - c.base)
	raw := append([]byte(nil), c.buf[:n]...)
	c.buf = append(c.buf[:0], c.buf[n:]...)
	c.base = end
	return raw
}

// csvHeader is a delimited file's header: its column names, as the scanner
// names them (fileformat.CSVHeader: a BOM dropped, names trimmed, repeats
// suffixed, column_1… for a file whose first record is data), and the
// index of each.
type csvHeader struct {
	names  []string
	idx    map[string]int
	comma  rune
	header bool // the first record is a header (else it is data, and columns are column_N)
}

func newCSVHeader(rec []string, comma rune) *csvHeader {
	names, header := fileformat.CSVHeader(rec)
	h := &csvHeader{names: names, idx: make(map[string]int, len(names)), comma: comma, header: header}
	for i, n := range h.names {
		h.idx[n] = i
	}
	return h
}

// widen names the columns of a record of n cells past the header
// (column_N, as the scanner names them).
func (h *csvHeader) widen(n int) {
	for i := len(h.names); i < n; i++ {
		name := fileformat.CSVColumn(h.names, i)
		h.names = append(h.names, name)
		if _, dup := h.idx[name]; !dup {
			h.idx[name] = i
		}
	}
}

// bigVisitor handles one record longer than maxRecord (record n, counted
// from 1 with the header), reading its bytes from src (bigcsv.go).
type bigVisitor func(h *csvHeader, n int, src *bigSrc) error

// walkCSV streams a delimited file, handing each record's exact bytes to
// visit (the header as structural bytes). Records pre rules out are not
// decoded into fields. Records are cut by fieldWalker, which reads them as
// encoding/csv does, and decoded (when pre lets them through) by
// encoding/csv; a record longer than maxRecord is an error wrapping
// piimap.ErrUnsupported (see walkCSVBig).
func walkCSV(r io.Reader, comma rune, pre *driver.Prefilter, visit visitor) error {
	return walkCSVBig(r, comma, pre, visit, nil)
}

// walkCSVBig is walkCSV handing each record longer than maxRecord to big
// instead of holding it whole.
func walkCSVBig(r io.Reader, comma rune, pre *driver.Prefilter, visit visitor, big bigVisitor) error {
	if !streamableComma(comma) {
		return walkCSVWhole(r, comma, pre, visit)
	}
	br := bufio.NewReaderSize(r, csvSegment)
	fw := fieldWalker{comma: byte(comma)}
	var hdr *csvHeader
	var rec []byte // the current record's bytes, empty lines before it included
	n := 0
	dec := &csvDecoder{comma: comma}
	for {
		seg, err := br.ReadSlice('\n')
		eof := errors.Is(err, io.EOF)
		if err != nil && !eof && !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
		end := false
		if len(seg) > 0 {
			end = fw.scan(seg)
			rec = append(rec, seg...)
		}
		if eof && !end && fw.st != stStart {
			end = true // the last record, without a terminator
		}
		switch {
		case len(rec) > maxRecord && fw.st == stStart && !end:
			if err := visit(rec, nil); err != nil { // a run of empty lines
				return err
			}
			rec = rec[:0]
		case len(rec) > maxRecord:
			n++
			if hdr == nil {
				return fmt.Errorf("csv header longer than %d bytes: %w", maxRecord, piimap.ErrUnsupported)
			}
			if big == nil {
				return fmt.Errorf("csv record %d longer than %d bytes: %w", n, maxRecord, piimap.ErrUnsupported)
			}
			src := &bigSrc{head: rec, br: br, fw: &fw, done: end}
			if err := big(hdr, n, src); err != nil {
				return err
			}
			if err := src.drain(); err != nil {
				return err
			}
			eof = eof || src.eof
			rec = rec[:0]
			fw.reset()
		case end:
			n++
			if err := csvRecord(rec, dec, n, &hdr, pre, visit); err != nil {
				return err
			}
			rec = rec[:0]
			fw.reset()
		}
		if eof {
			if len(rec) > 0 {
				return visit(rec, nil) // trailing bytes after the last record
			}
			return nil
		}
	}
}

// csvDecoder decodes records one at a time with one encoding/csv Reader,
// fed each record's bytes.
type csvDecoder struct {
	comma rune
	cr    *csv.Reader
	in    []byte // what the Reader has not read yet
	fed   int64  // bytes fed
}

func (d *csvDecoder) Read(p []byte) (int, error) {
	if len(d.in) == 0 {
		return 0, io.EOF
	}
	n := copy(p, d.in)
	d.in = d.in[n:]
	return n, nil
}

// decode returns the fields of the one record in raw.
func (d *csvDecoder) decode(raw []byte) ([]string, error) {
	if d.cr == nil {
		d.fed = 0
		d.cr = csv.NewReader(d)
		d.cr.Comma, d.cr.FieldsPerRecord, d.cr.LazyQuotes = d.comma, -1, true
	}
	d.in = raw
	d.fed += int64(len(raw))
	rec, err := d.cr.Read()
	if err != nil || d.cr.InputOffset() != d.fed || len(d.in) > 0 {
		d.cr = nil // start afresh with the next record
	}
	return rec, err
}

// csvRecord decodes one whole record (record n) and visits it: the first
// is the header, *hdr.
func csvRecord(raw []byte, dec *csvDecoder, n int, hdr **csvHeader, pre *driver.Prefilter, visit visitor) error {
	if *hdr != nil && !pre.MayMatch(raw) {
		return visit(raw, nil)
	}
	comma := dec.comma
	rec, err := dec.decode(raw)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("csv record %d: %w: %w", n, piimap.ErrCorrupt, err)
	}
	if *hdr == nil {
		*hdr = newCSVHeader(rec, comma)
		if (*hdr).header {
			return visit(raw, nil)
		}
		if !pre.MayMatch(raw) { // a headerless file's first record is data
			return visit(raw, nil)
		}
	}
	raw = bytes.Clone(raw)
	h := *hdr
	h.widen(len(rec))
	cols := make([]driver.Column, len(h.names))
	vals := make([]any, len(h.names))
	for i, name := range h.names {
		cols[i] = driver.Column{Name: name, Type: "VARCHAR"}
		if i < len(rec) {
			vals[i] = rec[i]
		}
	}
	get := func(f string) []string {
		if i, ok := h.idx[f]; ok && i < len(rec) {
			return []string{rec[i]}
		}
		return nil
	}
	clear := func(fields []string, c clearer) []byte { return clearCSV(raw, rec, h.idx, comma, fields, c) }
	return visit(raw, &record{raw: raw, cols: cols, vals: vals, get: get, text: string(raw), clear: clear})
}

// walkCSVWhole is walkCSV through encoding/csv, for a delimiter
// fieldWalker does not handle (a multi-byte rune): every record is held
// whole.
func walkCSVWhole(r io.Reader, comma rune, pre *driver.Prefilter, visit visitor) error {
	cr0 := &captureReader{r: r}
	cr := csv.NewReader(cr0)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var h *csvHeader
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("csv record %d: %w: %w", n+1, piimap.ErrCorrupt, err)
		}
		raw := cr0.take(cr.InputOffset())
		first := h == nil
		if first {
			h = newCSVHeader(rec, comma)
		}
		if first && h.header || !pre.MayMatch(raw) {
			if err := visit(raw, nil); err != nil {
				return err
			}
			continue
		}
		rec = append([]string(nil), rec...)
		h.widen(len(rec))
		cols := make([]driver.Column, len(h.names))
		vals := make([]any, len(h.names))
		for i, name := range h.names {
			cols[i] = driver.Column{Name: name, Type: "VARCHAR"}
			if i < len(rec) {
				vals[i] = rec[i]
			}
		}
		idx := h.idx
		get := func(f string) []string {
			if i, ok := idx[f]; ok && i < len(rec) {
				return []string{rec[i]}
			}
			return nil
		}
		clear := func(fields []string, c clearer) []byte { return clearCSV(raw, rec, idx, comma, fields, c) }
		if err := visit(raw, &record{raw: raw, cols: cols, vals: vals, get: get, text: string(raw), clear: clear}); err != nil {
			return err
		}
	}
	if rest := cr0.take(cr0.base + int64(len(cr0.buf))); len(rest) > 0 {
		return visit(rest, nil) // trailing bytes after the last record
	}
	return nil
}

// jsonRecord builds a record from one JSON value's bytes. Invalid JSON
// yields a record matched by its text only.
func jsonRecord(raw []byte) *record {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		line := string(bytes.TrimRight(raw, "\r\n"))
		return &record{raw: raw, cols: []driver.Column{{Name: "_raw", Type: "VARCHAR"}}, vals: []any{line},
			get: func(string) []string { return nil }, text: line, clear: func([]string, clearer) []byte { return nil }}
	}
	var flat map[string][]string
	get := func(f string) []string {
		if flat == nil {
			flat = map[string][]string{}
			scanner.FlattenJSON("", v, func(p, val string) { flat[p] = append(flat[p], val) })
		}
		return flat[f]
	}
	clear := func(fields []string, c clearer) []byte { return clearJSON(raw, v, fields, c) }
	rec := &record{raw: raw, get: get, text: string(raw), clear: clear}
	if m, ok := v.(map[string]any); ok {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			rec.cols = append(rec.cols, driver.Column{Name: k, Type: jsonType(m[k])})
			rec.vals = append(rec.vals, m[k])
		}
	} else {
		rec.cols = []driver.Column{{Name: "value", Type: jsonType(v)}}
		rec.vals = []any{v}
	}
	return rec
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "null"
}

// longLineOverlap is how much of a long JSON Lines line's pieces the
// prefilter sees on both sides of their edge.
const longLineOverlap = 64 << 10

// walkJSONL streams newline-delimited JSON; blank lines are structural.
// Lines pre rules out are not decoded, and blocks of them go to visit
// whole as structural bytes. A line longer than about maxRecord is not
// held whole (longJSONL): when pre rules it out it goes to visit as
// structural bytes, otherwise to big as one oversized JSON row (with big
// nil, the walk fails with an error wrapping piimap.ErrUnsupported).
func walkJSONL(r io.Reader, pre *driver.Prefilter, visit visitor, big jsonlBig) (err error) {
	var spools []*spool
	defer func() {
		for _, sp := range spools {
			if cerr := sp.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("jsonl: spool: %w", cerr)
			}
		}
	}()
	skip := func(block []byte, _ int64) error { return visit(block, nil) }
	over := func(n int64, size int) (longLine, error) {
		return longJSONL(n, size, pre, visit, big, &spools), nil
	}
	return walkLinesMax(r, pre, maxRecord, over, skip, func(_ int64, raw []byte) error {
		if len(bytes.TrimSpace(raw)) == 0 || !pre.MayMatch(raw) {
			return visit(raw, nil)
		}
		return visit(raw, jsonRecord(raw))
	})
}

// jsonDoc is a JSON document split into its rows: the elements of a
// top-level array, or a sequence of top-level values.
type jsonDoc struct {
	data  []byte
	array bool
	spans [][2]int // byte ranges of each row value
}

func parseJSONDoc(data []byte) (*jsonDoc, error) {
	d := &jsonDoc{data: data}
	trimmed := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	dec := json.NewDecoder(bytes.NewReader(data))
	if len(trimmed) > 0 && trimmed[0] == '[' {
		d.array = true
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("json: %w: %w", piimap.ErrCorrupt, err)
		}
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("json row %d: %w: %w", len(d.spans)+1, piimap.ErrCorrupt, err)
		}
		end := int(dec.InputOffset())
		start := end - len(raw)
		d.spans = append(d.spans, [2]int{start, end})
	}
	if d.array {
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("json: %w: %w", piimap.ErrCorrupt, err)
		}
	}
	return d, nil
}

// rewrite renders the document with the rows in repl replaced by their
// bytes, or dropped where those are nil. Without drops, every other byte
// stays where it was; with drops, see without.
func (d *jsonDoc) rewrite(repl map[int][]byte) []byte {
	drop := map[int]bool{}
	for i, b := range repl {
		if b == nil {
			drop[i] = true
		}
	}
	if len(drop) > 0 {
		return d.without(drop, repl)
	}
	var b bytes.Buffer
	prev := 0
	for i, sp := range d.spans {
		if r, ok := repl[i]; ok {
			b.Write(d.data[prev:sp[0]])
			b.Write(r)
			prev = sp[1]
		}
	}
	b.Write(d.data[prev:])
	return b.Bytes()
}

// without renders the document minus the rows in drop (the others replaced
// by repl where it has them), keeping every kept row's bytes and the
// document's own framing; kept rows are joined by its first separator.
func (d *jsonDoc) without(drop map[int]bool, repl map[int][]byte) []byte {
	if len(d.spans) == 0 {
		return d.data
	}
	first, last := d.spans[0], d.spans[len(d.spans)-1]
	sep := []byte(",\n")
	if len(d.spans) > 1 {
		sep = d.data[d.spans[0][1]:d.spans[1][0]]
	} else if !d.array {
		sep = []byte("\n")
	}
	var b bytes.Buffer
	b.Write(d.data[:first[0]])
	n := 0
	for i, sp := range d.spans {
		if drop[i] {
			continue
		}
		if n > 0 {
			b.Write(sep)
		}
		if r, ok := repl[i]; ok {
			b.Write(r)
		} else {
			b.Write(d.data[sp[0]:sp[1]])
		}
		n++
	}
	b.Write(d.data[last[1]:])
	return b.Bytes()
}
