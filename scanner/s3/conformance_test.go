package s3_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"gocloud.dev/blob"

	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/s3/s3test"
	"github.com/piimap/piimap/scanner/scannertest"
)

// format is one way the harness stores the fixture's table and text.
type format struct {
	name     string
	tableExt string
	textExt  string
	encode   func(testing.TB, scannertest.Table) []byte
	gzTable  bool
	gzText   bool
}

var formats = []format{
	{name: "csv", tableExt: ".csv", textExt: ".log", encode: delimited(',')},
	{name: "tsv.gz", tableExt: ".tsv.gz", textExt: ".log.gz", encode: delimited('\t'), gzTable: true, gzText: true},
	{name: "semicolon-noext", tableExt: "", textExt: ".txt", encode: delimited(';')},
	{name: "jsonl", tableExt: ".jsonl", textExt: ".log", encode: encodeJSONL},
	{name: "json.gz", tableExt: ".json.gz", textExt: ".log", encode: encodeJSON, gzTable: true},
	{name: "parquet", tableExt: ".parquet", textExt: ".log", encode: encodeParquet},
	{name: "parquet.gz", tableExt: ".parquet.gz", textExt: ".log", encode: encodeParquet, gzTable: true},
}

func TestConformance(t *testing.T) {
	s3test.Base(t)
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) { scannertest.RunConformance(t, &harness{f: f}) })
	}
}

// harness stores the fixture under the prefix "lake/" of a fresh bucket,
// next to an object outside the prefix that the store must not see.
type harness struct {
	f format
	b *s3test.Bucket
}

func (h *harness) Make(t *testing.T, fx scannertest.Fixture) scanner.StoreConfig {
	h.b = s3test.NewBucket(t)
	for _, tb := range fx.Tables {
		data := h.f.encode(t, tb)
		if h.f.gzTable {
			data = gz(t, data)
		}
		h.b.Put(t, "lake/tables/"+tb.Name+h.f.tableExt, data, nil)
	}
	for _, tx := range fx.Texts {
		data := tx.Data
		if h.f.gzText {
			data = gz(t, data)
		}
		h.b.Put(t, "lake/"+tx.Name+h.f.textExt, data, &blob.WriterOptions{ContentType: "text/plain"})
	}
	h.b.Put(t, "outside/secret.csv", []byte("email\nnobody@example.test\n"), nil)
	return scanner.StoreConfig{Name: "lake", URL: h.b.StoreURL("lake")}
}

func (h *harness) Asset(name string) (string, bool) {
	if strings.HasPrefix(name, "app") {
		return name + h.f.textExt, true
	}
	return "tables/" + name + h.f.tableExt, true
}

func (h *harness) Checksum(t *testing.T, _ scanner.StoreConfig) string { return h.b.Checksum(t) }

func gz(t testing.TB, data []byte) []byte {
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

func delimited(comma rune) func(testing.TB, scannertest.Table) []byte {
	return func(t testing.TB, tb scannertest.Table) []byte {
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
}

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

func encodeJSONL(t testing.TB, tb scannertest.Table) []byte {
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

func encodeJSON(t testing.TB, tb scannertest.Table) []byte {
	t.Helper()
	b, err := json.MarshalIndent(rowObjects(tb), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encodeParquet writes optional string columns, rowsPerGroup rows per row
// group so sampling has several groups to draw from.
func encodeParquet(t testing.TB, tb scannertest.Table) []byte {
	t.Helper()
	var b bytes.Buffer
	writeParquet(t, &b, tb, 100)
	return b.Bytes()
}

func writeParquet(t testing.TB, w interface{ Write([]byte) (int, error) }, tb scannertest.Table, rowsPerGroup int64) {
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
