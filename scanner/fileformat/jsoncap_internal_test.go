package fileformat

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func capAll(t *testing.T, in string, max int) (string, int64) {
	t.Helper()
	c := newJSONCapReader(strings.NewReader(in))
	c.max = max
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), c.cuts
}

// TestJSONCap: long strings are cut at a character boundary, never inside
// an escape, and marked; short ones, keys and structure are unchanged.
func TestJSONCap(t *testing.T) {
	long := strings.Repeat("é\\n\\u00e9\\\"x", 50) // escapes and 2-byte runes
	in := `{"k":"` + long + `","short":"ok","n":[1,2,true,null]}`
	out, cuts := capAll(t, in, 64)
	if cuts != 1 {
		t.Fatalf("cuts %d", cuts)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("cut JSON does not parse: %v\n%s", err, out)
	}
	var full string
	if err := json.Unmarshal([]byte(`"`+long+`"`), &full); err != nil {
		t.Fatal(err)
	}
	got, cut := uncut(v["k"].(string))
	if !cut || len(got) > 64 || !strings.HasPrefix(full, got) || len(got) < 20 {
		t.Fatalf("cut value %q (cut %v)", got, cut)
	}
	if v["short"] != "ok" {
		t.Fatalf("short value changed: %v", v["short"])
	}
	// Unchanged when nothing is long.
	small := `[{"a":"b\"c","d":[1.5e3,"\u0041"]}]` + "\n"
	if out, cuts := capAll(t, small, 64); out != small || cuts != 0 {
		t.Fatalf("changed: %q", out)
	}
	// Blanks and long numbers outside strings are bounded.
	out, _ = capAll(t, `{"a":`+strings.Repeat(" ", 10000)+strings.Repeat("7", 10000)+`}`, 64)
	if len(out) > 2000 {
		t.Fatalf("blanks/number not bounded: %d bytes", len(out))
	}
	// A raw newline resynchronises after a broken line.
	out, _ = capAll(t, "{\"a\":\"open\n{\"b\":\""+strings.Repeat("z", 200)+"\"}\n", 64)
	if !bytes.Contains([]byte(out), []byte(cutMark)) {
		t.Fatalf("no cut after a broken line: %q", out)
	}
}

// FuzzJSONCap: input with nothing long passes unchanged; valid JSON whose
// numbers are short stays valid JSON after its strings are cut.
func FuzzJSONCap(f *testing.F) {
	f.Add(`{"a":"bcdefghijklmnop\u0041\"q","r":[1,2]}`, 4)
	f.Add(`["\ud83d\ude00\ud83d\ude00\ud83d\ude00"]`, 5)
	f.Fuzz(func(t *testing.T, in string, max int) {
		max = 4 + max&63
		c := newJSONCapReader(strings.NewReader(in))
		c.max = max
		out, err := io.ReadAll(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(in) <= max && string(out) != in {
			t.Fatalf("short input changed: %q -> %q", in, out)
		}
		if !json.Valid([]byte(in)) || strings.Contains(in, "\n") {
			return
		}
		dec := json.NewDecoder(strings.NewReader(in))
		dec.UseNumber()
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			if n, ok := tok.(json.Number); ok && len(n) > max {
				return
			}
		}
		if !json.Valid(out) {
			t.Fatalf("valid input became invalid: %q -> %q", in, out)
		}
	})
}
