package ingest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// TestPGStatStatements runs against the real server in a database of its
// own: without the extension, with fixed rows in a view of its shape read
// through the same query (no extension needed), and with it installed but
// (as on the development machines) not preloaded.
func TestPGStatStatements(t *testing.T) {
	base := os.Getenv("PIIMAP_TEST_POSTGRES")
	if base == "" {
		t.Skip("PIIMAP_TEST_POSTGRES is unset (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	t.Cleanup(func() { admin.Close() }) // after the drop below
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	dbname := "piimap_ingest_" + hex.EncodeToString(suffix)
	_, err = admin.ExecContext(ctx, "CREATE DATABASE "+dbname)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+dbname+" WITH (FORCE)")
		require.NoError(t, err)
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	u.Path = "/" + dbname
	db, err := sql.Open("pgx", u.String())
	require.NoError(t, err)
	defer db.Close()

	t.Run("extension absent", func(t *testing.T) {
		_, err := ReadPGStatStatements(ctx, db, "app")
		require.ErrorIs(t, err, piimap.ErrUnsupported)
		require.Contains(t, err.Error(), "not installed")
		require.Contains(t, err.Error(), "store app")
	})

	// The statements subtest needs no extension: a schema of its own holds a
	// view named pg_stat_statements with fixed rows, and fixedExtension
	// answers the extension lookup with that schema, so the rows are read
	// through ReadPGStatStatements' own query on any server.
	t.Run("statements", func(t *testing.T) {
		for _, stmt := range []string{
			"CREATE SCHEMA pgss_fixed",
			`CREATE VIEW pgss_fixed.pg_stat_statements AS
			 SELECT v.query, CASE WHEN v.here THEN (SELECT oid FROM pg_database WHERE datname = current_database()) ELSE 0::oid END AS dbid,
			        v.queryid, 10::oid AS userid
			 FROM (VALUES
			   ('INSERT INTO marts.vip (user_id, email) SELECT id, email FROM app.users WHERE email = $1', true, 1::bigint),
			   ('SELECT * FROM app.users WHERE id = $1', true, 2),
			   ('<insufficient privilege>', true, 3),
			   ('CREATE TABLE marts.h AS SELECT md5(email) AS h FROM app.users WHERE email <> ''pgss.canary.51d0@example.org''', true, 4),
			   ('INSERT INTO elsewhere.t SELECT * FROM elsewhere.u', false, 5)
			 ) AS v(query, here, queryid)`,
		} {
			_, err := db.ExecContext(ctx, stmt)
			require.NoError(t, err)
		}
		src, err := ReadPGStatStatements(ctx, fixedExtension{db, "pgss_fixed"}, "app")
		require.NoError(t, err)
		require.Equal(t, Stats{Read: 4, Kept: 2, Dropped: 2}, src.Stats)
		require.Equal(t, "store app", src.Name)
		require.Equal(t, "app", src.Store)
		require.Equal(t, []Statement{
			{N: 1, SQL: "INSERT INTO marts.vip (user_id, email) SELECT id, email FROM app.users WHERE email = $1"},
			{N: 4, SQL: "CREATE TABLE marts.h AS SELECT md5(email) AS h FROM app.users WHERE email <> ?"},
		}, src.Statements)

		g := lineagetest.NewMemGraph()
		require.NoError(t, Put(ctx, g, src))
		edges, unresolved, err := Edges(ctx, g, NewResolver(testStores(), nil))
		require.NoError(t, err)
		require.Empty(t, unresolved)
		got := edgeStrings(edges)
		require.Contains(t, got, "app/marts.h#h -> app/app.users#email sql masked 0.80")
		require.Contains(t, got, "app/marts.vip#email -> app/app.users#email sql identity 0.80")
		for _, e := range edges {
			require.Contains(t, e.Evidence, "pg_stat_statements of app statement #")
		}
	})

	// Only this subtest needs the extension: it checks how an installed one
	// is read (not preloaded, as on the development machines, the server's
	// refusal is reported as such). A server without it skips here, but CI
	// (CI set by .ci/run) fails instead: its Postgres ships the extension.
	t.Run("installed", func(t *testing.T) {
		var preload string
		require.NoError(t, db.QueryRowContext(ctx, "SHOW shared_preload_libraries").Scan(&preload))
		if _, err := db.ExecContext(ctx, "CREATE EXTENSION pg_stat_statements"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("pg_stat_statements is not available on this server (CI is set: fail, not skip): %v", err)
			}
			t.Skipf("pg_stat_statements is not available on this server: %v", err)
		}
		src, err := ReadPGStatStatements(ctx, db, "app")
		if !strings.Contains(preload, "pg_stat_statements") {
			require.ErrorIs(t, err, piimap.ErrUnsupported)
			require.Contains(t, err.Error(), "shared_preload_libraries")
			return
		}
		require.NoError(t, err, "preloaded: the real view is read")
		require.Equal(t, KindPGStat, src.Kind)
	})
}

// fixedExtension is db, except that the lookup of pg_stat_statements'
// schema in pg_extension answers schema.
type fixedExtension struct {
	db     *sql.DB
	schema string
}

func (f fixedExtension) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if strings.Contains(query, "pg_catalog.pg_extension") {
		return f.db.QueryContext(ctx, "SELECT $1::text", f.schema)
	}
	return f.db.QueryContext(ctx, query, args...)
}
