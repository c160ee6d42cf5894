package fileformat

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"testing"

	"github.com/piimap/piimap/scanner"
)

func benchCSV() []byte {
	var b bytes.Buffer
	b.WriteString("id,email,name,note,city\n")
	for i := 0; b.Len() < 32<<20; i++ {
		fmt.Fprintf(&b, "%d,user%d@example.test,Name %d,\"a note, quoted\",City %d\n", i, i, i, i%100)
	}
	return b.Bytes()
}

// BenchmarkSampleDelimited reads 32 MB of CSV into a 200-row sample.
func BenchmarkSampleDelimited(b *testing.B) {
	data := benchCSV()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := SampleDelimited(context.Background(), bytes.NewReader(data), ',', scanner.Sample{Rows: 200, Seed: 1}, "k",
			func(*Batch) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodingCSV is the same read with encoding/csv, for reference.
func BenchmarkEncodingCSV(b *testing.B) {
	data := benchCSV()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(data))
		r.LazyQuotes, r.FieldsPerRecord, r.ReuseRecord = true, -1, true
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
