package mysql_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/mysql"
	"github.com/piimap/piimap/scanner/scannertest"
)

const envURL = "PIIMAP_TEST_MYSQL"

// serverURL returns the test server's URL or skips the test.
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		t.Skipf("%s is not set: skipping the MySQL/MariaDB integration test (e.g. %s=mysql://root@127.0.0.1:3306/test; .ci/run sets it)", envURL, envURL)
	}
	return u
}

// dbURL returns the server URL pointed at database name.
func dbURL(t testing.TB, name string) string {
	u, err := url.Parse(serverURL(t))
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}

// newDB creates a uniquely named database, runs stmts in it and returns
// its URL; the database is dropped when the test ends.
func newDB(t testing.TB, stmts ...string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "piimap_t_" + hex.EncodeToString(b[:])
	execAll(t, dbURL(t, ""), "CREATE DATABASE "+mysql.QuoteIdent(name))
	t.Cleanup(func() { execAll(t, dbURL(t, ""), "DROP DATABASE IF EXISTS "+mysql.QuoteIdent(name)) })
	u := dbURL(t, name)
	execAll(t, u, stmts...)
	return u
}

func execAll(t testing.TB, u string, stmts ...string) {
	t.Helper()
	if len(stmts) == 0 {
		return
	}
	db, err := mysql.Open(context.Background(), u)
	require.NoError(t, err)
	defer db.Close()
	for _, s := range stmts {
		_, err := db.Exec(s)
		require.NoError(t, err, s)
	}
}

// checksum digests every table of the database (CHECKSUM TABLE) and the
// list of tables.
func checksum(t testing.TB, u string) string {
	t.Helper()
	db, err := mysql.Open(context.Background(), u)
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1`)
	require.NoError(t, err)
	var tables []string
	var b strings.Builder
	for rows.Next() {
		var name, typ string
		require.NoError(t, rows.Scan(&name, &typ))
		fmt.Fprintf(&b, "%s %s\n", name, typ)
		if typ == "BASE TABLE" {
			tables = append(tables, name)
		}
	}
	require.NoError(t, rows.Err())
	rows.Close()
	for _, tb := range tables {
		var name string
		var sum any
		require.NoError(t, db.QueryRow("CHECKSUM TABLE "+mysql.QuoteIdent(tb)+" EXTENDED").Scan(&name, &sum))
		fmt.Fprintf(&b, "%s %s\n", name, sum)
	}
	return b.String()
}

// harness materialises the fixture in a fresh database per run.
type harness struct{ db string }

func (h *harness) Make(t *testing.T, fx scannertest.Fixture) scanner.StoreConfig {
	var stmts []string
	for _, tb := range fx.Tables {
		var cols []string
		for _, c := range tb.Columns {
			if c == "id" {
				cols = append(cols, "id BIGINT PRIMARY KEY")
			} else {
				cols = append(cols, mysql.QuoteIdent(c)+" TEXT")
			}
		}
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE %s (%s)", mysql.QuoteIdent(tb.Name), strings.Join(cols, ", ")))
		var vals []string
		for _, r := range tb.Rows {
			var cells []string
			for _, v := range r {
				if v == "" {
					cells = append(cells, "NULL")
				} else {
					cells = append(cells, "'"+strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(v)+"'")
				}
			}
			vals = append(vals, "("+strings.Join(cells, ", ")+")")
		}
		stmts = append(stmts, fmt.Sprintf("INSERT INTO %s VALUES %s", mysql.QuoteIdent(tb.Name), strings.Join(vals, ", ")))
	}
	u := newDB(t, stmts...)
	pu, _ := url.Parse(u)
	h.db = strings.TrimPrefix(pu.Path, "/")
	return scanner.StoreConfig{Name: "app", URL: u}
}

func (h *harness) Asset(name string) (string, bool) {
	if name == "app" {
		return "", false // no text objects in a database
	}
	return h.db + "." + name, true
}

func (*harness) Checksum(t *testing.T, cfg scanner.StoreConfig) string { return checksum(t, cfg.URL) }
