package filerewrite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner"
)

// FuzzPrefilterRecords checks that the prefilter is sound for decoded
// records: whenever a JSON or CSV record matches a value by any of its
// fields (or by its text), the prefilter passes the record's raw bytes.
func FuzzPrefilterRecords(f *testing.F) {
	f.Add(`{"email":"Ann@X.org","n":1}`, "ann@x.org", uint8(0), false)
	f.Add(`{"email":"ann\u0040x.org"}`, "ann@x.org", uint8(0), false)
	f.Add(`{"tel":"+1 (555) 010-4477"}`, "15550104477", uint8(1), false)
	f.Add(`{"id":1042,"tags":["u-7"]}`, "1042", uint8(2), false)
	f.Add(`{"id":"\u212aim@x.org"}`, "kim@x.org", uint8(0), false)
	f.Add("id,email\n7,\"Ann@X.org\"\n", "ann@x.org", uint8(0), true)
	f.Add("id;phone\n7;\"555 010 4477\"\n", "5550104477", uint8(1), true)
	kinds := []string{piimap.KeyEmail, piimap.KeyPhone, driver.KindKey}
	f.Fuzz(func(t *testing.T, raw, value string, kind uint8, csv bool) {
		k := kinds[int(kind)%len(kinds)]
		format := piimap.FormatJSONL
		if csv {
			format = piimap.FormatCSV
		}
		var recs []*record
		visit := func(_ []byte, r *record) error {
			if r != nil {
				recs = append(recs, r)
			}
			return nil
		}
		if err := walkStream(strings.NewReader(raw), format, nil, visit); err != nil {
			return
		}
		for _, r := range recs {
			ms := []driver.Match{{Kind: k, Values: []string{value}}}
			for _, field := range recordFields(r) {
				ms = append(ms, driver.Match{Field: field, Kind: k, Values: []string{value}})
			}
			for _, m := range ms {
				if r.matches([]driver.Match{m}) && !driver.NewPrefilter(ms, !csv).MayMatch(r.raw) {
					t.Fatalf("%s record matches %s by field %q but the prefilter rules it out", format, k, m.Field)
				}
			}
		}
	})
}

// recordFields lists the fields a record can be matched by.
func recordFields(r *record) []string {
	var out []string
	for i, c := range r.cols {
		if c.Name == "_raw" {
			continue
		}
		scanner.FlattenJSON(c.Name, r.vals[i], func(p, _ string) { out = append(out, p) })
	}
	return out
}

// TestPrefilterKeepsBytes checks that what the prefilter rules out is
// still copied byte for byte by a rewrite, and that counts are the same
// as without it.
func TestPrefilterKeepsBytes(t *testing.T) {
	ctx := context.Background()
	in := "{\"email\":\"a@x.org\"}\n{\"email\":\"B@X.ORG\"}\n\n{\"email\":\"b\\u0040x.org\"}\n{\"email\":\"c@x.org\",\"note\":\"see \\\"b@x.org\\\"\"}\nnot json b@x.org\n"
	tgt := driver.Target{Asset: "x.jsonl", Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"b@x.org"}}}}
	n, err := CountStream(ctx, strings.NewReader(in), piimap.FormatJSONL, tgt)
	if err != nil || n != 2 {
		t.Fatalf("count = %d, %v; want 2 (B@X.ORG and the escaped form)", n, err)
	}
	var out strings.Builder
	changed, err := RewriteStream(ctx, strings.NewReader(in), &out, piimap.FormatJSONL, tgt, nil)
	if err != nil || changed != 2 {
		t.Fatalf("rewrite changed %d, %v; want 2", changed, err)
	}
	want := "{\"email\":\"a@x.org\"}\n\n{\"email\":\"c@x.org\",\"note\":\"see \\\"b@x.org\\\"\"}\nnot json b@x.org\n"
	if out.String() != want {
		t.Fatalf("rewrite kept\n%q\nwant\n%q", out.String(), want)
	}
}

// FuzzWalkLinesPrefiltered checks the block walk against a line-by-line
// one: skipped blocks and visited lines put back together are the input,
// and the same lines match with the same numbers.
func FuzzWalkLinesPrefiltered(f *testing.F) {
	f.Add("a\nann@x.org\r\nb\n\nANN@X.ORG c", "ann@x.org", uint8(0), uint8(4))
	f.Add("x\ny\n", "y", uint8(2), uint8(1))
	f.Add("", "y", uint8(2), uint8(1))
	kinds := []string{piimap.KeyEmail, piimap.KeyPhone, driver.KindKey}
	f.Fuzz(func(t *testing.T, in, value string, kind, block uint8) {
		defer func(old int) { blockSize = old }(blockSize)
		blockSize = 1 + int(block)%64
		ms := []driver.Match{{Kind: kinds[int(kind)%len(kinds)], Values: []string{value}}}
		type hit struct {
			n     int64
			spans int
		}
		var want []hit
		if err := walkText(strings.NewReader(in), nil, nil, func(n int64, content []byte, _ string) error {
			if s := driver.MatchText(string(content), ms); len(s) > 0 {
				want = append(want, hit{n, len(s)})
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var got []hit
		var out strings.Builder
		pre := driver.NewPrefilter(ms, false)
		skip := func(b []byte, _ int64) error { out.Write(b); return nil }
		if err := walkText(strings.NewReader(in), pre, skip, func(n int64, content []byte, term string) error {
			out.Write(content)
			out.WriteString(term)
			if s := lineSpans(pre, content, ms, nil); len(s) > 0 {
				got = append(got, hit{n, len(s)})
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if out.String() != in {
			t.Fatalf("lossy walk:\n in %q\nout %q", in, out.String())
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("matched lines %v, want %v", got, want)
		}
	})
}

// TestNullKeepsUnreadableRecords: records that match but hold none of the
// fields null clears (a JSON Lines line that is not JSON, a record matched
// by its text elsewhere) are kept and not counted as changed, so the
// verification reports them.
func TestNullKeepsUnreadableRecords(t *testing.T) {
	in := "{\"email\":\"b@x.org\"}\nnot json b@x.org\n{\"note\":\"b@x.org\"}\n"
	tgt := driver.Target{Asset: "x.jsonl", Mode: driver.ModeNull, Match: []driver.Match{
		{Field: "email", Kind: piimap.KeyEmail, Values: []string{"b@x.org"}},
		{Kind: piimap.KeyEmail, Values: []string{"b@x.org"}}}}
	var out strings.Builder
	changed, err := RewriteStream(context.Background(), strings.NewReader(in), &out, piimap.FormatJSONL, tgt, nil)
	if err != nil || changed != 1 {
		t.Fatalf("changed %d, %v; want 1", changed, err)
	}
	if want := "{\"email\":null}\nnot json b@x.org\n{\"note\":\"b@x.org\"}\n"; out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}

// FuzzClearJSON: nulling a field of a JSON record gives valid JSON in
// which that field holds no value any more.
func FuzzClearJSON(f *testing.F) {
	f.Add(`{"user":{"email":"a@x.org","tags":["x"]}}`, "user.email")
	f.Add(`{"a.b":{"c":1},"a":{"b.c":2}}`, "a.b.c")
	f.Add(`[{"e":"x"},{"e":"y"}]`, "[].e")
	f.Add(`"root"`, "$")
	f.Fuzz(func(t *testing.T, raw, field string) {
		rec := jsonRecord([]byte(raw))
		out := rec.clear([]string{field}, newClearer(driver.ModeNull, nil))
		if out == nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("clearing %q of %q gave invalid JSON %q", field, raw, out)
		}
		if left := jsonRecord(out).get(field); len(left) > 0 {
			t.Fatalf("clearing %q of %q left %q", field, raw, left)
		}
	})
}
