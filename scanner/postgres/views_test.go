package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

// viewEdges returns the view edges DeclaredEdges emits, as
// "from -> to (transform)", in emission order, checking their constants.
func viewEdges(t *testing.T, src scanner.Source) []string {
	t.Helper()
	var out []string
	require.NoError(t, src.(scanner.EdgeDeclarer).DeclaredEdges(context.Background(), func(e lineage.Edge) error {
		if e.Source != lineage.SourceView {
			return nil
		}
		assert.Equal(t, lineage.EdgeDerivedFrom, e.Kind)
		assert.Equal(t, 1.0, e.Confidence)
		assert.Equal(t, "postgres://127.0.0.1:5432", e.To.Namespace)
		out = append(out, e.From.String()+" -> "+e.To.String()+" ("+e.Transform+")")
		return nil
	}))
	return out
}

func TestViewLineage(t *testing.T) {
	tests := []struct {
		name  string
		stmts []string
		want  []string
	}{{
		name: "functions: identity, transformation, masked",
		stmts: []string{
			`CREATE TABLE customers (id bigint PRIMARY KEY, email text, name text)`,
			`CREATE VIEW v_customers AS SELECT id, lower(email) AS email_lc, md5(email) AS email_hash, name FROM customers`,
		},
		want: []string{
			"app/public.v_customers#email_hash -> app/public.customers#email (masked)",
			"app/public.v_customers#email_lc -> app/public.customers#email (transformation)",
			"app/public.v_customers#id -> app/public.customers#id (identity)",
			"app/public.v_customers#name -> app/public.customers#name (identity)",
		},
	}, {
		name: "star expands from the catalog",
		stmts: []string{
			`CREATE TABLE customers (id bigint PRIMARY KEY, email text, name text)`,
			`CREATE VIEW v_all AS SELECT * FROM customers`,
		},
		want: []string{
			"app/public.v_all#email -> app/public.customers#email (identity)",
			"app/public.v_all#id -> app/public.customers#id (identity)",
			"app/public.v_all#name -> app/public.customers#name (identity)",
		},
	}, {
		name: "other schema, join, materialized view over a view, mixed case",
		stmts: []string{
			`CREATE SCHEMA crm`,
			`CREATE TABLE crm."People" (id int PRIMARY KEY, "Email" text)`,
			`CREATE TABLE orders (id int, person_id int, total numeric)`,
			`CREATE VIEW crm.buyers AS SELECT p."Email", o.total FROM crm."People" p JOIN orders o ON o.person_id = p.id`,
			`CREATE MATERIALIZED VIEW buyer_hashes AS SELECT sha256(convert_to("Email", 'UTF8')) AS h, total::text AS t FROM crm.buyers WHERE total > 10`,
		},
		want: []string{
			"app/crm.buyers#Email -> app/crm.People#Email (identity)",
			"app/crm.buyers#total -> app/public.orders#total (identity)",
			"app/public.buyer_hashes#h -> app/crm.buyers#Email (masked)",
			"app/public.buyer_hashes#t -> app/crm.buyers#total (identity)",
		},
	}, {
		name: "a view on a set-returning function has no table to point at",
		stmts: []string{
			`CREATE VIEW nums AS SELECT g AS n FROM generate_series(1, 3) g`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := open(t, newDB(t, tt.stmts...), scanner.SampleConfig{})
			got := viewEdges(t, src)
			assert.ElementsMatch(t, tt.want, got)
		})
	}
}
