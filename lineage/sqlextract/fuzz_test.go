package sqlextract

import (
	"cmp"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
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

// FuzzExtract: Extract on any text either fails with an error wrapping
// piimap.ErrCorrupt that quotes none of the text (a literal planted in it
// never shows), or returns a normalized result: column edges sorted by
// target then source with no pair twice, each naming its source column
// and one of the three transforms; table edges sorted and distinct; reads
// sorted and distinct. The same text gives the same result again.
func FuzzExtract(f *testing.F) {
	for _, s := range fuzzSQL {
		f.Add(s)
	}
	schema := Schema{"public.users": {"id", "email"}, "a": {"x", "y"}, "t": {"b"}}
	const planted = "zq-planted-7431@example.test"
	f.Fuzz(func(t *testing.T, sql string) {
		for _, in := range []struct {
			sql    string
			schema Schema
		}{{sql, schema}, {sql, nil}, {FromMySQL(sql), nil}, {sql + " '" + planted + "'", schema}, {"'" + planted + "' " + sql, nil}} {
			r, err := Extract(in.sql, in.schema)
			if err != nil {
				if !errors.Is(err, piimap.ErrCorrupt) {
					t.Fatalf("error does not wrap ErrCorrupt: %v", err)
				}
				if strings.Contains(err.Error(), planted) {
					t.Fatalf("error quotes a literal of the SQL: %v", err)
				}
				continue
			}
			checkResult(t, r)
			again, err := Extract(in.sql, in.schema)
			if err != nil || !reflect.DeepEqual(r, again) {
				t.Fatalf("a second Extract of the same text differs: %v", err)
			}
		}
	})
}

// checkResult asserts Result's normal form.
func checkResult(t *testing.T, r *Result) {
	t.Helper()
	if r.Statements < 0 {
		t.Fatalf("%d statements", r.Statements)
	}
	for i, e := range r.Columns {
		switch e.Transform {
		case lineage.TransformIdentity, lineage.TransformTransformation, lineage.TransformMasked:
		default:
			t.Fatalf("column edge %v: transform %q", e, e.Transform)
		}
		if e.Source.Table == "" || e.Source.Column == "" {
			t.Fatalf("column edge without a source column: %+v", e)
		}
		if i > 0 {
			p := r.Columns[i-1]
			if c := cmp.Or(cmpCol(p.Target, e.Target), cmpCol(p.Source, e.Source)); c >= 0 {
				t.Fatalf("column edges out of order or repeated: %+v then %+v", p, e)
			}
		}
	}
	for i := 1; i < len(r.Tables); i++ {
		p, e := r.Tables[i-1], r.Tables[i]
		if cmp.Or(cmpCol(p.Target, e.Target), cmpCol(p.Source, e.Source)) >= 0 {
			t.Fatalf("table edges out of order or repeated: %+v then %+v", p, e)
		}
	}
	if !slices.IsSorted(r.Reads) || len(slices.Compact(slices.Clone(r.Reads))) != len(r.Reads) {
		t.Fatalf("reads not sorted and distinct: %q", r.Reads)
	}
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
