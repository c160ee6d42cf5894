package files

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// SampleDelimited streams CSV/TSV from r (comma is the delimiter; 0 sniffs
// it from the first bytes) and emits a seeded reservoir sample of its rows,
// or every row in batches when s.Full. The first row is the header unless
// it looks like data, in which case fields are named column_1, column_2, ...
// key seeds the sample together with s.Seed (use the object's name).
//
// A malformed row ends the read: the rows sampled so far are still emitted,
// then the error (wrapping piimap.ErrCorrupt) is returned.
func SampleDelimited(ctx context.Context, r io.Reader, comma rune, s scanner.Sample, key string, emit func(*Batch) error) error {
	br := newPeekReader(r)
	if comma == 0 {
		head, _ := br.Peek(HeadSize)
		comma = ','
		if d, ok := SniffDelimiter(head, len(head) < HeadSize); ok {
			comma = d
		}
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	rs := newRowSampler(s, key, emit)
	first, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return rs.finish()
	}
	if err != nil {
		return delimitedErr(err)
	}
	header := make([]string, len(first))
	pending := []string(nil)
	if looksLikeHeader(first) {
		for i, h := range first {
			header[i] = strings.TrimSpace(strings.ToValidUTF8(h, " "))
			if header[i] == "" {
				header[i] = "column_" + strconv.Itoa(i+1)
			}
		}
	} else {
		for i := range first {
			header[i] = "column_" + strconv.Itoa(i+1)
		}
		pending = append([]string(nil), first...)
	}
	header = dedupe(header)
	for _, h := range header {
		rs.declare(h)
	}
	row := func(rec []string) func() []cell {
		return func() []cell {
			cells := make([]cell, 0, len(rec))
			for i, v := range rec {
				name := "column_" + strconv.Itoa(i+1)
				if i < len(header) {
					name = header[i]
				}
				cells = append(cells, cell{name, strings.Clone(v)})
			}
			return cells
		}
	}
	if pending != nil {
		if err := rs.add(ctx, row(pending)); err != nil {
			return err
		}
	}
	var readErr error
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			readErr = delimitedErr(err)
			break
		}
		if err := rs.add(ctx, row(rec)); err != nil {
			return err
		}
	}
	if err := rs.finish(); err != nil {
		return err
	}
	if readErr == nil && rs.bad > 0 {
		readErr = fmt.Errorf("row %d: invalid UTF-8: %w", rs.bad, piimap.ErrCorrupt)
	}
	return readErr
}

func delimitedErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d: %v: %w", pe.Line, pe.Err, piimap.ErrCorrupt)
	}
	return err // I/O errors keep their own identity (truncated gzip is already ErrCorrupt)
}

// looksLikeHeader: every cell non-empty, short, unique, and none looks like
// a value (digits, '@', long text).
func looksLikeHeader(rec []string) bool {
	seen := map[string]bool{}
	for _, c := range rec {
		c = strings.TrimSpace(c)
		if c == "" || len(c) > 64 || seen[c] || strings.ContainsAny(c, "@") {
			return false
		}
		seen[c] = true
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			return false
		}
	}
	return len(rec) > 0
}

func dedupe(names []string) []string {
	seen := map[string]int{}
	for i, n := range names {
		seen[n]++
		if seen[n] > 1 {
			names[i] = n + "_" + strconv.Itoa(seen[n])
		}
	}
	return names
}
