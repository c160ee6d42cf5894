package mysql

import (
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

func TestFieldColJSONPath(t *testing.T) {
	tb := &table{cols: map[string]*column{"doc": {name: "doc", dataType: "longtext", json: true}, "n": {name: "n", dataType: "int"}}}
	c, err := fieldCol(tb, `doc.user.e"mail`)
	if err != nil || c.Expr != `JSON_UNQUOTE(JSON_EXTRACT(t.`+"`doc`"+`, '$."user"."e\\"mail"'))` || !c.Text {
		t.Fatalf("%+v %v", c, err)
	}
	if c, err := fieldCol(tb, "n"); err != nil || !c.Int || c.Text {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := fieldCol(tb, "n.x"); err == nil {
		t.Fatal("a path into a non-JSON column")
	}
}

// FuzzWhereShape: whatever the values, Where yields exactly one
// placeholder per argument and passes values only as parameters.
func FuzzWhereShape(f *testing.F) {
	f.Add("email", "ann@example.com", "b'c")
	f.Add("phone", "+44 20 7946 0000", "")
	f.Add("key", "42", "?")
	f.Fuzz(func(t *testing.T, kind, v1, v2 string) {
		for _, col := range []Col{{Expr: "t.c", Text: true}, {Expr: "t.c", Int: true}, {Expr: "t.c"}} {
			w, args, err := Where([]driver.Match{{Field: "c", Kind: kind, Values: []string{v1, v2}},
				{Field: "c", Kind: piimap.KeyEmail, Values: []string{v2}}},
				func(string) (Col, error) { return col, nil })
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(w, "?"); n != len(args) {
				t.Fatalf("%d placeholders for %d args in %s", n, len(args), w)
			}
			for _, a := range args {
				switch a.(type) {
				case string, int64:
				default:
					t.Fatalf("argument of type %T", a)
				}
			}
			if strings.Contains(strings.NewReplacer("'[^0-9+]'", "", "''", "").Replace(w), "'") {
				t.Fatalf("a literal other than the fixed ones in %s", w)
			}
		}
	})
}
