package sqlextract

import (
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// MaskLiterals replaces every literal in Postgres SQL text with ? so a
// query log can be stored and parsed without the values it carried
// (WHERE email = 'ann@example.com' → WHERE email = ?). String, escape,
// Unicode, bit and hex strings, dollar-quoted strings and numbers are
// literals; comments are dropped (they carry values too, as in
// /* user=ann@example.com */). Identifiers, keywords, operators and $n
// parameters are kept.
//
// It uses Postgres' own scanner, so it agrees with the server on where a
// string ends. Text the scanner refuses (an unterminated quote, a
// truncated log line) goes through MaskLiteralsLenient instead, which
// errs towards masking too much.
func MaskLiterals(sql string) string {
	res, err := pg.Scan(sql)
	if err != nil {
		return MaskLiteralsLenient(sql)
	}
	var b strings.Builder
	b.Grow(len(sql))
	pos, last := 0, 0
	for _, t := range res.GetTokens() {
		start, end := int(t.GetStart()), int(t.GetEnd())
		if start < pos || end > len(sql) || start > end {
			return MaskLiteralsLenient(sql)
		}
		last = max(last, end)
		switch tok := t.GetToken(); {
		case tok == pg.Token_SCONST || tok == pg.Token_USCONST || tok == pg.Token_BCONST || tok == pg.Token_XCONST ||
			tok == pg.Token_ICONST || tok == pg.Token_FCONST || (tok == pg.Token_IDENT && valueLike(sql[start:end])):
			b.WriteString(sql[pos:start])
			b.WriteByte('?')
			pos = end
		case tok == pg.Token_SQL_COMMENT || tok == pg.Token_C_COMMENT:
			b.WriteString(sql[pos:start])
			pos = end
		}
	}
	b.WriteString(sql[pos:last])
	rest := sql[last:]
	// The scanner stops at what it cannot tokenize; mask the remainder
	// leniently rather than copy it.
	if strings.TrimSpace(rest) != "" {
		rest = MaskLiteralsLenient(rest)
	}
	b.WriteString(rest)
	return b.String()
}

// valueLike is a safety net for MySQL text scanned as Postgres, where
// "ann@example.com" is a string but scans as an identifier: a quoted
// identifier holding an @, or mostly digits (at least three), is masked.
func valueLike(tok string) bool {
	if len(tok) < 2 || tok[0] != '"' {
		return false
	}
	digits := 0
	for i := 1; i < len(tok)-1; i++ {
		switch c := tok[i]; {
		case c == '@':
			return true
		case isDigit(c):
			digits++
		}
	}
	return digits >= 3 && 2*digits >= len(tok)-2
}

// MaskLiteralsLenient masks literals without a full scanner, for text
// Postgres' scanner refuses and for MySQL/MariaDB logs: single- and
// double-quoted strings (MySQL's default treats "…" as a string, so both
// are masked), dollar-quoted strings, numbers (including hex 0x…), and
// comments (--, #, /* */) are replaced; backquoted identifiers are kept.
// An unterminated string or comment masks everything to the end.
func MaskLiteralsLenient(sql string) string {
	var b strings.Builder
	b.Grow(len(sql))
	n := len(sql)
	for i := 0; i < n; {
		c := sql[i]
		switch {
		case c == '\'' || c == '"':
			j := endQuote(sql, i+1, c)
			b.WriteByte('?')
			i = j
		case c == '`':
			j := strings.IndexByte(sql[i+1:], '`')
			if j < 0 { // unterminated: scan on, masking what follows
				b.WriteByte('`')
				i++
				continue
			}
			b.WriteString(sql[i : i+j+2])
			i += j + 2
		case c == '$':
			if tag, ok := dollarTag(sql[i:]); ok {
				j := strings.Index(sql[i+len(tag):], tag)
				b.WriteByte('?')
				if j < 0 {
					return b.String()
				}
				i += 2*len(tag) + j
				continue
			}
			// $1 parameters are kept.
			j := i + 1
			for j < n && isDigit(sql[j]) {
				j++
			}
			b.WriteString(sql[i:j])
			i = j
		case c == '-' && i+1 < n && sql[i+1] == '-', c == '#':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return b.String()
			}
			i += j
		case c == '/' && i+1 < n && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return b.String()
			}
			b.WriteByte(' ')
			i += j + 4
		case isDigit(c) || (c == '.' && i+1 < n && isDigit(sql[i+1])):
			if i > 0 && isIdent(sql[i-1]) {
				// part of an identifier (t1, col_2)
				b.WriteByte(c)
				i++
				continue
			}
			j := i
			for j < n && (isIdent(sql[j]) || sql[j] == '.' ||
				((sql[j] == '+' || sql[j] == '-') && j > i && (sql[j-1] == 'e' || sql[j-1] == 'E'))) {
				j++
			}
			b.WriteByte('?')
			i = j
		case isIdent(c):
			j := i
			for j < n && isIdent(sql[j]) {
				j++
			}
			// E'…', B'…', X'…', N'…', U&'…' prefixes belong to the string.
			b.WriteString(sql[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// endQuote returns the index after the closing quote q starting the scan
// at i, honouring doubled quotes and backslash escapes; len(s) when
// unterminated.
func endQuote(s string, i int, q byte) int {
	for i < len(s) {
		switch s[i] {
		case '\\':
			i += 2
			continue
		case q:
			if i+1 < len(s) && s[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(s)
}

// dollarTag recognises $tag$ or $$ at the start of s.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '$':
			return s[:j+1], true
		case isIdent(c) && !(j == 1 && isDigit(c)):
		default:
			return "", false
		}
	}
	return "", false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// ParamPlaceholders turns the ? placeholders of masked SQL into $1, $2, …
// so the text parses again (for lineage from a stored, masked query log).
// Double-quoted identifiers are left alone. Masked text holds no strings,
// so a ? elsewhere is a placeholder, except in the rare jsonb operators
// ?, ?| and ?&, which this rewrites wrongly.
func ParamPlaceholders(masked string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(masked); i++ {
		switch c := masked[i]; c {
		case '"':
			j := endQuote(masked, i+1, '"')
			b.WriteString(masked[i:j])
			i = j - 1
		case '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
