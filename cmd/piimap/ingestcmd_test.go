package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/marcboeker/go-duckdb" // the test warehouse
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/ingest"
)

// ingestEstate writes a DuckDB warehouse with customers (emails) and
// customer_domains (the domain part of each email, which no fingerprint
// can tie to customers), and a config naming it store wh.
func ingestEstate(t *testing.T) (dir, cfg string) {
	t.Helper()
	dir = t.TempDir()
	db, err := sql.Open("duckdb", filepath.Join(dir, "wh.duckdb"))
	require.NoError(t, err)
	for _, stmt := range []string{
		`CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR, full_name VARCHAR)`,
		`INSERT INTO customers SELECT i, 'user' || i || '.zz@example.org', 'Person ' || i FROM range(1, 61) t(i)`,
		`CREATE TABLE customer_domains (customer_ref INTEGER, email_domain VARCHAR)`,
		`INSERT INTO customer_domains SELECT 1000 + i, CASE WHEN i % 2 = 0 THEN 'example.org' ELSE 'example.net' END FROM range(1, 61) t(i)`,
	} {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	require.NoError(t, db.Close())
	cfg = filepath.Join(dir, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`graph: ./graph
stores:
  - name: wh
    url: duckdb://%s/wh.duckdb
    identity: {email: main.customers.email}
`, dir)), 0o600))
	return dir, cfg
}

// manifest is a dbt manifest for the warehouse: customer_domains is built
// from customers (dbt-duckdb names the database after the file).
const manifest = `{
  "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"},
  "sources": {"source.shop.raw.customers": {"resource_type": "source", "database": "wh", "schema": "main",
    "name": "customers", "identifier": "customers", "columns": {"id": {"name": "id"}, "email": {"name": "email"}}}},
  "nodes": {"model.shop.customer_domains": {"resource_type": "model", "database": "wh", "schema": "main",
    "name": "customer_domains", "alias": "customer_domains",
    "compiled_code": "select id + 1000 as customer_ref, split_part(email, '@', 2) as email_domain from \"wh\".\"main\".\"customers\" where email <> 'dbt.canary.0e7a@example.org'",
    "depends_on": {"nodes": ["source.shop.raw.customers"]}}}
}`

// dbtEdges returns the map's dbt edges as "from -> to transform".
func dbtEdges(t *testing.T, c func(args ...string) string) []string {
	t.Helper()
	var m lineage.Map
	require.NoError(t, json.Unmarshal([]byte(c("map", "--format", "json")), &m))
	var out []string
	for _, l := range m.Locations {
		for _, e := range l.Edges {
			if e.Source == lineage.SourceDBT {
				out = append(out, fmt.Sprintf("%s/%s#%s -> %s/%s#%s %s %s", l.Store, l.Asset, l.Field,
					e.To.Store, e.To.Asset, e.To.Field, e.Kind, e.Transform))
			}
		}
	}
	return out
}

func TestLineageIngestDBT(t *testing.T) {
	dir, cfg := ingestEstate(t)
	c := func(args ...string) string { return mustCLI(t, append([]string{"--config", cfg}, args...)...) }
	code, _, _ := cli(t, "--config", cfg, "scan", "-q")
	require.Contains(t, []int{exitOK, exitGaps}, code)
	require.Empty(t, dbtEdges(t, c))

	path := filepath.Join(dir, "manifest.json")
	require.NoError(t, os.WriteFile(path, []byte(manifest), 0o600))
	var sum ingestSummary
	require.NoError(t, json.Unmarshal([]byte(c("lineage", "ingest", "--dbt", path, "--json")), &sum))
	require.Len(t, sum.Sources, 1)
	require.Equal(t, ingest.KindDBT, sum.Sources[0].Kind)
	require.Equal(t, path, sum.Sources[0].Name)
	require.NotEmpty(t, sum.Run)
	require.Equal(t, 3, sum.Written, "two columns and the table")
	require.Equal(t, map[string]int{"dbt": 3}, sum.BySource)
	require.Empty(t, sum.Unresolved)

	want := []string{
		"wh/main.customer_domains#customer_ref -> wh/main.customers#id derived_from transformation",
		"wh/main.customer_domains#email_domain -> wh/main.customers#email derived_from transformation",
	}
	require.Equal(t, want, dbtEdges(t, c))
	up := c("lineage", "wh/main.customer_domains#email_domain", "--up")
	require.Contains(t, up, "└── wh/main.customers#email  derived_from (dbt 0.95, transformation)")
	require.Contains(t, c("lineage", "wh/main.customers#id", "--down"), "wh/main.customer_domains#customer_ref  derived_from (dbt 0.95, transformation)")

	// The same manifest again: same source, nothing new, no run.
	again := c("lineage", "ingest", "--dbt", path)
	require.Contains(t, again, "no run written: the latest run already has all 3 lineage edges")

	// A re-scan rebuilds the edges from the stored source.
	code, _, _ = cli(t, "--config", cfg, "scan", "-q")
	require.Contains(t, []int{exitOK, exitGaps}, code)
	var latest lineage.Map
	require.NoError(t, json.Unmarshal([]byte(c("map", "--format", "json")), &latest))
	require.NotEqual(t, sum.Run, latest.ScanRun, "a new scan run")
	require.Equal(t, want, dbtEdges(t, c), "the dbt edge survives the re-scan")

	// A newer manifest no longer derives email_domain from email: the
	// superseded edge leaves the map with that ingest, not at the next scan.
	v2 := strings.Replace(manifest, `split_part(email, '@', 2) as email_domain`, `'example.org' as email_domain`, 1)
	require.NoError(t, os.WriteFile(path, []byte(v2), 0o600))
	var sum2 ingestSummary
	require.NoError(t, json.Unmarshal([]byte(c("lineage", "ingest", "--dbt", path, "--json")), &sum2))
	require.NotEmpty(t, sum2.Run)
	require.Equal(t, want[:1], dbtEdges(t, c))
	require.Contains(t, c("lineage", "ingest", "--dbt", path), "no run written")

	var sources []sourceSummary
	require.NoError(t, json.Unmarshal([]byte(c("lineage", "sources", "--json")), &sources))
	require.Len(t, sources, 2, "the first manifest is kept, marked superseded by the second")
	old, cur := sources[0], sources[1]
	if old.SupersededBy == "" {
		old, cur = cur, old
	}
	require.Equal(t, cur.ID, old.SupersededBy)
	require.Empty(t, cur.SupersededBy)
	require.Contains(t, c("lineage", "sources"), "dbt ")

	// Nothing of the compiled SQL's literal reached the graph directory.
	grepDir(t, filepath.Join(dir, "graph"), "dbt.canary.0e7a@example.org")
}

// TestLineageIngestLogAndUsage ingests a Postgres log whose relations go
// to the DuckDB store (the only SQL store), then checks usage errors.
func TestLineageIngestLogAndUsage(t *testing.T) {
	dir, cfg := ingestEstate(t)
	c := func(args ...string) (int, string, string) {
		return cli(t, append([]string{"--config", cfg}, args...)...)
	}
	code, _, _ := c("scan", "-q")
	require.Contains(t, []int{exitOK, exitGaps}, code)

	log := filepath.Join(dir, "postgresql.log")
	require.NoError(t, os.WriteFile(log, []byte(
		"2024-01-01 10:00:00.000 UTC [1] LOG:  statement: SELECT * FROM customers WHERE email = 'log.canary.3f19@example.org'\n"+
			"2024-01-01 10:00:01.000 UTC [1] LOG:  statement: INSERT INTO customer_domains (customer_ref, email_domain)\n"+
			"\tSELECT id, md5(email) FROM customers WHERE email = 'log.canary.3f19@example.org'\n"+
			"2024-01-01 10:00:02.000 UTC [1] DETAIL:  parameters: $1 = 'log.canary.3f19@example.org'\n"+
			"2024-01-01 10:00:03.000 UTC [1] LOG:  statement: INSERT INTO elsewhere SELECT * FROM nowhere\n"), 0o600))
	code, out, errs := c("lineage", "ingest", "--pg-log", log)
	require.Equal(t, exitOK, code, errs)
	require.Contains(t, out, "3 statements read, 2 with lineage, 1 without lineage (literals masked)")
	require.Contains(t, out, "lineage edges from 1 stored sources (sql 3)", "wh is the only SQL store: bare names go to it")
	require.Contains(t, out, "1 edges wait for their assets or fields to be scanned", "main.elsewhere is not in the map")
	require.NotContains(t, out, "unresolved")
	_, out, _ = c("lineage", "wh/main.customer_domains#email_domain", "--up")
	require.Contains(t, out, "derived_from (sql 0.80, masked)")
	grepDir(t, filepath.Join(dir, "graph"), "log.canary.3f19@example.org")

	for _, bad := range [][]string{
		{"lineage", "ingest"},
		{"lineage", "ingest", "--apply", "--store", "nope"},
		{"lineage", "ingest", "--pg-stat-statements", "wh"},
		{"lineage", "ingest", "--pg-stat-statements", "nope"},
		{"lineage", "ingest", "--pg-log", log, "--pg-log-format", "syslog"},
		{"lineage", "ingest", "extra-arg", "--apply"},
		{"lineage", "serve", "--max-body", "0"},
		{"lineage", "sources", "x"},
	} {
		code, _, errs := c(bad...)
		require.Equal(t, exitUsage, code, "%v: %s", bad, errs)
	}
	selects := filepath.Join(dir, "selects.log")
	require.NoError(t, os.WriteFile(selects, []byte("x LOG:  statement: SELECT 1\n"), 0o600))
	code, out, errs = c("lineage", "ingest", "--pg-log", selects)
	require.Equal(t, exitOK, code, errs)
	require.Contains(t, out, "not stored sql_log "+selects+": 1 statements read, none with lineage")
	require.NotContains(t, mustWith(t, cfg, "lineage", "sources"), "selects.log")

	code, _, errs = c("lineage", "ingest", "--dbt", filepath.Join(dir, "missing.json"))
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "no such file")
	code, _, errs = c("lineage", "ingest", "--openlineage", log)
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "openlineage")
}

func TestLineageIngestPGStatStatements(t *testing.T) {
	url := os.Getenv("PIIMAP_TEST_POSTGRES")
	if url == "" {
		t.Skip("PIIMAP_TEST_POSTGRES is unset (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("graph: ./graph\nstores:\n  - name: app\n    url: "+url+"\n"), 0o600))
	code, _, errs := cli(t, "--config", cfg, "lineage", "ingest", "--pg-stat-statements", "app")
	if strings.Contains(errs, "not installed") || strings.Contains(errs, "shared_preload_libraries") {
		require.Equal(t, exitError, code)
		require.Contains(t, errs, "store app")
		require.NotContains(t, errs, "postgres://", "no URL in the error")
		return
	}
	require.Equal(t, exitOK, code, "pg_stat_statements is available: %s", errs)
}

// TestLineageServe runs `lineage serve` in-process on a free port, posts an
// event, stops it by cancelling, and applies the stored event.
func TestLineageServe(t *testing.T) {
	dir, cfg := ingestEstate(t)
	code, _, _ := cli(t, "--config", cfg, "scan", "-q")
	require.Contains(t, []int{exitOK, exitGaps}, code)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errb bytes.Buffer
	go func() {
		done <- run(ctx, []string{"--config", cfg, "lineage", "serve", "--listen", addr}, strings.NewReader(""), &bytes.Buffer{}, &errb)
	}()
	ns := "duckdb://" + filepath.ToSlash(filepath.Join(dir, "wh.duckdb"))
	event := `{"eventType":"COMPLETE","eventTime":"2026-01-02T03:04:05Z","run":{"runId":"r1"},"job":{"namespace":"cron","name":"domains"},
	  "inputs":[{"namespace":"` + ns + `","name":"main.customers"}],
	  "outputs":[{"namespace":"` + ns + `","name":"main.customer_domains","facets":{"columnLineage":{"fields":{
	    "email_domain":{"inputFields":[{"namespace":"` + ns + `","name":"main.customers","field":"email","transformations":[{"type":"DIRECT","subtype":"TRANSFORMATION","masking":true}]}]}}}}}]}`
	var resp *http.Response
	require.Eventually(t, func() bool {
		resp, err = http.Post("http://"+addr+ingest.LineagePath, "application/json", strings.NewReader(event))
		return err == nil
	}, 10*time.Second, 50*time.Millisecond)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)

	// The server does not hold the graph: a scan runs beside it.
	code, _, errs := cli(t, "--config", cfg, "scan", "-q")
	require.Contains(t, []int{exitOK, exitGaps}, code, errs)
	cancel()
	select {
	case code := <-done:
		require.Equal(t, exitOK, code, errb.String())
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	require.Contains(t, errb.String(), "receiving OpenLineage events at http://"+addr+ingest.LineagePath)

	out := mustCLI(t, "--config", cfg, "lineage", "wh/main.customer_domains#email_domain", "--up")
	require.Contains(t, out, "derived_from (openlineage 0.95, masked)", "the scan applied the stored event")
	require.Contains(t, mustCLI(t, "--config", cfg, "lineage", "ingest", "--apply"), "no run written: the latest run already has all 2 lineage edges")
}

// mustWith runs piimap --config cfg args… and wants exit 0.
func mustWith(t *testing.T, cfg string, args ...string) string {
	t.Helper()
	return mustCLI(t, append([]string{"--config", cfg}, args...)...)
}

// grepDir fails if any file under dir holds s.
func grepDir(t *testing.T, dir, s string) {
	t.Helper()
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		require.False(t, bytes.Contains(b, []byte(s)), "raw value found in %s", p)
		return nil
	}))
	require.NotZero(t, files)
}
