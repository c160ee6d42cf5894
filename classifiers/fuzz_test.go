package classifiers

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

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
		"Tel. 089 / 123 456 78", "030 /", "0171 / 1", "089 / 1234567 12 34",
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

// FuzzScanParallel: chunked scanning agrees with one Spans call over the
// whole input, match for match with line and column, and reads every byte.
// The fuzzed text is placed so that the first chunk boundary falls inside
// it: blank lines fill the stream up to ChunkSize-cut bytes, and the text
// is then read one byte at a time, so the first chunk ends at the last
// newline before ChunkSize (in the text when its first cut bytes hold one)
// and the rest, from that line on, is the second chunk.
func FuzzScanParallel(f *testing.F) {
	f.Add([]byte("a jane@example.com\nb 123-45-6780\n\nc +44 20 7946 0958"), uint16(0))
	f.Add([]byte("\n\n\n"), uint16(1))
	f.Add([]byte("a jane@example.com\nb 123-45-6780\n\nc +44 20 7946 0958"), uint16(20))
	f.Add([]byte("x\njane@example.com +44 20 7946 0958\nemp EMP-123\n"), uint16(9))
	f.Add([]byte("call +1 415\n555 0100 now\n"), uint16(11))
	f.Fuzz(func(t *testing.T, text []byte, cut uint16) {
		e := fuzzE(t)
		at := int(cut) % (len(text) + 1) // bytes of text before ChunkSize
		pad := bytes.Repeat([]byte{'\n'}, ChunkSize-at)
		data := append(pad, text...)

		// The blank lines hold no spans and are no one's context, so the
		// sequential answer is Spans over the text alone, shifted past them.
		var want []Match
		line, lineStart, pos := int64(1), 0, 0
		e.Spans(text, func(sp piimap.Span) {
			for ; pos < sp.Start; pos++ {
				if text[pos] == '\n' {
					line++
					lineStart = pos + 1
				}
			}
			sp.Start += len(pad)
			sp.End += len(pad)
			want = append(want, Match{Span: sp, Line: line + int64(len(pad)), Col: sp.Start - len(pad) - lineStart})
		})
		for _, workers := range []int{2} {
			var got []Match
			r := io.MultiReader(bytes.NewReader(pad), iotest.OneByteReader(bytes.NewReader(text)))
			n, err := e.ScanParallel(context.Background(), r, workers, func(m Match) error {
				got = append(got, m)
				return nil
			})
			if err != nil || n != int64(len(data)) {
				t.Fatalf("workers=%d: read %d of %d bytes: %v", workers, n, len(data), err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("workers=%d, boundary %d bytes into the text: parallel %+v, sequential %+v", workers, at, got, want)
			}
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
