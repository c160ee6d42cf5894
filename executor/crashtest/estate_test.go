package crashtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // database/sql driver "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/stretchr/testify/require"

	spg "github.com/piimap/piimap/scanner/postgres"
)

// The estate: customers ← orders ← order_items in a SQL database, and a
// CSV and a log file in a files store. Subject k (1-based) owns customer
// k, ordersPer orders, itemsPer items per order, csvPer CSV rows and
// logPer log lines. Every value is fake.
const (
	subjects  = 24
	ordersPer = 60
	itemsPer  = 5
	csvPer    = 4
	logPer    = 3
)

func subjectEmail(k int) string { return fmt.Sprintf("crash.subject%02d@example.org", k) }

// dialect is what differs between the servers the test runs against.
type dialect struct {
	name    string
	env     string // the variable holding the admin URL
	example string
	driver  string // database/sql driver
	dsn     func(dbURL string) string
	schema  []string
	data    []string
	create  func(db *sql.DB, name string) error
	drop    string // DROP DATABASE statement, %s = quoted name
	quote   func(string) string
	blocked string // counts executor sessions waiting on a row lock in the current database
}

var dialects = []dialect{{
	name: "postgres", env: "PIIMAP_TEST_POSTGRES", example: "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
	driver: "pgx", dsn: func(u string) string { return u },
	schema: []string{`CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, full_name text, phone text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), ship_to text, total numeric(8,2));
CREATE INDEX ON orders (customer_id);
CREATE TABLE order_items (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders(id), sku text, gift_message text);
CREATE INDEX ON order_items (order_id)`},
	data: []string{
		fmt.Sprintf(`INSERT INTO customers SELECT k, initcap('Crash.Subject' || lpad(k::text, 2, '0')) || '@Example.org',
		   'Person ' || k, '+44 20 7946 ' || lpad((1000 + k)::text, 4, '0') FROM generate_series(1, %d) k`, subjects),
		fmt.Sprintf(`INSERT INTO orders SELECT o, (o - 1) / %d + 1, o || ' Fake Street, Testville', (o %% 97) + 0.5
		   FROM generate_series(1, %d) o`, ordersPer, subjects*ordersPer),
		fmt.Sprintf(`INSERT INTO order_items SELECT i, (i - 1) / %d + 1, 'SKU-' || (i %% 50), CASE WHEN i %% 3 = 0 THEN 'enjoy!' END
		   FROM generate_series(1, %d) i`, itemsPer, subjects*ordersPer*itemsPer),
		`ANALYZE`,
	},
	drop:  "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	quote: spg.QuoteIdent,
	blocked: `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
  AND application_name = 'piimap-executor' AND wait_event_type = 'Lock' AND state = 'active'`,
}, {
	name: "mariadb", env: "PIIMAP_TEST_MYSQL", example: "mysql://root@127.0.0.1:3306/test",
	driver: "mysql", dsn: mysqlDSN,
	schema: []string{
		`CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(80) NOT NULL, full_name VARCHAR(80), phone VARCHAR(40)) ENGINE=InnoDB`,
		`CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, ship_to VARCHAR(80), total DECIMAL(8,2),
		   FOREIGN KEY (customer_id) REFERENCES customers(id)) ENGINE=InnoDB`,
		`CREATE TABLE order_items (id INT PRIMARY KEY, order_id INT NOT NULL, sku VARCHAR(20), gift_message VARCHAR(80),
		   FOREIGN KEY (order_id) REFERENCES orders(id)) ENGINE=InnoDB`,
	},
	data: []string{
		`SET SESSION max_recursive_iterations = 1000000`,
		fmt.Sprintf(`INSERT INTO customers WITH RECURSIVE g(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM g WHERE k < %d)
		   SELECT k, CONCAT('Crash.Subject', LPAD(k, 2, '0'), '@Example.org'), CONCAT('Person ', k), CONCAT('+44 20 7946 ', LPAD(1000 + k, 4, '0')) FROM g`, subjects),
		fmt.Sprintf(`INSERT INTO orders WITH RECURSIVE g(o) AS (SELECT 1 UNION ALL SELECT o + 1 FROM g WHERE o < %d)
		   SELECT o, (o - 1) DIV %d + 1, CONCAT(o, ' Fake Street, Testville'), (o %% 97) + 0.5 FROM g`, subjects*ordersPer, ordersPer),
		fmt.Sprintf(`INSERT INTO order_items WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %d)
		   SELECT i, (i - 1) DIV %d + 1, CONCAT('SKU-', i %% 50), CASE WHEN i %% 3 = 0 THEN 'enjoy!' END FROM g`, subjects*ordersPer*itemsPer, itemsPer),
	},
	drop:  "DROP DATABASE IF EXISTS %s",
	quote: func(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" },
	// (MariaDB 10.11 does not list the waiting transaction in INNODB_TRX:
	// look for the parent's DELETE still running, which it cannot finish
	// while the row is held)
	blocked: "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND = 'Query'" +
		" AND INFO LIKE 'DELETE t FROM %.`customers` AS t WHERE%'",
}}

// mysqlDSN turns a mysql://user:pass@host:port/db URL into a driver DSN.
func mysqlDSN(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	user := ""
	if u.User != nil {
		user = u.User.String() + "@"
	}
	return user + "tcp(" + u.Host + ")" + u.Path + "?multiStatements=false"
}

// writeFiles writes the files store: contacts.csv and app.log.
func writeFiles(t *testing.T, dir string) {
	t.Helper()
	var csv, log strings.Builder
	csv.WriteString("email,full_name,note\n")
	for k := 1; k <= subjects; k++ {
		for j := 0; j < csvPer; j++ {
			fmt.Fprintf(&csv, "%s,Person %d,newsletter %d\n", subjectEmail(k), k, j)
		}
		for j := 0; j < logPer; j++ {
			fmt.Fprintf(&log, "2026-01-0%dT10:00:00Z INFO login ok user=%s session=%d\n", j+1, subjectEmail(k), k*10+j)
		}
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "contacts.csv"), []byte(csv.String()), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.log"), []byte(log.String()), 0o644))
}

// newDB creates a uniquely named database holding the estate and returns
// its URL; it is dropped when the test ends.
func (d dialect) newDB(t *testing.T, admin string) string {
	t.Helper()
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "piimap_crash_" + hex.EncodeToString(b[:])
	adm, err := sql.Open(d.driver, d.dsn(admin))
	require.NoError(t, err)
	defer adm.Close()
	_, err = adm.ExecContext(ctx, "CREATE DATABASE "+d.quote(name))
	require.NoError(t, err)
	t.Cleanup(func() {
		adm, err := sql.Open(d.driver, d.dsn(admin))
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer adm.Close()
		if _, err := adm.ExecContext(ctx, fmt.Sprintf(d.drop, d.quote(name))); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	require.NoError(t, err)
	u.Path = "/" + name
	db := d.open(t, u.String())
	defer db.Close()
	conn, err := db.Conn(ctx) // one session: session settings hold
	require.NoError(t, err)
	defer conn.Close()
	for _, s := range append(append([]string{}, d.schema...), d.data...) {
		_, err := conn.ExecContext(ctx, s)
		require.NoError(t, err, s)
	}
	return u.String()
}

func (d dialect) open(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	db, err := sql.Open(d.driver, d.dsn(dbURL))
	require.NoError(t, err)
	return db
}

// lock holds subject k's customer row FOR UPDATE in an open transaction
// until release is called.
func (d dialect) lock(t *testing.T, dbURL string, k int) (release func()) {
	t.Helper()
	ctx := context.Background()
	db := d.open(t, dbURL)
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	var once sync.Once
	release = func() {
		once.Do(func() {
			_ = tx.Rollback()
			_ = db.Close()
		})
	}
	t.Cleanup(release) // a failing test must not leave the row (and DROP DATABASE) waiting
	_, err = tx.ExecContext(ctx, fmt.Sprintf("SELECT 1 FROM customers WHERE id = %d FOR UPDATE", k))
	require.NoError(t, err)
	return release
}

// waitBlocked waits until an executor session of the estate's database
// waits on a row lock inside its transaction; it fails if the run ends
// first (exited) or never gets there.
func (d dialect) waitBlocked(t *testing.T, dbURL string, exited <-chan struct{}) error {
	t.Helper()
	db := d.open(t, dbURL)
	defer db.Close()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var n int
		if err := db.QueryRow(d.blocked).Scan(&n); err != nil {
			return fmt.Errorf("watching for the lock wait: %w", err)
		}
		if n > 0 {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("the run ended without waiting on the locked row")
		case <-time.After(10 * time.Millisecond):
		}
	}
	return fmt.Errorf("the erasure never reached the locked row")
}

// estate is the state the test checks: per subject, its rows in each table
// and file, and a checksum of everything it owns.
type estate struct {
	rows  map[int]map[string]int // subject → "table" or "file" → rows/lines
	sums  map[int]string         // subject → sha256 of its rows and lines
	parts map[int][]string       // subject → sorted "what\x00row" lines
}

func (d dialect) readEstate(t *testing.T, dbURL, dir string) estate {
	t.Helper()
	db := d.open(t, dbURL)
	defer db.Close()
	e := estate{rows: map[int]map[string]int{}, sums: map[int]string{}, parts: map[int][]string{}}
	add := func(k int, what, line string) {
		if e.rows[k] == nil {
			e.rows[k] = map[string]int{}
		}
		e.rows[k][what]++
		e.parts[k] = append(e.parts[k], what+"\x00"+line)
	}
	// Ownership comes from the generator's id ranges, not from the
	// (possibly erased) parent rows, so an orphan would still be counted.
	queries := map[string]string{
		"customers":   `SELECT id, concat_ws('|', id, email, full_name, phone) FROM customers`,
		"orders":      fmt.Sprintf(`SELECT floor((id - 1) / %d) + 1, concat_ws('|', id, customer_id, ship_to, total) FROM orders`, ordersPer),
		"order_items": fmt.Sprintf(`SELECT floor((id - 1) / %d) + 1, concat_ws('|', id, order_id, sku, gift_message) FROM order_items`, ordersPer*itemsPer),
	}
	for table, q := range queries {
		rows, err := db.Query(q)
		require.NoError(t, err, q)
		for rows.Next() {
			var k float64
			var line string
			require.NoError(t, rows.Scan(&k, &line))
			add(int(k), table, line)
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	for _, f := range []string{"contacts.csv", "app.log"} {
		raw, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		for _, line := range strings.Split(string(raw), "\n") {
			for k := 1; k <= subjects; k++ {
				if strings.Contains(strings.ToLower(line), subjectEmail(k)) {
					add(k, f, line)
				}
			}
		}
	}
	for k, ps := range e.parts {
		sort.Strings(ps)
		sum := sha256.Sum256([]byte(strings.Join(ps, "\n")))
		e.sums[k] = hex.EncodeToString(sum[:])
	}
	return e
}

// sumsWithout recomputes per-subject checksums leaving out some tables or
// files (which the store transaction under test does not cover).
func (e estate) sumsWithout(skip ...string) map[int]string {
	out := map[int]string{}
	for k, parts := range e.parts {
		var keep []string
		for _, p := range parts {
			what, _, _ := strings.Cut(p, "\x00")
			if !slices.Contains(skip, what) {
				keep = append(keep, p)
			}
		}
		sum := sha256.Sum256([]byte(strings.Join(keep, "\n")))
		out[k] = hex.EncodeToString(sum[:])
	}
	return out
}

// buildPiimap builds the command into dir and returns the binary's path.
func buildPiimap(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "piimap")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/piimap/piimap/cmd/piimap")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Run(), "go build ./cmd/piimap:\n%s", out.String())
	return bin
}
