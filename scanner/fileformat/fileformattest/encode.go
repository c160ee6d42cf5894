package fileformattest

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/piimap/piimap/scanner/scannertest"
)

// Gzip compresses data.
func Gzip(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Delimited encodes the table as CSV with the given delimiter, header
// first.
func Delimited(t testing.TB, tb scannertest.Table, comma rune) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = comma
	if err := w.Write(tb.Columns); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAll(tb.Rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// DelimitedBy is Delimited with its delimiter bound, for format tables.
func DelimitedBy(comma rune) func(testing.TB, scannertest.Table) []byte {
	return func(t testing.TB, tb scannertest.Table) []byte { return Delimited(t, tb, comma) }
}

// rowObjects renders each row as an object of its non-empty cells.
func rowObjects(tb scannertest.Table) []map[string]any {
	var out []map[string]any
	for _, r := range tb.Rows {
		m := map[string]any{}
		for i, c := range tb.Columns {
			if r[i] != "" {
				m[c] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// JSONL encodes the table as JSON Lines, one object (its non-empty cells)
// per row.
func JSONL(t testing.TB, tb scannertest.Table) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, o := range rowObjects(tb) {
		if err := enc.Encode(o); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// JSON encodes the table as an indented JSON array of row objects.
func JSON(t testing.TB, tb scannertest.Table) []byte {
	t.Helper()
	b, err := json.MarshalIndent(rowObjects(tb), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Parquet encodes the table as optional string columns, 100 rows per row
// group so that sampling has several groups to draw from.
func Parquet(t testing.TB, tb scannertest.Table) []byte {
	t.Helper()
	var b bytes.Buffer
	WriteParquet(t, &b, tb, 100)
	return b.Bytes()
}

// WriteParquet writes the table to w as optional string columns,
// rowsPerGroup rows per row group.
func WriteParquet(t testing.TB, w io.Writer, tb scannertest.Table, rowsPerGroup int64) {
	t.Helper()
	group := parquet.Group{}
	for _, c := range tb.Columns {
		group[c] = parquet.Optional(parquet.String())
	}
	sorted := slices.Sorted(slices.Values(tb.Columns)) // leaf columns are ordered by name
	pw := parquet.NewWriter(w, parquet.NewSchema("row", group), parquet.MaxRowsPerRowGroup(rowsPerGroup))
	for _, r := range tb.Rows {
		row := make(parquet.Row, len(sorted))
		for ci, name := range sorted {
			v := r[slices.Index(tb.Columns, name)]
			if v == "" {
				row[ci] = parquet.NullValue().Level(0, 0, ci)
			} else {
				row[ci] = parquet.ByteArrayValue([]byte(v)).Level(0, 1, ci)
			}
		}
		if _, err := pw.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
}
