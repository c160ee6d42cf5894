package scanner_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/rules"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/duckdb"
	_ "github.com/piimap/piimap/scanner/files"
)

// TestEndToEnd scans a temp directory and a temp DuckDB warehouse with the
// real classifier into a real Badger graph, twice, and checks the map.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "files")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "logs"), 0o755))

	var csv strings.Builder
	csv.WriteString("customer_id,email,order_ref\n")
	for i := range 500 {
		fmt.Fprintf(&csv, "%d,user%d@example.com,%s\n", i, i, uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprint(i))))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "export.csv"), []byte(csv.String()), 0o644))
	var log strings.Builder
	for i := range 300 {
		fmt.Fprintf(&log, `{"level":"info","msg":"password reset sent to user%d@example.com","req":{"ip":"10.1.%d.%d"}}`+"\n", i, i%200, i%250)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "logs/app.jsonl"), []byte(log.String()), 0o644))
	var txt strings.Builder
	for i := range 300 {
		fmt.Fprintf(&txt, "2026-01-01T00:00:%02dZ login ok for user%d@example.com build 1.2.3.%d\n", i%60, i, i%9)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "logs/auth.log"), []byte(txt.String()), 0o644))

	whURL := "duckdb://" + filepath.Join(root, "wh.duckdb")
	db, err := duckdb.Open(ctx, whURL, false)
	require.NoError(t, err)
	for _, q := range []string{
		`CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR, sku VARCHAR)`,
		`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id))`,
		`INSERT INTO customers SELECT i, 'c' || i || '@example.org', 'SKU-' || (i % 97) FROM range(1, 801) t(i)`,
		`INSERT INTO orders SELECT i, 1 + i % 800 FROM range(1, 2001) t(i)`,
	} {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, db.Close())

	rs, err := rules.Default()
	require.NoError(t, err)
	eng, err := classifiers.New(rs, classifiers.Options{})
	require.NoError(t, err)
	g, err := badgerstore.Open(filepath.Join(root, "graph"))
	require.NoError(t, err)
	defer g.Close()

	stores := []scanner.StoreConfig{
		{Name: "lake", URL: "file://" + dir, Tenant: "acme", Sample: scanner.SampleConfig{Seed: 1}},
		{Name: "wh", URL: whURL, Tenant: "acme", Identity: map[string]string{piimap.KeyEmail: "main.customers.email"}},
	}
	opt := scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, Concurrency: 2}
	res, err := scanner.Run(ctx, stores, opt)
	require.NoError(t, err)
	assert.Empty(t, res.Errors)
	assert.Equal(t, lineage.RunComplete, res.Run.Status)

	types := map[string][]string{}
	for _, f := range res.Findings {
		types[f.Loc.String()] = append(types[f.Loc.String()], f.Type)
	}
	assert.Contains(t, types["lake/export.csv#email"], piimap.TypeEmail)
	assert.NotContains(t, types, "lake/export.csv#order_ref", "UUIDs are not PII")
	assert.Contains(t, types["lake/logs/app.jsonl#msg"], piimap.TypeEmail, "PII inside log message strings")
	assert.Contains(t, types["lake/logs/auth.log"], piimap.TypeEmail)
	assert.Contains(t, types["wh/main.customers#email"], piimap.TypeEmail)
	assert.NotContains(t, types, "wh/main.customers#sku")
	t.Logf("findings: %v", types)

	// The map read back from Badger: FK edge, identity hint, no raw values.
	var refs int
	require.NoError(t, g.Edges(ctx, res.RunID, piimap.Location{Store: "wh", Name: "main.customers", Field: "id"}, lineage.In, func(e lineage.Edge) error {
		if e.Kind == lineage.EdgeReferences && e.From.Name == "main.orders" {
			refs++
		}
		return nil
	}))
	assert.Equal(t, 1, refs)
	require.NoError(t, g.Nodes(ctx, res.RunID, func(n lineage.Node) error {
		if n.Loc.String() == "wh/main.customers#email" {
			assert.Equal(t, piimap.KeyEmail, n.Attrs[lineage.AttrIdentity])
		}
		for _, v := range n.Attrs {
			assert.NotContains(t, v, "@example")
		}
		return nil
	}))
	require.NoError(t, g.Findings(ctx, res.RunID, func(f piimap.Finding) error {
		for _, ev := range f.Evidence {
			assert.NotRegexp(t, `(user|c)\d+@example`, ev)
		}
		assert.NotRegexp(t, `(user|c)\d+@example`, f.Masked)
		return nil
	}))

	// Reproducible: a second scan finds the same thing.
	res2, err := scanner.Run(ctx, stores, opt)
	require.NoError(t, err)
	require.Equal(t, len(res.Findings), len(res2.Findings))
	for i := range res.Findings {
		assert.Equal(t, res.Findings[i], res2.Findings[i])
	}
}
