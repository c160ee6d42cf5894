package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// Raw values planted in the fixtures; none may be stored.
var canaries = []string{
	"zq.canary.7f3a91@example.org",                                        // postgres.log, .csv, .json literals and bind parameters
	"+44 7700 900123", "+1 202 555 0147", "@example.com", "%@example.org", // postgres.log literals
	"dbt.literal.4c1d@example.org", // a literal in dbt compiled SQL
	"ol.canary.9b2e@example.org",   // OpenLineage sql facet, error message, transformation description
	"7 days",                       // an interval literal
}

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// read reads a fixture as a source of its kind.
func read(t *testing.T, kind, file string) *Source {
	t.Helper()
	var src *Source
	var err error
	switch kind {
	case KindDBT:
		src, err = ReadDBT(open(t, file), "testdata/"+file)
	case KindOpenLineage:
		src, err = ReadOpenLineage(open(t, file), "testdata/"+file)
	case KindSQLLog:
		src, err = ReadPostgresLog(open(t, file), "testdata/"+file, LogAuto)
	}
	require.NoError(t, err)
	return src
}

func edgeStrings(edges []lineage.Edge) []string {
	out := []string{}
	for _, e := range edges {
		out = append(out, fmt.Sprintf("%s/%s#%s -> %s/%s#%s %s %s %.2f", e.From.Store, e.From.Name, e.From.Field,
			e.To.Store, e.To.Name, e.To.Field, e.Source, e.Transform, e.Confidence))
	}
	return out
}

func TestReaders(t *testing.T) {
	for _, tc := range []struct {
		kind, file string
		stats      Stats
		statements []string // masked SQL kept, in order (logs)
	}{
		{kind: KindDBT, file: "dbt_manifest.json", stats: Stats{Read: 2, Kept: 2}},
		{kind: KindOpenLineage, file: "openlineage_events.jsonl", stats: Stats{Read: 5, Kept: 3, Repeated: 1, Dropped: 1}},
		{kind: KindSQLLog, file: "postgres.log", stats: Stats{Read: 9, Kept: 5, Repeated: 1, Dropped: 2, Failed: 1},
			statements: []string{
				"INSERT INTO marts.vip (user_id, email)\nSELECT id, email FROM app.users\nWHERE email LIKE ? AND phone = ?",
				"CREATE TABLE marts.hashed AS SELECT id, sha256(email::bytea) AS h FROM app.users WHERE email = ?",
				"INSERT INTO marts.vip (user_id, email) SELECT id, email FROM app.users WHERE email = $1",
				"CREATE VIEW marts.v_users AS SELECT id, left(email, ?) AS e3 FROM app.users;",
				"CREATE TABLE marts.recent AS SELECT id FROM app.users WHERE created_at > now() - interval ?",
			}},
		{kind: KindSQLLog, file: "postgres.csv", stats: Stats{Read: 3, Kept: 2, Dropped: 1},
			statements: []string{
				"INSERT INTO marts.vip (user_id, email)\nSELECT id, email FROM app.users WHERE email = ?",
				"CREATE TABLE public.t2 AS SELECT a FROM public.t1",
			}},
		{kind: KindSQLLog, file: "postgres.json", stats: Stats{Read: 2, Kept: 1, Dropped: 1},
			statements: []string{"CREATE VIEW marts.v2 AS SELECT md5(email) AS h FROM app.users WHERE email <> ?"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			src := read(t, tc.kind, tc.file)
			require.Equal(t, tc.stats, src.Stats)
			var sqls []string
			for _, s := range src.Statements {
				sqls = append(sqls, s.SQL)
			}
			require.Equal(t, tc.statements, sqls)
			b, err := json.Marshal(src)
			require.NoError(t, err)
			for _, c := range canaries {
				require.NotContains(t, string(b), c)
			}
		})
	}
}

func TestPostgresLogDatabases(t *testing.T) {
	src := read(t, KindSQLLog, "postgres.csv")
	require.Equal(t, "shop", src.Statements[0].Database)
	require.Equal(t, "other", src.Statements[1].Database)
	log := "2024-01-01 10:00:00 UTC [1]: user=app,db=shop,app=psql LOG:  statement: CREATE TABLE a AS SELECT x FROM b\n" +
		"2024-01-01 10:00:00 UTC [1]: user=app,db=[unknown] LOG:  statement: CREATE TABLE c AS SELECT x FROM b\n"
	src, err := ReadPostgresLog(strings.NewReader(log), "x", LogStderr)
	require.NoError(t, err)
	require.Len(t, src.Statements, 2)
	require.Equal(t, "shop", src.Statements[0].Database)
	require.Empty(t, src.Statements[1].Database)

	_, err = ReadPostgresLog(strings.NewReader(log), "x", "syslog")
	require.ErrorIs(t, err, piimap.ErrConfig)
	_, err = ReadPostgresLog(strings.NewReader("{\"message\": 1}\n"), "x", LogJSON)
	require.ErrorIs(t, err, piimap.ErrCorrupt)
}

func TestBuild(t *testing.T) {
	dbt := []string{
		"app/marts.customer_counts# -> app/marts.customers_export# dbt  0.95",
		"app/marts.customers_export# -> app/app.users# dbt  0.95",
		"app/marts.customers_export#email -> app/app.users#email dbt identity 0.95",
		"app/marts.customers_export#email_hash -> app/app.users#email dbt masked 0.95",
		"app/marts.customers_export#phone_last4 -> app/app.users#phone dbt masked 0.95",
		"app/marts.customers_export#user_id -> app/app.users#id dbt identity 0.95",
	}
	ol := []string{
		"files/exports/crm.csv#customer_id -> crm/crm.customers#id openlineage identity 0.95",
		"files/exports/crm.csv#email_masked -> crm/crm.customers#email openlineage masked 0.95",
		"files/exports/crm.csv# -> crm/crm.customers# openlineage  0.95",
		"lake/users.csv# -> app/app.users# openlineage  0.95",
		"lake/users.csv#email -> app/app.users#email openlineage identity 0.95",
		"lake/users.csv#email_hash -> app/app.users#email openlineage masked 0.95",
	}
	log := []string{
		"app/marts.hashed# -> app/app.users# sql  0.80",
		"app/marts.hashed#h -> app/app.users#email sql masked 0.80",
		"app/marts.hashed#id -> app/app.users#id sql identity 0.80",
		"app/marts.recent# -> app/app.users# sql  0.80",
		"app/marts.recent#id -> app/app.users#id sql identity 0.80",
		"app/marts.v_users# -> app/app.users# sql  0.80",
		"app/marts.v_users#e3 -> app/app.users#email sql masked 0.80",
		"app/marts.v_users#id -> app/app.users#id sql identity 0.80",
		"app/marts.vip# -> app/app.users# sql  0.80",
		"app/marts.vip#email -> app/app.users#email sql identity 0.80",
		"app/marts.vip#user_id -> app/app.users#id sql identity 0.80",
	}
	for _, tc := range []struct {
		name       string
		kind, file string
		pin        string
		want       []string
		unresolved []string
	}{
		{name: "dbt by database", kind: KindDBT, file: "dbt_manifest.json", want: dbt, unresolved: []string{}},
		{name: "openlineage", kind: KindOpenLineage, file: "openlineage_events.jsonl", want: ol, unresolved: []string{
			"bigquery/proj.ds.users: no configured store has this namespace",
			"duckdb:///data/wh.duckdb/main.bq_copy: no configured store has this namespace"}},
		{name: "log pinned", kind: KindSQLLog, file: "postgres.log", pin: "app", want: log, unresolved: []string{}},
		{name: "log ambiguous", kind: KindSQLLog, file: "postgres.log", want: []string{}, unresolved: []string{
			"app.users: ambiguous between stores app, other (pin one with --store)",
			"marts.hashed: ambiguous between stores app, other (pin one with --store)",
			"marts.recent: ambiguous between stores app, other (pin one with --store)",
			"marts.v_users: ambiguous between stores app, other (pin one with --store)",
			"marts.vip: ambiguous between stores app, other (pin one with --store)"}},
		{name: "csvlog by database", kind: KindSQLLog, file: "postgres.csv", want: []string{
			"app/marts.vip# -> app/app.users# sql  0.80",
			"app/marts.vip#email -> app/app.users#email sql identity 0.80",
			"app/marts.vip#user_id -> app/app.users#id sql identity 0.80",
			"other/public.t2# -> other/public.t1# sql  0.80",
			"other/public.t2#a -> other/public.t1#a sql identity 0.80",
		}, unresolved: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			g := lineagetest.NewMemGraph()
			src := read(t, tc.kind, tc.file)
			src.Store = tc.pin
			require.NoError(t, Put(ctx, g, src))
			// Only postgres and duckdb stores in this estate's SQL side
			// besides mysql: drop wh so bare names are app-or-other.
			stores := slices.DeleteFunc(testStores(), func(s Store) bool { return s.Name == "wh" })
			rep, err := Build(ctx, g, NewResolver(stores, nil))
			require.NoError(t, err)
			got := edgeStrings(rep.Edges)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			require.Equal(t, want, got)
			require.Equal(t, tc.unresolved, rep.Unresolved)
			require.Equal(t, 1, rep.Sources)
			for _, e := range rep.Edges {
				require.Equal(t, lineage.EdgeDerivedFrom, e.Kind)
				require.Equal(t, src.IngestedAt, e.ObservedAt)
				require.NotEmpty(t, e.Evidence)
				require.NotEmpty(t, e.From.Namespace)
			}
		})
	}
}

func TestEvidence(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	for _, s := range []*Source{read(t, KindDBT, "dbt_manifest.json"), read(t, KindOpenLineage, "openlineage_events.jsonl"),
		read(t, KindSQLLog, "postgres.log")} {
		s.Store = "app"
		require.NoError(t, Put(ctx, g, s))
	}
	edges, _, err := Edges(ctx, g, NewResolver(testStores(), nil))
	require.NoError(t, err)
	ev := map[string]string{}
	for _, e := range edges {
		ev[e.From.Name+"#"+e.From.Field+" "+e.Source] = e.Evidence
	}
	require.Equal(t, "dbt model.shop.customers_export; functions: md5, lower", ev["marts.customers_export#email_hash dbt"])
	require.Equal(t, "dbt model.shop.customer_counts", ev["marts.customer_counts# dbt"])
	require.Equal(t, "openlineage job airflow/export_users", ev["users.csv#email_hash openlineage"])
	require.Equal(t, "query log testdata/postgres.log statement #3 (literals masked); functions: sha256", ev["marts.hashed#h sql"])
	require.Equal(t, "query log testdata/postgres.log statement #2 (literals masked)", ev["marts.vip#email sql"],
		"the first statement that says so")
}

func TestPutIdempotentAndSupersede(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	a := read(t, KindDBT, "dbt_manifest.json")
	require.NoError(t, Put(ctx, g, a))
	again := read(t, KindDBT, "dbt_manifest.json")
	again.IngestedAt = time.Now().Add(time.Hour).UTC()
	require.NoError(t, Put(ctx, g, again))
	require.Equal(t, a.ID, again.ID, "same content, same id")
	all, err := List(ctx, g)
	require.NoError(t, err)
	require.Len(t, all, 1)

	// A newer manifest of the same path supersedes the old one; another
	// path does not.
	raw, err := os.ReadFile(filepath.Join("testdata", "dbt_manifest.json"))
	require.NoError(t, err)
	changed := bytes.ReplaceAll(raw, []byte("md5(lower(u.email))"), []byte("lower(u.email)"))
	b, err := ReadDBT(bytes.NewReader(changed), a.Name)
	require.NoError(t, err)
	require.NoError(t, Put(ctx, g, b))
	require.NotEqual(t, a.ID, b.ID)
	other, err := ReadDBT(bytes.NewReader(changed), "elsewhere/manifest.json")
	require.NoError(t, err)
	require.NoError(t, Put(ctx, g, other))
	require.Equal(t, b.ID, other.ID, "the content decides the id")

	all, err = List(ctx, g)
	require.NoError(t, err)
	require.Len(t, all, 2)
	for _, s := range all {
		if s.ID == a.ID {
			require.Equal(t, b.ID, s.SupersededBy)
		} else {
			require.Empty(t, s.SupersededBy)
			require.Equal(t, "elsewhere/manifest.json", s.Name, "the last ingest names it")
		}
	}
	rep, err := Build(ctx, g, NewResolver(testStores(), nil))
	require.NoError(t, err)
	require.Equal(t, 1, rep.Superseded)
	for _, e := range rep.Edges {
		if e.From.Field == "email_hash" {
			require.Equal(t, lineage.TransformTransformation, e.Transform, "the new manifest's lineage")
		}
	}

	require.ErrorIs(t, Put(ctx, g, &Source{Kind: "csv"}), piimap.ErrConfig)
	require.NoError(t, g.PutDoc(ctx, DocKind, "junk", []byte("{")))
	_, err = List(ctx, g)
	require.ErrorIs(t, err, piimap.ErrCorrupt)
	rep, err = Build(ctx, g, NewResolver(testStores(), nil))
	require.NoError(t, err)
	require.Contains(t, rep.Problems, "source junk: "+piimap.ErrCorrupt.Error())
}

func TestDedupePrefersConfidenceThenRawCopy(t *testing.T) {
	from := piimap.Location{Store: "a", Name: "t", Field: "x"}
	to := piimap.Location{Store: "a", Name: "u", Field: "y"}
	e := func(conf float64, tr, ev string) lineage.Edge {
		return lineage.Edge{Kind: lineage.EdgeDerivedFrom, From: from, To: to, Source: lineage.SourceSQL, Confidence: conf, Transform: tr, Evidence: ev}
	}
	got := dedupe([]lineage.Edge{e(0.8, "masked", "1"), e(0.8, "identity", "2"), e(0.7, "identity", "3"),
		{Kind: lineage.EdgeDerivedFrom, From: from, To: from, Source: lineage.SourceSQL}})
	require.Equal(t, []lineage.Edge{e(0.8, "identity", "2")}, got)
}

// TestNothingRawStored ingests every fixture into a Badger graph and greps
// every file of the directory for the raw values the fixtures hold.
func TestNothingRawStored(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	g, err := badgerstore.Open(dir)
	require.NoError(t, err)
	for _, f := range []struct{ kind, file string }{{KindDBT, "dbt_manifest.json"}, {KindOpenLineage, "openlineage_events.jsonl"},
		{KindSQLLog, "postgres.log"}, {KindSQLLog, "postgres.csv"}, {KindSQLLog, "postgres.json"}} {
		require.NoError(t, Put(ctx, g, read(t, f.kind, f.file)))
	}
	all, err := List(ctx, g)
	require.NoError(t, err)
	require.Len(t, all, 5)
	require.NoError(t, g.Close())

	sawMasked := false
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, c := range canaries {
			require.False(t, bytes.Contains(b, []byte(c)), "raw value %q found in %s", c, p)
		}
		sawMasked = sawMasked || bytes.Contains(b, []byte("WHERE email = ?"))
		return nil
	}))
	require.True(t, sawMasked, "the masked statements are in the directory, so the grep can see stored text")
}

// TestPutInParts stores sources too big for one document in parts, and
// builds the same edges from them.
func TestPutInParts(t *testing.T) {
	ctx := context.Background()
	build := func(g *lineagetest.MemGraph) []string {
		rep, err := Build(ctx, g, NewResolver(testStores(), nil))
		require.NoError(t, err)
		require.Empty(t, rep.Problems)
		return edgeStrings(rep.Edges)
	}
	sources := func() []*Source {
		var out []*Source
		for _, f := range []struct{ kind, file string }{{KindDBT, "dbt_manifest.json"}, {KindOpenLineage, "openlineage_events.jsonl"},
			{KindSQLLog, "postgres.log"}} {
			s := read(t, f.kind, f.file)
			s.Store = "app"
			out = append(out, s)
		}
		return out
	}
	whole := lineagetest.NewMemGraph()
	for _, s := range sources() {
		require.NoError(t, Put(ctx, whole, s))
	}
	want := build(whole)
	require.NotEmpty(t, want)

	defer func(old int) { maxDoc = old }(maxDoc)
	maxDoc = 300
	parted := lineagetest.NewMemGraph()
	for _, s := range sources() {
		require.NoError(t, Put(ctx, parted, s))
	}
	all, err := List(ctx, parted)
	require.NoError(t, err)
	for _, s := range all {
		require.Greater(t, s.Parts, 1, s.Kind)
		require.Nil(t, s.DBT)
		require.Empty(t, s.Statements)
	}
	require.Equal(t, want, build(parted))

	// A missing part is reported, not fatal.
	require.NoError(t, parted.PutDoc(ctx, DocKind, "abc", []byte(`{"id":"abc","kind":"sql_log","name":"x","parts":2}`)))
	rep, err := Build(ctx, parted, NewResolver(testStores(), nil))
	require.NoError(t, err)
	require.Len(t, rep.Problems, 1)
	require.Contains(t, rep.Problems[0], "source abc part 0")
	require.Equal(t, want, edgeStrings(rep.Edges))
}
