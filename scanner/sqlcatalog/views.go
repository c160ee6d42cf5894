package sqlcatalog

import (
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/sqlextract"
)

// View is one view definition.
type View struct {
	Asset string // the view, `schema.view`
	// Default is the schema a bare relation name in the definition is
	// bound in: the view's own (Postgres, MySQL) or the database's
	// default (DuckDB).
	Default string
	// SQL is the definition as one CREATE VIEW statement that
	// sqlextract.Extract parses (MySQL's through sqlextract.FromMySQL).
	SQL string
}

// Catalog is what view lineage needs from one database.
type Catalog struct {
	// Database is the name a three-part relation name must start with to
	// be this store's; "" for kinds without that level (MySQL), whose
	// three-part names are outside the estate.
	Database string
	// Columns lists every relation's columns in order, by asset: the
	// relations a name may resolve to.
	Columns sqlextract.Schema
	// Bind is the Schema definitions are bound against (stars, unqualified
	// columns); nil binds against Columns.
	Bind  sqlextract.Schema
	Views []View
}

// Edges turns the view definitions into column-level derived_from edges
// (view field → source field; source view, confidence 1, transform
// identity, transformation or masked). A definition that does not parse
// is skipped: it yields no edges and, since it may hold literals, is never
// quoted. ObservedAt is left zero for the engine to stamp.
func (c *Catalog) Edges(loc func(asset string) piimap.Location) []lineage.Edge {
	bind := c.Bind
	if bind == nil {
		bind = c.Columns
	}
	var edges []lineage.Edge
	for _, v := range c.Views {
		res, err := sqlextract.Extract(v.SQL, bind)
		if err != nil {
			continue
		}
		retarget(res, v.Asset)
		es, _ := sqlextract.Edges(res, lineage.SourceView, 1, c.Resolver(v.Default, loc), time.Time{})
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

// Resolver maps relation names in a definition to this store's assets: a
// bare name in schema def, "schema.table", or "database.schema.table" when
// the database is the catalog's. Names the catalog's Columns do not list
// (other databases, table functions, files) are outside the estate.
func (c *Catalog) Resolver(def string, loc func(asset string) piimap.Location) sqlextract.Resolver {
	return func(_, table string) (piimap.Location, bool) {
		parts := strings.Split(table, ".")
		var asset string
		switch len(parts) {
		case 1:
			asset = Asset(def, parts[0])
		case 2:
			asset = Asset(parts[0], parts[1])
		case 3:
			if c.Database == "" || parts[0] != c.Database {
				return piimap.Location{}, false
			}
			asset = Asset(parts[1], parts[2])
		default:
			return piimap.Location{}, false
		}
		if _, ok := c.Columns[asset]; !ok {
			return piimap.Location{}, false
		}
		return loc(asset), true
	}
}
