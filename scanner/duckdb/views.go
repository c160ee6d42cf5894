package duckdb

import (
	"context"
	"maps"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/sqlextract"
)

// view is one view definition read from duckdb_views().
type view struct {
	schema, name, sql string
}

// catalog is what view lineage needs from the database: its name, the
// columns of every table and view ("schema.table" → columns in order) and
// the view definitions.
type catalog struct {
	database string
	columns  sqlextract.Schema
	views    []view
}

// readViews reads the catalog of the current database.
func (s *Source) readViews(ctx context.Context) (*catalog, error) {
	c := &catalog{columns: sqlextract.Schema{}}
	if err := s.db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&c.database); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `
SELECT schema_name, table_name, column_name FROM duckdb_columns()
 WHERE database_name = current_database() AND NOT internal
 ORDER BY schema_name, table_name, column_index`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var schema, table, col string
		if err := rows.Scan(&schema, &table, &col); err != nil {
			rows.Close()
			return nil, err
		}
		k := Asset(schema, table)
		c.columns[k] = append(c.columns[k], col)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
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
		var v view
		if err := rows.Scan(&v.schema, &v.name, &v.sql); err != nil {
			return nil, err
		}
		if strings.TrimSpace(v.sql) != "" {
			c.views = append(c.views, v)
		}
	}
	return c, rows.Err()
}

// viewEdges turns view definitions into column-level derived_from edges
// (view field → source field; source view, confidence 1). DuckDB keeps
// each CREATE VIEW re-serialised from its own parse tree (FROM-first
// queries come back as SELECT … FROM); it is parsed as Postgres SQL, which
// most views then are. A definition that does not parse (DuckDB-only syntax) is
// skipped: it yields no edges and, since it may hold literals, is never
// quoted.
func (s *Source) viewEdges(c *catalog) []lineage.Edge {
	var edges []lineage.Edge
	schema := c.searchSchema()
	for _, v := range c.views {
		res, err := sqlextract.Extract(v.sql, schema)
		if err != nil {
			continue
		}
		retarget(res, Asset(v.schema, v.name))
		es, _ := sqlextract.Edges(res, lineage.SourceView, 1, s.resolver(c), time.Time{}) // the engine stamps ObservedAt
		for _, e := range es {
			if e.From.Field != "" { // column lineage only; the asset edge is implied
				edges = append(edges, e)
			}
		}
	}
	return edges
}

// searchSchema is the Schema a view definition is bound against:
// qualified names, plus the relations of the default schema by bare name.
func (c *catalog) searchSchema() sqlextract.Schema {
	out := maps.Clone(c.columns)
	for k, cols := range c.columns {
		if sch, table, ok := SplitAsset(k); ok && sch == defaultSchema {
			out[table] = cols
		}
	}
	return out
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

// defaultSchema is where DuckDB binds a bare relation name in a view, at
// creation and at query time, whatever schema the view itself is in.
const defaultSchema = "main"

// resolver maps relation names in a definition ("schema.table",
// "database.schema.table", or a bare name, which DuckDB binds in the
// default schema) to this store's assets; relations the catalog does not
// list (table functions, attached databases, files) are outside the
// estate.
func (s *Source) resolver(c *catalog) sqlextract.Resolver {
	return func(_, table string) (piimap.Location, bool) {
		parts := strings.Split(table, ".")
		var asset string
		switch len(parts) {
		case 1:
			asset = Asset(defaultSchema, parts[0])
		case 2:
			asset = Asset(parts[0], parts[1])
		case 3:
			if parts[0] != c.database {
				return piimap.Location{}, false
			}
			asset = Asset(parts[1], parts[2])
		default:
			return piimap.Location{}, false
		}
		if _, ok := c.columns[asset]; !ok {
			return piimap.Location{}, false
		}
		return s.loc(asset), true
	}
}
