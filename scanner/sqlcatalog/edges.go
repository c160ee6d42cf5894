package sqlcatalog

import (
	"context"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/sqlextract"
)

// Rows is a result set as pgx and database/sql both present it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ForeignKey is the `references` edge of one column pair of a declared
// foreign key: from the child column to the parent column (source fk,
// confidence 1).
func ForeignKey(loc func(asset string) piimap.Location, child, childCol, parent, parentCol string) lineage.Edge {
	return lineage.Edge{
		Kind: lineage.EdgeReferences, Source: lineage.SourceFK, Confidence: 1,
		From: loc(child).WithField(childCol),
		To:   loc(parent).WithField(parentCol),
	}
}

// ForeignKeyEdges reads rows of (child schema, child table, child column,
// parent schema, parent table, parent column), one row per column pair, as
// ForeignKey edges in row order. The caller closes rows.
func ForeignKeyEdges(rows Rows, loc func(asset string) piimap.Location) ([]lineage.Edge, error) {
	var edges []lineage.Edge
	for rows.Next() {
		var cs, ct, cc, ps, pt, pc string
		if err := rows.Scan(&cs, &ct, &cc, &ps, &pt, &pc); err != nil {
			return nil, err
		}
		edges = append(edges, ForeignKey(loc, Asset(cs, ct), cc, Asset(ps, pt), pc))
	}
	return edges, rows.Err()
}

// ReadColumns reads rows of (schema, table, column), in column order
// within each relation, into the Schema view definitions are bound
// against. The caller closes rows.
func ReadColumns(rows Rows) (sqlextract.Schema, error) {
	schema := sqlextract.Schema{}
	for rows.Next() {
		var ns, rel, col string
		if err := rows.Scan(&ns, &rel, &col); err != nil {
			return nil, err
		}
		k := Asset(ns, rel)
		schema[k] = append(schema[k], col)
	}
	return schema, rows.Err()
}

// DeclaredEdges is the skeleton of a SQL Source's DeclaredEdges: it emits
// the foreign keys' edges, then the view definitions' edges. wrap names a
// failing step ("foreign keys", "view definitions") the kind's way; an
// error of emit is returned as is.
func DeclaredEdges(ctx context.Context, emit func(lineage.Edge) error,
	foreignKeys, views func(ctx context.Context) ([]lineage.Edge, error),
	wrap func(ctx context.Context, what string, err error) error) error {
	for _, step := range []struct {
		what string
		read func(ctx context.Context) ([]lineage.Edge, error)
	}{{"foreign keys", foreignKeys}, {"view definitions", views}} {
		edges, err := step.read(ctx)
		if err != nil {
			return wrap(ctx, step.what, err)
		}
		for _, e := range edges {
			if err := emit(e); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}
