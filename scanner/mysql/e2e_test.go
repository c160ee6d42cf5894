package mysql_test

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
// classifier into an in-memory graph, next to a server that is down: the
// findings, the FK edge and the gap are all in the map, and no raw value
// leaks into it.
func TestScanRun(t *testing.T) {
	ctx := context.Background()
	u := newDB(t, append(seq(3000),
		`CREATE TABLE customers (id BIGINT PRIMARY KEY, email VARCHAR(100) NOT NULL, phone VARCHAR(30), order_ref CHAR(36),
		   sku VARCHAR(20), profile JSON)`,
		`CREATE TABLE addresses (id BIGINT PRIMARY KEY, customer_id BIGINT, ip VARCHAR(15), card VARCHAR(19),
		   FOREIGN KEY (customer_id) REFERENCES customers(id))`,
		`INSERT INTO customers SELECT i, CONCAT('user', i, '@example.com'), CONCAT('+44 20 7946 ', LPAD(i % 1000, 4, '0')),
		   UUID(), CONCAT('SKU-', i % 97), JSON_OBJECT('contact', JSON_OBJECT('mail', CONCAT('alt', i, '@example.org')), 'plan', 'basic')
		   FROM seq`,
		// Luhn-valid test card numbers only.
		`INSERT INTO addresses SELECT i, 1 + i % 3000, CONCAT('10.1.', i % 250, '.', i % 200),
		   ELT(1 + i % 3, '4111111111111111', '5555555555554444', '378282246310005') FROM seq WHERE i <= 2000`,
	)...)
	db := dbName(u)
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	g := lineagetest.NewMemGraph()
	stores := []scanner.StoreConfig{
		{Name: "shop", URL: u, Tenant: "acme", Sample: scanner.SampleConfig{Seed: 1}, Exclude: []string{"*.seq"},
			Identity: map[string]string{piimap.KeyEmail: db + ".customers.email"}},
		{Name: "down", URL: "mysql://root@127.0.0.1:1/x"},
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
	at := func(table, field string) string { return "shop/" + db + "." + table + "#" + field }
	assert.Contains(t, types[at("customers", "email")], piimap.TypeEmail)
	assert.Contains(t, types[at("customers", "profile.contact.mail")], piimap.TypeEmail, "JSON path classified")
	assert.Contains(t, types[at("customers", "phone")], piimap.TypePhone)
	assert.Contains(t, types[at("addresses", "ip")], piimap.TypeIPAddress)
	assert.Contains(t, types[at("addresses", "card")], piimap.TypeCreditCard)
	assert.NotContains(t, types, at("customers", "order_ref"), "UUIDs are not PII")
	assert.NotContains(t, types, at("customers", "sku"))
	assert.NotContains(t, types, at("customers", "profile.plan"))

	var refs []string
	require.NoError(t, g.Edges(ctx, res.RunID, piimap.Location{Store: "shop", Name: db + ".customers", Field: "id"}, lineage.In, func(e lineage.Edge) error {
		if e.Kind == lineage.EdgeReferences {
			refs = append(refs, e.From.String())
		}
		return nil
	}))
	assert.Equal(t, []string{at("addresses", "customer_id")}, refs)

	raw := regexp.MustCompile(`(user|alt)\d+@example|4111111111111111|7946 \d{4}`)
	require.NoError(t, g.Nodes(ctx, res.RunID, func(n lineage.Node) error {
		if n.Loc.String() == at("customers", "email") {
			assert.Equal(t, piimap.KeyEmail, n.Attrs[lineage.AttrIdentity])
			assert.Equal(t, "varchar(100)", n.Attrs[piimap.MetaSQLType])
		}
		if n.Kind == lineage.NodeAsset && n.Loc.Name == db+".customers" {
			assert.Equal(t, "pk_ranges", n.Attrs["sampling"])
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
}
