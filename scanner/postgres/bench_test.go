package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/postgres"
	"github.com/piimap/piimap/scanner/scannertest"
)

// BenchmarkScan scans generated schemas of TABLES × ROWS with scanner.Run,
// the real classifier and an in-memory graph. It runs only when
// PIIMAP_BENCH_PG_TABLES lists the shapes, e.g.
//
//	PIIMAP_BENCH_PG_TABLES=1000x10000,50x1000,50x100000 \
//	  go test ./scanner/postgres -run '^$' -bench Scan -benchtime 1x
//
// Each shape lives in its own database piimap_bench_TxR, generated
// server-side with generate_series and ANALYZEd; it is kept for the next
// run when PIIMAP_BENCH_KEEP=1 and dropped otherwise. Reported: wall time
// per scan (ns/op), tables/s and sampled rows read per table.
func BenchmarkScan(b *testing.B) {
	spec := os.Getenv("PIIMAP_BENCH_PG_TABLES")
	if spec == "" {
		b.Skip("PIIMAP_BENCH_PG_TABLES is not set (e.g. 1000x10000,50x1000,50x100000)")
	}
	base := serverURL(b)
	for _, shape := range strings.Split(spec, ",") {
		ts, rs, ok := strings.Cut(strings.TrimSpace(shape), "x")
		tables, err1 := strconv.Atoi(ts)
		rows, err2 := strconv.Atoi(rs)
		if !ok || err1 != nil || err2 != nil || tables <= 0 || rows <= 0 {
			b.Fatalf("PIIMAP_BENCH_PG_TABLES: bad shape %q, want TABLESxROWS", shape)
		}
		b.Run(fmt.Sprintf("tables=%d/rows=%d", tables, rows), func(b *testing.B) {
			dbURL := benchDB(b, base, tables, rows)
			eng, err := classifiers.Default(classifiers.Options{})
			if err != nil {
				b.Fatal(err)
			}
			stores := []scanner.StoreConfig{{Name: "bench", URL: scannertest.WithParams(dbURL, "pool_max_conns", "8"), Sample: scanner.SampleConfig{Seed: 1}}}
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				res, err := scanner.Run(context.Background(), stores, scanner.Options{
					Graph: lineagetest.NewMemGraph(), Classifier: eng, Merge: classifiers.Merge, Concurrency: 8,
				})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Errors) > 0 || res.Run.Units != tables {
					b.Fatalf("scan: %d units, errors %v", res.Run.Units, res.Errors)
				}
				took := time.Since(start)
				b.ReportMetric(float64(tables)/took.Seconds(), "tables/s")
				b.ReportMetric(float64(len(res.Findings)), "findings")
				b.Logf("%d tables × %d rows: scanned in %v (%d findings, %d records)", tables, rows, took.Round(time.Millisecond), len(res.Findings), res.Run.Records)
			}
		})
	}
}

// benchDB returns the URL of a database holding tables × rows, creating it
// unless a complete one is kept from an earlier run.
func benchDB(b *testing.B, base string, tables, rows int) string {
	ctx := context.Background()
	name := fmt.Sprintf("piimap_bench_%dx%d", tables, rows)
	u, _ := url.Parse(base)
	u.Path = "/" + name
	dbURL := u.String()
	keep := os.Getenv("PIIMAP_BENCH_KEEP") == "1"
	if !keep {
		b.Cleanup(func() { dropDB(b, base, name) })
	}
	if conn, err := pgx.Connect(ctx, dbURL); err == nil {
		var done bool
		err := conn.QueryRow(ctx, `SELECT coalesce(shobj_description(oid, 'pg_database'), '') = 'piimap bench complete'
  FROM pg_database WHERE datname = current_database()`).Scan(&done)
		conn.Close(ctx)
		if err == nil && done {
			b.Logf("reusing %s", name)
			return dbURL
		}
	}
	dropDB(b, base, name)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+postgres.QuoteIdent(name)); err != nil {
		b.Fatal(err)
	}
	admin.Close(ctx)
	start := time.Now()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for i := range tables {
		q := fmt.Sprintf(`CREATE TABLE t%04d AS SELECT g AS id,
  'user' || g || '.' || %[1]d || '@example.com' AS email,
  (ARRAY['Ann','Bo','Cy','Di','Ed'])[1 + g %% 5] || ' ' || (ARRAY['Smith','Jones','Brown'])[1 + g %% 3] AS full_name,
  '+44 20 7946 ' || lpad((g %% 10000)::text, 4, '0') AS phone,
  (ARRAY['Lyon','Leeds','Lagos','Lima'])[1 + g %% 4] AS city,
  'SKU-' || (g %% 997) AS sku,
  date '2020-01-01' + (g %% 1500) AS created,
  jsonb_build_object('ip', '10.' || (g %% 250) || '.1.' || (g %% 200), 'plan', 'basic') AS payload
  FROM generate_series(1, %[2]d) g`, i, rows)
		if _, err := conn.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf(`ALTER TABLE t%04d ADD PRIMARY KEY (id)`, i)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "COMMENT ON DATABASE "+postgres.QuoteIdent(name)+" IS 'piimap bench complete'"); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %s (%d tables × %d rows) in %v", name, tables, rows, time.Since(start).Round(time.Millisecond))
	return dbURL
}

func dropDB(b *testing.B, base, name string) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+postgres.QuoteIdent(name)+" WITH (FORCE)"); err != nil {
		b.Fatal(err)
	}
}
