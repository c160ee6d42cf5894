package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// TestHoldKeepsForeignKeyParents: a legal hold on orders keeps the
// subject's customer row too (orders reference it by a declared foreign
// key: deleting it would fail, or cascade into the held rows). The
// erasure ends completed_with_exceptions naming both, and an independent
// SQL count shows the held rows and their parent intact, the subject's
// other rows gone, and every bystander row untouched.
func TestHoldKeepsForeignKeyParents(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shop.duckdb")
	db, err := sduck.Open(context.Background(), "duckdb://"+path, false)
	require.NoError(t, err)
	for _, q := range []string{
		"CREATE TABLE customers (cid INTEGER PRIMARY KEY, email VARCHAR, full_name VARCHAR)",
		"CREATE TABLE orders (oid INTEGER PRIMARY KEY, cid INTEGER REFERENCES customers(cid), total INTEGER)",
		"CREATE TABLE newsletter (email VARCHAR, topic VARCHAR)",
	} {
		_, err := db.Exec(q)
		require.NoError(t, err)
	}
	for i := range 40 {
		_, err := db.Exec("INSERT INTO customers VALUES (?, ?, ?)", i, holdEmail(i), "Person "+string(rune('A'+i%26)))
		require.NoError(t, err)
		_, err = db.Exec("INSERT INTO orders VALUES (?, ?, ?)", 1000+i, i, 10*i)
		require.NoError(t, err)
		_, err = db.Exec("INSERT INTO newsletter VALUES (?, 'news')", holdEmail(i))
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	cfg := writeConfig(t, dir, "  - {name: shop, url: \"duckdb://"+path+"\"}\n")
	mustCLI(t, "--config", cfg, "scan", "--full")
	mustCLI(t, "--config", cfg, "hold", "add", "--tenant", "default", "--store", "shop", "--asset", "main.orders", "--reason", "tax audit")
	id := approvedRequest(t, cfg, "erasure", holdEmail(7))
	code, stdout, stderr := cli(t, "--config", cfg, "dsar", "run", id, "--apply")
	require.Equal(t, exitGaps, code, stderr)
	require.Contains(t, stdout, "completed_with_exceptions")
	require.Contains(t, stdout, "shop/main.customers: kept: rows of shop/main.orders held by")

	check, err := sql.Open("duckdb", path+"?access_mode=read_only")
	require.NoError(t, err)
	defer check.Close()
	count := func(q string, args ...any) int {
		var n int
		require.NoError(t, check.QueryRow(q, args...).Scan(&n))
		return n
	}
	require.Equal(t, 1, count("SELECT count(*) FROM customers WHERE cid = 7"), "the held order's customer is kept")
	require.Equal(t, 1, count("SELECT count(*) FROM orders WHERE cid = 7"), "the held order is kept")
	require.Equal(t, 0, count("SELECT count(*) FROM newsletter WHERE email = ?", holdEmail(7)), "the subject's other rows are erased")
	require.Equal(t, 39, count("SELECT count(*) FROM newsletter WHERE email <> ?", holdEmail(7)), "bystanders untouched")
	require.Equal(t, 40, count("SELECT count(*) FROM customers"))
	require.Equal(t, 40, count("SELECT count(*) FROM orders"))
}

func holdEmail(i int) string {
	return "holder" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.com"
}
