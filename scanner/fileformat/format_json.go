package fileformat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// MaxJSONLine bounds one JSONL line; longer lines are reported, not loaded.
const MaxJSONLine = 64 << 20

// SampleJSONL streams JSON Lines from r and emits a seeded reservoir sample
// of its rows (or all rows in batches when s.Full). Each line's object is
// flattened to dotted paths (`payload.user.email`, `items[].sku`). Lines
// that are not valid JSON or not valid UTF-8 are skipped and reported in the
// returned error (wrapping piimap.ErrCorrupt) after the sample is emitted.
func SampleJSONL(ctx context.Context, r io.Reader, s scanner.Sample, key string, emit func(*Batch) error) error {
	capr := newJSONCapReader(r)
	br := newPeekReader(capr)
	rs := newRowSampler(s, key, emit)
	var (
		lineNo               int64
		badJSON, badUTF8     int64
		firstJSON, firstUTF8 int64
		readErr              error
	)
	for {
		if lineNo%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, err := readLine(br, MaxJSONLine)
		if len(line) > 0 || err == nil {
			lineNo++
		}
		if errors.Is(err, errLineTooLong) {
			badJSON++
			if firstJSON == 0 {
				firstJSON = lineNo
			}
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			readErr = err
			break
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			if !utf8.Valid(t) {
				badUTF8++
				if firstUTF8 == 0 {
					firstUTF8 = lineNo
				}
				t = bytes.ToValidUTF8(t, []byte(" "))
			}
			// A full read decodes every line, and decoding validates it; a
			// sample validates every line and decodes those it keeps.
			var build func() []cell
			if s.Full {
				if cells, ok := decodeJSONRow(t); ok {
					build = func() []cell { return cells }
				}
			} else if json.Valid(t) {
				build = jsonRow(t)
			}
			if build == nil {
				badJSON++
				if firstJSON == 0 {
					firstJSON = lineNo
				}
			} else if err := rs.add(ctx, build); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	rs.cuts = capr.cuts
	if err := rs.finish(); err != nil {
		return err
	}
	var errs []error
	if readErr != nil {
		errs = append(errs, readErr)
	}
	if s.Full && capr.cuts > 0 {
		errs = append(errs, errTruncatedFull(capr.cuts, "jsonl"))
	}
	if badJSON > 0 {
		errs = append(errs, fmt.Errorf("line %d: invalid JSON (%d lines skipped): %w", firstJSON, badJSON, piimap.ErrCorrupt))
	}
	if badUTF8 > 0 {
		errs = append(errs, fmt.Errorf("line %d: invalid UTF-8 (%d lines): %w", firstUTF8, badUTF8, piimap.ErrCorrupt))
	}
	return errors.Join(errs...)
}

// SampleJSON streams a JSON document from r: an array whose elements are
// rows, or one object (or several concatenated objects), each a row. Rows
// are flattened and sampled as in SampleJSONL. In both, a string longer
// than MaxCellBytes is cut there for classification (MetaTruncated on its
// field's record; a full read then fails, as its identifier filter would
// miss the cut part), so memory stays bounded.
func SampleJSON(ctx context.Context, r io.Reader, s scanner.Sample, key string, emit func(*Batch) error) error {
	capr := newJSONCapReader(r)
	br := newPeekReader(capr)
	rs := newRowSampler(s, key, emit)
	dec := json.NewDecoder(br)
	dec.UseNumber()
	var readErr error
	first, err := firstNonSpace(br)
	switch {
	case errors.Is(err, io.EOF):
		return rs.finish()
	case err != nil:
		return err
	case first == '[':
		if _, err := dec.Token(); err != nil {
			return jsonErr(dec, err)
		}
		for n := 0; dec.More(); n++ {
			if n%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				readErr = jsonErr(dec, err)
				break
			}
			if err := rs.add(ctx, jsonRow(raw)); err != nil {
				return err
			}
		}
		if readErr == nil {
			if _, err := dec.Token(); err != nil {
				readErr = jsonErr(dec, err)
			}
		}
	default:
		for n := 0; ; n++ {
			if n%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			var raw json.RawMessage
			err := dec.Decode(&raw)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				readErr = jsonErr(dec, err)
				break
			}
			if err := rs.add(ctx, jsonRow(raw)); err != nil {
				return err
			}
		}
	}
	rs.cuts = capr.cuts
	if err := rs.finish(); err != nil {
		return err
	}
	if readErr == nil && rs.bad > 0 {
		readErr = fmt.Errorf("row %d: invalid UTF-8: %w", rs.bad, piimap.ErrCorrupt)
	}
	if readErr == nil && s.Full && capr.cuts > 0 {
		readErr = errTruncatedFull(capr.cuts, "json")
	}
	return readErr
}

// jsonRow decodes one JSON value lazily (only when the sampler keeps the
// row) and flattens it into cells.
func jsonRow(raw []byte) func() []cell {
	return func() []cell {
		cells, _ := decodeJSONRow(raw)
		return cells
	}
}

// decodeJSONRow decodes one JSON line into its flattened cells; false when
// the line is not one JSON value.
func decodeJSONRow(raw []byte) ([]cell, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false // more after the value: not one JSON value, as json.Valid says
	}
	var cells []cell
	scanner.FlattenJSON("", v, func(path, value string) {
		path, _ = uncut(path)
		value, cut := uncut(value)
		cells = append(cells, cell{field: path, value: value, cut: cut})
	})
	return cells, true
}

func jsonErr(dec *json.Decoder, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("offset %d: unexpected end of JSON: %w", dec.InputOffset(), piimap.ErrCorrupt)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("offset %d: invalid JSON: %w", se.Offset, piimap.ErrCorrupt)
	}
	return err
}

func firstNonSpace(br *bufio.Reader) (byte, error) {
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if len(b) < i {
			if err == nil {
				err = io.EOF
			}
			return 0, err
		}
		c := b[i-1]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != 0xef && c != 0xbb && c != 0xbf {
			return c, nil
		}
		if i >= br.Size() {
			return 0, io.EOF
		}
	}
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line (without its newline) of at most limit bytes; a
// longer line is consumed and reported as errLineTooLong.
func readLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(line)+len(frag) > limit {
			line = nil
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errLineTooLong
		}
		line = append(line, frag...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimSuffix(line, []byte("\n")), err
	}
}
