package duckdb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/duckdb"
	"github.com/piimap/piimap/scanner/scannertest"
)

func TestViewLineage(t *testing.T) {
	const customers = `CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR, name VARCHAR)`
	tests := []struct {
		name  string
		stmts []string
		want  []string
	}{{
		name: "functions: identity, transformation, masked",
		stmts: []string{customers,
			`CREATE VIEW v_customers AS SELECT id, lower(email) AS email_lc, md5(email) AS email_hash, name FROM customers`,
		},
		want: []string{
			"wh/main.v_customers#email_hash -> wh/main.customers#email (masked)",
			"wh/main.v_customers#email_lc -> wh/main.customers#email (transformation)",
			"wh/main.v_customers#id -> wh/main.customers#id (identity)",
			"wh/main.v_customers#name -> wh/main.customers#name (identity)",
		},
	}, {
		name: "star expands from the catalog",
		stmts: []string{customers,
			`CREATE VIEW v_all AS SELECT * FROM customers`,
		},
		want: []string{
			"wh/main.v_all#email -> wh/main.customers#email (identity)",
			"wh/main.v_all#id -> wh/main.customers#id (identity)",
			"wh/main.v_all#name -> wh/main.customers#name (identity)",
		},
	}, {
		name: "views in another schema: bare names bind in main, as DuckDB binds them",
		stmts: []string{customers,
			`CREATE SCHEMA mart`,
			`CREATE TABLE mart.orders (id INTEGER, customer_id INTEGER, total DECIMAL(10, 2))`,
			`CREATE TABLE mart.customers (id INTEGER, nick VARCHAR)`,
			`CREATE VIEW mart.buyers AS SELECT sha256(lower(c.email)) AS h, o.total FROM customers c JOIN mart.orders o ON o.customer_id = c.id`,
			`CREATE VIEW mart.totals AS SELECT * FROM wh.mart.buyers`,
			`CREATE VIEW mart.from_first AS FROM customers SELECT email`,
		},
		want: []string{
			"wh/mart.buyers#h -> wh/main.customers#email (masked)",
			"wh/mart.buyers#total -> wh/mart.orders#total (identity)",
			"wh/mart.totals#h -> wh/mart.buyers#h (identity)",
			"wh/mart.totals#total -> wh/mart.buyers#total (identity)",
			"wh/mart.from_first#email -> wh/main.customers#email (identity)",
		},
	}, {
		name: "DuckDB-only syntax is skipped, the other views still count",
		stmts: []string{customers,
			`CREATE VIEW v_exclude AS SELECT * EXCLUDE (name) FROM customers`,
			`CREATE VIEW v_names AS SELECT name FROM customers`,
			`CREATE VIEW v_series AS SELECT range AS n FROM range(3)`,
		},
		want: []string{"wh/main.v_names#name -> wh/main.customers#name (identity)"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := scannertest.Open(t, scanner.StoreConfig{Name: "wh", URL: build(t, tt.stmts...)}, duckdb.Kind)
			var got []string
			require.NoError(t, src.(scanner.EdgeDeclarer).DeclaredEdges(context.Background(), func(e lineage.Edge) error {
				if e.Source != lineage.SourceView {
					return nil
				}
				assert.Equal(t, lineage.EdgeDerivedFrom, e.Kind)
				assert.Equal(t, 1.0, e.Confidence)
				got = append(got, e.From.String()+" -> "+e.To.String()+" ("+e.Transform+")")
				return nil
			}))
			assert.ElementsMatch(t, tt.want, got)
		})
	}
}
