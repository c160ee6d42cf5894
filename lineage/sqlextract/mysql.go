package sqlextract

import "strings"

// FromMySQL rewrites MySQL/MariaDB SQL (a view definition from
// information_schema.VIEWS or SHOW CREATE VIEW) into the Postgres dialect
// Extract parses: backquoted identifiers become double-quoted ones (case
// kept, as MySQL keeps it for columns), backslash escapes in strings become
// doubled quotes, double-quoted strings become single-quoted, and the
// ALGORITHM/DEFINER/SQL SECURITY clauses of CREATE VIEW are dropped.
// Functions keep their names, so md5/sha2/left/right still classify as
// masking.
func FromMySQL(sql string) string {
	var b strings.Builder
	b.Grow(len(sql))
	for i := 0; i < len(sql); {
		switch c := sql[i]; c {
		case '`':
			j := strings.IndexByte(sql[i+1:], '`')
			if j < 0 {
				b.WriteString(sql[i:])
				return stripViewClauses(b.String())
			}
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(sql[i+1:i+1+j], `"`, `""`))
			b.WriteByte('"')
			i += j + 2
		case '\'', '"':
			b.WriteByte('\'')
			i++
			for i < len(sql) {
				d := sql[i]
				switch {
				case d == '\\' && i+1 < len(sql):
					if sql[i+1] == '\'' {
						b.WriteString("''")
					} else {
						b.WriteByte(sql[i+1])
					}
					i += 2
					continue
				case d == c && i+1 < len(sql) && sql[i+1] == c:
					if c == '\'' {
						b.WriteString("''")
					} else {
						b.WriteByte(c)
					}
					i += 2
					continue
				case d == c:
					i++
				case d == '\'':
					b.WriteString("''")
					i++
					continue
				default:
					b.WriteByte(d)
					i++
					continue
				}
				break
			}
			b.WriteByte('\'')
		default:
			b.WriteByte(c)
			i++
		}
	}
	return stripViewClauses(b.String())
}

// stripViewClauses removes MySQL-only clauses between CREATE and VIEW.
func stripViewClauses(s string) string {
	upper := asciiUpper(s) // same byte offsets as s
	c := strings.Index(upper, "CREATE ")
	if c < 0 {
		return s
	}
	rest := c + len("CREATE")
	v := strings.Index(upper[rest:], " VIEW ")
	if v < 0 {
		return s
	}
	head := upper[rest : rest+v]
	if strings.Contains(head, "ALGORITHM") || strings.Contains(head, "DEFINER") || strings.Contains(head, "SQL SECURITY") {
		repl := "CREATE"
		if strings.Contains(head, "OR REPLACE") {
			repl = "CREATE OR REPLACE"
		}
		return s[:c] + repl + s[rest+v:]
	}
	return s
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
