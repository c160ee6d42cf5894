package mysql_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/internal/hangcheck"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/mysql"
	"github.com/piimap/piimap/scanner/scannertest"
)

func TestConformance(t *testing.T) {
	serverURL(t)
	scannertest.RunConformance(t, &harness{})
}

// seq fills a helper table with 1..n, so inserts stay server-side.
func seq(n int) []string {
	return []string{
		`CREATE TABLE seq (i INT PRIMARY KEY)`,
		`INSERT INTO seq SELECT a.d + 10 * b.d + 100 * c.d + 1000 * d.d + 10000 * e.d + 1
		   FROM (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a,
		        (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b,
		        (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c,
		        (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d,
		        (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) e`,
		fmt.Sprintf(`DELETE FROM seq WHERE i > %d`, n),
	}
}

func estate() []string {
	return append(seq(3000),
		`CREATE TABLE customers (id BIGINT PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE COMMENT 'login address', name TEXT,
		   profile JSON, location POINT, born DATE) COMMENT 'one row per customer'`,
		`CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT, sku VARCHAR(20), raw VARBINARY(20),
		   FOREIGN KEY (customer_id) REFERENCES customers(id))`,
		`CREATE TABLE accounts (a INT, b INT, owner TEXT, PRIMARY KEY (a, b))`,
		`CREATE TABLE links (x INT, y INT, FOREIGN KEY (x, y) REFERENCES accounts(a, b))`,
		`CREATE TABLE tokens (token VARCHAR(40) NOT NULL, UNIQUE KEY (token), holder VARCHAR(100))`,
		`CREATE TABLE loose (v TEXT, w TEXT)`,
		`INSERT INTO customers SELECT i, CONCAT('c', i, '@example.test'), CONCAT('Name ', i),
		   JSON_OBJECT('contact', JSON_OBJECT('email', CONCAT('p', i, '@example.test')), 'age', i % 90),
		   POINT(i % 90, i % 180), DATE_ADD('1970-01-01', INTERVAL i DAY) FROM seq WHERE i <= 1000`,
		`INSERT INTO orders SELECT i, 1 + i % 1000, CONCAT('SKU-', i), CONCAT('r', i) FROM seq`,
		`INSERT INTO accounts SELECT i, i, CONCAT('o', i) FROM seq WHERE i <= 10`,
		`INSERT INTO tokens SELECT MD5(i), CONCAT('h', i, '@example.test') FROM seq WHERE i <= 900`,
		`INSERT INTO loose SELECT CONCAT('v', i), CONCAT('w', i) FROM seq WHERE i <= 700`,
		`CREATE VIEW customer_emails AS SELECT id, email FROM customers`,
		`ANALYZE TABLE customers, orders, accounts, links, tokens, loose`,
	)
}

func open(t *testing.T, u string, smp scanner.SampleConfig) scanner.Source {
	return scannertest.Open(t, scanner.StoreConfig{Name: "app", URL: u, Sample: smp}, mysql.Kind)
}

func dbName(u string) string { p, _ := url.Parse(u); return strings.TrimPrefix(p.Path, "/") }

func TestEnumerateSampleAndEdges(t *testing.T) {
	ctx := context.Background()
	u := newDB(t, estate()...)
	db := dbName(u)
	src := open(t, u, scanner.SampleConfig{Rows: 20, Seed: 3})
	us := scannertest.Units(t, src)
	got := map[string]string{}
	for n, un := range us {
		got[strings.TrimPrefix(n, db+".")] = un.Meta[mysql.MetaRelation] + ":" + un.Meta[mysql.MetaSampling]
	}
	assert.Equal(t, map[string]string{
		"accounts": "table:pk_ranges", "customer_emails": "view:order_by_rand", "customers": "table:pk_ranges",
		"links": "table:order_by_rand", "loose": "table:order_by_rand", "orders": "table:pk_ranges",
		"seq": "table:pk_ranges", "tokens": "table:pk_offsets",
	}, got)
	cust := us[db+".customers"]
	assert.Equal(t, "mysql://127.0.0.1:3306", cust.Loc.Namespace)
	assert.Equal(t, "one row per customer", cust.Meta[piimap.MetaComment])
	assert.InDelta(t, 1000, cust.Rows, 300, "TABLE_ROWS is an estimate")

	recs := scannertest.SampleFields(t, src, cust, scanner.Sample{Rows: 20, Seed: 3})
	assert.Equal(t, []string{"born", "email", "id", "location", "name", "profile.age", "profile.contact.email"}, scannertest.FieldNames(recs))
	email := recs["email"]
	assert.Len(t, email.Values, 20)
	assert.Equal(t, "varchar(200)", email.Meta[piimap.MetaSQLType])
	assert.Equal(t, "true", email.Meta[piimap.MetaUnique])
	assert.Equal(t, "false", email.Meta[piimap.MetaNullable])
	assert.Equal(t, "login address", email.Meta[piimap.MetaComment])
	assert.Equal(t, "pk_ranges", email.Meta[mysql.MetaSampling])
	assert.Equal(t, "true", recs["id"].Meta[piimap.MetaPrimaryKey])
	assert.Equal(t, "20", email.Meta[piimap.MetaRowsSampled])
	pe := recs["profile.contact.email"]
	assert.Equal(t, "json", pe.Meta[piimap.MetaSQLType])
	assert.Equal(t, "profile.contact.email", pe.Meta[mysql.MetaJSONPath])
	assert.Len(t, pe.Values, 20)
	for i, id := range recs["id"].Values { // rows stay aligned
		n, _ := strconv.Atoi(id)
		assert.Equal(t, fmt.Sprintf("c%d@example.test", n), email.Values[i])
		assert.Equal(t, fmt.Sprintf("p%d@example.test", n), pe.Values[i])
	}
	assert.Regexp(t, `^POINT\(\d+ \d+\)$`, recs["location"].Values[0])

	acc := scannertest.SampleFields(t, src, us[db+".accounts"], scanner.Sample{Rows: 5, Seed: 1})
	assert.Equal(t, "true", acc["a"].Meta[piimap.MetaPrimaryKey])
	assert.Equal(t, "true", acc["b"].Meta[piimap.MetaPrimaryKey])
	assert.Empty(t, acc["a"].Meta[piimap.MetaUnique], "a composite key makes no single column unique")
	assert.Len(t, acc["a"].Values, 5)
	ord := scannertest.SampleFields(t, src, us[db+".orders"], scanner.Sample{Rows: 10, Seed: 1})
	assert.Regexp(t, `^r\d+$`, ord["raw"].Values[0])

	for _, tt := range []struct {
		table, method string
		n             int
	}{{"tokens", "pk_offsets", 40}, {"loose", "order_by_rand", 40}, {"customer_emails", "order_by_rand", 1000}, {"accounts", "all_rows", 10}} {
		a := scannertest.SampleFields(t, src, us[db+"."+tt.table], scanner.Sample{Rows: 40, Seed: 1})
		b := scannertest.SampleFields(t, src, us[db+"."+tt.table], scanner.Sample{Rows: 40, Seed: 1})
		for _, f := range scannertest.FieldNames(a) {
			assert.Len(t, a[f].Values, min(tt.n, 40), "%s.%s", tt.table, f)
			assert.Equal(t, tt.method, a[f].Meta[mysql.MetaSampling], tt.table)
			assert.Equal(t, a[f].Values, b[f].Values, "%s.%s: same seed, same sample", tt.table, f)
		}
	}

	only := scannertest.SampleFields(t, src, cust, scanner.Sample{Rows: 80, Seed: 3, Fields: []string{"profile.contact.email"}})
	assert.Equal(t, []string{"profile.contact.email"}, scannertest.FieldNames(only))
	assert.Len(t, only["profile.contact.email"].Values, 80)

	var edges []string
	require.NoError(t, src.(scanner.EdgeDeclarer).DeclaredEdges(ctx, func(e lineage.Edge) error {
		if e.Source == lineage.SourceView {
			return nil // TestViewLineage
		}
		assert.Equal(t, lineage.EdgeReferences, e.Kind)
		assert.Equal(t, lineage.SourceFK, e.Source)
		assert.Equal(t, 1.0, e.Confidence)
		edges = append(edges, strings.ReplaceAll(e.From.String()+" -> "+e.To.String(), db+".", ""))
		return nil
	}))
	assert.Equal(t, []string{"app/links#x -> app/accounts#a", "app/links#y -> app/accounts#b", "app/orders#customer_id -> app/customers#id"}, edges)
}

// TestSampleTail plants emails only in the last 10% of a 20k-row table:
// key-range sampling finds them, reproducibly; LIMIT n from the head
// (piicatcher's MySQL sampler) would find none.
func TestSampleTail(t *testing.T) {
	u := newDB(t, append(seq(20000),
		`CREATE TABLE people (id INT PRIMARY KEY, contact VARCHAR(100))`,
		`INSERT INTO people SELECT i, IF(i > 18000, CONCAT('tail', i, '@example.test'), 'n/a') FROM seq`,
		`CREATE TABLE sparse (id BIGINT PRIMARY KEY, contact VARCHAR(100))`, // ids with gaps
		`INSERT INTO sparse SELECT i * 7919, IF(i > 18000, CONCAT('tail', i, '@example.test'), 'n/a') FROM seq`,
		`CREATE TABLE nokey (contact VARCHAR(100), n INT)`,
		`INSERT INTO nokey SELECT IF(i > 18000, CONCAT('tail', i, '@example.test'), 'n/a'), i FROM seq`,
	)...)
	db := dbName(u)
	src := open(t, u, scanner.SampleConfig{})
	us := scannertest.Units(t, src)
	for _, tt := range []struct{ table, method, idField string }{
		{"people", "pk_ranges", "id"}, {"sparse", "pk_ranges", "id"}, {"nokey", "order_by_rand", "n"},
	} {
		t.Run(tt.table, func(t *testing.T) {
			un := us[db+"."+tt.table]
			// 1000 rows come in ~80 key runs of 16, so the chance that no
			// run starts in the last 10% is 0.9^80 ≈ 0.02% (with 200 rows,
			// ~25 runs of 10, it was 7%).
			s := scanner.Sample{Rows: 1000, Seed: 7}
			a := scannertest.SampleFields(t, src, un, s)
			b := scannertest.SampleFields(t, src, un, s)
			c := scannertest.SampleFields(t, src, un, scanner.Sample{Rows: 1000, Seed: 8})
			assert.Equal(t, a[tt.idField].Values, b[tt.idField].Values, "same seed, same sample")
			assert.NotEqual(t, a[tt.idField].Values, c[tt.idField].Values, "another seed, another sample")
			assert.Len(t, a["contact"].Values, 1000)
			assert.Equal(t, tt.method, a["contact"].Meta[mysql.MetaSampling])
			tail := 0
			for _, v := range a["contact"].Values {
				if strings.HasPrefix(v, "tail") {
					tail++
				}
			}
			// At least one run starts in the tail (none: 0.9^80 ≈ 0.02%);
			// about 100 rows is typical, but a draw with a single run there
			// (about 0.2%; the key ranges follow InnoDB's sampled
			// statistics, so draws differ between runs) gives 16 or fewer.
			assert.Positive(t, tail, "planted tail rows found")
			assert.LessOrEqual(t, tail, 250)
			t.Logf("%s: %s, %d tail rows of 1000", tt.table, tt.method, tail)
		})
	}
}

func TestReadOnlyTransaction(t *testing.T) {
	ctx := context.Background()
	u := newDB(t, `CREATE TABLE t (id INT)`)
	db, err := mysql.Open(ctx, scannertest.WithParams(u, "statement_timeout", "1500ms", "lock_timeout", "2s"))
	require.NoError(t, err)
	defer db.Close()
	tx, err := db.Begin(ctx, true)
	require.NoError(t, err)
	defer tx.Rollback()
	var timeout, lock float64
	q := `SELECT @@max_execution_time / 1000, @@lock_wait_timeout`
	if db.MariaDB {
		q = `SELECT @@max_statement_time, @@lock_wait_timeout`
	}
	require.NoError(t, tx.QueryRow(q).Scan(&timeout, &lock))
	assert.InDelta(t, 1.5, timeout, 0.001)
	assert.Equal(t, 2.0, lock)
	_, err = tx.Exec(`INSERT INTO t VALUES (1)`)
	require.Error(t, err)
	assert.Equal(t, uint16(mysql.ErReadOnlyTx), mysql.ErrorNumber(err))
}

func TestUnreachable(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, url string
		notFound  bool
	}{
		{"closed port", "mysql://root@127.0.0.1:1/test", false},
	}
	// Only the missing database needs a server: the closed port and the
	// silent endpoint always run.
	if os.Getenv(envURL) != "" {
		tests = append(tests, struct {
			name, url string
			notFound  bool
		}{"missing database", dbURL(t, "piimap_no_such_db"), true})
	}
	// A loopback listener that accepts and never answers: the connect
	// timeout, not the network, must end the attempt.
	silent := silentListener(t)
	tests = append(tests, struct {
		name, url string
		notFound  bool
	}{"silent endpoint", fmt.Sprintf("mysql://root@%s/test?connect_timeout=1", silent), false})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The connect timeout (5 s by default, 1 s on the silent
			// endpoint) ends the attempt; the bound only catches a hang.
			var err error
			hangcheck.NoHang(t, hangcheck.Limit(5*time.Second), func() { _, _, err = scanner.Open(ctx, scanner.StoreConfig{Name: "app", URL: tt.url}) })
			require.Error(t, err)
			assert.ErrorIs(t, err, piimap.ErrUnreachable)
			if tt.notFound {
				assert.ErrorIs(t, err, piimap.ErrNotFound)
			}
			assert.Contains(t, err.Error(), "mysql: connect")
			t.Logf("%v", err)
		})
	}
}

func TestStatementTimeout(t *testing.T) {
	u := newDB(t,
		`CREATE TABLE t (id INT PRIMARY KEY, v TEXT)`,
		`INSERT INTO t VALUES (1, 'a'), (2, 'b')`,
		`CREATE VIEW slow AS SELECT id, v, SLEEP(3) AS z FROM t`,
	)
	src := open(t, scannertest.WithParams(u, "statement_timeout", "300ms"), scanner.SampleConfig{})
	us := scannertest.Units(t, src)
	// The error names the statement timeout, so the view's 3 s sleep per row
	// was cut short; the bound only catches a read that never ends.
	var err error
	hangcheck.NoHang(t, hangcheck.Limit(300*time.Millisecond), func() {
		err = src.Read(context.Background(), us[dbName(u)+".slow"], func(piimap.Record) error { return nil })
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "statement timeout")
	require.NoError(t, src.Read(context.Background(), us[dbName(u)+".t"], func(piimap.Record) error { return nil }))
}

// silentListener accepts TCP connections on 127.0.0.1 and never writes.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
