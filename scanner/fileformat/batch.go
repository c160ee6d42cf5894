package fileformat

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/piimap/piimap/scanner"
)

// Batch is a column-wise set of rows read from a structured object: either
// the whole seeded sample, or (in a full read) the next FullBatchRows rows.
type Batch struct {
	Fields []string            // in first-seen order (header order for CSV)
	Values map[string][]string // field → non-empty values, in row order
	Types  map[string]string   // field → declared type, where the format has one (Parquet)
	Rows   int                 // rows behind this batch
	Total  int64               // rows in the object (streamed formats: rows read so far)
	Cut    map[string]int64    // field → sampled cells truncated at MaxCellBytes
	Cuts   int64               // cells truncated in the whole object so far
}

// FullBatchRows is the batch size of full reads.
const FullBatchRows = 4096

// cell is one field value of a sampled row.
type cell struct {
	field, value string
	cut          bool // value truncated at MaxCellBytes
}

// rowSampler turns a stream of rows into batches: a seeded reservoir of
// s.Rows rows, or consecutive batches when s.Full.
type rowSampler struct {
	s      scanner.Sample
	res    *scanner.Reservoir[indexedRow]
	full   []indexedRow
	fields []string // declared (header) fields, kept even when empty
	seen   map[string]bool
	types  map[string]string
	total  int64
	emit   func(*Batch) error
	bad    int64 // first row (1-based) holding invalid UTF-8, 0 if none
	cuts   int64 // cells truncated in the object (set by the reader)
}

type indexedRow struct {
	idx   int64
	cells []cell
}

func newRowSampler(s scanner.Sample, key string, emit func(*Batch) error) *rowSampler {
	rs := &rowSampler{s: s, emit: emit, seen: map[string]bool{}}
	if !s.Full {
		rows := s.Rows
		if rows <= 0 {
			rows = scanner.DefaultSampleRows
		}
		rs.res = scanner.NewReservoir[indexedRow](rows, s.Rand(key))
	}
	return rs
}

// declare records a field known from the schema or header.
func (rs *rowSampler) declare(field string) {
	if !rs.seen[field] && rs.s.Wants(field) {
		rs.seen[field] = true
		rs.fields = append(rs.fields, field)
	}
}

// add offers one row; build is called only if the row is kept.
func (rs *rowSampler) add(ctx context.Context, build func() []cell) error {
	rs.total++
	idx := rs.total
	mk := func() indexedRow {
		cells := build()
		kept := cells[:0]
		for _, c := range cells {
			if !rs.s.Wants(c.field) {
				continue
			}
			if !utf8.ValidString(c.value) {
				if rs.bad == 0 {
					rs.bad = idx
				}
				c.value = strings.ToValidUTF8(c.value, " ")
			}
			kept = append(kept, c)
		}
		return indexedRow{idx: idx, cells: kept}
	}
	if rs.res != nil {
		rs.res.Offer(mk)
		return nil
	}
	rs.full = append(rs.full, mk())
	if len(rs.full) >= FullBatchRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		return rs.flush(rs.full)
	}
	return nil
}

// finish emits the sample (or the last full batch).
func (rs *rowSampler) finish() error {
	if rs.res != nil {
		rows := rs.res.Items
		slices.SortFunc(rows, func(a, b indexedRow) int { return int(a.idx - b.idx) })
		return rs.flush(rows)
	}
	if len(rs.full) > 0 || rs.total == 0 {
		return rs.flush(rs.full)
	}
	return nil
}

func (rs *rowSampler) flush(rows []indexedRow) error {
	b := &Batch{Values: map[string][]string{}, Types: rs.types, Rows: len(rows), Total: rs.total, Cuts: rs.cuts}
	for _, r := range rows {
		for _, c := range r.cells {
			rs.declare(c.field)
			if c.cut {
				if b.Cut == nil {
					b.Cut = map[string]int64{}
				}
				b.Cut[c.field]++
			}
			if c.value != "" {
				b.Values[c.field] = append(b.Values[c.field], c.value)
			}
		}
	}
	b.Fields = slices.Clone(rs.fields)
	rs.full = rs.full[:0]
	return rs.emit(b)
}
