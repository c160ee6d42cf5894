package executor_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	_ "github.com/piimap/piimap/executor/duckdb" // registers the duckdb handler
	_ "github.com/piimap/piimap/executor/files"  // registers the files handler
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// The estate: a DuckDB warehouse with an FK chain customers ← orders ←
// order_items, a derived dim_customer and a phone-keyed marketing table; a
// file store with Parquet events, a CSV export and a text log; and a Redis
// store no handler exists for. The subject is Ann (ann@example.com, id 1,
// user u-0001); Bob and Cleo are the others.

const subjectEmail = "ann@example.com"

// want is the subject's records per location.
var want = map[string]int64{
	"wh/main.customers":          1,
	"wh/main.orders":             2,
	"wh/main.order_items":        3,
	"wh/main.dim_customer":       1,
	"lake/events/events.parquet": 3,
	"lake/exports/customers.csv": 1,
	"lake/logs/app.log":          2,
}

const whSQL = `
CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR, name VARCHAR, user_id VARCHAR);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total DOUBLE);
CREATE TABLE order_items (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id), sku VARCHAR);
CREATE TABLE dim_customer (customer_key INTEGER, email VARCHAR, full_name VARCHAR);
CREATE TABLE marketing (phone VARCHAR, opted_in BOOLEAN);
INSERT INTO customers VALUES (1, 'Ann@Example.com', 'Ann Lee', 'u-0001'), (2, 'bob@example.com', 'Bob Roe', 'u-0002'),
  (3, 'cleo@example.com', 'Cleo Ng', 'u-0003');
INSERT INTO orders VALUES (10, 1, 20.5), (11, 1, 7.25), (12, 2, 3.0), (13, 3, 99.0);
INSERT INTO order_items VALUES (100, 10, 'SKU-1'), (101, 10, 'SKU-2'), (102, 11, 'SKU-3'), (103, 12, 'SKU-1'), (104, 13, 'SKU-9');
INSERT INTO dim_customer VALUES (1, 'ann@example.com', 'Ann Lee'), (2, 'bob@example.com', 'Bob Roe'), (3, 'cleo@example.com', 'Cleo Ng');
INSERT INTO marketing VALUES ('+44 20 7946 0000', true), ('+44 20 7946 0001', false);
`

const (
	csvExport = "email,name\nbob@example.com,Bob Roe\nann@example.com,Ann Lee\ncleo@example.com,Cleo Ng\n"
	appLog    = "2024-05-01 INFO login bob@example.com\n" +
		"2024-05-01 INFO login ann@example.com from 10.0.0.1\n" +
		"2024-05-01 WARN reset for cleo@example.com\n" +
		"2024-05-02 INFO ANN@EXAMPLE.COM changed password\n"
)

type estate struct {
	dir    string
	whURL  string
	stores []scanner.StoreConfig
	graph  *memGraph
	docs   *memDocs
}

func newEstate(t *testing.T) *estate {
	t.Helper()
	dir := t.TempDir()
	e := &estate{dir: dir, whURL: "duckdb://" + filepath.Join(dir, "wh.duckdb"), docs: newMemDocs()}
	db, err := sduck.Open(context.Background(), e.whURL, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(whSQL); err != nil {
		t.Fatal(err)
	}
	lake := filepath.Join(dir, "lake")
	for _, d := range []string{"events", "exports", "logs"} {
		if err := os.MkdirAll(filepath.Join(lake, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pq := filepath.Join(lake, "events", "events.parquet")
	if _, err := db.Exec(`COPY (SELECT * FROM (VALUES
		('u-0001', 'ann@example.com', '10.0.0.1'), ('u-0002', 'bob@example.com', '10.0.0.2'),
		('u-0001', NULL, '10.0.0.1'), ('u-0003', 'cleo@example.com', '10.0.0.3'), ('u-0009', 'ANN@example.com', '10.9.9.9'))
		AS t(user_id, email, ip)) TO '` + pq + `' (FORMAT PARQUET)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	write := func(rel, data string) {
		if err := os.WriteFile(filepath.Join(lake, rel), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("exports/customers.csv", csvExport)
	write("logs/app.log", appLog)

	e.stores = []scanner.StoreConfig{ // tenant acme: the tests file requests for it
		{Name: "wh", URL: e.whURL, Tenant: "acme"},
		{Name: "lake", URL: "file://" + lake, Tenant: "acme"},
		{Name: "cache", URL: "redis://127.0.0.1:6379/0", Tenant: "acme"},
	}
	g := &memGraph{run: lineage.ScanRun{ID: "run-1", Status: lineage.RunGaps, Stores: []string{"wh", "lake", "cache"},
		Errors: []lineage.UnitError{{Store: "lake", Unit: "broken/corrupt.parquet", Err: "corrupt input: bad magic"}}}}
	wh := func(asset, field string) piimap.Location {
		return piimap.Location{Store: "wh", Name: asset, Field: field}
	}
	lk := func(asset, field string) piimap.Location {
		return piimap.Location{Store: "lake", Name: asset, Field: field}
	}
	g.finding("duckdb", wh("main.customers", "email"), piimap.TypeEmail, nil)
	g.finding("duckdb", wh("main.customers", "name"), piimap.TypePersonName, nil)
	g.finding("duckdb", wh("main.customers", "user_id"), piimap.TypeUserID, nil)
	g.add("duckdb", wh("main.customers", "id"), nil)
	g.add("duckdb", wh("main.orders", "id"), nil)
	g.add("duckdb", wh("main.orders", "customer_id"), nil)
	g.add("duckdb", wh("main.order_items", "order_id"), nil)
	g.finding("duckdb", wh("main.dim_customer", "email"), piimap.TypeEmail, nil)
	g.finding("duckdb", wh("main.dim_customer", "full_name"), piimap.TypePersonName, nil)
	g.finding("duckdb", wh("main.marketing", "phone"), piimap.TypePhone, nil)
	g.ref(wh("main.orders", "customer_id"), wh("main.customers", "id"))
	g.ref(wh("main.order_items", "order_id"), wh("main.orders", "id"))
	pqAttrs := map[string]string{lineage.AttrFormat: piimap.FormatParquet, lineage.AttrUnitKind: piimap.UnitObject}
	g.finding("files", lk("events/events.parquet", "user_id"), piimap.TypeUserID, pqAttrs)
	g.finding("files", lk("events/events.parquet", "email"), piimap.TypeEmail, pqAttrs)
	g.finding("files", lk("events/events.parquet", "ip"), piimap.TypeIPAddress, pqAttrs)
	csvAttrs := map[string]string{lineage.AttrFormat: piimap.FormatCSV, lineage.AttrUnitKind: piimap.UnitObject}
	g.finding("files", lk("exports/customers.csv", "email"), piimap.TypeEmail, csvAttrs)
	g.finding("files", lk("exports/customers.csv", "name"), piimap.TypePersonName, csvAttrs)
	logAttrs := map[string]string{lineage.AttrFormat: piimap.FormatText, lineage.AttrUnitKind: piimap.UnitObject}
	g.finding("files", lk("logs/app.log", ""), piimap.TypeEmail, logAttrs)
	g.finding("files", lk("logs/app.log", ""), piimap.TypeIPAddress, logAttrs)
	g.finding("redis", piimap.Location{Store: "cache", Name: "session:*", Field: "email"}, piimap.TypeEmail, nil)
	e.graph = g
	return e
}

func (e *estate) service(opt executor.Options) *executor.Service {
	return executor.New(e.graph, e.docs, e.stores, opt)
}

// snapshot fingerprints every table's rows and every file's bytes.
func (e *estate) snapshot(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	db, err := sduck.Open(context.Background(), e.whURL, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tbl := range []string{"customers", "orders", "order_items", "dim_customer", "marketing"} {
		out["wh/main."+tbl] = tableDigest(t, db, tbl)
	}
	root := filepath.Join(e.dir, "lake")
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			sum := sha256.Sum256(b)
			rel, _ := filepath.Rel(root, p)
			out["lake/"+filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		}
		return nil
	})
	return out
}

func tableDigest(t *testing.T, db *sql.DB, tbl string) string {
	rows, err := db.Query("SELECT * FROM main." + tbl)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(vals...))
	}
	sort.Strings(lines)
	return strings.Join(lines, "|")
}

// othersRows lists the rows and lines of Bob and Cleo, which must survive.
func (e *estate) othersRows(t *testing.T) []string {
	t.Helper()
	snap := e.snapshot(t)
	var out []string
	for _, k := range []string{"wh/main.customers", "wh/main.orders", "wh/main.order_items", "wh/main.dim_customer", "wh/main.marketing"} {
		for _, row := range strings.Split(snap[k], "|") {
			if !strings.Contains(strings.ToLower(row), "ann") && !strings.HasPrefix(row, "1 ") &&
				!strings.HasPrefix(row, "10 ") && !strings.HasPrefix(row, "11 ") && !strings.HasPrefix(row, "100 ") &&
				!strings.HasPrefix(row, "101 ") && !strings.HasPrefix(row, "102 ") {
				out = append(out, k+": "+row)
			}
		}
	}
	for _, f := range []string{"exports/customers.csv", "logs/app.log"} {
		b, _ := os.ReadFile(filepath.Join(e.dir, "lake", f))
		for _, line := range strings.Split(string(b), "\n") {
			if line != "" && !strings.Contains(strings.ToLower(line), "ann@") && !strings.Contains(line, "[REDACTED]") {
				out = append(out, f+": "+line)
			}
		}
	}
	sort.Strings(out)
	return out
}

func openWH(t *testing.T, e *estate) *sql.DB {
	t.Helper()
	db, err := sduck.Open(context.Background(), e.whURL, false)
	if err != nil {
		t.Fatal(err)
	}
	return db
}
