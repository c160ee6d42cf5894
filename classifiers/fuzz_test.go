package classifiers

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/rules"
)

var fuzzEngine *Engine

func fuzzE(t testing.TB) *Engine {
	if fuzzEngine == nil {
		rs, err := rules.Default()
		if err != nil {
			t.Fatal(err)
		}
		// a custom keyword rule too, so the keyword path is fuzzed
		rs = append(rs, rules.Rule{ID: "fz", Type: "fz", Keywords: []string{"emp"}, Pattern: `EMP-[0-9]{3}`,
			TruePositives: []string{"emp EMP-123", "emp EMP-000", "emp: EMP-999"}, FalsePositives: []string{"EMP-1", "emp", "x"}})
		fuzzEngine, err = New(rs, Options{})
		if err != nil {
			t.Fatal(err)
		}
	}
	return fuzzEngine
}

// FuzzSpans: the candidate scanner never panics, and its spans are in
// bounds, non-empty, sorted and above the threshold, on any bytes.
func FuzzSpans(f *testing.F) {
	for _, s := range []string{
		"jane@example.com +1 415-555-2671 123-45-6780 4111 1111 1111 1111",
		"GB82 WEST 1234 5698 7654 32 AB 12 34 56 C 00:1a:2b:3c:4d:5e 2001:db8::1",
		"dob 1985-03-12 gps -33.8688, 151.2093 221B Baker Street password=hunter2!x",
		"\xff\xfe\xc3\x28@@@::--++((", "(415) 555-", "+", "@", "-----BEGIN RSA PRIVATE KEY-----", "DB_PASSWORD=",
		"emp EMP-123", "12 March 1985", "1.2.3.4.5.6", "AKIAIOSFODNN7EXAMPLE",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e := fuzzE(t)
		checkSpans(t, e, data)
		// Masking a span never returns the span itself when longer than 4.
		e.Spans(data, func(sp piimap.Span) {
			v := string(data[sp.Start:sp.End])
			if m := Mask(sp.Type, v); len(v) > 6 && strings.Contains(m, v) {
				t.Fatalf("mask leaks value")
			}
		})
	})
}

// FuzzClassify: structured classification never panics and never puts a
// sampled value into evidence.
func FuzzClassify(f *testing.F) {
	f.Add("email", "jane@example.com", "bob@example.org")
	f.Add("card_number", "4111111111111111", "5500005555555559")
	f.Add("payload.user.ssn", "123-45-6780", "\xff")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, field, a, b string) {
		e := fuzzE(t)
		fs := e.Classify(piimap.Record{Loc: piimap.Location{Store: "f", Name: "main.customers", Field: field}, Values: []string{a, b, a}})
		for _, fd := range fs {
			if fd.Confidence < e.Threshold() || fd.Confidence > 1 || fd.Hits > fd.Sampled {
				t.Fatalf("bad finding %+v", fd)
			}
			for _, ev := range fd.Evidence {
				for _, v := range []string{a, b} {
					if len(v) > 8 && strings.Contains(ev, v) {
						t.Fatalf("raw value in evidence")
					}
				}
			}
		}
	})
}

// FuzzScanParallel: chunked scanning agrees with one Spans call.
func FuzzScanParallel(f *testing.F) {
	f.Add([]byte("a jane@example.com\nb 123-45-6780\n\nc +44 20 7946 0958"))
	f.Add([]byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e := fuzzE(t)
		var want []piimap.Span
		e.Spans(data, func(sp piimap.Span) { want = append(want, sp) })
		var got []piimap.Span
		if _, err := e.ScanParallel(context.Background(), bytes.NewReader(data), 2, func(m Match) error {
			got = append(got, m.Span)
			if m.Line < 1 || m.Col < 0 || m.Start-m.Col < 0 || (m.Col > 0 && bytes.IndexByte(data[m.Start-m.Col:m.Start], '\n') >= 0) {
				t.Fatalf("bad line/col %+v", m)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// Small inputs are one chunk: identical results.
		if len(data) < ChunkSize && len(got) != len(want) {
			t.Fatalf("parallel %d spans, sequential %d", len(got), len(want))
		}
	})
}

func FuzzSplitWords(f *testing.F) {
	for _, s := range []string{"payload.user.emailAddress", "SSNNumber", "a__b", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range splitWords(s) {
			if w == "" || strings.ToLower(w) != w {
				t.Fatalf("bad word %q", w)
			}
		}
		_ = subjectAsset(s)
	})
}
