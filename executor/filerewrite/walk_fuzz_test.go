package filerewrite

import (
	"bytes"
	"strings"
	"testing"
)

// The rewrite keeps every byte it does not drop, so walking a file and
// concatenating what each visit saw must reproduce the input exactly.

func FuzzWalkCSVLossless(f *testing.F) {
	f.Add("a,b\r\n1,\"x\ny\"\r\n2,z")
	f.Add("\xef\xbb\xbfemail\nann@example.com\n\n")
	f.Add("a;b\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		err := walkCSV(strings.NewReader(in), ',', nil, func(raw []byte, _ *record) error {
			out.Write(raw)
			return nil
		})
		if err == nil && out.String() != in {
			t.Fatalf("lossy walk:\n in %q\nout %q", in, out.String())
		}
	})
}

func FuzzWalkJSONLLossless(f *testing.F) {
	f.Add("{\"a\":1}\n\n{\"b\":{\"c\":\"x\"}}")
	f.Add("not json\r\n{}\n")
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		if err := walkJSONL(strings.NewReader(in), nil, func(raw []byte, _ *record) error {
			out.Write(raw)
			return nil
		}, nil); err != nil {
			t.Fatal(err)
		}
		if out.String() != in {
			t.Fatalf("lossy walk:\n in %q\nout %q", in, out.String())
		}
	})
}

func FuzzWalkTextLossless(f *testing.F) {
	f.Add("a\r\nb\n\nc")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		if err := walkText(strings.NewReader(in), nil, nil, func(_ int64, content []byte, term string) error {
			out.Write(content)
			out.WriteString(term)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if out.String() != in {
			t.Fatalf("lossy walk:\n in %q\nout %q", in, out.String())
		}
	})
}

// FuzzJSONDoc: dropping nothing reproduces the document; dropping every row
// leaves valid framing; rows are the exact bytes of their values; replacing
// a row changes only its bytes.
func FuzzJSONDoc(f *testing.F) {
	f.Add("[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n")
	f.Add("{\"a\":1} {\"b\":2}")
	f.Add("[]")
	f.Fuzz(func(t *testing.T, in string) {
		d, err := parseJSONDoc([]byte(in))
		if err != nil {
			return
		}
		if got := string(d.without(nil, nil)); len(d.spans) > 1 && got != in {
			// separators are normalised to the first one; the rows must survive
			for _, sp := range d.spans {
				if !strings.Contains(got, in[sp[0]:sp[1]]) {
					t.Fatalf("row %q lost", in[sp[0]:sp[1]])
				}
			}
		}
		all := map[int]bool{}
		for i := range d.spans {
			all[i] = true
		}
		if got := string(d.rewrite(nil)); got != in {
			t.Fatalf("rewriting nothing changed %q into %q", in, got)
		}
		if len(d.spans) > 0 {
			sp := d.spans[0]
			want := in[:sp[0]] + "null" + in[sp[1]:]
			if got := string(d.rewrite(map[int][]byte{0: []byte("null")})); got != want {
				t.Fatalf("replacing row 0 of %q gave %q, want %q", in, got, want)
			}
		}
		rest := d.without(all, nil)
		if len(d.spans) > 0 {
			if d2, err := parseJSONDoc(rest); err != nil || len(d2.spans) != 0 {
				t.Fatalf("dropping every row of %q left %q (%v)", in, rest, err)
			}
		}
	})
}
