package mysql_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/mysql"
	"github.com/piimap/piimap/scanner/scannertest"
)

// BenchmarkScan scans generated databases of TABLES × ROWS with
// scanner.Run, the real classifier and an in-memory graph. It runs only
// when PIIMAP_BENCH_MYSQL_TABLES lists the shapes, e.g.
//
//	PIIMAP_BENCH_MYSQL_TABLES=50x1000,50x100000 \
//	  go test ./scanner/mysql -run '^$' -bench Scan -benchtime 1x
//
// Each shape lives in database piimap_bench_TxR, generated server-side; it
// is kept for the next run when PIIMAP_BENCH_KEEP=1 and dropped otherwise.
func BenchmarkScan(b *testing.B) {
	spec := os.Getenv("PIIMAP_BENCH_MYSQL_TABLES")
	if spec == "" {
		b.Skip("PIIMAP_BENCH_MYSQL_TABLES is not set (e.g. 50x1000,50x100000)")
	}
	serverURL(b)
	for _, shape := range strings.Split(spec, ",") {
		ts, rs, ok := strings.Cut(strings.TrimSpace(shape), "x")
		tables, err1 := strconv.Atoi(ts)
		rows, err2 := strconv.Atoi(rs)
		if !ok || err1 != nil || err2 != nil || tables <= 0 || rows <= 0 || rows > 100_000 {
			b.Fatalf("PIIMAP_BENCH_MYSQL_TABLES: bad shape %q, want TABLESxROWS with ROWS ≤ 100000", shape)
		}
		b.Run(fmt.Sprintf("tables=%d/rows=%d", tables, rows), func(b *testing.B) {
			u := benchDB(b, tables, rows)
			eng, err := classifiers.Default(classifiers.Options{})
			if err != nil {
				b.Fatal(err)
			}
			stores := []scanner.StoreConfig{{Name: "bench", URL: scannertest.WithParams(u, "pool_max_conns", "8"), Sample: scanner.SampleConfig{Seed: 1}}}
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
				b.Logf("%d tables × %d rows: scanned in %v (%d findings, %d records)", tables, rows, took.Round(time.Millisecond), len(res.Findings), res.Run.Records)
			}
		})
	}
}

func benchDB(b *testing.B, tables, rows int) string {
	ctx := context.Background()
	name := fmt.Sprintf("piimap_bench_%dx%d", tables, rows)
	u := dbURL(b, name)
	if os.Getenv("PIIMAP_BENCH_KEEP") != "1" {
		b.Cleanup(func() { execAll(b, dbURL(b, ""), "DROP DATABASE IF EXISTS "+mysql.QuoteIdent(name)) })
	}
	if db, err := mysql.Open(ctx, u); err == nil {
		var n int
		err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_COMMENT = 'complete'`).Scan(&n)
		db.Close()
		if err == nil && n == tables {
			b.Logf("reusing %s", name)
			return u
		}
	}
	start := time.Now()
	execAll(b, dbURL(b, ""), "DROP DATABASE IF EXISTS "+mysql.QuoteIdent(name), "CREATE DATABASE "+mysql.QuoteIdent(name))
	stmts := append(seq(rows), `CREATE TEMPORARY TABLE IF NOT EXISTS noop (x INT)`)
	for i := range tables {
		stmts = append(stmts,
			fmt.Sprintf(`CREATE TABLE t%04d (id INT PRIMARY KEY, email VARCHAR(100), full_name VARCHAR(60), phone VARCHAR(30),
  city VARCHAR(20), sku VARCHAR(20), created DATE, payload JSON)`, i),
			fmt.Sprintf(`INSERT INTO t%04d SELECT i, CONCAT('user', i, '.', %d, '@example.com'),
  CONCAT(ELT(1 + i %% 5, 'Ann', 'Bo', 'Cy', 'Di', 'Ed'), ' ', ELT(1 + i %% 3, 'Smith', 'Jones', 'Brown')),
  CONCAT('+44 20 7946 ', LPAD(i %% 10000, 4, '0')), ELT(1 + i %% 4, 'Lyon', 'Leeds', 'Lagos', 'Lima'),
  CONCAT('SKU-', i %% 997), DATE_ADD('2020-01-01', INTERVAL i %% 1500 DAY),
  JSON_OBJECT('ip', CONCAT('10.', i %% 250, '.1.', i %% 200), 'plan', 'basic') FROM seq`, i, i),
			fmt.Sprintf(`ALTER TABLE t%04d COMMENT 'complete'`, i),
		)
	}
	stmts = append(stmts, `DROP TABLE seq`)
	execAll(b, u, stmts...)
	b.Logf("generated %s (%d tables × %d rows) in %v", name, tables, rows, time.Since(start).Round(time.Millisecond))
	return u
}
