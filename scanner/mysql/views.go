package mysql

import (
	"context"
	"database/sql"
	"strings"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/sqlextract"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

// viewEdges reads the column lists and view definitions in scope in one
// read-only transaction and turns the definitions into column-level
// derived_from edges (sqlcatalog.Catalog.Edges). MySQL has no level above
// the database, so three-part names are outside the estate.
func (s *Source) viewEdges(ctx context.Context) ([]lineage.Edge, error) {
	var c *sqlcatalog.Catalog
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = s.readViews(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.Edges(s.loc), nil
}

// readViews reads the column lists of every table and view in scope (the
// Schema that resolves stars and unqualified columns) and the view
// definitions, each as a CREATE VIEW statement in the SQL sqlextract
// parses. VIEW_DEFINITION is empty for views the account may not SHOW
// VIEW; those are left out.
func (s *Source) readViews(ctx context.Context, tx *sql.Tx) (*sqlcatalog.Catalog, error) {
	where, args := s.scope("TABLE_SCHEMA")
	rows, err := tx.QueryContext(ctx, `
SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS
 WHERE `+where+` ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`, args...)
	if err != nil {
		return nil, err
	}
	cols, err := sqlcatalog.ReadColumns(rows)
	rows.Close()
	if err != nil {
		return nil, err
	}
	c := &sqlcatalog.Catalog{Columns: cols}
	rows, err = tx.QueryContext(ctx, `
SELECT TABLE_SCHEMA, TABLE_NAME, COALESCE(VIEW_DEFINITION, '') FROM information_schema.VIEWS
 WHERE `+where+` ORDER BY TABLE_SCHEMA, TABLE_NAME`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var db, name, def string
		if err := rows.Scan(&db, &name, &def); err != nil {
			return nil, err
		}
		if strings.TrimSpace(def) != "" {
			c.Views = append(c.Views, sqlcatalog.View{Asset: Asset(db, name), Default: db,
				SQL: sqlextract.FromMySQL("CREATE VIEW " + QuoteTable(db, name) + " AS " + def)})
		}
	}
	return c, rows.Err()
}
