package duckdb_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/duckdb"
	"github.com/piimap/piimap/scanner/scannertest"
)

// build creates a database file with the given statements (read-write,
// then closed) and returns its duckdb:// URL.
func build(t testing.TB, stmts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wh.duckdb")
	url := "duckdb://" + path
	db, err := duckdb.Open(context.Background(), url, false)
	require.NoError(t, err)
	defer db.Close()
	for _, s := range stmts {
		_, err := db.Exec(s)
		require.NoError(t, err, s)
	}
	return url
}

type harness struct{}

func (harness) Make(t *testing.T, fx scannertest.Fixture) scanner.StoreConfig {
	var stmts []string
	for _, tb := range fx.Tables {
		var cols []string
		for _, c := range tb.Columns {
			cols = append(cols, duckdb.QuoteIdent(c)+" VARCHAR")
		}
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE %s (%s)", duckdb.QuoteIdent(tb.Name), strings.Join(cols, ", ")))
		for _, r := range tb.Rows {
			var vals []string
			for _, v := range r {
				if v == "" {
					vals = append(vals, "NULL")
				} else {
					vals = append(vals, "'"+strings.ReplaceAll(v, "'", "''")+"'")
				}
			}
			stmts = append(stmts, fmt.Sprintf("INSERT INTO %s VALUES (%s)", duckdb.QuoteIdent(tb.Name), strings.Join(vals, ", ")))
		}
	}
	return scanner.StoreConfig{Name: "wh", URL: build(t, stmts...)}
}

func (harness) Asset(name string) (string, bool) {
	if name == "app" {
		return "", false // no text in a database
	}
	return "main." + name, true
}

func (harness) Checksum(t *testing.T, cfg scanner.StoreConfig) string {
	d, err := duckdb.ParseURL(cfg.URL)
	require.NoError(t, err)
	return scannertest.DirChecksum(t, filepath.Dir(d.Path))
}

func TestConformance(t *testing.T) { scannertest.RunConformance(t, harness{}) }

func TestParseURL(t *testing.T) {
	abs, _ := filepath.Abs("rel/wh.duckdb")
	tests := []struct {
		in       string
		path, ns string
		conn     string
		err      bool
	}{
		{in: "duckdb:///data/wh.duckdb", path: "/data/wh.duckdb", ns: "duckdb:///data/wh.duckdb", conn: "/data/wh.duckdb?access_mode=read_only"},
		{in: "duckdb://rel/wh.duckdb", path: abs, ns: "duckdb://" + abs, conn: abs + "?access_mode=read_only"},
		{in: "duckdb:///d/w.duckdb?threads=2", path: "/d/w.duckdb", ns: "duckdb:///d/w.duckdb", conn: "/d/w.duckdb?access_mode=read_only&threads=2"},
		{in: "duckdb://", err: true},
		{in: "duckdb://:memory:", err: true},
		{in: "postgres://x", err: true},
		{in: "duckdb:///x.duckdb?access_mode=read_write", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := duckdb.ParseURL(tt.in)
			if tt.err {
				assert.ErrorIs(t, err, piimap.ErrConfig)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.path, d.Path)
			assert.Equal(t, tt.ns, d.Namespace())
			assert.Equal(t, tt.conn, d.ConnString(true))
		})
	}
}

func TestQuoteIdent(t *testing.T) {
	assert.Equal(t, `"users"`, duckdb.QuoteIdent("users"))
	assert.Equal(t, `"we""ird"`, duckdb.QuoteIdent(`we"ird`))
	assert.Equal(t, `"main"."a.b"`, duckdb.QuoteTable("main", "a.b"))
	s, tb, ok := duckdb.SplitAsset("main.a.b")
	assert.True(t, ok)
	assert.Equal(t, "main", s)
	assert.Equal(t, "a.b", tb)
}

func FuzzQuoteIdent(f *testing.F) {
	for _, s := range []string{"a", `"`, `a"b`, "", "x; DROP TABLE y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := duckdb.QuoteIdent(s)
		inner := q[1 : len(q)-1]
		if strings.ReplaceAll(inner, `""`, "") != strings.ReplaceAll(s, `"`, "") || strings.Count(inner, `"`)%2 != 0 {
			t.Fatalf("QuoteIdent(%q) = %q", s, q)
		}
	})
}

var warehouse = []string{
	`CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR UNIQUE, name VARCHAR, profile JSON, tags VARCHAR[])`,
	`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), sku VARCHAR)`,
	`CREATE SCHEMA crm`,
	`CREATE TABLE crm.accounts (a INTEGER, b INTEGER, PRIMARY KEY (a, b))`,
	`CREATE TABLE crm.links (x INTEGER, y INTEGER, FOREIGN KEY (x, y) REFERENCES crm.accounts(a, b))`,
	`INSERT INTO customers SELECT i, 'c' || i || '@example.test', 'Name ' || i, '{"contact":{"email":"p' || i || '@example.test"},"age":' || (i % 90) || '}', ['t1', 't2'] FROM range(1, 1001) t(i)`,
	`INSERT INTO orders SELECT i, 1 + i % 1000, 'SKU-' || i FROM range(1, 3001) t(i)`,
	`CREATE VIEW customer_emails AS SELECT id, email FROM customers`,
}

func TestEnumerateSampleAndEdges(t *testing.T) {
	ctx := context.Background()
	url := build(t, warehouse...)
	src := scannertest.Open(t, scanner.StoreConfig{Name: "wh", URL: url, Sample: scanner.SampleConfig{Rows: 20, Seed: 3}}, duckdb.Kind)

	var units []piimap.Unit
	require.NoError(t, src.Enumerate(ctx, func(u piimap.Unit) error { units = append(units, u); return nil }))
	var names []string
	for _, u := range units {
		names = append(names, u.Loc.Name+":"+u.Meta["relation"])
	}
	assert.Equal(t, []string{"crm.accounts:table", "crm.links:table", "main.customer_emails:view", "main.customers:table", "main.orders:table"}, names)
	assert.Equal(t, int64(1000), units[3].Rows)
	d, _ := duckdb.ParseURL(url)
	assert.Equal(t, d.Namespace(), units[3].Loc.Namespace)

	recs := map[string]piimap.Record{}
	require.NoError(t, src.Read(ctx, units[3], func(r piimap.Record) error { recs[r.Loc.Field] = r; return nil }))
	assert.ElementsMatch(t, []string{"id", "email", "name", "profile.contact.email", "profile.age", "tags[]"}, scannertest.FieldNames(recs))
	email := recs["email"]
	assert.Len(t, email.Values, 20)
	assert.Equal(t, "VARCHAR", email.Meta[piimap.MetaSQLType])
	assert.Equal(t, "true", email.Meta[piimap.MetaUnique])
	assert.Equal(t, "true", recs["id"].Meta[piimap.MetaPrimaryKey])
	assert.Equal(t, "JSON", recs["profile.contact.email"].Meta[piimap.MetaSQLType])
	assert.Equal(t, "20", email.Meta[piimap.MetaRowsSampled])
	assert.Equal(t, "1000", email.Meta[piimap.MetaRowsTotal])
	for _, v := range recs["profile.contact.email"].Values {
		assert.True(t, strings.HasSuffix(v, "@example.test"))
	}

	// The view samples too.
	n := 0
	require.NoError(t, src.Read(ctx, units[2], func(r piimap.Record) error { n += len(r.Values); return nil }))
	assert.Equal(t, 40, n)

	// Adaptive re-read of one nested field touches only its column.
	var only []string
	require.NoError(t, src.(scanner.Sampler).ReadSample(ctx, units[3], scanner.Sample{Rows: 80, Seed: 3, Fields: []string{"profile.contact.email"}},
		func(r piimap.Record) error { only = append(only, r.Loc.Field); return nil }))
	assert.Equal(t, []string{"profile.contact.email"}, only)

	var edges []string
	require.NoError(t, src.(scanner.EdgeDeclarer).DeclaredEdges(ctx, func(e lineage.Edge) error {
		if e.Source == lineage.SourceView {
			return nil // TestViewLineage
		}
		assert.Equal(t, lineage.EdgeReferences, e.Kind)
		assert.Equal(t, lineage.SourceFK, e.Source)
		assert.Equal(t, 1.0, e.Confidence)
		edges = append(edges, e.From.String()+" -> "+e.To.String())
		return nil
	}))
	assert.Equal(t, []string{
		"wh/crm.links#x -> wh/crm.accounts#a",
		"wh/crm.links#y -> wh/crm.accounts#b",
		"wh/main.orders#customer_id -> wh/main.customers#id",
	}, edges)
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, _, err := scanner.Open(ctx, scanner.StoreConfig{Name: "wh", URL: "duckdb:///nonexistent/dir/x.duckdb"})
	assert.ErrorIs(t, err, piimap.ErrUnreachable)
	assert.ErrorIs(t, err, piimap.ErrNotFound)

	junk := filepath.Join(t.TempDir(), "junk.duckdb")
	require.NoError(t, writeJunk(junk))
	_, _, err = scanner.Open(ctx, scanner.StoreConfig{Name: "wh", URL: "duckdb://" + junk})
	assert.ErrorIs(t, err, piimap.ErrUnreachable)
}

func writeJunk(p string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf("COPY (SELECT 'not a database' AS x) TO '%s' (FORMAT csv)", strings.ReplaceAll(p, "'", "''")))
	return err
}

// TestReadOnlyThenReadWrite proves Close releases the file: the executor
// opens it read-write afterwards in the same process.
func TestReadOnlyThenReadWrite(t *testing.T) {
	ctx := context.Background()
	url := build(t, warehouse[:2]...)
	src, err := duckdb.OpenSource(ctx, scanner.StoreConfig{Name: "wh", URL: url})
	require.NoError(t, err)
	require.NoError(t, src.Enumerate(ctx, func(piimap.Unit) error { return nil }))
	require.NoError(t, src.Close())
	db, err := duckdb.Open(ctx, url, false)
	require.NoError(t, err)
	_, err = db.Exec(`DELETE FROM orders`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
}
