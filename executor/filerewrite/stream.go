package filerewrite

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner/fileformat"
)

// This file holds the record-level logic over plain streams: executor/files
// runs it over a local file's (decompressed) bytes, executor/s3 over an
// object read with one GET and written back with one streaming upload.
// Every walk runs driver.Prefilter on a line's or record's raw bytes
// first, so what cannot match is neither decoded nor lower-cased. r and w
// carry the decompressed bytes; compression is the caller's. Parquet needs
// random access and is not handled here: Parquet (parquet.go) works on a
// local file by path.

// findBatch is how many rows a streaming Find emits at once.
const findBatch = 1024

// MaxJSONDocument was the bound of a JSON document (not JSON Lines),
// which was held whole. Documents over jsonDocBound (16 MiB) now stream
// (jsonlex.go, bigjson.go) whatever their size; it bounds nothing.
//
// Deprecated: kept for callers' compatibility.
const MaxJSONDocument = 256 << 20

// FindStream emits the target's records of one object in format (CSV, TSV,
// JSON, JSONL or text) read from r, in batches.
func FindStream(ctx context.Context, r io.Reader, format string, t driver.Target, emit func(driver.Batch) error) error {
	b := &driver.Batcher{Emit: emit, Size: findBatch}
	var err error
	if format == piimap.FormatText {
		pre := driver.NewPrefilter(t.Match, false)
		skip := func([]byte, int64) error { return ctx.Err() }
		err = walkText(r, pre, skip, func(n int64, content []byte, _ string) error {
			if len(lineSpans(pre, content, t.Match, nil)) == 0 {
				return nil
			}
			if err := b.Add(textColumns, []any{n, string(content)}); err != nil {
				return err
			}
			return ctx.Err()
		})
	} else {
		add := func(cols []driver.Column, vals []any) error {
			if err := b.Add(cols, vals); err != nil {
				return err
			}
			return ctx.Err()
		}
		big := func(h *csvHeader, n int, src *bigSrc) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			res, err := scanBig(h, src, t, nil)
			if err != nil {
				return fmt.Errorf("csv record %d: %w", n, err)
			}
			if !res.matched && res.hits == 0 {
				return nil
			}
			return add(res.row(h))
		}
		visit := func(_ []byte, rec *record) error {
			if rec == nil || !rec.matches(t.Match) {
				return nil
			}
			return add(rec.cols, rec.vals)
		}
		// An oversized JSON Lines line that is the subject's, or holds a
		// token of theirs in a long string, is found as jsonBig.row shows it.
		bigLine := func(n int, src *jsonSrc, _ io.Writer) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			res, err := scanBigJSON(n, src, t, nil)
			if err != nil {
				return fmt.Errorf("jsonl line %d: %w", n, err)
			}
			if !res.matched && !res.hits {
				return nil
			}
			return add(res.row())
		}
		if format == piimap.FormatJSON {
			err = findJSON(ctx, r, t, visit, add)
		} else {
			err = walkStreamBig(r, format, prefilterFor(t, format), csvColumns(format, t, visit), big, bigLine)
		}
	}
	if err != nil {
		return err
	}
	return b.Flush()
}

// CountStream counts the target's records (lines for text) in r.
func CountStream(ctx context.Context, r io.Reader, format string, t driver.Target) (int64, error) {
	var n int64
	err := FindStream(ctx, r, format, t, func(b driver.Batch) error {
		n += int64(b.Len())
		return nil
	})
	return n, err
}

// RewriteStream copies the object in r to w without the target's records
// (text: with the subject's identifiers redacted or masked, or their lines
// dropped, per t.Mode and maskKey) and returns how many records or lines it
// changed. Every other record is copied byte for byte.
func RewriteStream(ctx context.Context, r io.Reader, w io.Writer, format string, t driver.Target, maskKey []byte) (int64, error) {
	if len(t.Changes) > 0 && !RectifySupported(format) {
		return 0, fmt.Errorf("rectify %s records: %w", format, piimap.ErrUnsupported)
	}
	var changed int64
	switch format {
	case piimap.FormatText:
		pre := driver.NewPrefilter(t.Match, false)
		skip := func(block []byte, _ int64) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			_, err := w.Write(block)
			return err
		}
		err := walkText(r, pre, skip, func(n int64, content []byte, term string) error {
			if n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			spans := lineSpans(pre, content, t.Match, t.Companions)
			if len(spans) > 0 {
				changed++
				line, keep := redactLine(content, spans, t.Mode, maskKey)
				if !keep {
					return nil
				}
				content = line
			}
			if _, err := w.Write(content); err != nil {
				return err
			}
			_, err := io.WriteString(w, term)
			return err
		})
		return changed, err
	case piimap.FormatJSON:
		data, rest, err := readJSONHead(r)
		if err != nil {
			return 0, err
		}
		if rest != nil { // over jsonDocBound: streamed
			return rewriteJSONStream(ctx, rest, w, t, maskKey)
		}
		doc, err := parseJSONDoc(data)
		if err != nil {
			return 0, err
		}
		pre := prefilterFor(t, format)
		repl := map[int][]byte{}
		for i, sp := range doc.spans {
			if raw := data[sp[0]:sp[1]]; pre.MayMatch(raw) {
				if rec := jsonRecord(raw); rec.matches(t.Match) {
					if out, ok := erased(rec, t, maskKey); ok {
						repl[i] = out
					}
				}
			}
		}
		if _, err := w.Write(doc.rewrite(repl)); err != nil {
			return 0, err
		}
		return int64(len(repl)), ctx.Err()
	}
	var n int64
	big := func(h *csvHeader, n int, src *bigSrc) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ch, err := rewriteBig(h, n, src, w, t, maskKey)
		if ch {
			changed++
		}
		return err
	}
	bigLine := func(n int, src *jsonSrc, out io.Writer) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ch, err := rewriteBigJSON(n, src, out, t, maskKey)
		if ch {
			changed++
		}
		if err != nil {
			return fmt.Errorf("jsonl line %d: %w", n, err)
		}
		return nil
	}
	err := walkStreamBig(r, format, prefilterFor(t, format), csvColumns(format, t, func(raw []byte, rec *record) error {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if rec != nil && rec.matches(t.Match) {
			out, ok := erased(rec, t, maskKey)
			if !ok {
				return writeRaw(w, raw) // left for the verification to report
			}
			if changed++; out == nil {
				return nil
			}
			raw = out
		}
		return writeRaw(w, raw)
	}), big, bigLine)
	return changed, err
}

// erased is what stays of the subject's record rec: with t.Changes (a
// rectification) the record with those fields set to their corrected
// values; otherwise, in t's mode, nothing for delete, the record with its
// PII and match fields nulled or masked for null and mask. ok is false
// when nothing changes (a JSON Lines line that is not JSON, values already
// corrected): the record is then kept as it is, and the verification
// judges it.
func erased(rec *record, t driver.Target, maskKey []byte) (out []byte, ok bool) {
	var b []byte
	switch {
	case len(t.Changes) > 0:
		b = rec.clear(slices.Sorted(maps.Keys(t.Changes)), rectifier(t.Changes))
	case t.Mode == driver.ModeNull || t.Mode == driver.ModeMask:
		b = rec.clear(t.ClearFields(), newClearer(t.Mode, maskKey))
	default:
		return nil, true
	}
	return b, b != nil
}

func writeRaw(w io.Writer, raw []byte) error {
	_, err := w.Write(raw)
	return err
}

// csvColumns guards a CSV or TSV walk: the first record decoded must have a
// column for every named field t names (t.ClearFields: its match and PII
// fields; a positional column_N past the header is one a short row may
// lack). A column the file lacks (renamed since the scan, or a header read
// otherwise) would make Find count nothing and the verification report 0
// while the subject's row stays, so it is an error, which the plan and the
// receipt show as a failed location. Other formats pass visit through:
// a JSON record may omit a key.
func csvColumns(format string, t driver.Target, visit visitor) visitor {
	if format != piimap.FormatCSV && format != piimap.FormatTSV {
		return visit
	}
	want := t.ClearFields()
	checked := false
	return func(raw []byte, rec *record) error {
		if rec != nil && !checked {
			checked = true
			for _, f := range want {
				if !fileformat.PositionalColumn(f) && !slices.ContainsFunc(rec.cols, func(c driver.Column) bool { return c.Name == f }) {
					return fmt.Errorf("%s has no column %q, a field of the map: the file changed since the scan; scan it again: %w",
						format, f, piimap.ErrNotFound)
				}
			}
		}
		return visit(raw, rec)
	}
}

// prefilterFor is the prefilter of t's matches for records of format.
func prefilterFor(t driver.Target, format string) *driver.Prefilter {
	return driver.NewPrefilter(t.Match, format == piimap.FormatJSON || format == piimap.FormatJSONL)
}

// walkStream streams the records of r in a structured format to visit,
// records pre rules out as nil ones: the CSV delimiter is sniffed from the
// head, a JSON document is read whole up to jsonDocBound and streamed
// beyond it (an oversized row is then an error wrapping
// piimap.ErrUnsupported: see findJSON).
func walkStream(r io.Reader, format string, pre *driver.Prefilter, visit visitor) error {
	return walkStreamBig(r, format, pre, visit, nil, nil)
}

// walkStreamBig is walkStream handing CSV and TSV records longer than
// maxRecord to big, and JSON Lines lines longer than it that the
// prefilter cannot rule out to bigLine (nil: they are an error), instead
// of holding them whole.
func walkStreamBig(r io.Reader, format string, pre *driver.Prefilter, visit visitor, big bigVisitor, bigLine jsonlBig) error {
	switch format {
	case piimap.FormatCSV, piimap.FormatTSV:
		br := bufio.NewReaderSize(r, fileformat.HeadSize)
		comma := '\t'
		if format == piimap.FormatCSV {
			comma = ','
			head, _ := br.Peek(fileformat.HeadSize)
			if d, ok := fileformat.SniffDelimiter(head, len(head) < fileformat.HeadSize); ok {
				comma = d
			}
		}
		return walkCSVBig(br, comma, pre, visit, big)
	case piimap.FormatJSONL:
		return walkJSONL(r, pre, visit, bigLine)
	case piimap.FormatJSON:
		data, rest, err := readJSONHead(r)
		if err != nil {
			return err
		}
		if rest != nil {
			return walkJSONRows(rest, pre, visit, nil)
		}
		doc, err := parseJSONDoc(data)
		if err != nil {
			return err
		}
		for _, sp := range doc.spans {
			raw := data[sp[0]:sp[1]]
			var rec *record
			if pre.MayMatch(raw) {
				rec = jsonRecord(bytes.Clone(raw))
			}
			if err := visit(raw, rec); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("format %s: %w", format, piimap.ErrUnsupported)
}

var textColumns = []driver.Column{{Name: "line", Type: "integer"}, {Name: "text", Type: "string"}}
