package duckdb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// constraints are the database's key constraints, which decide two DuckDB
// (1.1) limitations the handler works around:
//
//   - an UPDATE of an indexed column (primary key, unique, foreign key) is a
//     delete plus insert and trips the table's own primary key, so null and
//     mask modes refuse such columns up front (CheckMode) instead of failing
//     half-way;
//   - a foreign-key check does not see deletes of the same transaction, so
//     when a store's targets are linked by declared foreign keys each table
//     commits on its own, children first; the order and idempotent
//     statements keep an interrupted run resumable.
type constraints struct {
	indexed  map[string]map[string]bool // schema.table → indexed columns
	children map[string][]string        // schema.table → tables referencing it
}

func (h *Handler) constraints(ctx context.Context) (*constraints, error) {
	h.consOnce.Do(func() {
		c := &constraints{indexed: map[string]map[string]bool{}, children: map[string][]string{}}
		rows, err := h.db.QueryContext(ctx, `SELECT schema_name, table_name, constraint_type,
			list_aggr(constraint_column_names, 'string_agg', chr(31)), coalesce(referenced_table, '')
			FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')`)
		if err != nil {
			h.consErr = fmt.Errorf("duckdb: %s: constraints: %w", h.store, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var schema, table, typ, cols, ref string
			if err := rows.Scan(&schema, &table, &typ, &cols, &ref); err != nil {
				h.consErr = fmt.Errorf("duckdb: %s: constraints: %w", h.store, err)
				return
			}
			key := sduck.Asset(schema, table)
			if c.indexed[key] == nil {
				c.indexed[key] = map[string]bool{}
			}
			for _, col := range strings.Split(cols, "\x1f") {
				c.indexed[key][col] = true
			}
			if typ == "FOREIGN KEY" && ref != "" {
				parent := sduck.Asset(schema, ref)
				c.children[parent] = append(c.children[parent], key)
			}
		}
		h.consErr = rows.Err()
		h.cons = c
	})
	return h.cons, h.consErr
}

// linked reports whether any target's table is referenced by another
// target's table through a declared foreign key.
func (c *constraints) linked(ts []driver.Target) bool {
	in := map[string]bool{}
	for _, t := range ts {
		in[t.Asset] = true
	}
	for _, t := range ts {
		for _, child := range c.children[t.Asset] {
			if in[child] && child != t.Asset {
				return true
			}
		}
	}
	return false
}

// CheckMode accepts delete always, and null/mask when none of the columns
// they would rewrite is indexed.
func (h *Handler) CheckMode(t driver.Target) error {
	return sqlkit.CheckMode(Kind, h.store, t, 30*time.Second, func(ctx context.Context) error {
		c, err := h.constraints(ctx)
		if err != nil {
			return err
		}
		for _, f := range t.ClearFields() {
			if c.indexed[t.Asset][f] {
				return fmt.Errorf("duckdb: %s/%s: mode %s would rewrite indexed column %s, which DuckDB cannot update in place; use delete: %w",
					h.store, t.Asset, t.Mode, f, piimap.ErrUnsupported)
			}
		}
		return nil
	})
}
