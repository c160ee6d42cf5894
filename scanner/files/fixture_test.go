package files_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/piimap/piimap/scanner/scannertest"
)

// writeFile writes data under dir, creating parents.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

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

func encodeDelimited(t testing.TB, tb scannertest.Table, comma rune) []byte {
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

// encodeParquet writes the table as optional string columns, 100 rows per
// row group so sampling has several groups to draw from.
func encodeParquet(t testing.TB, tb scannertest.Table) []byte {
	t.Helper()
	group := parquet.Group{}
	for _, c := range tb.Columns {
		group[c] = parquet.Optional(parquet.String())
	}
	schema := parquet.NewSchema("row", group)
	sorted := slices.Clone(tb.Columns)
	slices.Sort(sorted) // leaf columns are ordered by name
	var b bytes.Buffer
	w := parquet.NewWriter(&b, schema, parquet.MaxRowsPerRowGroup(100))
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
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// format is one way the harness stores fixture tables and texts.
type format struct {
	name      string
	tableExt  string
	textExt   string
	encode    func(testing.TB, scannertest.Table) []byte
	gzipTable bool
	gzipText  bool
}

var formats = []format{
	{name: "csv", tableExt: ".csv", textExt: ".log", encode: func(t testing.TB, tb scannertest.Table) []byte { return encodeDelimited(t, tb, ',') }},
	{name: "tsv.gz", tableExt: ".tsv.gz", textExt: ".log.gz", gzipTable: true, gzipText: true,
		encode: func(t testing.TB, tb scannertest.Table) []byte { return encodeDelimited(t, tb, '\t') }},
	{name: "semicolon-noext", tableExt: "", textExt: ".txt", encode: func(t testing.TB, tb scannertest.Table) []byte { return encodeDelimited(t, tb, ';') }},
	{name: "jsonl", tableExt: ".jsonl", textExt: ".log", encode: encodeJSONL},
	{name: "json", tableExt: ".json", textExt: ".log", encode: encodeJSON},
	{name: "json.gz", tableExt: ".json.gz", textExt: ".log", encode: encodeJSON, gzipTable: true},
	{name: "parquet", tableExt: ".parquet", textExt: ".log", encode: encodeParquet},
	{name: "parquet.gz", tableExt: ".parquet.gz", textExt: ".log", encode: encodeParquet, gzipTable: true},
}

// harness stores the fixture under a temp dir in one format.
type harness struct{ f format }

func (h harness) Make(t *testing.T, fx scannertest.Fixture) scannerStoreConfig {
	dir := t.TempDir()
	for _, tb := range fx.Tables {
		data := h.f.encode(t, tb)
		if h.f.gzipTable {
			data = gz(t, data)
		}
		writeFile(t, dir, "tables/"+tb.Name+h.f.tableExt, data)
	}
	for _, tx := range fx.Texts {
		data := tx.Data
		if h.f.gzipText {
			data = gz(t, data)
		}
		writeFile(t, dir, tx.Name+h.f.textExt, data)
	}
	return scannerStoreConfig{Name: "fs", URL: "file://" + dir}
}

func (h harness) Asset(name string) (string, bool) {
	if strings.HasPrefix(name, "app") {
		return name + h.f.textExt, true
	}
	return "tables/" + name + h.f.tableExt, true
}

func (h harness) Checksum(t *testing.T, cfg scannerStoreConfig) string {
	return scannertest.DirChecksum(t, strings.TrimPrefix(cfg.URL, "file://"))
}
