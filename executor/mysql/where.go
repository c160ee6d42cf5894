package mysql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor"
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
// matches) and its arguments, following the executor's matching rules:
// emails trimmed and lower-cased, equal or as a whole token; phones by the
// cell's digits and plus signs (identifier.PhoneCellForms of the E.164
// values in the field's region) or as a written number in the text
// (identifier.PhoneTokenPattern); other kinds by exact trimmed text form.
// A NULL cell never matches; a match without usable values matches nothing.
func Where(ms []executor.Match, col func(field string) (Col, error)) (string, []any, error) {
	var ors []string
	var args []any
	for _, m := range ms {
		if m.Field == "" {
			return "", nil, fmt.Errorf("mysql: text matches need a field: %w", piimap.ErrUnsupported)
		}
		c, err := col(m.Field)
		if err != nil {
			return "", nil, err
		}
		vals := m.SQLValues()
		if m.Kind == piimap.KeyPhone {
			vals = identifier.PhoneCellForms(m.Values, m.Region) // E.164 under the field's region: every cell key (digits and +) it may be written as
		}
		if len(vals) == 0 {
			continue
		}
		txt := c.Expr
		if !c.Text {
			txt = "CAST(" + c.Expr + " AS CHAR)"
		}
		switch m.Kind {
		case piimap.KeyEmail:
			ors = append(ors, bin("LOWER(TRIM("+txt+"))")+" IN ("+placeholders(len(vals))+")",
				bin("LOWER("+txt+")")+" REGEXP ?")
			args = append(append(args, strArgs(vals)...), identifier.EmailTokenPattern(vals))
		case piimap.KeyPhone:
			ors = append(ors, "REGEXP_REPLACE("+txt+", '[^0-9+]', '') IN ("+placeholders(len(vals))+")",
				bin(txt)+" REGEXP ?")
			args = append(append(args, strArgs(vals)...), identifier.PhoneTokenPattern(m.Values, m.Region))
		case identifier.Card, identifier.SSN: // a needle: the cell's digits (identifier.CellKey)
			ors = append(ors, "REGEXP_REPLACE("+txt+", '[^0-9]', '') IN ("+placeholders(len(vals))+")")
			args = append(args, strArgs(vals)...)
		case identifier.IBAN:
			ors = append(ors, "UPPER(REGEXP_REPLACE("+txt+", '[^A-Za-z0-9]', '')) IN ("+placeholders(len(vals))+")")
			args = append(args, strArgs(vals)...)
		default:
			if c.Int {
				ints := canonicalInts(vals)
				if len(ints) == 0 {
					continue
				}
				ors = append(ors, c.Expr+" IN ("+placeholders(len(ints))+")")
				for _, n := range ints {
					args = append(args, n)
				}
				continue
			}
			ors = append(ors, bin("TRIM("+txt+")")+" IN ("+placeholders(len(vals))+")")
			args = append(args, strArgs(vals)...)
		}
	}
	if len(ors) == 0 {
		return "FALSE", nil, nil
	}
	return "(" + strings.Join(ors, " OR ") + ")", args, nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func strArgs(vals []string) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}

// canonicalInts keeps the values that are an integer's canonical text form
// (what an integer cell prints as); others cannot equal any integer cell.
func canonicalInts(vals []string) []int64 {
	var out []int64
	for _, v := range vals {
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil && strconv.FormatInt(n, 10) == v {
			out = append(out, n)
		}
	}
	return out
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
