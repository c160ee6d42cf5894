package mysql_test

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/mysql"
)

// TestInferredJoinKeys scans tables whose join keys are partly undeclared:
// the name-related, contained ones become inferred `references` edges; a
// lookalike column (referrer_id), a poorly contained one and a declared
// foreign key do not.
func TestInferredJoinKeys(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t, append(seq(1000),
		`CREATE TABLE members (member_id BIGINT PRIMARY KEY, name VARCHAR(20))`,
		`INSERT INTO members SELECT i, CONCAT('m', i) FROM seq WHERE i <= 300`,
		`CREATE TABLE invoices (id BIGINT PRIMARY KEY, member_id BIGINT, amount INT)`,
		`INSERT INTO invoices SELECT i, 1 + i % 300, i FROM seq`,
		`CREATE TABLE customers (id INT PRIMARY KEY, code VARCHAR(20) UNIQUE)`,
		`INSERT INTO customers SELECT i, CONCAT('C-', i) FROM seq WHERE i <= 400`,
		`CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT, referrer_id BIGINT, customer_code VARCHAR(20))`,
		`INSERT INTO orders SELECT i, 1 + i % 400, 1 + (i * 7) % 400, CONCAT('C-', 1 + i % 400) FROM seq`,
		`CREATE TABLE payments (id BIGINT PRIMARY KEY, member_id BIGINT)`,
		`INSERT INTO payments SELECT i, i FROM seq WHERE i <= 600`,
		`CREATE TABLE shipments (id BIGINT PRIMARY KEY, customer_id INT, FOREIGN KEY (customer_id) REFERENCES customers (id))`,
		`INSERT INTO shipments SELECT i, 1 + i % 400 FROM seq WHERE i <= 500`,
		`ANALYZE TABLE members, invoices, customers, orders, payments, shipments`,
	)...)
	cfgURL, err := mysql.ParseURL(dbURL)
	require.NoError(t, err)
	db := cfgURL.Database()
	got, fk := inferredEdges(t, ctx, scanner.StoreConfig{Name: "app", URL: dbURL, Sample: scanner.SampleConfig{Seed: 3}, Exclude: []string{"*.seq"}})
	got, fk = rename(got, db), renameAll(fk, db)
	assert.Equal(t, []string{
		"app/db.invoices#member_id → app/db.members#member_id",
		"app/db.orders#customer_code → app/db.customers#code",
		"app/db.orders#customer_id → app/db.customers#id",
	}, keys(got))
	ev := got["app/db.invoices#member_id → app/db.members#member_id"]
	assert.Equal(t, 1.0, ev.Confidence)
	assert.Equal(t, "containment 1.000 on 200 sampled values; name member_id → members.member_id", ev.Evidence)
	assert.Equal(t, []string{"app/db.shipments#customer_id → app/db.customers#id"}, fk)
	for _, e := range got {
		assert.NotRegexp(t, regexp.MustCompile(`C-\d`), e.Evidence)
	}
}

func TestProbe(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t, append(seq(500),
		`CREATE TABLE p (id BIGINT PRIMARY KEY, code VARCHAR(10) UNIQUE)`,
		`INSERT INTO p SELECT i, CONCAT('k', i) FROM seq WHERE i <= 50`,
		`CREATE TABLE c (v BIGINT)`,
		`INSERT INTO c SELECT 1 + i % 30 FROM seq`, `INSERT INTO c VALUES (NULL)`,
	)...)
	cfgURL, err := mysql.ParseURL(dbURL)
	require.NoError(t, err)
	db := cfgURL.Database()
	src, err := mysql.OpenSource(ctx, scanner.StoreConfig{Name: "x", URL: dbURL})
	require.NoError(t, err)
	defer src.Close()
	cu := piimap.Unit{Loc: piimap.Location{Store: "x", Name: db + ".c"}, Kind: piimap.UnitTable}
	pu := piimap.Unit{Loc: piimap.Location{Store: "x", Name: db + ".p"}, Kind: piimap.UnitTable}
	vals, err := src.DistinctSample(ctx, cu, "v", 200)
	require.NoError(t, err)
	assert.Len(t, vals, 30)
	again, err := src.DistinctSample(ctx, cu, "v", 10)
	require.NoError(t, err)
	assert.Len(t, again, 10)
	n, err := src.CountIn(ctx, pu, "id", append(vals, "x", "999"))
	require.NoError(t, err)
	assert.Equal(t, 30, n)
	n, err = src.CountIn(ctx, pu, "code", []string{"k1", "K2", "k3 ", "k50"})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	_, err = src.CountIn(ctx, pu, "nope", []string{"1"})
	require.Error(t, err)
}

// inferredEdges scans cfg and returns its inferred references edges by
// "from → to", and its declared FK edges.
func inferredEdges(t *testing.T, ctx context.Context, cfg scanner.StoreConfig) (map[string]lineage.Edge, []string) {
	t.Helper()
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	g := lineagetest.NewMemGraph()
	res, err := scanner.Run(ctx, []scanner.StoreConfig{cfg}, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, Concurrency: 2})
	require.NoError(t, err)
	require.Empty(t, res.Errors)
	got := map[string]lineage.Edge{}
	var fk []string
	require.NoError(t, g.Nodes(ctx, res.RunID, func(n lineage.Node) error {
		if n.Kind != lineage.NodeField {
			return nil
		}
		return g.Edges(ctx, res.RunID, n.Loc, lineage.Out, func(e lineage.Edge) error {
			if e.Kind != lineage.EdgeReferences {
				return nil
			}
			k := e.From.String() + " → " + e.To.String()
			switch e.Source {
			case lineage.SourceInferred:
				got[k] = e
			case lineage.SourceFK:
				fk = append(fk, k)
			}
			return nil
		})
	}))
	sort.Strings(fk)
	return got, fk
}

func keys(m map[string]lineage.Edge) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// rename replaces the test database's name in edge keys by "db".
func rename(m map[string]lineage.Edge, db string) map[string]lineage.Edge {
	out := map[string]lineage.Edge{}
	for k, v := range m {
		out[strings.ReplaceAll(k, db+".", "db.")] = v
	}
	return out
}

func renameAll(ks []string, db string) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = strings.ReplaceAll(k, db+".", "db.")
	}
	return out
}
