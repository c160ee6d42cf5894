package sqlextract

import (
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Resolver maps a relation named in SQL or an OpenLineage dataset
// (namespace may be "") to the asset location piimap knows it by, or
// reports false for relations outside the scanned estate.
type Resolver func(namespace, table string) (piimap.Location, bool)

// Edges renders a result as derived_from edges from each target to its
// source, with the given source kind (lineage.SourceView, SourceSQL,
// SourceDBT, SourceOpenLineage) and confidence: field-level edges carry
// the column transform and, as evidence, the functions applied (names
// only, never arguments); asset-level edges come from the table lineage.
// Edges with an end the resolver does not know are left out and that end
// is listed in unknown (deduplicated, in first-seen order).
func Edges(r *Result, source string, confidence float64, resolve Resolver, observed time.Time) (edges []lineage.Edge, unknown []string) {
	seen := map[string]bool{}
	loc := func(c Column) (piimap.Location, bool) {
		l, ok := resolve(c.Namespace, c.Table)
		if !ok {
			k := c.Namespace + "/" + c.Table
			if c.Namespace == "" {
				k = c.Table
			}
			if !seen[k] {
				seen[k] = true
				unknown = append(unknown, k)
			}
		}
		return l, ok
	}
	for _, e := range r.Columns {
		if e.Target.Table == "" {
			continue // a plain SELECT persists nothing
		}
		from, ok1 := loc(e.Target)
		to, ok2 := loc(e.Source)
		if !ok1 || !ok2 {
			continue
		}
		le := lineage.Edge{Kind: lineage.EdgeDerivedFrom, From: from.WithField(e.Target.Column), To: to.WithField(e.Source.Column),
			Source: source, Confidence: confidence, Transform: e.Transform, ObservedAt: observed}
		if len(e.Functions) > 0 {
			le.Evidence = "functions: " + strings.Join(e.Functions, ", ")
		}
		edges = append(edges, le)
	}
	for _, t := range r.Tables {
		from, ok1 := loc(t.Target)
		to, ok2 := loc(t.Source)
		if !ok1 || !ok2 || from == to {
			continue
		}
		edges = append(edges, lineage.Edge{Kind: lineage.EdgeDerivedFrom, From: from.Asset(), To: to.Asset(),
			Source: source, Confidence: confidence, ObservedAt: observed})
	}
	return edges, unknown
}
