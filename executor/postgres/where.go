package postgres

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	spg "github.com/piimap/piimap/scanner/postgres"
)

// Params accumulates the positional parameters of one statement.
type Params struct{ Args []any }

// Add appends a parameter and returns its placeholder ($n).
func (p *Params) Add(v any) string {
	p.Args = append(p.Args, v)
	return "$" + strconv.Itoa(len(p.Args))
}

// ColType is how Where compares a field: typed for integer and uuid
// columns (so indexes serve key lookups), by text form otherwise.
type ColType int

// Column comparison classes.
const (
	ColText ColType = iota
	ColInt
	ColUUID
)

// Col is one field rendered as SQL: Expr is the column (or the JSON path
// expression, which yields text) and Type its comparison class.
type Col struct {
	Expr string
	Type ColType
	// List, for a list field (tags[], profile.emails[], contacts[].mail),
	// is the set-returning expression of its elements, aliased e(v); Expr
	// is then the element's text (dialect.AnyElement).
	List string
}

// whitespace is what Go's strings.TrimSpace removes from ASCII text.
const whitespace = `E' \t\n\x0B\f\r'`

// Where renders matches as one boolean expression (the disjunction of the
// matches), adding its parameters to p: sqlkit.Where in Postgres's SQL,
// with every value list as one array parameter. Integer and uuid columns
// compare typed.
func Where(ms []driver.Match, col func(field string) (Col, error), p *Params) (string, error) {
	return sqlkit.Where[Col](Kind, dialect{p}, ms, col)
}

// dialect is Postgres's SQL for sqlkit.Where.
type dialect struct{ p *Params }

func (d dialect) Text(c Col) string {
	if c.Type != ColText {
		return c.Expr + "::text"
	}
	return c.Expr
}
func (dialect) Trim(x string) string  { return "btrim(" + x + ", " + whitespace + ")" }
func (dialect) Lower(x string) string { return "lower(" + x + ")" }
func (dialect) Upper(x string) string { return "upper(" + x + ")" }
func (dialect) Strip(x, keep string) string {
	return "regexp_replace(" + x + ", '[^" + keep + "]', '', 'g')"
}
func (dialect) Exact(x string) string { return x }
func (d dialect) In(x string, vals []string) string {
	return x + " = ANY(" + d.p.Add(vals) + "::text[])"
}
func (d dialect) Matches(x, pattern string) string { return x + " ~ " + d.p.Add(pattern) }

var _ sqlkit.Lister[Col] = dialect{}

// AnyElement is "some element of the list satisfies cond".
func (dialect) AnyElement(c Col, cond string) (string, bool) {
	if c.List == "" {
		return "", false
	}
	return "EXISTS (SELECT 1 FROM " + c.List + " AS e(v) WHERE " + cond + ")", true
}

func (d dialect) Typed(c Col, vals []string) (string, bool) {
	switch c.Type {
	case ColInt:
		if ints := sqlkit.CanonicalInts(vals); len(ints) > 0 {
			return c.Expr + " = ANY(" + d.p.Add(ints) + "::int8[])", true
		}
		return "", true
	case ColUUID:
		if ids := canonicalUUIDs(vals); len(ids) > 0 {
			return c.Expr + " = ANY(" + d.p.Add(ids) + "::uuid[])", true
		}
		return "", true
	}
	return "", false
}

var uuidText = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// canonicalUUIDs keeps the values in a uuid cell's text form.
func canonicalUUIDs(vals []string) []string {
	var out []string
	for _, v := range vals {
		if uuidText.MatchString(v) {
			out = append(out, v)
		}
	}
	return out
}

// fieldCol renders a target field over the table aliased as alias: a
// column, or a path into a json/jsonb column (#>>, which yields text).
// List paths (items[]) and unknown fields are errors.
func fieldCol(tb *table, alias, field string) (Col, error) {
	if c := tb.cols[field]; c != nil {
		expr := alias + "." + spg.QuoteIdent(c.name)
		switch {
		case c.isInt():
			return Col{Expr: expr, Type: ColInt}, nil
		case c.typname == "uuid":
			return Col{Expr: expr, Type: ColUUID}, nil
		}
		return Col{Expr: expr}, nil
	}
	if strings.Contains(field, "[]") {
		return listCol(tb, alias, field)
	}
	c, path, ok := tb.jsonPath(field)
	if !ok {
		return Col{}, fmt.Errorf("field %s: no such column: %w", field, piimap.ErrNotFound)
	}
	return Col{Expr: "(" + alias + "." + spg.QuoteIdent(c.name) + " #>> " + jsonPathLiteral(path) + ")"}, nil
}

// listCol renders a list field: an array column (tags[]: its elements as
// text), or one level of JSON array inside a json/jsonb column (emails[],
// profile.emails[]: the elements' text; contacts[].mail: a path inside
// each element). A value at the path that is not an array has no
// elements. Lists inside lists are unsupported.
func listCol(tb *table, alias, field string) (Col, error) {
	head, rest, _ := strings.Cut(field, "[]")
	if strings.Contains(rest, "[]") || rest != "" && !strings.HasPrefix(rest, ".") {
		return Col{}, fmt.Errorf("field %s: lists inside lists: %w", field, piimap.ErrUnsupported)
	}
	inner := jsonPathLiteral(strings.Split(strings.TrimPrefix(rest, "."), "."))
	if rest == "" {
		inner = "'{}'"
	}
	if c := tb.cols[head]; c != nil {
		expr := alias + "." + spg.QuoteIdent(c.name)
		switch {
		case c.category == 'A' && rest == "":
			return Col{Expr: "e.v::text", List: "unnest(" + expr + ")"}, nil
		case c.isJSON():
			return jsonList(expr, inner), nil
		}
		return Col{}, fmt.Errorf("field %s: %s is no list: %w", field, c.name, piimap.ErrUnsupported)
	}
	c, path, ok := tb.jsonPath(head)
	if !ok {
		return Col{}, fmt.Errorf("field %s: no such column: %w", field, piimap.ErrNotFound)
	}
	return jsonList("("+alias+"."+spg.QuoteIdent(c.name)+" #> "+jsonPathLiteral(path)+")", inner), nil
}

// jsonList is the list of the elements of the JSON array arr (jsonb of a
// json or jsonb column), each read at the path literal inner as text.
func jsonList(arr, inner string) Col {
	a := "(" + arr + ")::jsonb"
	return Col{
		Expr: "(e.v #>> " + inner + ")",
		List: "jsonb_array_elements(CASE WHEN jsonb_typeof(" + a + ") = 'array' THEN " + a + " ELSE '[]'::jsonb END)",
	}
}

// jsonPathLiteral is path as a quoted text[] literal for #> and #>>.
func jsonPathLiteral(path []string) string {
	quoted := make([]string, len(path))
	for i, s := range path {
		quoted[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return spg.QuoteLiteral("{" + strings.Join(quoted, ",") + "}")
}
