package fileformat

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// SampleParquet samples a Parquet object through r (size bytes): it draws
// s.Rows distinct row numbers with the seeded generator — across all row
// groups, never the head only — seeks to each and reads it; with s.Full it
// reads every row in batches. Leaf columns are named by their dotted path,
// with list wrappers collapsed to `[]` (`items[].sku`). Anything the file
// format rejects, including a parser panic on a malformed file, is returned
// wrapping piimap.ErrCorrupt.
func SampleParquet(ctx context.Context, r io.ReaderAt, size int64, s scanner.Sample, key string, emit func(*Batch) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parquet: malformed file (%v): %w", p, piimap.ErrCorrupt)
		}
	}()
	if err := checkFrame(r, size); err != nil {
		return err
	}
	f, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return fmt.Errorf("parquet: %v: %w", err, piimap.ErrCorrupt)
	}
	cols := f.Schema().Columns()
	names := make([]string, len(cols))
	rs := newRowSampler(s, key, emit)
	rs.types = map[string]string{}
	for i, path := range cols {
		names[i] = parquetPath(path)
		if leaf, ok := f.Schema().Lookup(path...); ok {
			rs.types[names[i]] = leaf.Node.Type().String()
		}
		rs.declare(names[i])
	}
	wanted := map[int64]bool(nil)
	total := f.NumRows()
	if !s.Full {
		wanted = pickRows(total, rs.res.Size, s.Rand(key))
	}
	var base int64
	buf := make([]parquet.Row, 1)
	for _, rg := range f.RowGroups() {
		n := rg.NumRows()
		if err := ctx.Err(); err != nil {
			return err
		}
		if wanted != nil && !anyIn(wanted, base, base+n) {
			base += n
			continue
		}
		if err := readGroup(ctx, rg, base, wanted, buf, func(row parquet.Row) error {
			return rs.add(ctx, parquetRow(row, names))
		}); err != nil {
			_ = rs.finish()
			return err
		}
		base += n
	}
	rs.total = total
	return rs.finish()
}

// checkFrame validates the file's frame — "PAR1" at both ends and a footer
// that fits inside the file — before the parser trusts its lengths.
func checkFrame(r io.ReaderAt, size int64) error {
	if size < 12 {
		return fmt.Errorf("parquet: %d bytes is too small for a parquet file: %w", size, piimap.ErrCorrupt)
	}
	var head, tail [8]byte
	if _, err := r.ReadAt(head[:4], 0); err != nil {
		return fmt.Errorf("parquet: read header: %w", err)
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("parquet: read footer: %w", err)
	}
	if string(head[:4]) != "PAR1" || string(tail[4:]) != "PAR1" {
		return fmt.Errorf("parquet: missing PAR1 magic: %w", piimap.ErrCorrupt)
	}
	footer := int64(binary.LittleEndian.Uint32(tail[:4]))
	if footer <= 0 || footer > size-12 {
		return fmt.Errorf("parquet: footer length %d does not fit in %d bytes: %w", footer, size, piimap.ErrCorrupt)
	}
	return nil
}

func readGroup(ctx context.Context, rg parquet.RowGroup, base int64, wanted map[int64]bool, buf []parquet.Row, fn func(parquet.Row) error) error {
	rows := rg.Rows()
	defer rows.Close()
	n := rg.NumRows()
	readOne := func(i int64) (bool, error) {
		k, err := rows.ReadRows(buf)
		if k == 1 {
			if err := fn(buf[0]); err != nil {
				return false, err
			}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return false, fmt.Errorf("parquet: read row %d: %v: %w", base+i, err, piimap.ErrCorrupt)
		}
		return k == 1, nil
	}
	if wanted == nil { // full read: every row, trusting the data over the row count
		for i := int64(0); i < n; i++ {
			if i%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			ok, err := readOne(i)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("parquet: row group ends at row %d of %d: %w", i, n, piimap.ErrCorrupt)
			}
		}
		return nil
	}
	// Sampled: visit only the drawn rows of this group, in order (never a
	// loop over the group's claimed size, which a corrupt footer may inflate).
	var idx []int64
	for r := range wanted {
		if r >= base && r < base+n {
			idx = append(idx, r-base)
		}
	}
	slices.Sort(idx)
	for j, i := range idx {
		if j%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := rows.SeekToRow(i); err != nil {
			return fmt.Errorf("parquet: seek row %d: %v: %w", base+i, err, piimap.ErrCorrupt)
		}
		ok, err := readOne(i)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("parquet: row group ends before row %d of %d: %w", i, n, piimap.ErrCorrupt)
		}
	}
	return nil
}

// pickRows draws k distinct row numbers in [0,n) (all of them when n <= k).
func pickRows(n int64, k int, rnd interface{ Int64N(int64) int64 }) map[int64]bool {
	out := make(map[int64]bool, min(int64(k), n))
	if n <= int64(k) {
		for i := range n {
			out[i] = true
		}
		return out
	}
	// Floyd's algorithm: k draws, no rejection loop.
	for j := n - int64(k); j < n; j++ {
		t := rnd.Int64N(j + 1)
		if out[t] {
			out[j] = true
		} else {
			out[t] = true
		}
	}
	return out
}

func anyIn(set map[int64]bool, lo, hi int64) bool {
	if hi-lo < int64(len(set)) {
		for i := lo; i < hi; i++ {
			if set[i] {
				return true
			}
		}
		return false
	}
	for i := range set {
		if i >= lo && i < hi {
			return true
		}
	}
	return false
}

func parquetRow(row parquet.Row, names []string) func() []cell {
	return func() []cell {
		cells := make([]cell, 0, len(row))
		for _, v := range row {
			c := v.Column()
			if v.IsNull() || c < 0 || c >= len(names) {
				continue
			}
			if v.Kind() == parquet.ByteArray || v.Kind() == parquet.FixedLenByteArray {
				b, cut := v.ByteArray(), false
				if len(b) > maxCell() { // classify a bounded prefix
					b, cut = trimPartialRune(b[:maxCell()]), true
				}
				cells = append(cells, cell{field: names[c], value: string(b), cut: cut})
				continue
			}
			cells = append(cells, cell{field: names[c], value: strings.Clone(v.String())})
		}
		return cells
	}
}

// parquetPath joins a leaf column path with dots, collapsing the standard
// LIST encoding (`x.list.element`, legacy `x.array`/`x.bag`) to `x[]`.
func parquetPath(path []string) string {
	var out []string
	for i := 0; i < len(path); i++ {
		p := path[i]
		if (p == "list" || p == "bag") && i+1 < len(path) && (path[i+1] == "element" || path[i+1] == "item" || path[i+1] == "array_element") && len(out) > 0 {
			out[len(out)-1] += "[]"
			i++
			continue
		}
		if p == "key_value" && len(out) > 0 {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(slices.Clip(out), ".")
}
