package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

// columnsQuery lists the columns of every relation outside the system
// schemas in order: the Schema that expands stars and resolves unqualified
// columns in view definitions.
const columnsQuery = `
SELECT n.nspname, c.relname, a.attname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ` + systemSchemas + `
 ORDER BY 1, 2, a.attnum`

// viewsQuery lists views and materialized views with their definitions.
// It runs with an empty search_path, so pg_get_viewdef qualifies every
// relation with its schema.
const viewsQuery = `
SELECT n.nspname, c.relname, c.relkind::text, pg_get_viewdef(c.oid)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND ` + systemSchemas + `
 ORDER BY 1, 2`

// viewEdges reads the catalog's column lists and view definitions in one
// read-only transaction and turns the definitions into column-level
// derived_from edges (sqlcatalog.Catalog.Edges).
func (s *Source) viewEdges(ctx context.Context) ([]lineage.Edge, error) {
	var c *sqlcatalog.Catalog
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = readViews(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	c.Database = s.conn.Database()
	return c.Edges(s.loc), nil
}

// readViews reads the catalog's column lists and view definitions, each
// as the CREATE [MATERIALIZED] VIEW statement it was made by.
func readViews(ctx context.Context, tx pgx.Tx) (*sqlcatalog.Catalog, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_catalog.set_config('search_path', '', true)`); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, columnsQuery)
	if err != nil {
		return nil, err
	}
	cols, err := sqlcatalog.ReadColumns(rows)
	rows.Close()
	if err != nil {
		return nil, err
	}
	c := &sqlcatalog.Catalog{Columns: cols}
	rows, err = tx.Query(ctx, viewsQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var schema, name, kind, def string
		if err := rows.Scan(&schema, &name, &kind, &def); err != nil {
			return nil, err
		}
		create := "CREATE VIEW "
		if kind == "m" {
			create = "CREATE MATERIALIZED VIEW "
		}
		c.Views = append(c.Views, sqlcatalog.View{Asset: Asset(schema, name), Default: schema,
			SQL: create + QuoteTable(schema, name) + " AS " + def})
	}
	return c, rows.Err()
}
