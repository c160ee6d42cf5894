package postgres_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/internal/hangcheck"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/postgres"
	"github.com/piimap/piimap/scanner/scannertest"
)

func TestConformance(t *testing.T) {
	serverURL(t)
	scannertest.RunConformance(t, harness{})
}

var estate = []string{
	`CREATE TABLE customers (id bigint PRIMARY KEY, email text UNIQUE NOT NULL, name text, profile jsonb, tags text[], born date)`,
	`COMMENT ON TABLE customers IS 'one row per customer'`,
	`COMMENT ON COLUMN customers.email IS 'login address'`,
	`CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers(id), sku text, raw bytea)`,
	`CREATE SCHEMA crm`,
	`CREATE TABLE crm.accounts (a int, b int, owner text, PRIMARY KEY (a, b))`,
	`CREATE TABLE crm.links (x int, y int, FOREIGN KEY (x, y) REFERENCES crm.accounts(a, b))`,
	`CREATE TABLE events (id bigint, at date, payload json) PARTITION BY RANGE (at)`,
	`CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')`,
	`CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
	`INSERT INTO customers SELECT i, 'c' || i || '@example.test', 'Name ' || i,
	   jsonb_build_object('contact', jsonb_build_object('email', 'p' || i || '@example.test'), 'age', i % 90),
	   ARRAY['t1', 't2'], date '1970-01-01' + i FROM generate_series(1, 1000) i`,
	`INSERT INTO orders SELECT i, 1 + i % 1000, 'SKU-' || i, convert_to('r' || i, 'UTF8') FROM generate_series(1, 3000) i`,
	`INSERT INTO crm.accounts SELECT i, i, 'o' || i FROM generate_series(1, 10) i`,
	`INSERT INTO events SELECT i, date '2025-06-01' + (i % 400), json_build_object('user', json_build_object('email', 'e' || i || '@example.test'))
	   FROM generate_series(1, 800) i`,
	`CREATE VIEW customer_emails AS SELECT id, email FROM customers`,
	`CREATE MATERIALIZED VIEW order_counts AS SELECT customer_id, count(*) AS n FROM orders GROUP BY 1`,
	`ANALYZE`,
}

func open(t *testing.T, dbURL string, sample scanner.SampleConfig) scanner.Source {
	return scannertest.Open(t, scanner.StoreConfig{Name: "app", URL: dbURL, Sample: sample}, postgres.Kind)
}

func TestEnumerateSampleAndEdges(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t, estate...)
	src := open(t, dbURL, scanner.SampleConfig{Rows: 20, Seed: 3})

	us := scannertest.Units(t, src)
	var names []string
	for n, u := range us {
		names = append(names, n+":"+u.Meta[postgres.MetaRelation])
	}
	slices.Sort(names)
	assert.Equal(t, []string{
		"crm.accounts:table", "crm.links:table", "public.customer_emails:view", "public.customers:table",
		"public.events:partitioned_table", "public.order_counts:materialized_view", "public.orders:table",
	}, names, "partitions are read through their parent")
	cust := us["public.customers"]
	assert.Equal(t, int64(1000), cust.Rows)
	assert.Equal(t, "reltuples", cust.Meta[postgres.MetaRowsEstimate])
	assert.Equal(t, "one row per customer", cust.Meta[piimap.MetaComment])
	assert.Equal(t, "postgres://127.0.0.1:5432", cust.Loc.Namespace)
	assert.Equal(t, int64(800), us["public.events"].Rows, "partitioned estimate sums the leaves")
	assert.Equal(t, "tablesample", cust.Meta[postgres.MetaSampling])
	assert.Equal(t, "hash_order", us["public.customer_emails"].Meta[postgres.MetaSampling])
	assert.Equal(t, "none", us["crm.links"].Meta["primary_key"])

	recs := scannertest.SampleFields(t, src, cust, scanner.Sample{Rows: 20, Seed: 3})
	assert.ElementsMatch(t, []string{"id", "email", "name", "profile.contact.email", "profile.age", "tags[]", "born"}, scannertest.FieldNames(recs))
	email := recs["email"]
	assert.Len(t, email.Values, 20)
	assert.Equal(t, "text", email.Meta[piimap.MetaSQLType])
	assert.Equal(t, "true", email.Meta[piimap.MetaUnique])
	assert.Equal(t, "false", email.Meta[piimap.MetaNullable])
	assert.Equal(t, "login address", email.Meta[piimap.MetaComment])
	assert.Equal(t, "true", recs["id"].Meta[piimap.MetaPrimaryKey])
	assert.Equal(t, "20", email.Meta[piimap.MetaRowsSampled])
	assert.Equal(t, "1000", email.Meta[piimap.MetaRowsTotal])
	assert.Equal(t, "bernoulli(12.4)", email.Meta[postgres.MetaSampling])
	pe := recs["profile.contact.email"]
	assert.Equal(t, "jsonb", pe.Meta[piimap.MetaSQLType])
	assert.Equal(t, "profile.contact.email", pe.Meta[postgres.MetaJSONPath])
	assert.Len(t, pe.Values, 20)
	for _, v := range pe.Values {
		assert.Regexp(t, `^p\d+@example\.test$`, v)
	}
	assert.Equal(t, "text[]", recs["tags[]"].Meta[piimap.MetaSQLType])
	for i, id := range recs["id"].Values { // rows stay aligned
		n, _ := strconv.Atoi(id)
		assert.Equal(t, fmt.Sprintf("c%d@example.test", n), email.Values[i])
	}

	// Composite keys, PK flags on every key column; bytea in escape form.
	acc := scannertest.SampleFields(t, src, us["crm.accounts"], scanner.Sample{Rows: 5, Seed: 1})
	assert.Equal(t, "true", acc["a"].Meta[piimap.MetaPrimaryKey])
	assert.Equal(t, "true", acc["b"].Meta[piimap.MetaPrimaryKey])
	assert.Empty(t, acc["a"].Meta[piimap.MetaUnique], "a composite key makes no single column unique")
	ord := scannertest.SampleFields(t, src, us["public.orders"], scanner.Sample{Rows: 10, Seed: 1})
	assert.Regexp(t, `^r\d+$`, ord["raw"].Values[0])

	// Partitioned JSON, the view and the materialized view sample too.
	ev := scannertest.SampleFields(t, src, us["public.events"], scanner.Sample{Rows: 30, Seed: 1})
	assert.Len(t, ev["payload.user.email"].Values, 30)
	assert.Equal(t, "json", ev["payload.user.email"].Meta[piimap.MetaSQLType])
	vw := scannertest.SampleFields(t, src, us["public.customer_emails"], scanner.Sample{Rows: 25, Seed: 1})
	assert.Len(t, vw["email"].Values, 25)
	assert.Equal(t, "hash_order", vw["email"].Meta[postgres.MetaSampling])
	mv := scannertest.SampleFields(t, src, us["public.order_counts"], scanner.Sample{Rows: 25, Seed: 1})
	assert.Len(t, mv["customer_id"].Values, 25)

	// An adaptive re-read of one JSON path touches only its column.
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
		assert.Equal(t, "postgres://127.0.0.1:5432", e.From.Namespace)
		edges = append(edges, e.From.String()+" -> "+e.To.String())
		return nil
	}))
	assert.Equal(t, []string{
		"app/crm.links#x -> app/crm.accounts#a",
		"app/crm.links#y -> app/crm.accounts#b",
		"app/public.orders#customer_id -> app/public.customers#id",
	}, edges)
}

// TestSampleTail plants emails only in the last 10% of 20k-row tables and
// checks every sampling path finds them, reproducibly, at about their
// share: a head-only sample (piicatcher, dmap) would find none.
func TestSampleTail(t *testing.T) {
	fill := func(table, pad string) string {
		return `INSERT INTO ` + table + ` SELECT i, CASE WHEN i > 18000 THEN 'tail' || i || '@example.test' ELSE 'n/a' END, ` + pad +
			` FROM generate_series(1, 20000) i`
	}
	dbURL := newDB(t,
		`CREATE TABLE narrow (id int PRIMARY KEY, contact text, pad text)`, fill("narrow", "''"),
		`CREATE TABLE wide (id int PRIMARY KEY, contact text, pad text)`, fill("wide", "repeat('x', 400)"),
		`ANALYZE narrow`, `ANALYZE wide`,
		`CREATE TABLE fresh (id int PRIMARY KEY, contact text, pad text)`, fill("fresh", "''"), // never analyzed
	)
	src := open(t, dbURL, scanner.SampleConfig{})
	us := scannertest.Units(t, src)
	tests := []struct {
		table, method string
	}{
		{"public.narrow", "bernoulli"},
		{"public.wide", "system"},
		{"public.fresh", "bernoulli"},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			s := scanner.Sample{Rows: 200, Seed: 7}
			a := scannertest.SampleFields(t, src, us[tt.table], s)
			b := scannertest.SampleFields(t, src, us[tt.table], s)
			c := scannertest.SampleFields(t, src, us[tt.table], scanner.Sample{Rows: 200, Seed: 8})
			assert.Equal(t, a["id"].Values, b["id"].Values, "same seed, same sample")
			assert.NotEqual(t, a["id"].Values, c["id"].Values, "another seed, another sample")
			assert.Len(t, a["id"].Values, 200)
			assert.True(t, strings.HasPrefix(a["id"].Meta[postgres.MetaSampling], tt.method), a["id"].Meta[postgres.MetaSampling])
			tail := 0
			for _, v := range a["contact"].Values {
				if strings.HasPrefix(v, "tail") {
					tail++
				}
			}
			// 10% of 200 is 20; a binomial sample falls in [5, 45] with
			// overwhelming probability, and the seed fixes it anyway.
			assert.GreaterOrEqual(t, tail, 5, "planted tail rows found")
			assert.LessOrEqual(t, tail, 45)
			ids := slices.Clone(a["id"].Values)
			slices.SortFunc(ids, func(x, y string) int { i, _ := strconv.Atoi(x); j, _ := strconv.Atoi(y); return i - j })
			lo, _ := strconv.Atoi(ids[0])
			hi, _ := strconv.Atoi(ids[len(ids)-1])
			assert.Less(t, lo, 2000, "sample reaches the head")
			assert.Greater(t, hi, 18000, "sample reaches the tail")
			t.Logf("%s: %s, %d tail rows of 200", tt.table, a["id"].Meta[postgres.MetaSampling], tail)
		})
	}
}

func TestPlanSample(t *testing.T) {
	tests := []struct {
		n          int
		est, pages int64
		want       string
	}{
		{200, -1, 0, "bernoulli(100)"},
		{200, 0, 0, "bernoulli(100)"},
		{200, 600, 5, "bernoulli(100)"},
		{200, 10_000, 80, "bernoulli(6.64)"},
		{200, 100_000, 800, "system(8)"},
		{200, 10_000_000, 80_000, "system(0.08)"},
		{2000, 100_000, 800, "system(8)"},
		{5000, 100_000, 800, "bernoulli(15.064)"},
		{50, 1_000_000_000, 10_000_000, "system(0.00064)"},
	}
	for _, tt := range tests {
		got := postgres.PlanSample(tt.n, tt.est, tt.pages)
		assert.Equal(t, tt.want, got.String(), "n=%d est=%d pages=%d", tt.n, tt.est, tt.pages)
		assert.Greater(t, got.Pct, 0.0)
		assert.LessOrEqual(t, got.Pct, 100.0)
	}
	p := postgres.Plan{Method: "SYSTEM", Pct: 1}
	assert.Equal(t, "system(4)", p.Grow().String())
	assert.Equal(t, "bernoulli(16)", p.Grow().Grow().String())
	assert.Equal(t, "bernoulli(100)", p.Grow().Grow().Grow().Grow().String())
}

func TestReadOnlyTransaction(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t, `CREATE TABLE t (id int)`)
	pool, cfg, err := postgres.Open(ctx, dbURL, true)
	require.NoError(t, err)
	defer pool.Close()
	tx, err := cfg.Begin(ctx, pool, pgx.ReadOnly)
	require.NoError(t, err)
	var st, lt string
	require.NoError(t, tx.QueryRow(ctx, `SELECT current_setting('statement_timeout'), current_setting('lock_timeout')`).Scan(&st, &lt))
	assert.Equal(t, "30s", st)
	assert.Equal(t, "5s", lt)
	_, err = tx.Exec(ctx, `INSERT INTO t VALUES (1)`)
	assert.Equal(t, postgres.CodeReadOnlySQLTx, postgres.ErrorCode(err))
	_ = tx.Rollback(ctx)
	// Outside Begin, the scanner pool is read-only too; the settings did
	// not leak into the session.
	_, err = pool.Exec(ctx, `INSERT INTO t VALUES (1)`)
	assert.Equal(t, postgres.CodeReadOnlySQLTx, postgres.ErrorCode(err))
	require.NoError(t, pool.QueryRow(ctx, `SELECT current_setting('statement_timeout')`).Scan(&st))
	assert.Equal(t, "0", st)
}

func TestUnreachable(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, url string
		notFound  bool
	}{
		{"closed port", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable", false},
	}
	if base := os.Getenv(envURL); base != "" {
		u, err := url.Parse(base)
		require.NoError(t, err)
		u.Path = "/piimap_no_such_db"
		tests = append(tests, struct {
			name, url string
			notFound  bool
		}{"missing database", u.String(), true})
	}
	// A loopback listener that accepts and never answers: the connect
	// timeout, not the network, must end the attempt.
	silent := silentListener(t)
	tests = append(tests, struct {
		name, url string
		notFound  bool
	}{"silent endpoint", fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable&connect_timeout=1", silent), false})
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
			assert.Contains(t, err.Error(), "postgres: connect")
			t.Logf("%v", err)
		})
	}
}

func TestStatementTimeout(t *testing.T) {
	dbURL := newDB(t,
		`CREATE TABLE t (id int PRIMARY KEY, v text)`,
		`INSERT INTO t VALUES (1, 'a')`,
		`CREATE VIEW slow AS SELECT id, v, pg_sleep(3)::text AS z FROM t`,
	)
	src := open(t, scannertest.WithParams(dbURL, "statement_timeout", "300ms"), scanner.SampleConfig{})
	// The error is the server's query-cancel code for the statement
	// timeout, so the view's 3 s sleep was cut short; the bound only
	// catches a read that never ends.
	var err error
	hangcheck.NoHang(t, hangcheck.Limit(300*time.Millisecond), func() {
		err = src.Read(context.Background(), scannertest.Units(t, src)["public.slow"], func(piimap.Record) error { return nil })
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "statement timeout")
	assert.Equal(t, postgres.CodeQueryCanceled, postgres.ErrorCode(err))
	// The fast table still reads on the same source.
	require.NoError(t, src.Read(context.Background(), scannertest.Units(t, src)["public.t"], func(piimap.Record) error { return nil }))
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
