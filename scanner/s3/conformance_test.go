package s3_test

import (
	"strings"
	"testing"

	"gocloud.dev/blob"

	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat/fileformattest"
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

// The fixture encoders are the codec's (fileformattest), shared with the
// files source's harness.
var (
	gz            = fileformattest.Gzip
	delimited     = fileformattest.DelimitedBy
	encodeJSONL   = fileformattest.JSONL
	encodeJSON    = fileformattest.JSON
	encodeParquet = fileformattest.Parquet
	writeParquet  = fileformattest.WriteParquet
)
