package mysql

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/sqlextract"
)

// view is one view definition read from information_schema.VIEWS.
type view struct {
	db, name, def string
}

// readViews reads the column lists of every table and view in scope (the
// Schema that resolves stars and unqualified columns) and the view
// definitions. VIEW_DEFINITION is empty for views the account may not
// SHOW VIEW; those are left out.
func (s *Source) readViews(ctx context.Context, tx *sql.Tx) (sqlextract.Schema, []view, error) {
	where, args := s.scope("TABLE_SCHEMA")
	rows, err := tx.QueryContext(ctx, `
SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS
 WHERE `+where+` ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`, args...)
	if err != nil {
		return nil, nil, err
	}
	schema := sqlextract.Schema{}
	for rows.Next() {
		var db, table, col string
		if err := rows.Scan(&db, &table, &col); err != nil {
			rows.Close()
			return nil, nil, err
		}
		k := Asset(db, table)
		schema[k] = append(schema[k], col)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = tx.QueryContext(ctx, `
SELECT TABLE_SCHEMA, TABLE_NAME, COALESCE(VIEW_DEFINITION, '') FROM information_schema.VIEWS
 WHERE `+where+` ORDER BY TABLE_SCHEMA, TABLE_NAME`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var views []view
	for rows.Next() {
		var v view
		if err := rows.Scan(&v.db, &v.name, &v.def); err != nil {
			return nil, nil, err
		}
		if strings.TrimSpace(v.def) != "" {
			views = append(views, v)
		}
	}
	return schema, views, rows.Err()
}

// viewEdges turns view definitions into column-level derived_from edges
// (view field → source field; source view, confidence 1). A definition
// that does not parse is skipped: it yields no edges and, since it may
// hold literals, is never quoted.
func (s *Source) viewEdges(schema sqlextract.Schema, views []view) []lineage.Edge {
	var edges []lineage.Edge
	for _, v := range views {
		res, err := sqlextract.Extract(sqlextract.FromMySQL("CREATE VIEW "+QuoteTable(v.db, v.name)+" AS "+v.def), schema)
		if err != nil {
			continue
		}
		retarget(res, Asset(v.db, v.name))
		es, _ := sqlextract.Edges(res, lineage.SourceView, 1, s.resolver(schema, v.db), time.Time{}) // the engine stamps ObservedAt
		for _, e := range es {
			if e.From.Field != "" { // column lineage only; the asset edge is implied
				edges = append(edges, e)
			}
		}
	}
	return edges
}

// retarget points every edge of a single view definition at the view's
// asset name, whatever spelling the definition used for it.
func retarget(res *sqlextract.Result, asset string) {
	for i := range res.Columns {
		res.Columns[i].Target = sqlextract.Column{Table: asset, Column: res.Columns[i].Target.Column}
	}
	for i := range res.Tables {
		res.Tables[i].Target = sqlextract.Column{Table: asset}
	}
}

// resolver maps relation names in a definition ("db.table", or a bare
// name taken to be in the view's database) to this store's assets;
// relations the catalog does not list in scope are outside the estate.
func (s *Source) resolver(schema sqlextract.Schema, viewDB string) sqlextract.Resolver {
	return func(_, table string) (piimap.Location, bool) {
		db, name, ok := strings.Cut(table, ".")
		if !ok {
			db, name = viewDB, table
		}
		if strings.Contains(name, ".") {
			return piimap.Location{}, false
		}
		asset := Asset(db, name)
		if _, ok := schema[asset]; !ok {
			return piimap.Location{}, false
		}
		return s.loc(asset), true
	}
}
