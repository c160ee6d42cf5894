package mysql

import (
	"fmt"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	smy "github.com/piimap/piimap/scanner/mysql"
)

// Col is one field rendered as SQL: Expr is the column or the JSON path
// expression (which yields text); Int marks integer columns, compared typed
// so indexes serve key lookups; Text marks string-typed expressions.
type Col struct {
	Expr string
	Int  bool
	Text bool
}

// bin makes a text comparison exact: byte-wise in utf8mb4, whatever the
// column's collation (which usually ignores case, accents and trailing
// spaces).
func bin(expr string) string { return "CONVERT(" + expr + " USING utf8mb4) COLLATE utf8mb4_bin" }

// Where renders matches as one boolean expression (the disjunction of the
// matches) and its arguments: sqlkit.Where in MySQL's SQL, with IN lists
// and text compared byte-wise (bin). Integer columns compare typed.
func Where(ms []driver.Match, col func(field string) (Col, error)) (string, []any, error) {
	d := &dialect{}
	w, err := sqlkit.Where[Col](Kind, d, ms, col)
	if err != nil {
		return "", nil, err
	}
	return w, d.args, nil
}

// dialect is MySQL's SQL for sqlkit.Where; it collects the statement's
// arguments in the order their placeholders appear.
type dialect struct{ args []any }

func (*dialect) Text(c Col) string {
	if !c.Text {
		return "CAST(" + c.Expr + " AS CHAR)"
	}
	return c.Expr
}
func (*dialect) Trim(x string) string  { return "TRIM(" + x + ")" }
func (*dialect) Lower(x string) string { return "LOWER(" + x + ")" }
func (*dialect) Upper(x string) string { return "UPPER(" + x + ")" }
func (*dialect) Strip(x, keep string) string {
	return "REGEXP_REPLACE(" + x + ", '[^" + keep + "]', '')"
}
func (*dialect) Exact(x string) string { return bin(x) }
func (d *dialect) In(x string, vals []string) string {
	s, a := sqlkit.InList(x, vals, 0, ", ")
	d.args = append(d.args, a...)
	return s
}
func (d *dialect) Matches(x, pattern string) string {
	d.args = append(d.args, pattern)
	return x + " REGEXP ?"
}
func (d *dialect) Typed(c Col, vals []string) (string, bool) {
	if !c.Int {
		return "", false
	}
	ints := sqlkit.CanonicalInts(vals)
	if len(ints) == 0 {
		return "", true
	}
	for _, n := range ints {
		d.args = append(d.args, n)
	}
	return c.Expr + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ints)), ", ") + ")", true
}

// fieldCol renders a target field over the table aliased t: a column, or a
// path into a JSON column. List paths (items[]) and unknown fields are
// errors.
func fieldCol(tb *table, field string) (Col, error) {
	if c := tb.cols[field]; c != nil {
		return Col{Expr: "t." + smy.QuoteIdent(c.name), Int: c.isInt(), Text: c.isString()}, nil
	}
	if strings.Contains(field, "[]") {
		return Col{}, fmt.Errorf("field %s: list paths: %w", field, piimap.ErrUnsupported)
	}
	parts := strings.Split(field, ".")
	c := tb.cols[parts[0]]
	if len(parts) < 2 || c == nil || !c.json {
		return Col{}, fmt.Errorf("field %s: no such column: %w", field, piimap.ErrNotFound)
	}
	path := "$"
	for _, p := range parts[1:] {
		path += `."` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p) + `"`
	}
	return Col{Expr: "JSON_UNQUOTE(JSON_EXTRACT(t." + smy.QuoteIdent(c.name) + ", " + quoteLiteral(path) + "))", Text: true}, nil
}

// quoteLiteral quotes a string literal for the default sql_mode, in which
// backslashes escape (the mode the driver's own interpolation assumes).
func quoteLiteral(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}
