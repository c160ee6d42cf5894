package sqlextract

import (
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"
)

var fuzzSQL = []string{
	`CREATE VIEW v AS SELECT id, md5(lower(email)) h FROM public.users u`,
	`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT * FROM r`,
	`INSERT INTO t SELECT * FROM (SELECT a.* FROM a) s(x, y)`,
	`SELECT (SELECT (SELECT x FROM y) FROM z) FROM w WHERE e IN (SELECT e FROM q)`,
	`SELECT E'a\'b', $t$x$t$, B'01', X'ff', 1e9, .5, "Id" -- c` + "\n/* d */",
	`SELECT * FROM users WHERE email = 'ann@example.com`,
	"SELECT `a` FROM b WHERE c = \"d@e.f\" # x",
	`CREATE TABLE x AS SELECT CASE WHEN a THEN b END, coalesce(c, d)::text, t.* FROM t, LATERAL (SELECT 1) l`,
	`SELECT 1; ; SELECT`, "`'", "`0`\"", "`'`", `$$`, `$a`, `'`, `"`, `/*`, `--`, "", "\x00", "SELECT '\xff'",
}

func FuzzExtract(f *testing.F) {
	for _, s := range fuzzSQL {
		f.Add(s)
	}
	schema := Schema{"public.users": {"id", "email"}, "a": {"x", "y"}, "t": {"b"}}
	f.Fuzz(func(t *testing.T, sql string) {
		_, _ = Extract(sql, schema)
		_, _ = Extract(sql, nil)
		_, _ = Extract(FromMySQL(sql), nil)
	})
}

// literalTokens counts the literal tokens Postgres' scanner finds.
func literalTokens(s string) (int, bool) {
	res, err := pg.Scan(s)
	if err != nil {
		return 0, false
	}
	n := 0
	for _, t := range res.GetTokens() {
		switch t.GetToken() {
		case pg.Token_SCONST, pg.Token_USCONST, pg.Token_BCONST, pg.Token_XCONST, pg.Token_ICONST, pg.Token_FCONST,
			pg.Token_SQL_COMMENT, pg.Token_C_COMMENT:
			n++
		}
	}
	return n, true
}

func FuzzMaskLiterals(f *testing.F) {
	for _, s := range fuzzSQL {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		m := MaskLiterals(sql)
		l := MaskLiteralsLenient(sql)
		// Outside backquoted identifiers no quote survives.
		if strings.ContainsAny(stripBackquoted(l), `'"`) {
			t.Fatalf("quote left by lenient masking: %q → %q", sql, l)
		}
		_ = ParamPlaceholders(m)
		// Text Postgres scans comes out without literals. (Text it refuses
		// went through the lenient masker, whose MySQL reading of
		// backquotes Postgres does not share.)
		if _, ok := literalTokens(sql); !ok {
			return
		}
		if n, ok := literalTokens(m); ok && n > 0 {
			t.Fatalf("literal left in %q → %q", sql, m)
		}
	})
}

func stripBackquoted(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			return b.String() + s
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i+1:], '`')
		if j < 0 {
			return b.String() + s[i+1:]
		}
		s = s[i+j+2:]
	}
}
