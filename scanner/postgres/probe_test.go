package postgres_test

import (
	"context"
	"regexp"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/postgres"
)

// TestInferredJoinKeys scans tables whose join keys are partly undeclared:
// the name-related, contained ones become inferred `references` edges; a
// lookalike column (referrer_id), a poorly contained one and a declared
// foreign key do not.
func TestInferredJoinKeys(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t,
		`CREATE TABLE members (member_id bigint PRIMARY KEY, name text)`,
		`INSERT INTO members SELECT i, 'm' || i FROM generate_series(1, 300) i`,
		`CREATE TABLE invoices (id bigint PRIMARY KEY, member_id bigint, amount int)`,
		`INSERT INTO invoices SELECT i, 1 + i % 300, i FROM generate_series(1, 1000) i`,
		`CREATE TABLE customers (id integer PRIMARY KEY, code varchar(20) UNIQUE)`,
		`INSERT INTO customers SELECT i, 'C-' || i FROM generate_series(1, 400) i`,
		`CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, referrer_id bigint, customer_code text)`,
		`INSERT INTO orders SELECT i, 1 + i % 400, 1 + (i * 7) % 400, 'C-' || (1 + i % 400) FROM generate_series(1, 1000) i`,
		`CREATE TABLE payments (id bigint PRIMARY KEY, member_id bigint)`,
		`INSERT INTO payments SELECT i, i FROM generate_series(1, 600) i`,
		`CREATE TABLE shipments (id bigint PRIMARY KEY, customer_id integer REFERENCES customers (id))`,
		`INSERT INTO shipments SELECT i, 1 + i % 400 FROM generate_series(1, 500) i`,
		`ANALYZE`,
	)
	got, fk := inferredEdges(t, ctx, scanner.StoreConfig{Name: "app", URL: dbURL, Sample: scanner.SampleConfig{Seed: 3}})
	assert.Equal(t, []string{
		"app/public.invoices#member_id → app/public.members#member_id",
		"app/public.orders#customer_code → app/public.customers#code",
		"app/public.orders#customer_id → app/public.customers#id",
	}, keys(got))
	ev := got["app/public.invoices#member_id → app/public.members#member_id"]
	assert.Equal(t, 1.0, ev.Confidence)
	assert.Equal(t, "containment 1.000 on 200 sampled values; name member_id → members.member_id", ev.Evidence)
	assert.Equal(t, []string{"app/public.shipments#customer_id → app/public.customers#id"}, fk)
	for _, e := range got {
		assert.NotRegexp(t, regexp.MustCompile(`C-\d`), e.Evidence)
	}
}

// TestInferredJoinKeysByValueAndAbbreviation scans keys named in another
// language or abbreviated: a child whose values sit in a sparse customer
// number (auftraege.kd → kunden.knr) pairs by its values alone, an
// abbreviated key name (cust_no) pairs with the table it abbreviates, and
// a count column inside a dense id (lager.bestand in customers.id 1..400)
// pairs with nothing.
func TestInferredJoinKeysByValueAndAbbreviation(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t,
		`CREATE TABLE kunden (knr integer PRIMARY KEY, e_post text UNIQUE)`,
		`INSERT INTO kunden SELECT 100000 + (i * 104729) % 900000, 'kunde' || i || '@example.org' FROM generate_series(1, 600) i`,
		`CREATE TABLE auftraege (auftrag_id serial PRIMARY KEY, kd integer, menge integer)`,
		`INSERT INTO auftraege (kd, menge) SELECT 100000 + ((1 + i % 600) * 104729) % 900000, 1 + i % 12 FROM generate_series(1, 2000) i`,
		`CREATE TABLE customers (id serial PRIMARY KEY, email text UNIQUE)`,
		`INSERT INTO customers (email) SELECT 'c' || i || '@example.net' FROM generate_series(1, 400) i`,
		`CREATE TABLE bestellungen (id serial PRIMARY KEY, cust_no integer)`,
		`INSERT INTO bestellungen (cust_no) SELECT 1 + i % 400 FROM generate_series(1, 900) i`,
		`CREATE TABLE lager (id serial PRIMARY KEY, bestand integer)`,
		`INSERT INTO lager (bestand) SELECT 1 + (i * 37) % 400 FROM generate_series(1, 900) i`,
		`ANALYZE`,
	)
	got, _ := inferredEdges(t, ctx, scanner.StoreConfig{Name: "app", URL: dbURL, Sample: scanner.SampleConfig{Seed: 3}})
	assert.Equal(t, []string{
		"app/public.auftraege#kd → app/public.kunden#knr",
		"app/public.bestellungen#cust_no → app/public.customers#id",
	}, keys(got))
	assert.Regexp(t, `^containment 1\.000 on 1\d\d sampled values; the parent's keys fill 0\.0\d\d of the values' range \(step 1\), chance < 1e-99; by values`,
		got["app/public.auftraege#kd → app/public.kunden#knr"].Evidence)
	assert.Equal(t, "containment 1.000 on 200 sampled values; name cust_no → customers.id",
		got["app/public.bestellungen#cust_no → app/public.customers#id"].Evidence)
}

func TestProbe(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t,
		`CREATE TABLE p (id bigint PRIMARY KEY, code text UNIQUE)`,
		`INSERT INTO p SELECT i, 'k' || i FROM generate_series(1, 50) i`,
		`CREATE TABLE c (v bigint)`,
		`INSERT INTO c SELECT 1 + i % 30 FROM generate_series(1, 500) i`, `INSERT INTO c VALUES (NULL)`,
	)
	src, err := postgres.OpenSource(ctx, scanner.StoreConfig{Name: "x", URL: dbURL})
	require.NoError(t, err)
	defer src.Close()
	cu := piimap.Unit{Loc: piimap.Location{Store: "x", Name: "public.c"}, Kind: piimap.UnitTable}
	pu := piimap.Unit{Loc: piimap.Location{Store: "x", Name: "public.p"}, Kind: piimap.UnitTable}
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
	require.ErrorIs(t, err, piimap.ErrNotFound)
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
