package postgres_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
)

// TestScanRun scans a real database with scanner.Run and the real
// classifier into an in-memory graph, next to a store that is down: the
// findings, the FK edges and the gap are all in the map, and no raw value
// leaks into it.
func TestScanRun(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t,
		`CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, phone text, order_ref uuid, sku text, profile jsonb)`,
		`CREATE TABLE addresses (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers(id), ip inet, card text)`,
		`INSERT INTO customers SELECT i, 'user' || i || '@example.com', '+44 20 7946 ' || lpad((i % 1000)::text, 4, '0'),
		   md5(i::text)::uuid, 'SKU-' || (i % 97),
		   jsonb_build_object('contact', jsonb_build_object('mail', 'alt' || i || '@example.org'), 'plan', 'basic')
		   FROM generate_series(1, 3000) i`,
		// Luhn-valid test card numbers only.
		`INSERT INTO addresses SELECT i, 1 + i % 3000, ('10.1.' || (i % 250) || '.' || (i % 200))::inet,
		   (ARRAY['4111111111111111', '5555555555554444', '378282246310005'])[1 + i % 3] FROM generate_series(1, 2000) i`,
		`ANALYZE`,
	)
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	g := lineagetest.NewMemGraph()
	stores := []scanner.StoreConfig{
		{Name: "app", URL: dbURL, Tenant: "acme", Sample: scanner.SampleConfig{Seed: 1},
			Identity: map[string]string{piimap.KeyEmail: "public.customers.email"}},
		{Name: "down", URL: "postgres://postgres@127.0.0.1:1/x?sslmode=disable"},
	}
	res, err := scanner.Run(ctx, stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, Concurrency: 2})
	require.NoError(t, err)
	require.Len(t, res.Errors, 1, "%v", res.Errors)
	assert.Equal(t, "down", res.Errors[0].Store)
	assert.Contains(t, res.Errors[0].Err, "unreachable")
	assert.Equal(t, lineage.RunGaps, res.Run.Status)

	types := map[string][]string{}
	for _, f := range res.Findings {
		types[f.Loc.String()] = append(types[f.Loc.String()], f.Type)
	}
	t.Logf("findings: %v", types)
	assert.Contains(t, types["app/public.customers#email"], piimap.TypeEmail)
	assert.Contains(t, types["app/public.customers#profile.contact.mail"], piimap.TypeEmail, "JSONB path classified")
	assert.Contains(t, types["app/public.customers#phone"], piimap.TypePhone)
	assert.Contains(t, types["app/public.addresses#ip"], piimap.TypeIPAddress)
	assert.Contains(t, types["app/public.addresses#card"], piimap.TypeCreditCard)
	assert.NotContains(t, types, "app/public.customers#order_ref", "UUIDs are not PII")
	assert.NotContains(t, types, "app/public.customers#sku")
	assert.NotContains(t, types, "app/public.customers#profile.plan")

	var refs []string
	require.NoError(t, g.Edges(ctx, res.RunID, piimap.Location{Store: "app", Name: "public.customers", Field: "id"}, lineage.In, func(e lineage.Edge) error {
		if e.Kind == lineage.EdgeReferences {
			refs = append(refs, e.From.String())
		}
		return nil
	}))
	assert.Equal(t, []string{"app/public.addresses#customer_id"}, refs)

	raw := regexp.MustCompile(`(user|alt)\d+@example|4111111111111111|7946 \d{4}`)
	require.NoError(t, g.Nodes(ctx, res.RunID, func(n lineage.Node) error {
		if n.Loc.String() == "app/public.customers#email" {
			assert.Equal(t, piimap.KeyEmail, n.Attrs[lineage.AttrIdentity])
			assert.Equal(t, "text", n.Attrs[piimap.MetaSQLType])
		}
		if n.Kind == lineage.NodeAsset && n.Loc.Name == "public.customers" {
			assert.Equal(t, "3000", n.Attrs[lineage.AttrRows])
		}
		for _, v := range n.Attrs {
			assert.NotRegexp(t, raw, v)
		}
		return nil
	}))
	require.NoError(t, g.Findings(ctx, res.RunID, func(f piimap.Finding) error {
		assert.NotRegexp(t, raw, f.Masked)
		for _, ev := range f.Evidence {
			assert.NotRegexp(t, raw, ev)
		}
		return nil
	}))

	// Reproducible: a second run finds exactly the same.
	again, err := scanner.Run(ctx, stores[:1], scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, Concurrency: 2})
	require.NoError(t, err)
	assert.Equal(t, len(res.Findings), len(again.Findings))
	for i := range min(len(res.Findings), len(again.Findings)) {
		a, b := res.Findings[i], again.Findings[i]
		assert.Equal(t, [4]any{a.Loc.String(), a.Type, a.Hits, a.Sampled}, [4]any{b.Loc.String(), b.Type, b.Hits, b.Sampled})
	}
}
