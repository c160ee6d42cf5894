package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/sqlextract"
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

// view is one view definition read from the catalog.
type view struct {
	schema, name, kind, def string
}

// readViews reads the catalog's column lists and view definitions.
func readViews(ctx context.Context, tx pgx.Tx) (sqlextract.Schema, []view, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_catalog.set_config('search_path', '', true)`); err != nil {
		return nil, nil, err
	}
	schema := sqlextract.Schema{}
	rows, err := tx.Query(ctx, columnsQuery)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var ns, rel, col string
		if err := rows.Scan(&ns, &rel, &col); err != nil {
			rows.Close()
			return nil, nil, err
		}
		k := Asset(ns, rel)
		schema[k] = append(schema[k], col)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var views []view
	rows, err = tx.Query(ctx, viewsQuery)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v view
		if err := rows.Scan(&v.schema, &v.name, &v.kind, &v.def); err != nil {
			return nil, nil, err
		}
		views = append(views, v)
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
		asset := Asset(v.schema, v.name)
		create := "CREATE VIEW "
		if v.kind == "m" {
			create = "CREATE MATERIALIZED VIEW "
		}
		res, err := sqlextract.Extract(create+QuoteTable(v.schema, v.name)+" AS "+v.def, schema)
		if err != nil {
			continue
		}
		retarget(res, asset)
		es, _ := sqlextract.Edges(res, lineage.SourceView, 1, s.resolver(schema, v.schema), time.Time{}) // the engine stamps ObservedAt
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

// resolver maps relation names in a definition to this store's assets:
// "schema.table", "db.schema.table" or a bare name taken to be in the
// view's own schema. Relations the catalog does not list (other
// databases, functions returning sets) are outside the estate.
func (s *Source) resolver(schema sqlextract.Schema, viewSchema string) sqlextract.Resolver {
	return func(_, table string) (piimap.Location, bool) {
		parts := strings.Split(table, ".")
		var asset string
		switch len(parts) {
		case 1:
			asset = Asset(viewSchema, parts[0])
		case 2:
			asset = Asset(parts[0], parts[1])
		case 3:
			if parts[0] != s.conn.Database() {
				return piimap.Location{}, false
			}
			asset = Asset(parts[1], parts[2])
		default:
			return piimap.Location{}, false
		}
		if _, ok := schema[asset]; !ok {
			return piimap.Location{}, false
		}
		return s.loc(asset), true
	}
}
