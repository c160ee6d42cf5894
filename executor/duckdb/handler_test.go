package duckdb_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xduck "github.com/piimap/piimap/executor/duckdb"
	"github.com/piimap/piimap/executor/executortest"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

const (
	schemaFK = `
CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR, name VARCHAR, user_id VARCHAR);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), note VARCHAR, total DOUBLE);`
	// DuckDB cannot update indexed columns in place, so null/mask fixtures
	// keep keys unconstrained (as warehouses built by ETL usually do).
	schemaPlain = `
CREATE TABLE customers (id INTEGER, email VARCHAR, name VARCHAR, user_id VARCHAR);
CREATE TABLE orders (id INTEGER, customer_id INTEGER, note VARCHAR, total DOUBLE);`
	dataSQL = `
INSERT INTO customers VALUES
  (1, 'Ann.Lee@Example.com', 'Ann Lee', 'u-100'),
  (2, 'bob@example.com', 'Bob Roe', 'u-200'),
  (3, 'ann.lee@example.com.au', 'Ann Other', 'u-300');
INSERT INTO orders VALUES
  (10, 1, 'gift for ann.lee@example.com', 9.5),
  (11, 1, NULL, 12.0),
  (12, 2, 'call bob', 3.25),
  (13, 3, 'ship to ann.lee@example.com.au', 1.0);`
)

// build creates a fresh warehouse file and returns its store config.
func build(t *testing.T, schema string) scanner.StoreConfig {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wh.duckdb")
	url := "duckdb://" + path
	db, err := sduck.Open(context.Background(), url, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(schema + dataSQL); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return scanner.StoreConfig{Name: "wh", URL: url}
}

func targets(mode driver.Mode) (subject, others []driver.Target) {
	cust := driver.Target{Asset: "main.customers", Mode: mode, Fields: []string{"email", "name", "user_id"},
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"ann.lee@example.com"}}}}
	ord := driver.Target{Asset: "main.orders", Mode: mode, Fields: []string{"note"},
		Match: []driver.Match{{Field: "customer_id", Kind: driver.KindRef, Values: []string{"1"}}}}
	oc := driver.Target{Asset: "main.customers", Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"bob@example.com", "ann.lee@example.com.au"}}}}
	oo := driver.Target{Asset: "main.orders", Match: []driver.Match{{Field: "customer_id", Kind: driver.KindRef, Values: []string{"2", "3"}}}}
	return []driver.Target{ord, cust}, []driver.Target{oc, oo}
}

func TestConformance(t *testing.T) {
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeNull, driver.ModeMask} {
		t.Run(string(mode), func(t *testing.T) {
			executortest.Run(t, func(t *testing.T) executortest.Fixture {
				schema := schemaFK
				if mode != driver.ModeDelete {
					schema = schemaPlain
				}
				sc := build(t, schema)
				// The handler and the raw reader share one database
				// handle: DuckDB allows one open instance per file.
				db, err := sduck.Open(context.Background(), sc.URL, false)
				if err != nil {
					t.Fatal(err)
				}
				h := xduck.New(db, sc.Name, driver.HandlerOptions{MaskKey: []byte("k")})
				subj, others := targets(mode)
				return executortest.Fixture{Handler: h, Subject: subj, Others: others,
					Want:        map[string]int64{"main.customers": 1, "main.orders": 2},
					SubjectKeys: map[string][]string{"main.customers": {"1"}, "main.orders": {"10", "11"}},
					Raw: func(t testing.TB, asset string) []executortest.Row {
						schema, table, _ := strings.Cut(asset, ".")
						rows, err := db.Query("SELECT * FROM " + sduck.QuoteTable(schema, table))
						if err != nil {
							t.Fatalf("raw read %s: %v", asset, err)
						}
						return executortest.SQLRows(t, rows, "id")
					}}
			})
		})
	}
}

var _ = sql.ErrNoRows

// TestLargeKeySet erases a subject whose key set exceeds one IN list: the
// values are chunked, the statement count stays per table.
func TestLargeKeySet(t *testing.T) {
	sc := build(t, schemaPlain)
	db, err := sduck.Open(context.Background(), sc.URL, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO orders SELECT 1000 + i, 1, 'bulk', 1.0 FROM range(1200) t(i)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	h, err := xduck.Open(context.Background(), sc, driver.HandlerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ids := make([]string, 0, 1200)
	for i := 0; i < 1200; i++ {
		ids = append(ids, strconv.Itoa(1000+i))
	}
	tg := driver.Target{Asset: "main.orders", Mode: driver.ModeDelete,
		Match: []driver.Match{{Field: "id", Kind: driver.KindKey, Values: ids}}}
	res, err := h.Erase(context.Background(), []driver.Target{tg}, driver.EraseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Found != 1200 || res[0].Changed != 1200 {
		t.Fatalf("%+v", res[0])
	}
	if n, _ := h.(driver.Counter).Count(context.Background(), tg); n != 0 {
		t.Fatalf("residual %d", n)
	}
	if n, _ := h.(driver.Counter).Count(context.Background(), driver.Target{Asset: "main.orders",
		Match: []driver.Match{{Field: "customer_id", Kind: driver.KindRef, Values: []string{"1", "2", "3"}}}}); n != 4 {
		t.Fatalf("other orders: %d, want 4", n)
	}
}

func TestCheckModeRefusesIndexedColumns(t *testing.T) {
	sc := build(t, schemaFK)
	h, err := xduck.Open(context.Background(), sc, driver.HandlerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	mc := h.(driver.ModeChecker)
	ord := driver.Target{Asset: "main.orders", Mode: driver.ModeNull,
		Match: []driver.Match{{Field: "customer_id", Kind: driver.KindRef, Values: []string{"1"}}}}
	if err := mc.CheckMode(ord); !errors.Is(err, piimap.ErrUnsupported) {
		t.Errorf("null on an FK column: %v", err)
	}
	cust := driver.Target{Asset: "main.customers", Mode: driver.ModeMask, Fields: []string{"name"},
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"x@y.z"}}}}
	if err := mc.CheckMode(cust); err != nil {
		t.Errorf("mask on plain columns: %v", err)
	}
	if err := mc.CheckMode(driver.Target{Asset: "main.customers", Mode: driver.ModeRedact}); !errors.Is(err, piimap.ErrUnsupported) {
		t.Errorf("redact on a table: %v", err)
	}
}

func TestExportParquetAndReadOnly(t *testing.T) {
	sc := build(t, schemaPlain)
	h, err := xduck.Open(context.Background(), sc, driver.HandlerOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	subj, _ := targets(driver.ModeDelete)
	if _, err := h.Erase(context.Background(), subj, driver.EraseOptions{}); !errors.Is(err, piimap.ErrInvalidState) {
		t.Fatalf("read-only erase: %v", err)
	}
	out := filepath.Join(t.TempDir(), "o.parquet")
	n, err := h.(driver.ParquetExporter).ExportParquet(context.Background(), subj[0], out)
	if err != nil || n != 2 {
		t.Fatalf("export: %d %v", n, err)
	}
}
