package postgres

import (
	"regexp"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
)

func TestChildrenFirst(t *testing.T) {
	// a ← b ← c (c references b, b references a); d stands alone; e and f
	// reference each other; s references itself.
	cat := map[string]*table{
		"a": {parents: map[string]bool{}},
		"b": {parents: map[string]bool{"a": true}},
		"c": {parents: map[string]bool{"b": true}},
		"d": {parents: map[string]bool{}},
		"e": {parents: map[string]bool{"f": true}},
		"f": {parents: map[string]bool{"e": true}},
		"s": {parents: map[string]bool{"s": true}},
	}
	cases := []struct{ in, want string }{
		{"c b a", "c b a"},     // already children first: unchanged
		{"a b c", "c b a"},     // parents first: fixed
		{"d c a b", "d c b a"}, // unrelated tables keep their place
		{"b d c", "d c b"},     // b waits for c only
		{"a s", "a s"},         // a self-reference orders nothing
		{"e f d", "e f d"},     // a cycle keeps the given order
		{"a d", "a d"},         // no links
		{"", ""},               // nothing
		{"b a c d", "c b a d"}, // the whole chain moves ahead of d? no: d is free, stays after a
	}
	for _, c := range cases {
		var ts []executor.Target
		for _, a := range strings.Fields(c.in) {
			ts = append(ts, executor.Target{Asset: a})
		}
		var got []string
		for _, t := range childrenFirst(ts, cat) {
			got = append(got, t.Asset)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("childrenFirst(%s) = %s, want %s", c.in, strings.Join(got, " "), c.want)
		}
	}
}

var placeholder = regexp.MustCompile(`\$[0-9]+`)

// FuzzWhereShape: whatever the values, Where yields exactly one
// placeholder per argument and passes values only as parameters (text,
// text[] or int8[]), so no value can reach the SQL text.
func FuzzWhereShape(f *testing.F) {
	f.Add("email", "ann@example.com", "b'c")
	f.Add("phone", "+44 20 7946 0000", "")
	f.Add("key", "42", "0b5e8a34-1111-4111-8111-000000000001")
	f.Fuzz(func(t *testing.T, kind, v1, v2 string) {
		for _, typ := range []ColType{ColText, ColInt, ColUUID} {
			p := &Params{}
			w, err := Where([]executor.Match{{Field: "c", Kind: kind, Values: []string{v1, v2}},
				{Field: "c", Kind: piimap.KeyEmail, Values: []string{v2}}},
				func(string) (Col, error) { return Col{Expr: "s.c", Type: typ}, nil }, p)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, ph := range placeholder.FindAllString(w, -1) {
				seen[ph] = true
			}
			if len(seen) != len(p.Args) {
				t.Fatalf("%d placeholders for %d args in %s", len(seen), len(p.Args), w)
			}
			for _, a := range p.Args {
				switch a.(type) {
				case string, []string, []int64:
				default:
					t.Fatalf("argument of type %T", a)
				}
			}
			rest := strings.NewReplacer(whitespace, "", "'[^0-9+]'", "", "''", "", "'g'", "").Replace(w)
			if strings.Contains(rest, "'") {
				t.Fatalf("a literal other than the fixed ones in %s", w)
			}
		}
	})
}
