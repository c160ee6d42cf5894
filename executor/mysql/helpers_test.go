package mysql_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/driver"
	xmy "github.com/piimap/piimap/executor/mysql"
	"github.com/piimap/piimap/scanner"
	smy "github.com/piimap/piimap/scanner/mysql"
)

const envURL = "PIIMAP_TEST_MYSQL"

// serverURL returns the test server's URL or skips the test.
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		t.Skipf("%s is not set: skipping the MariaDB/MySQL executor integration test (e.g. %s=mysql://root@127.0.0.1:3306/test; .ci/run sets it)", envURL, envURL)
	}
	return u
}

func serverURLOrEmpty() string { return os.Getenv(envURL) }

// newDB creates a uniquely named database, runs stmts in it and returns its
// URL; the database is dropped when the test ends.
func newDB(t testing.TB, stmts ...string) string {
	t.Helper()
	ctx := context.Background()
	admin := serverURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "piimap_x_" + hex.EncodeToString(b[:])
	db, err := smy.Open(ctx, admin)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+smy.QuoteIdent(name)+" CHARACTER SET utf8mb4")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	t.Cleanup(func() {
		db, err := smy.Open(ctx, admin)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+smy.QuoteIdent(name)); err != nil {
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
	db, err := smy.Open(context.Background(), dbURL)
	require.NoError(t, err)
	defer db.Close()
	for _, s := range stmts {
		_, err := db.ExecContext(context.Background(), s)
		require.NoError(t, err, s)
	}
}

func open(t testing.TB, dbURL string, opt driver.HandlerOptions) *xmy.Handler {
	t.Helper()
	h, err := xmy.Open(context.Background(), scanner.StoreConfig{Name: "app", URL: dbURL}, opt)
	require.NoError(t, err)
	return h.(*xmy.Handler)
}

// dbName is the database a test URL names.
func dbName(t testing.TB, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	return u.Path[1:]
}
