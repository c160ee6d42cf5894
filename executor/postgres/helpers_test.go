package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/driver"
	xpg "github.com/piimap/piimap/executor/postgres"
	"github.com/piimap/piimap/scanner"
	spg "github.com/piimap/piimap/scanner/postgres"
)

const envURL = "PIIMAP_TEST_POSTGRES"

// serverURL returns the test server's URL or skips the test.
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		t.Skipf("%s is not set: skipping the Postgres executor integration test (e.g. %s=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable; .ci/run sets it)", envURL, envURL)
	}
	return u
}

// newDB creates a uniquely named database, runs stmts in it and returns its
// URL; the database is dropped when the test ends.
func newDB(t testing.TB, stmts ...string) string {
	t.Helper()
	ctx := context.Background()
	admin := serverURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "piimap_x_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, admin)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+spg.QuoteIdent(name))
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+spg.QuoteIdent(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	require.NoError(t, err)
	u.Path = "/" + name
	execAll(t, u.String(), stmts...)
	return u.String()
}

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

func open(t testing.TB, dbURL string, opt driver.HandlerOptions) *xpg.Handler {
	t.Helper()
	h, err := xpg.Open(context.Background(), scanner.StoreConfig{Name: "app", URL: dbURL}, opt)
	require.NoError(t, err)
	return h.(*xpg.Handler)
}

func serverURLOrEmpty() string { return os.Getenv(envURL) }
