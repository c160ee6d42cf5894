package sqlkit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
)

// Dialect writes Where's comparisons in one kind's SQL, for one statement:
// it holds the statement's parameters, and In and Matches add theirs as
// they are called, in the order their SQL is joined. C is the kind's
// rendered field (an expression and its type).
type Dialect[C any] interface {
	// Text is the field's text form.
	Text(c C) string
	// Trim removes surrounding whitespace, Lower and Upper change case.
	Trim(x string) string
	Lower(x string) string
	Upper(x string) string
	// Strip removes every character outside the regexp class keep
	// ("0-9+").
	Strip(x, keep string) string
	// Exact makes a text comparison byte-wise whatever the collation (the
	// expression itself where comparisons already are).
	Exact(x string) string
	// In is x equal to one of vals: an array parameter or IN lists.
	In(x string, vals []string) string
	// Matches is x matching the regular expression pattern.
	Matches(x, pattern string) string
	// Typed compares a key column typed (integer, uuid), so indexes serve
	// key lookups: ok is false for a column compared by text, and sql is
	// empty when no value can equal a cell of the column's type.
	Typed(c C, vals []string) (sql string, ok bool)
}

// Where renders matches as one boolean expression, the disjunction of the
// matches, adding its parameters to d. It follows the executor's matching
// rules: emails trimmed and lower-cased, equal or as a whole token; phones
// by the cell's digits and plus signs (identifier.PhoneCellForms of the
// E.164 values in the field's region) or as a written number in the text
// (identifier.PhoneTokenPattern); cards and SSNs by the cell's digits,
// IBANs and NINOs by its upper-cased letters and digits, or as a number
// run in its text (identifier.NumberTokenPattern); other kinds by exact
// trimmed text form,
// or typed. A NULL cell never matches; a match without usable values
// matches nothing.
func Where[C any](kind string, d Dialect[C], ms []driver.Match, col func(field string) (C, error)) (string, error) {
	var all []string
	lister, _ := d.(Lister[C])
	for _, m := range ms {
		c, ors, err := matchConds(kind, d, m, col)
		if err != nil {
			return "", err
		}
		if len(ors) == 0 {
			continue
		}
		if lister != nil {
			if w, ok := lister.AnyElement(c, "("+strings.Join(ors, " OR ")+")"); ok {
				all = append(all, w)
				continue
			}
		}
		all = append(all, ors...)
	}
	if len(all) == 0 {
		return "FALSE", nil
	}
	return "(" + strings.Join(all, " OR ") + ")", nil
}

// Lister is implemented by dialects whose fields may be lists (a Postgres
// text[] column, a path into a JSON array: tags[], profile.emails[],
// contacts[].mail). AnyElement returns the condition that some element
// of c satisfies cond, which is written over c's element (col returns
// the element's expression), and ok when c is a list.
type Lister[C any] interface {
	AnyElement(c C, cond string) (string, bool)
}

// matchConds returns one match's field column and the conditions (any of
// them) that select its rows.
func matchConds[C any](kind string, d Dialect[C], m driver.Match, col func(field string) (C, error)) (c C, ors []string, err error) {
	if m.Field == "" {
		return c, nil, fmt.Errorf("%s: text matches need a field: %w", kind, piimap.ErrUnsupported)
	}
	if c, err = col(m.Field); err != nil {
		return c, nil, err
	}
	vals := m.SQLValues()
	if m.Kind == piimap.KeyPhone {
		vals = identifier.PhoneCellForms(m.Values, m.Region) // every cell key (digits and +) the E.164 values may be written as
	}
	if len(vals) == 0 {
		return c, nil, nil
	}
	txt := d.Text(c)
	switch m.Kind {
	case piimap.KeyEmail:
		ors = append(ors, d.In(d.Exact(d.Lower(d.Trim(txt))), vals))
		ors = append(ors, d.Matches(d.Exact(d.Lower(txt)), identifier.EmailTokenPattern(vals)))
	case piimap.KeyPhone:
		ors = append(ors, d.In(d.Strip(txt, "0-9+"), vals))
		ors = append(ors, d.Matches(d.Exact(txt), identifier.PhoneTokenPattern(m.Values, m.Region)))
	case identifier.Card, identifier.SSN: // a needle: the cell's digits (identifier.CellKey)
		ors = append(ors, d.In(d.Strip(txt, "0-9"), vals))
		// ... or a number run inside the cell's text ("paid with 4111
		// 1111 1111 1111 on 12/03"), as MatchCell finds it.
		if p := identifier.NumberTokenPattern(m.Kind, m.Values); p != identifier.NeverMatches {
			ors = append(ors, d.Matches(d.Exact(txt), p))
		}
	case identifier.IBAN, identifier.NINO:
		ors = append(ors, d.In(d.Upper(d.Strip(txt, "A-Za-z0-9")), vals))
		if p := identifier.NumberTokenPattern(m.Kind, m.Values); p != identifier.NeverMatches {
			ors = append(ors, d.Matches(d.Exact(txt), p))
		}
	default:
		if typed, ok := d.Typed(c, vals); ok {
			if typed != "" {
				ors = append(ors, typed)
			}
			return c, ors, nil
		}
		ors = append(ors, d.In(d.Exact(d.Trim(txt)), vals))
	}
	return c, ors, nil
}

// CanonicalInts keeps the values that are an integer's canonical text form
// (what an integer cell prints as); others cannot equal any integer cell.
func CanonicalInts(vals []string) []int64 {
	var out []int64
	for _, v := range vals {
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil && strconv.FormatInt(n, 10) == v {
			out = append(out, n)
		}
	}
	return out
}

// InList is x IN (?, …) over vals, in lists of at most chunk values joined
// by OR (chunk 0: one list), with the values as arguments.
func InList(x string, vals []string, chunk int, sep string) (string, []any) {
	if chunk <= 0 {
		chunk = max(len(vals), 1)
	}
	var parts []string
	var args []any
	for i := 0; i < len(vals); i += chunk {
		j := min(i+chunk, len(vals))
		parts = append(parts, x+" IN ("+strings.TrimSuffix(strings.Repeat("?"+sep, j-i), sep)+")")
		for _, v := range vals[i:j] {
			args = append(args, v)
		}
	}
	return strings.Join(parts, " OR "), args
}
