package fileformat

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzCSVReader: where the streaming reader accepts the input, it reads
// the same records as encoding/csv with LazyQuotes; it fails only on a
// quoted field left open.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "a,\"b\"\"c\",d\r\n\n\ne,f", "x\"y,z\n", "\"a\"b,c\n", "\"open\n1,2\n",
		"a,b,\n", "\r\n\"q\r\nw\",e\r\n", "\"a\"\r\"b\",c", ",,\n,", "a\rb,c\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := csv.NewReader(strings.NewReader(s))
		want.LazyQuotes = true
		want.FieldsPerRecord = -1
		got, err := newCSVReader(bufio.NewReader(strings.NewReader(s)), ',')
		if err != nil {
			t.Fatal(err)
		}
		for {
			g, _, gerr := got.Read()
			w, werr := want.Read()
			if gerr != nil && !errors.Is(gerr, io.EOF) {
				t.Fatalf("unexpected error %v", gerr)
			}
			if isUnterminated(gerr) {
				if !strings.Contains(s, "\"") {
					t.Fatalf("unterminated without a quote")
				}
				return
			}
			if errors.Is(gerr, io.EOF) && g == nil {
				if werr != io.EOF {
					t.Fatalf("reader ended early; csv has %q (%v)", w, werr)
				}
				return
			}
			if werr != nil {
				t.Fatalf("csv ended (%v); reader has %q", werr, g)
			}
			if len(g) != len(w) {
				t.Fatalf("fields: got %q want %q", g, w)
			}
			for i := range g {
				if string(g[i]) != w[i] {
					t.Fatalf("field %d: got %q want %q", i, g[i], w[i])
				}
			}
		}
	})
}

// TestCSVTooManyFields: a row of a million delimiters keeps MaxCSVFields
// cells and reports the rest; the next row reads normally.
func TestCSVTooManyFields(t *testing.T) {
	in := "a" + strings.Repeat(",x", 1<<20) + "\nlast,row\n"
	r, err := newCSVReader(bufio.NewReader(strings.NewReader(in)), ',')
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := r.Read()
	if err != nil || len(rec) != MaxCSVFields {
		t.Fatalf("first row: %d fields, %v", len(rec), err)
	}
	rec, line, err := r.Read()
	if err != nil || line != 2 || len(rec) != 2 || string(rec[0]) != "last" {
		t.Fatalf("second row: %q line %d %v", rec, line, err)
	}
	if e := r.overErr(); e == nil || !strings.Contains(e.Error(), "line 1: 983041 fields beyond the first 65536") {
		t.Fatalf("overErr: %v", e)
	}
}
