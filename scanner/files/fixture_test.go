package files_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piimap/piimap/scanner/fileformat/fileformattest"
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

// The fixture encoders are the codec's (fileformattest), shared with the
// S3 source's harness.
var (
	gz              = fileformattest.Gzip
	encodeDelimited = fileformattest.Delimited
	encodeJSONL     = fileformattest.JSONL
	encodeJSON      = fileformattest.JSON
	encodeParquet   = fileformattest.Parquet
)

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
