package duckdbsql_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit/duckdbsql"
)

func TestWhereRendering(t *testing.T) {
	col := func(f string) (string, error) { return duckdbsql.QuoteIdent(f), nil }
	w, args, err := duckdbsql.Where([]driver.Match{{Field: "e", Kind: piimap.KeyEmail, Values: []string{"a@b.co", "c@d.co"}},
		{Field: "k", Kind: driver.KindKey, Values: []string{" 42 "}}}, col)
	if err != nil {
		t.Fatal(err)
	}
	want := `(lower(trim(CAST("e" AS VARCHAR))) IN (?,?) OR regexp_matches(lower(CAST("e" AS VARCHAR)), ?) OR trim(CAST("k" AS VARCHAR)) IN (?))`
	if w != want {
		t.Errorf("Where =\n %s\nwant\n %s", w, want)
	}
	if len(args) != 4 || args[0] != "a@b.co" || args[1] != "c@d.co" || args[3] != "42" {
		t.Errorf("args = %v", args)
	}

	// Long value lists are cut into IN lists of InChunk values.
	var many []string
	for i := 0; i < 2*duckdbsql.InChunk+3; i++ {
		many = append(many, "k"+strconv.Itoa(i))
	}
	w, args, err = duckdbsql.Where([]driver.Match{{Field: "k", Kind: driver.KindKey, Values: many}}, col)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(w, " IN ("); n != 3 {
		t.Errorf("%d IN lists for %d values, want 3", n, len(many))
	}
	if len(args) != len(many) || strings.Count(w, "?") != len(many) {
		t.Errorf("%d args, %d placeholders for %d values", len(args), strings.Count(w, "?"), len(many))
	}
}

func TestColumnExpr(t *testing.T) {
	types := map[string]string{"id": "INTEGER", "doc": "JSON", "p": "STRUCT(u STRUCT(e VARCHAR))", `we"ird`: "VARCHAR"}
	for _, c := range []struct {
		field, want string
		err         error
	}{
		{"id", `"id"`, nil},
		{`we"ird`, `"we""ird"`, nil},
		{"doc.user.email", `json_extract_string("doc", '$.user.email')`, nil},
		{"doc.o'k", `json_extract_string("doc", '$.o''k')`, nil},
		{"p.u.e", `"p"."u"."e"`, nil},
		{"items[].x", "", piimap.ErrUnsupported},
		{"nope", "", piimap.ErrNotFound},
		{"nope.x", "", piimap.ErrNotFound},
	} {
		got, err := duckdbsql.ColumnExpr(c.field, types)
		if got != c.want || !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
			t.Errorf("ColumnExpr(%s) = %s, %v; want %s, %v", c.field, got, err, c.want, c.err)
		}
	}
}

func TestIsString(t *testing.T) {
	for typ, want := range map[string]bool{"VARCHAR": true, "varchar(10)": true, "TEXT": true, "STRING": true, "INTEGER": false, "JSON": false, "VARCHAR[]": false} {
		if duckdbsql.IsString(typ) != want {
			t.Errorf("IsString(%s) = %v", typ, !want)
		}
	}
}
