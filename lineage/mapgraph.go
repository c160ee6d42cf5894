package lineage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// StoreInfo is what the map's graph formats know of a store beyond its
// name: its kind and OpenLineage namespace, read from the store's node.
type StoreInfo struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	// DatasetNamespace and DatasetPrefix name the store's datasets in
	// OpenLineage (AttrDatasetNamespace, AttrDatasetPrefix): empty when
	// the store's kind did not say, and its datasets are then named by the
	// store's namespace and the asset.
	DatasetNamespace string `json:"-"`
	DatasetPrefix    string `json:"-"`
}

// MapStores returns the stores of run ("" for the latest) by name, for
// WriteMapWith. Stores without a node in the run are absent.
func MapStores(ctx context.Context, g Graph, run string) (map[string]StoreInfo, error) {
	r, err := resolveRun(ctx, g, run)
	if err != nil {
		return nil, fmt.Errorf("lineage: map stores: %w", err)
	}
	out := map[string]StoreInfo{}
	err = g.Nodes(ctx, r.ID, func(n Node) error {
		if n.Kind == NodeStore {
			out[n.Loc.Store] = StoreInfo{Kind: n.StoreKind, Namespace: n.Loc.Namespace,
				DatasetNamespace: n.Attrs[AttrDatasetNamespace], DatasetPrefix: n.Attrs[AttrDatasetPrefix]}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lineage: map stores of run %s: %w", r.ID, err)
	}
	return out, nil
}

// WriteOptions adds what a Map alone does not carry to WriteMapWith.
type WriteOptions struct {
	// Stores gives each store's kind and namespace (MapStores). The
	// openlineage format names datasets from it; without an entry it falls
	// back to a piimap://STORE namespace. The html page shows namespaces.
	Stores map[string]StoreInfo
	// ToolVersion is piimap's version, named by the sarif format.
	ToolVersion string
	// Width fits the table format in this many terminal cells (widest
	// columns cut first, with "…"); 0 writes it whole (piped output).
	Width int
}

// drawing is a map laid out for the graph formats (dot, mermaid): stores
// holding assets holding field nodes, plus edges between nodes. Every edge
// target outside the map becomes an "external" node so no edge dangles.
// Node IDs are n0, n1, … in (store, asset, field) order: deterministic.
type drawing struct {
	stores []*drawStore
	edges  []drawEdge
	byRef  map[MapRef]*drawNode
}

type drawStore struct {
	name, kind string
	assets     []*drawAsset
}

type drawAsset struct {
	name  string
	nodes []*drawNode
}

type drawNode struct {
	id  string
	ref MapRef
	loc *MapLocation // nil for an edge target outside the map
}

type drawEdge struct {
	from, to *drawNode
	e        MapEdge
}

// label is the node's first line: the field, or the asset for a text asset.
func (n *drawNode) label() string {
	if n.ref.Field == "" {
		return "(whole object)"
	}
	return n.ref.Field
}

// piiLines lists "type 0.99" per PII type, and the location's roles.
func (n *drawNode) piiLines() []string {
	if n.loc == nil {
		return []string{"outside the map"}
	}
	var out []string
	for _, p := range n.loc.PII {
		out = append(out, fmt.Sprintf("%s %.2f", p.Type, p.Confidence))
	}
	if r := role(*n.loc); r != "" {
		out = append(out, "["+r+"]")
	}
	return out
}

// style names the node's class: key (subject key), pii, copy (a derived
// copy without PII of its own), join (a join key only) or external.
func (n *drawNode) style() string {
	switch {
	case n.loc == nil:
		return "external"
	case n.loc.SubjectKey:
		return "key"
	case len(n.loc.PII) > 0:
		return "pii"
	case n.loc.DerivedCopy:
		return "copy"
	default:
		return "join"
	}
}

// edgeStyle names an edge's class: references, derived_from, copy_of, or
// masked for any edge whose transform is masked.
func edgeStyle(e MapEdge) string {
	if e.Transform == TransformMasked {
		return "masked"
	}
	return e.Kind
}

// edgeLabel is "kind" plus source, confidence and transform.
func edgeLabel(e MapEdge) string {
	s := fmt.Sprintf("%s (%s %.2f", e.Kind, e.Source, e.Confidence)
	if e.Transform != "" {
		s += ", " + e.Transform
	}
	return s + ")"
}

func newDrawing(m *Map) *drawing {
	d := &drawing{byRef: map[MapRef]*drawNode{}}
	refs := map[MapRef]*MapLocation{}
	kinds := map[string]string{}
	for i := range m.Locations {
		l := &m.Locations[i]
		refs[MapRef{Store: l.Store, Asset: l.Asset, Field: l.Field}] = l
		if l.Kind != "" {
			kinds[l.Store] = l.Kind
		}
	}
	for _, l := range m.Locations {
		for _, e := range l.Edges {
			if _, ok := refs[e.To]; !ok {
				refs[e.To] = nil
			}
		}
	}
	all := make([]MapRef, 0, len(refs))
	for r := range refs {
		all = append(all, r)
	}
	slices.SortFunc(all, cmpRef)
	var st *drawStore
	var as *drawAsset
	for i, r := range all {
		if st == nil || st.name != r.Store {
			st = &drawStore{name: r.Store, kind: kinds[r.Store]}
			d.stores = append(d.stores, st)
			as = nil
		}
		if as == nil || as.name != r.Asset {
			as = &drawAsset{name: r.Asset}
			st.assets = append(st.assets, as)
		}
		n := &drawNode{id: fmt.Sprintf("n%d", i), ref: r, loc: refs[r]}
		as.nodes = append(as.nodes, n)
		d.byRef[r] = n
	}
	for _, r := range all {
		if l := refs[r]; l != nil {
			for _, e := range l.Edges {
				d.edges = append(d.edges, drawEdge{from: d.byRef[r], to: d.byRef[e.To], e: e})
			}
		}
	}
	return d
}

func cmpRef(a, b MapRef) int {
	return cmp.Or(cmp.Compare(a.Store, b.Store), cmp.Compare(a.Asset, b.Asset), cmp.Compare(a.Field, b.Field))
}

// storeLabel is "name (kind)".
func (s *drawStore) label() string {
	if s.kind == "" {
		return s.name
	}
	return s.name + " (" + s.kind + ")"
}

// header is the one-line title of a map drawing.
func header(m *Map) string {
	return strings.TrimSpace(fmt.Sprintf("PII location map, scan run %s (%s), generated %s: %s, %s",
		m.ScanRun, orDash(m.RunStatus), m.GeneratedAt.Format("2006-01-02T15:04:05Z07:00"),
		plural(len(m.Locations), "location"), plural(len(m.Errors), "unit error")))
}
