package fileformat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// SampleDelimited streams CSV/TSV from r (comma is the delimiter; 0 sniffs
// it from the first bytes) and emits a seeded reservoir sample of its rows,
// or every row in batches when s.Full. The first row is the header unless
// it looks like data, in which case fields are named column_1, column_2, ...
// key seeds the sample together with s.Seed (use the object's name).
//
// Quotes are read leniently (a bare quote inside a field is kept), but a
// quoted field still open at the end of the input — an unbalanced quote —
// is an error naming the line it opened on: the rows before that line are
// sampled and emitted as usual, then the error (wrapping piimap.ErrCorrupt)
// is returned, so the unit fails with its reason instead of yielding
// nothing. A cell longer than MaxCellBytes is cut there for classification
// (the field's record carries MetaTruncated; a full read then fails,
// because its identifier filter would miss the cut part), so memory stays
// bounded whatever the cell size.
func SampleDelimited(ctx context.Context, r io.Reader, comma rune, s scanner.Sample, key string, emit func(*Batch) error) error {
	br := newPeekReader(r)
	if comma == 0 {
		head, _ := br.Peek(HeadSize)
		comma = ','
		if d, ok := SniffDelimiter(head, len(head) < HeadSize); ok {
			comma = d
		}
	}
	cr, err := newCSVReader(br, comma)
	if err != nil {
		return err
	}

	rs := newRowSampler(s, key, emit)
	first, line, err := cr.Read()
	if errors.Is(err, io.EOF) && first == nil {
		return rs.finish()
	}
	if err != nil {
		_ = rs.finish()
		return delimitedErr(err, line, 0)
	}
	cells := make([]string, len(first))
	for i, h := range first {
		cells[i] = string(h)
	}
	header, isHeader := CSVHeader(cells)
	var pending [][]byte
	var pendingCut []bool
	if !isHeader {
		for _, f := range first {
			pending = append(pending, bytes.Clone(f))
		}
		pendingCut = slices.Clone(cr.cut)
	}
	for _, h := range header {
		rs.declare(h)
	}
	row := func(rec [][]byte, cut []bool) func() []cell {
		return func() []cell {
			cells := make([]cell, 0, len(rec))
			for i, v := range rec {
				cells = append(cells, cell{field: CSVColumn(header, i), value: string(v), cut: i < len(cut) && cut[i]})
			}
			return cells
		}
	}
	if pending != nil {
		if err := rs.add(ctx, row(pending, pendingCut)); err != nil {
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
		rec, line, err := cr.Read()
		if errors.Is(err, io.EOF) && rec == nil {
			break
		}
		if err != nil {
			readErr = delimitedErr(err, line, rs.total)
			break
		}
		if err := rs.add(ctx, row(rec, cr.cut)); err != nil {
			return err
		}
	}
	rs.cuts = cr.cuts
	if err := rs.finish(); err != nil {
		return err
	}
	if readErr == nil && rs.bad > 0 {
		readErr = fmt.Errorf("row %d: invalid UTF-8: %w", rs.bad, piimap.ErrCorrupt)
	}
	if readErr == nil {
		readErr = cr.overErr()
	}
	if readErr == nil && s.Full && cr.cuts > 0 {
		readErr = errTruncatedFull(cr.cuts, "delimited")
	}
	return readErr
}

// delimitedErr names the line of a parse error and what was read before it.
func delimitedErr(err error, line, rows int64) error {
	var u errUnterminated
	if errors.As(err, &u) {
		before := fmt.Sprintf("the %d rows before it were sampled and count", rows)
		if rows == 0 {
			before = "no data row precedes it, so nothing of this object was read"
		}
		return fmt.Errorf("%v; rows from line %d on were not read (%s): %w", u, u.line, before, piimap.ErrCorrupt)
	}
	return fmt.Errorf("line %d: %w", line, err) // I/O errors keep their own identity (truncated gzip is already ErrCorrupt)
}
