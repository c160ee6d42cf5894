package filerewrite

import (
	"fmt"
	"strings"
	"testing"
)

// walkCSV cuts records with fieldWalker and decodes each with
// encoding/csv; walkCSVWhole runs encoding/csv over the whole stream. Both
// must see the same records, with the same bytes and the same fields.
func csvWalkTrace(t *testing.T, in string, comma rune, whole bool) (string, error) {
	t.Helper()
	var b strings.Builder
	visit := func(raw []byte, r *record) error {
		fmt.Fprintf(&b, "raw %q", raw)
		if r != nil {
			fmt.Fprintf(&b, " vals %q", r.vals)
		}
		b.WriteString("\n")
		return nil
	}
	var err error
	if whole {
		err = walkCSVWhole(strings.NewReader(in), comma, nil, visit)
	} else {
		err = walkCSV(strings.NewReader(in), comma, nil, visit)
	}
	return b.String(), err
}

var csvWalkSeeds = []string{
	"a,b\r\n1,\"x\ny\"\r\n2,z",
	"\xef\xbb\xbfemail\nann@example.com\n\n",
	"a;b\n\"unterminated\n",
	"a,b\n\n\r\n1,2\r\n\r\n",
	"a,b\n\"q\"\"x\",\"y\"z\"\n",
	"a,b\n\"q\"\r,x\n\"r\"\r\n3,\"\r\n\"\n",
	"a,b\n\r\r\n\rx,y\r",
	"a,b\n1,\"open\r\n\r\nstill\"\"\" ,x\n",
	"a,b\n1,2\r",
	"a,b\n,\n,,\n\"\",\"\"\n",
	"h\n\"a\"b\"c\"\n\"\"\"\n\"x\"\"\r\n",
	"h\n\"a\"\r\rb\"\n",
	"h\n1\n\"\n",
	"a\tb\n1\t\"x\ty\"\n",
}

func FuzzWalkCSVSameAsEncodingCSV(f *testing.F) {
	for _, s := range csvWalkSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		want, werr := csvWalkTrace(t, in, ',', true)
		got, gerr := csvWalkTrace(t, in, ',', false)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("errors differ on %q: encoding/csv %v, walkCSV %v", in, werr, gerr)
		}
		if werr == nil && got != want {
			t.Fatalf("walks differ on %q:\nencoding/csv\n%s\nwalkCSV\n%s", in, want, got)
		}
	})
}

func TestWalkCSVSameAsEncodingCSV(t *testing.T) {
	for _, in := range csvWalkSeeds {
		for _, comma := range []rune{',', '\t', ';'} {
			want, werr := csvWalkTrace(t, in, comma, true)
			got, gerr := csvWalkTrace(t, in, comma, false)
			if werr != nil || gerr != nil {
				t.Fatalf("%q: %v / %v", in, werr, gerr)
			}
			if got != want {
				t.Errorf("walks differ on %q:\nencoding/csv\n%s\nwalkCSV\n%s", in, want, got)
			}
		}
	}
}

// decodeCell reads one field's raw bytes as encoding/csv reads the field
// inside its record; encodeCell writes it back.
func TestDecodeEncodeCell(t *testing.T) {
	for _, v := range []string{"", "x", "a,b", `say "hi"`, "line\nbreak", " lead", "tok_0123@redacted.invalid"} {
		enc := encodeCell(v, ',')
		if got := decodeCell(enc, ','); got != v {
			t.Errorf("%q: encoded %q, decoded %q", v, enc, got)
		}
	}
}

// Random short inputs over the bytes that matter to the reading.
func TestWalkCSVRandomSameAsEncodingCSV(t *testing.T) {
	const alphabet = "a,\"\r\n x"
	seed := uint64(1)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	iters := 200000
	if testing.Short() {
		iters = 20000
	}
	for it := 0; it < iters; it++ {
		b := make([]byte, rnd(24))
		for i := range b {
			b[i] = alphabet[rnd(len(alphabet))]
		}
		in := string(b)
		want, werr := csvWalkTrace(t, in, ',', true)
		got, gerr := csvWalkTrace(t, in, ',', false)
		if (werr == nil) != (gerr == nil) || got != want {
			t.Fatalf("walks differ on %q:\nencoding/csv (%v)\n%s\nwalkCSV (%v)\n%s", in, werr, want, gerr, got)
		}
	}
}
