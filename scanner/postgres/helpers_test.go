package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/postgres"
	"github.com/piimap/piimap/scanner/scannertest"
)

const envURL = "PIIMAP_TEST_POSTGRES"

// serverURL returns the test server's URL or skips the test.
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		t.Skipf("%s is not set: skipping the Postgres integration test (e.g. %s=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable; .ci/run sets it)", envURL, envURL)
	}
	return u
}

// newDB creates a uniquely named database, runs stmts in it and returns
// its URL; the database is dropped when the test ends.
func newDB(t testing.TB, stmts ...string) string {
	t.Helper()
	ctx := context.Background()
	admin := serverURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "piimap_t_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, admin)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+postgres.QuoteIdent(name))
	require.NoError(t, err)
	conn.Close(ctx)
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+postgres.QuoteIdent(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	require.NoError(t, err)
	u.Path = "/" + name
	dbURL := u.String()
	execAll(t, dbURL, stmts...)
	return dbURL
}

// execAll runs statements read-write on the database at dbURL.
func execAll(t testing.TB, dbURL string, stmts ...string) {
	t.Helper()
	if len(stmts) == 0 {
		return
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, s := range stmts {
		_, err := conn.Exec(ctx, s)
		require.NoError(t, err, s)
	}
}

// checksum digests every user relation's rows and the catalog shape.
func checksum(t testing.TB, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT n.nspname, c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%' AND c.relkind IN ('r', 'm') ORDER BY 1, 2`)
	require.NoError(t, err)
	type rel struct{ schema, table, kind string }
	var rels []rel
	for rows.Next() {
		var r rel
		require.NoError(t, rows.Scan(&r.schema, &r.table, &r.kind))
		rels = append(rels, r)
	}
	require.NoError(t, rows.Err())
	var b strings.Builder
	for _, r := range rels {
		var sum string
		q := "SELECT coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '') FROM " + postgres.QuoteTable(r.schema, r.table) + " x"
		require.NoError(t, conn.QueryRow(ctx, q).Scan(&sum))
		fmt.Fprintf(&b, "%s.%s %s %s\n", r.schema, r.table, r.kind, sum)
	}
	return b.String()
}

type harness struct{}

func (harness) Make(t *testing.T, fx scannertest.Fixture) scanner.StoreConfig {
	var stmts []string
	for _, tb := range fx.Tables {
		var cols []string
		for _, c := range tb.Columns {
			if c == "id" {
				cols = append(cols, "id bigint PRIMARY KEY")
			} else {
				cols = append(cols, postgres.QuoteIdent(c)+" text")
			}
		}
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE %s (%s)", postgres.QuoteIdent(tb.Name), strings.Join(cols, ", ")))
		var vals []string
		for _, r := range tb.Rows {
			var cells []string
			for _, v := range r {
				if v == "" {
					cells = append(cells, "NULL")
				} else {
					cells = append(cells, postgres.QuoteLiteral(v))
				}
			}
			vals = append(vals, "("+strings.Join(cells, ", ")+")")
		}
		stmts = append(stmts, fmt.Sprintf("INSERT INTO %s VALUES %s", postgres.QuoteIdent(tb.Name), strings.Join(vals, ", ")))
	}
	return scanner.StoreConfig{Name: "app", URL: newDB(t, stmts...)}
}

func (harness) Asset(name string) (string, bool) {
	if name == "app" {
		return "", false // no text objects in a database
	}
	return "public." + name, true
}

func (harness) Checksum(t *testing.T, cfg scanner.StoreConfig) string { return checksum(t, cfg.URL) }
