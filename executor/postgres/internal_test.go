package postgres

import (
	"regexp"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

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
			w, err := Where([]driver.Match{{Field: "c", Kind: kind, Values: []string{v1, v2}},
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
