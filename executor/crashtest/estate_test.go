package crashtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	spg "github.com/piimap/piimap/scanner/postgres"
)

// The estate: customers ← orders ← order_items in Postgres, and a CSV and
// a log file in a files store. Subject k (1-based) owns customer k,
// ordersPer orders, itemsPer items per order, csvPer CSV rows and logPer
// log lines. Every value is fake.
const (
	subjects  = 24
	ordersPer = 60
	itemsPer  = 5
	csvPer    = 4
	logPer    = 3
)

const schemaSQL = `
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, full_name text, phone text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), ship_to text, total numeric(8,2));
CREATE INDEX ON orders (customer_id);
CREATE TABLE order_items (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders(id), sku text, gift_message text);
CREATE INDEX ON order_items (order_id);
CREATE TABLE skus (sku text PRIMARY KEY, title text)`

func subjectEmail(k int) string { return fmt.Sprintf("crash.subject%02d@example.org", k) }

var dataSQL = []string{
	fmt.Sprintf(`INSERT INTO customers SELECT k, initcap('Crash.Subject' || lpad(k::text, 2, '0')) || '@Example.org',
	   'Person ' || k, '+44 20 7946 ' || lpad((1000 + k)::text, 4, '0') FROM generate_series(1, %d) k`, subjects),
	fmt.Sprintf(`INSERT INTO orders SELECT o, (o - 1) / %d + 1, o || ' Fake Street, Testville', (o %% 97) + 0.5
	   FROM generate_series(1, %d) o`, ordersPer, subjects*ordersPer),
	fmt.Sprintf(`INSERT INTO order_items SELECT i, (i - 1) / %d + 1, 'SKU-' || (i %% 50), CASE WHEN i %% 3 = 0 THEN 'enjoy!' END
	   FROM generate_series(1, %d) i`, itemsPer, subjects*ordersPer*itemsPer),
	`INSERT INTO skus SELECT 'SKU-' || s, 'Thing ' || s FROM generate_series(0, 49) s`,
	`ANALYZE`,
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

// newDB creates a uniquely named database with the estate and returns its
// URL; it is dropped when the test ends.
func newDB(t *testing.T, admin string) string {
	t.Helper()
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "piimap_crash_" + hex.EncodeToString(b[:])
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
	conn, err = pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, s := range append([]string{schemaSQL}, dataSQL...) {
		_, err := conn.Exec(ctx, s)
		require.NoError(t, err, s)
	}
	return u.String()
}

// estate reads the state the test checks: per subject, its rows in each
// table and file, and a checksum of everything it owns.
type estate struct {
	rows  map[int]map[string]int // subject → "table" or "file" → rows/lines
	sums  map[int]string         // subject → sha256 of its rows and lines
	parts map[int][]string       // subject → sorted "what\x00row" lines
}

func readEstate(t *testing.T, dbURL, dir string) estate {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	e := estate{rows: map[int]map[string]int{}, sums: map[int]string{}}
	parts := map[int][]string{}
	add := func(k int, what, line string) {
		if e.rows[k] == nil {
			e.rows[k] = map[string]int{}
		}
		e.rows[k][what]++
		parts[k] = append(parts[k], what+"\x00"+line)
	}
	// Ownership comes from the generator's id ranges, not from the
	// (possibly erased) parent rows, so an orphan would still be counted.
	queries := map[string]string{
		"customers":   `SELECT id, t::text FROM customers t`,
		"orders":      fmt.Sprintf(`SELECT (id - 1) / %d + 1, t::text FROM orders t`, ordersPer),
		"order_items": fmt.Sprintf(`SELECT (id - 1) / %d + 1, t::text FROM order_items t`, ordersPer*itemsPer),
	}
	for table, q := range queries {
		rows, err := conn.Query(ctx, q)
		require.NoError(t, err)
		for rows.Next() {
			var k int
			var line string
			require.NoError(t, rows.Scan(&k, &line))
			add(k, table, line)
		}
		require.NoError(t, rows.Err())
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
	for k, ps := range parts {
		sort.Strings(ps)
		sum := sha256.Sum256([]byte(strings.Join(ps, "\n")))
		e.sums[k] = hex.EncodeToString(sum[:])
	}
	e.parts = parts
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
