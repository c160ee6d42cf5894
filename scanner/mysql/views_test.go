package mysql_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

// viewEdges returns the view edges DeclaredEdges emits, as
// "from -> to (transform)" with the database name dropped, checking their
// constants.
func viewEdges(t *testing.T, src scanner.Source, db string) []string {
	t.Helper()
	var out []string
	require.NoError(t, src.(scanner.EdgeDeclarer).DeclaredEdges(context.Background(), func(e lineage.Edge) error {
		if e.Source != lineage.SourceView {
			return nil
		}
		assert.Equal(t, lineage.EdgeDerivedFrom, e.Kind)
		assert.Equal(t, 1.0, e.Confidence)
		assert.Equal(t, "mysql://127.0.0.1:3306", e.To.Namespace)
		out = append(out, strings.ReplaceAll(e.From.String()+" -> "+e.To.String()+" ("+e.Transform+")", db+".", ""))
		return nil
	}))
	return out
}

func TestViewLineage(t *testing.T) {
	const customers = `CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(200), name VARCHAR(100), born DATE)`
	tests := []struct {
		name  string
		stmts []string
		want  []string
	}{{
		name: "functions: identity, transformation, masked",
		stmts: []string{customers,
			`CREATE VIEW v_customers AS SELECT id, LOWER(email) AS email_lc, MD5(email) AS email_hash, name FROM customers`,
		},
		want: []string{
			"app/v_customers#email_hash -> app/customers#email (masked)",
			"app/v_customers#email_lc -> app/customers#email (transformation)",
			"app/v_customers#id -> app/customers#id (identity)",
			"app/v_customers#name -> app/customers#name (identity)",
		},
	}, {
		name: "star",
		stmts: []string{customers,
			`CREATE VIEW v_all AS SELECT * FROM customers`,
		},
		want: []string{
			"app/v_all#born -> app/customers#born (identity)",
			"app/v_all#email -> app/customers#email (identity)",
			"app/v_all#id -> app/customers#id (identity)",
			"app/v_all#name -> app/customers#name (identity)",
		},
	}, {
		name: "join, sha2, left, backquoted names, view over a view",
		stmts: []string{customers,
			"CREATE TABLE `Orders` (id INT, customer_id INT, `Total` DECIMAL(10,2))",
			"CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW buyers AS SELECT SHA2(c.email, 256) AS h, LEFT(c.name, 1) AS initial, o.`Total` FROM customers c JOIN `Orders` o ON o.customer_id = c.id WHERE c.name <> 'it''s'",
			`CREATE VIEW big_buyers AS SELECT h, Total * 2 AS doubled FROM buyers`,
		},
		want: []string{
			"app/buyers#h -> app/customers#email (masked)",
			"app/buyers#initial -> app/customers#name (masked)",
			"app/buyers#Total -> app/Orders#Total (identity)",
			"app/big_buyers#h -> app/buyers#h (identity)",
			"app/big_buyers#doubled -> app/buyers#Total (transformation)",
		},
	}, {
		name: "a definition that does not parse is skipped, the others still count",
		stmts: []string{customers,
			`CREATE VIEW v_next AS SELECT DATE_ADD(born, INTERVAL 1 DAY) AS next_day FROM customers`,
			`CREATE VIEW v_names AS SELECT name FROM customers`,
		},
		want: []string{"app/v_names#name -> app/customers#name (identity)"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newDB(t, tt.stmts...)
			src := open(t, u, scanner.SampleConfig{})
			assert.ElementsMatch(t, tt.want, viewEdges(t, src, dbName(u)))
		})
	}
}
