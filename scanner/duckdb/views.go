package duckdb

import (
	"context"
	"maps"
	"strings"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

// defaultSchema is where DuckDB binds a bare relation name in a view, at
// creation and at query time, whatever schema the view itself is in.
const defaultSchema = "main"

// viewEdges reads the current database's catalog and turns its view
// definitions into column-level derived_from edges
// (sqlcatalog.Catalog.Edges). DuckDB keeps each CREATE VIEW re-serialised
// from its own parse tree (FROM-first queries come back as SELECT … FROM);
// it is parsed as Postgres SQL, which most views then are. A definition
// that does not parse (DuckDB-only syntax) is skipped.
func (s *Source) viewEdges(ctx context.Context) ([]lineage.Edge, error) {
	c, err := s.readViews(ctx)
	if err != nil {
		return nil, err
	}
	return c.Edges(s.loc), nil
}

// readViews reads the catalog of the current database: its name, the
// columns of every table and view and the view definitions. Definitions
// are bound against qualified names plus the default schema's relations
// by bare name.
func (s *Source) readViews(ctx context.Context) (*sqlcatalog.Catalog, error) {
	c := &sqlcatalog.Catalog{}
	if err := s.db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&c.Database); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `
SELECT schema_name, table_name, column_name FROM duckdb_columns()
 WHERE database_name = current_database() AND NOT internal
 ORDER BY schema_name, table_name, column_index`)
	if err != nil {
		return nil, err
	}
	c.Columns, err = sqlcatalog.ReadColumns(rows)
	rows.Close()
	if err != nil {
		return nil, err
	}
	c.Bind = maps.Clone(c.Columns)
	for k, cols := range c.Columns {
		if sch, table, ok := SplitAsset(k); ok && sch == defaultSchema {
			c.Bind[table] = cols
		}
	}
	rows, err = s.db.QueryContext(ctx, `
SELECT schema_name, view_name, coalesce(sql, '') FROM duckdb_views()
 WHERE NOT internal AND NOT temporary AND database_name = current_database()
 ORDER BY schema_name, view_name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var schema, name, def string
		if err := rows.Scan(&schema, &name, &def); err != nil {
			return nil, err
		}
		if strings.TrimSpace(def) != "" {
			c.Views = append(c.Views, sqlcatalog.View{Asset: Asset(schema, name), Default: defaultSchema, SQL: def})
		}
	}
	return c, rows.Err()
}
