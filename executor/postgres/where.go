package postgres

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor"
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
}

// whitespace is what Go's strings.TrimSpace removes from ASCII text.
const whitespace = `E' \t\n\x0B\f\r'`

// Where renders matches as one boolean expression (the disjunction of the
// matches), adding its parameters to p. It follows the executor's matching
// rules: emails trimmed and lower-cased, equal or as a whole token; phones
// by digits or as a token; other kinds by exact (trimmed) text form. A NULL
// cell never matches; a match without usable values matches nothing.
func Where(ms []executor.Match, col func(field string) (Col, error), p *Params) (string, error) {
	var ors []string
	for _, m := range ms {
		if m.Field == "" {
			return "", fmt.Errorf("postgres: text matches need a field: %w", piimap.ErrUnsupported)
		}
		c, err := col(m.Field)
		if err != nil {
			return "", err
		}
		vals := m.SQLValues()
		if m.Kind == piimap.KeyPhone {
			vals = identifier.PhoneCellForms(m.Values, m.Region) // E.164 under the field's region: every cell key (digits and +) it may be written as
		}
		if len(vals) == 0 {
			continue
		}
		txt := c.Expr
		if c.Type != ColText {
			txt = c.Expr + "::text"
		}
		switch m.Kind {
		case piimap.KeyEmail:
			ors = append(ors, "lower(btrim("+txt+", "+whitespace+")) = ANY("+p.Add(vals)+"::text[])",
				"lower("+txt+") ~ "+p.Add(identifier.EmailTokenPattern(vals)))
		case piimap.KeyPhone:
			ors = append(ors, "regexp_replace("+txt+", '[^0-9+]', '', 'g') = ANY("+p.Add(vals)+"::text[])",
				txt+" ~ "+p.Add(identifier.PhoneTokenPattern(m.Values, m.Region)))
		case identifier.Card, identifier.SSN: // a needle: the cell's digits (identifier.CellKey)
			ors = append(ors, "regexp_replace("+txt+", '[^0-9]', '', 'g') = ANY("+p.Add(vals)+"::text[])")
		case identifier.IBAN:
			ors = append(ors, "upper(regexp_replace("+txt+", '[^A-Za-z0-9]', '', 'g')) = ANY("+p.Add(vals)+"::text[])")
		default:
			switch c.Type {
			case ColInt:
				if ints := canonicalInts(vals); len(ints) > 0 {
					ors = append(ors, c.Expr+" = ANY("+p.Add(ints)+"::int8[])")
				}
			case ColUUID:
				if ids := canonicalUUIDs(vals); len(ids) > 0 {
					ors = append(ors, c.Expr+" = ANY("+p.Add(ids)+"::uuid[])")
				}
			default:
				ors = append(ors, "btrim("+txt+", "+whitespace+") = ANY("+p.Add(vals)+"::text[])")
			}
		}
	}
	if len(ors) == 0 {
		return "FALSE", nil
	}
	return "(" + strings.Join(ors, " OR ") + ")", nil
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
		return Col{}, fmt.Errorf("field %s: list paths: %w", field, piimap.ErrUnsupported)
	}
	c, path, ok := tb.jsonPath(field)
	if !ok {
		return Col{}, fmt.Errorf("field %s: no such column: %w", field, piimap.ErrNotFound)
	}
	quoted := make([]string, len(path))
	for i, s := range path {
		quoted[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return Col{Expr: "(" + alias + "." + spg.QuoteIdent(c.name) + " #>> " + spg.QuoteLiteral("{"+strings.Join(quoted, ",")+"}") + ")"}, nil
}
