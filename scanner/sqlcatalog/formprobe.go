package sqlcatalog

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/fingerprint"
)

// In-store copy probes (scanner.FormProber): the SQL that normalises a
// column's values exactly as lineage/fingerprint's normaliser for its PII
// type does, computes their masked forms, and keeps those among a list of
// needles. Each kind runs it in its own read-only transaction and passes
// the needles its own way.

// Dialect is the SQL flavour a form probe is written in.
type Dialect int

// The dialects of the SQL kinds.
const (
	Postgres Dialect = iota
	MySQL            // MySQL and MariaDB
	DuckDB
)

// ProbeCount is the form label of the row that carries the probed field's
// number of distinct normalised values.
const ProbeCount = "#distinct"

// FormProbeSQL is one in-store probe: a query returning rows of (form
// label, value): for each form asked, the distinct needles that form of
// the field's normalised values matches, and one ProbeCount row whose
// value is the field's number of distinct normalised values. Needles are
// spelt as fingerprint.SentAs sends them: those of fingerprint.FormPlain
// and of base64 as sha256 hex, never the values themselves. Args are its
// parameters, in order. Unsupported names the forms asked that the
// dialect cannot compute (Postgres has no SHA-1 without pgcrypto); they
// are left out of the query, and nothing is known of their needles.
type FormProbeSQL struct {
	Query       string
	Args        []any
	Unsupported []string
}

// ProbeTypeSQL reports whether a PII type's normaliser can be written in
// SQL (emails, phones, digit and alphanumeric identifiers).
func ProbeTypeSQL(typ string) bool { _, ok := normSteps(typ, "1"); return ok }

// BuildFormProbe writes the probe of column col of table (both quoted by
// the caller) holding values of PII type typ, for needles by form
// (fingerprint.FormPlain for the normalised values themselves). phoneCC is
// the country calling code national phone numbers are in ("1" when
// empty), as fingerprint.NormalizePhone takes it. Forms with no needles
// are not asked.
//
// pgDigest is, for Postgres, the quoted schema of pgcrypto's functions
// when the database has that extension ("" when not): SHA-1 is then
// computed with its digest(); without it sha1_hex is unsupported.
func BuildFormProbe(d Dialect, typ, phoneCC, table, col string, needles map[string][]string, pgDigest string) (FormProbeSQL, error) {
	if phoneCC == "" {
		phoneCC = "1"
	}
	if _, err := strconv.ParseUint(phoneCC, 10, 16); err != nil {
		return FormProbeSQL{}, fmt.Errorf("form probe: phone country code %q is not digits: %w", phoneCC, piimap.ErrConfig)
	}
	steps, ok := normSteps(typ, phoneCC)
	if !ok {
		return FormProbeSQL{}, fmt.Errorf("form probe: values of type %q cannot be normalised in SQL: %w", typ, piimap.ErrUnsupported)
	}
	// The normalised values: one common table expression per step, each
	// keeping the columns before it, and each materialised: a step refers
	// to the one before several times, and a planner that inlined them
	// would evaluate the first steps' regular expressions hundreds of
	// times a row (7-15 s for 20,000 rows, against milliseconds).
	ctes := []string{"s0" + materialized(d) + "(SELECT " + textOf(d, col) + " AS x FROM " + table + " WHERE " + col + " IS NOT NULL" + fence(d) + ")"}
	for i, st := range steps {
		ctes = append(ctes, fmt.Sprintf("s%d%s(SELECT s%d.*, %s AS %s FROM s%d s%d%s)", i+1, materialized(d), i, st.expr(d), st.name, i, i, fence(d)))
	}
	ctes = append(ctes, fmt.Sprintf("n%s(SELECT v FROM s%d WHERE v IS NOT NULL%s)", materialized(d), len(steps), fence(d)))
	const norm = "SELECT v FROM n"

	var out FormProbeSQL
	var parts []string
	param := 0
	for _, form := range slices.Sorted(maps.Keys(needles)) {
		vals := needles[form]
		if len(vals) == 0 {
			continue
		}
		expr, ok := formExpr(d, form, "v", pgDigest)
		if !ok {
			out.Unsupported = append(out.Unsupported, form)
			continue
		}
		var in string
		switch d {
		case Postgres:
			param++
			in = fmt.Sprintf("f = ANY($%d::text[])", param)
			out.Args = append(out.Args, vals)
		case MySQL:
			// A binary comparison: base64 is case-sensitive, and the
			// column's collation may not be.
			in = "BINARY f IN (?" + strings.Repeat(", ?", len(vals)-1) + ")"
			for _, v := range vals {
				out.Args = append(out.Args, v)
			}
		default:
			// One parameter split in the query: DuckDB binds thousands of
			// placeholders, or plans as many literals, slowly (0.7 s for
			// 9,000; this takes 10 ms). Normalised values hold no line
			// break; one that does is dropped.
			in = "f IN (SELECT unnest(string_split(?, chr(10))))"
			out.Args = append(out.Args, strings.Join(slices.DeleteFunc(slices.Clone(vals),
				func(v string) bool { return strings.Contains(v, "\n") }), "\n"))
		}
		parts = append(parts, fmt.Sprintf("SELECT DISTINCT %s AS form, f FROM (SELECT %s AS f FROM (%s) a) b WHERE %s",
			quoteLiteral(form), expr, norm, in))
	}
	parts = append(parts, fmt.Sprintf("SELECT %s AS form, CAST(count(DISTINCT v) AS %s) AS f FROM (%s) c",
		quoteLiteral(ProbeCount), textType(d), norm))
	if d == MySQL && len(out.Args) > MaxProbeArgs {
		return FormProbeSQL{}, fmt.Errorf("form probe: %d needles, more than %d: %w", len(out.Args), MaxProbeArgs, piimap.ErrUnsupported)
	}
	out.Query = "WITH " + strings.Join(ctes, ", ") + " " + strings.Join(parts, " UNION ALL ")
	return out, nil
}

// MaxProbeArgs bounds the parameters of one MySQL probe (MySQL allows
// 65,535 placeholders in a statement; the other dialects send one
// parameter a form).
const MaxProbeArgs = 60000

type normStep struct {
	name string
	expr func(Dialect) string
}

// normSteps are the steps that normalise column x's text as the
// fingerprint normaliser of typ does; the last is named v (NULL for a
// value the normaliser refuses).
func normSteps(typ, cc string) ([]normStep, bool) {
	switch typ {
	case piimap.TypeEmail:
		// fingerprint.NormalizeEmail: trimmed, "mailto:" and one pair of
		// angle brackets dropped, lower-cased; an @ with something on
		// both sides and no white space inside.
		return []normStep{
			{"t1", func(d Dialect) string { return "lower(" + trimSpace(d, "x") + ")" }},
			{"t2", func(d Dialect) string {
				return "CASE WHEN length(t1) > 7 AND substr(t1, 1, 7) = 'mailto:' THEN substr(t1, 8) ELSE t1 END"
			}},
			{"t3", func(d Dialect) string {
				return "CASE WHEN substr(t2, 1, 1) = '<' THEN substr(t2, 2) ELSE t2 END"
			}},
			{"t4", func(d Dialect) string {
				return trimSpace(d, "CASE WHEN length(t3) > 0 AND substr(t3, length(t3), 1) = '>' THEN substr(t3, 1, length(t3) - 1) ELSE t3 END")
			}},
			{"v", func(d Dialect) string {
				return "CASE WHEN " + matches(d, "t4", "^[^[:space:]]+@[^[:space:]@]+$") + " THEN t4 END"
			}},
		}, true
	case piimap.TypePhone:
		// fingerprint.NormalizePhone(s, cc).
		nanp := ""
		if cc == "1" {
			nanp = " WHEN length(d) = 11 AND substr(d, 1, 1) = '1' THEN d"
		}
		return []normStep{
			{"t", func(d Dialect) string { return trimSpace(d, "x") }},
			// An extension is cut at "ext" when the value holds it past
			// its first byte, else at the first of x # ; past it.
			{"s", func(d Dialect) string {
				return "CASE WHEN " + matches(d, "t", "(?i)^.+ext") + " THEN " + replaceFirst(d, "t", "(?i)ext.*$", "") +
					" WHEN " + matches(d, "t", "^.+[xX#;]") + " THEN " + replaceFirst(d, "t", "[xX#;].*$", "") + " ELSE t END"
			}},
			{"ok", func(d Dialect) string {
				return "CASE WHEN " + matches(d, "s", "^[+]?[-0-9 ()./]*$") + " THEN 1 ELSE 0 END"
			}},
			{"d", func(d Dialect) string { return replaceAll(d, "s", "[^0-9]", "") }},
			{"n", func(d Dialect) string {
				return "CASE WHEN substr(s, 1, 1) = '+' THEN d WHEN substr(d, 1, 2) = '00' THEN substr(d, 3)" + nanp +
					" ELSE concat('" + cc + "', CASE WHEN substr(d, 1, 1) = '0' THEN substr(d, 2) ELSE d END) END"
			}},
			{"v", func(d Dialect) string {
				return "CASE WHEN ok = 1 AND length(n) BETWEEN 8 AND 15 AND substr(n, 1, 1) <> '0' THEN concat('+', n) END"
			}},
		}, true
	case piimap.TypeUSSSN:
		return digitSteps(9, 9), true
	case piimap.TypeCreditCard:
		return digitSteps(12, 19), true
	case piimap.TypeBankAccount:
		return digitSteps(4, 34), true
	case piimap.TypeIBAN, piimap.TypeUKNINO, piimap.TypePassport, piimap.TypeDriversLicense:
		// fingerprint.NormalizeAlnumUpper.
		return []normStep{
			{"v", func(d Dialect) string {
				return "CASE WHEN " + matches(d, "x", "^[-A-Za-z0-9[:blank:]]*[A-Za-z0-9][-A-Za-z0-9[:blank:]]*$") +
					" THEN upper(" + replaceAll(d, "x", "[-[:blank:]]", "") + ") END"
			}},
		}, true
	}
	return nil, false
}

// digitSteps is fingerprint's digitsOfLen(min, max): digits with spaces,
// dashes, dots and tabs between them.
func digitSteps(lo, hi int) []normStep {
	return []normStep{
		{"d", func(d Dialect) string {
			return "CASE WHEN " + matches(d, "x", "^[-0-9.[:blank:]]*$") + " THEN " + replaceAll(d, "x", "[^0-9]", "") + " END"
		}},
		{"v", func(Dialect) string {
			return fmt.Sprintf("CASE WHEN length(d) BETWEEN %d AND %d THEN d END", lo, hi)
		}},
	}
}

// formExpr is a masked form (fingerprint.MaskedForms) of the normalised
// value v, as the Builder computes it; false when the dialect cannot.
func formExpr(d Dialect, form, v, pgDigest string) (string, bool) {
	sha256 := func(x string) string {
		switch d {
		case Postgres:
			return "encode(sha256(convert_to(" + x + ", 'UTF8')), 'hex')"
		case MySQL:
			return "SHA2(" + x + ", 256)"
		}
		return "sha256(" + x + ")"
	}
	switch form {
	case fingerprint.FormPlain:
		// Compared as its sha256 hex: no normalised value of another
		// store is sent to this one (nor lands in its statement log).
		return sha256(v), true
	case "sha256_hex":
		return sha256(v), true
	case "sha256_hex_digits":
		return sha256("substr(" + v + ", 2)"), true
	case "md5_hex":
		return "md5(" + v + ")", true
	case "sha1_hex":
		switch d {
		case MySQL:
			return "SHA1(" + v + ")", true
		case DuckDB:
			return "sha1(" + v + ")", true
		}
		if pgDigest != "" {
			return "encode(" + pgDigest + ".digest(convert_to(" + v + ", 'UTF8'), 'sha1'), 'hex')", true
		}
		return "", false
	case "base64":
		// Compared as the sha256 hex of the base64 text, as it is sent
		// (fingerprint.SentAs): base64 gives the value back.
		switch d {
		case Postgres:
			return sha256("rtrim(translate(encode(convert_to(" + v + ", 'UTF8'), 'base64'), chr(10), ''), '=')"), true
		case MySQL:
			return sha256("TRIM(TRAILING '=' FROM REPLACE(TO_BASE64(" + v + "), CHAR(10), ''))"), true
		}
		return sha256("rtrim(to_base64(encode(" + v + ")), '=')"), true
	case "last4":
		return "substr(" + v + ", length(" + v + ") - 3)", true
	}
	return "", false
}

// materialized makes a common table expression computed once
// (Postgres, DuckDB); MariaDB has no keyword, and fence stops it merging.
func materialized(d Dialect) string {
	if d == MySQL {
		return " AS "
	}
	return " AS MATERIALIZED "
}

// fence keeps MariaDB from merging a derived table into the query that
// reads it: one with a LIMIT is materialised.
func fence(d Dialect) string {
	if d == MySQL {
		return " LIMIT 18446744073709551615"
	}
	return ""
}

func textOf(d Dialect, col string) string {
	switch d {
	case Postgres:
		return col + "::text"
	case MySQL:
		return "CAST(" + col + " AS CHAR)"
	}
	return "CAST(" + col + " AS VARCHAR)"
}

func textType(d Dialect) string {
	switch d {
	case MySQL:
		return "CHAR"
	case DuckDB:
		return "VARCHAR"
	}
	return "text"
}

// matches is a regular-expression test of x against pattern (POSIX
// classes and character sets only: every dialect reads them alike).
func matches(d Dialect, x, pattern string) string {
	switch d {
	case Postgres:
		return x + " ~ " + quoteLiteral(pattern)
	case MySQL:
		return x + " REGEXP " + quoteLiteral(pattern)
	}
	return "regexp_matches(" + x + ", " + quoteLiteral(pattern) + ")"
}

func replaceAll(d Dialect, x, pattern, with string) string {
	if d == MySQL {
		return "REGEXP_REPLACE(" + x + ", " + quoteLiteral(pattern) + ", " + quoteLiteral(with) + ")"
	}
	return "regexp_replace(" + x + ", " + quoteLiteral(pattern) + ", " + quoteLiteral(with) + ", 'g')"
}

// replaceFirst replaces the first match only; patterns given to it match
// to the end of the value, so MySQL's replace-all is the same.
func replaceFirst(d Dialect, x, pattern, with string) string {
	if d == MySQL {
		return "REGEXP_REPLACE(" + x + ", " + quoteLiteral(pattern) + ", " + quoteLiteral(with) + ")"
	}
	return "regexp_replace(" + x + ", " + quoteLiteral(pattern) + ", " + quoteLiteral(with) + ")"
}

// trimSpace drops white space at both ends (Go's strings.TrimSpace for
// ASCII white space).
func trimSpace(d Dialect, x string) string {
	return replaceAll(d, x, "^[[:space:]]+|[[:space:]]+$", "")
}

// quoteLiteral quotes a string literal the standard way. The literals
// here are constants of this file: no backslash, no quote.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ReadFormRows reads a form probe's result rows: the needles found by
// form, and the field's number of distinct normalised values (the
// ProbeCount row).
func ReadFormRows(rows Rows) (found map[string][]string, distinct int64, err error) {
	found = map[string][]string{}
	for rows.Next() {
		var form, v string
		if err := rows.Scan(&form, &v); err != nil {
			return nil, 0, err
		}
		if form != ProbeCount {
			found[form] = append(found[form], v)
			continue
		}
		if distinct, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, 0, fmt.Errorf("form probe: distinct count %q: %w", v, err)
		}
	}
	return found, distinct, rows.Err()
}
