package lineage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/piimap/piimap"
)

// snapshot is one run's graph loaded for whole-graph questions (the map,
// subject paths). Locations are keyed without their namespace, as the
// graph keys them.
type snapshot struct {
	run      ScanRun
	nodes    map[piimap.Location]Node
	order    []piimap.Location                     // node locations in graph order
	findings map[piimap.Location][]piimap.Finding  // by location, graph order
	out      map[piimap.Location][]Edge            // non-contains edges by From
	in       map[piimap.Location][]Edge            // non-contains edges by To
	fields   map[piimap.Location][]piimap.Location // asset → its field nodes
	errs     []UnitError
}

func key(l piimap.Location) piimap.Location { l.Namespace = ""; return l }

func cmpLoc(a, b piimap.Location) int {
	return cmp.Or(cmp.Compare(a.Store, b.Store), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Field, b.Field))
}

func cmpEdge(a, b Edge) int {
	return cmp.Or(cmpLoc(a.From, b.From), cmp.Compare(a.Kind, b.Kind), cmpLoc(a.To, b.To), cmp.Compare(a.Source, b.Source))
}

// resolveRun returns the run named id, or the latest finished run for "".
func resolveRun(ctx context.Context, g Graph, id string) (ScanRun, error) {
	if id == "" {
		r, err := g.Latest(ctx)
		if errors.Is(err, piimap.ErrNotFound) {
			return r, ErrNoScan
		}
		return r, err
	}
	r, err := g.Run(ctx, id)
	if errors.Is(err, piimap.ErrNotFound) {
		return r, fmt.Errorf("no scan run %q in this graph (the map of the latest run needs no --run): %w", id, err)
	}
	return r, err
}

// ErrNoScan is returned where the latest scan run is asked for and the
// graph holds none: the user has to scan first. It is a
// piimap.ErrNotFound.
var ErrNoScan error = noScanError{}

type noScanError struct{}

func (noScanError) Error() string        { return "no scan yet: run `piimap scan` first" }
func (noScanError) Is(target error) bool { return target == piimap.ErrNotFound }

// loadSnapshot reads nodes, findings and every edge but contains of run.
// Edges are read per node (one prefix scan each), which any Graph supports.
func loadSnapshot(ctx context.Context, g Graph, runID string) (*snapshot, error) {
	run, err := resolveRun(ctx, g, runID)
	if err != nil {
		return nil, err
	}
	s := &snapshot{
		run:      run,
		nodes:    map[piimap.Location]Node{},
		findings: map[piimap.Location][]piimap.Finding{},
		out:      map[piimap.Location][]Edge{},
		in:       map[piimap.Location][]Edge{},
		fields:   map[piimap.Location][]piimap.Location{},
	}
	if err := g.Nodes(ctx, run.ID, func(n Node) error {
		k := key(n.Loc)
		if _, dup := s.nodes[k]; !dup {
			s.order = append(s.order, k)
		}
		s.nodes[k] = n
		if n.Kind == NodeField {
			s.fields[k.Asset()] = append(s.fields[k.Asset()], k)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("run %s: nodes: %w", run.ID, err)
	}
	if err := g.Findings(ctx, run.ID, func(f piimap.Finding) error {
		k := key(f.Loc)
		s.findings[k] = append(s.findings[k], f)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("run %s: findings: %w", run.ID, err)
	}
	add := func(e Edge) error {
		if e.Kind == EdgeContains {
			return nil
		}
		s.out[key(e.From)] = append(s.out[key(e.From)], e)
		s.in[key(e.To)] = append(s.in[key(e.To)], e)
		return nil
	}
	if l, ok := g.(EdgeLister); ok {
		kinds := slices.DeleteFunc(slices.Clone(EdgeKinds), func(k string) bool { return k == EdgeContains })
		if err := l.AllEdges(ctx, run.ID, kinds, add); err != nil {
			return nil, fmt.Errorf("run %s: edges: %w", run.ID, err)
		}
	} else {
		// One prefix scan per node; findings on locations without a node
		// still get their edges read.
		starts := slices.Clone(s.order)
		for k := range s.findings {
			if _, ok := s.nodes[k]; !ok {
				starts = append(starts, k)
			}
		}
		slices.SortFunc(starts, cmpLoc)
		for _, at := range starts {
			if err := g.Edges(ctx, run.ID, at, Out, add); err != nil {
				return nil, fmt.Errorf("run %s: edges of %s: %w", run.ID, at, err)
			}
		}
	}
	for _, es := range s.out {
		slices.SortFunc(es, cmpEdge)
	}
	for _, es := range s.in {
		slices.SortFunc(es, cmpEdge)
	}
	// Edge ends and findings without a field node still take part in walks.
	for _, m := range []map[piimap.Location][]Edge{s.out, s.in} {
		for k := range m {
			s.addField(k)
		}
	}
	for k := range s.findings {
		s.addField(k)
	}
	for a := range s.fields {
		slices.SortFunc(s.fields[a], cmpLoc)
	}
	if l, ok := g.(UnitErrorLister); ok {
		if err := l.UnitErrors(ctx, run.ID, func(ue UnitError) error { s.errs = append(s.errs, ue); return nil }); err != nil {
			return nil, fmt.Errorf("run %s: unit errors: %w", run.ID, err)
		}
	} else {
		s.errs = slices.Clone(run.Errors)
	}
	return s, nil
}

// subjectKeyTypes are the finding types that make a field a subject key.
var subjectKeyTypes = []string{piimap.TypeEmail, piimap.TypeUserID, piimap.TypePhone}

// identity returns the subject key kind a field holds, or "" when it is no
// subject key: the node's identity attribute, else the first finding of a
// subject key type (email, user_id, phone, in that order).
//
// The claims of the asset's fields are then bound together
// (BindIdentities), so a declared key or a field named after its kind
// unbinds an inferred look-alike beside it.
func (s *snapshot) identity(k piimap.Location) string {
	if k.Field == "" {
		return "" // a text asset holding emails is not a key
	}
	kind := s.parentKind(k)
	if kind != "" && !s.claim(k).Explicit {
		// A join key follows its parent: orders.customer_id referencing
		// customers.id is a user_id only if customers.id is one.
		for _, e := range s.out[k] {
			if e.Kind == EdgeReferences && e.To.Field != "" && e.To != k && s.parentKind(e.To) != kind {
				return ""
			}
		}
	}
	return kind
}

// parentKind is the kind a field's asset binds it to (BindIdentities),
// without following its references.
func (s *snapshot) parentKind(k piimap.Location) string {
	if s.claim(k).Kind == "" {
		return ""
	}
	var claims []IdentityClaim
	for _, f := range s.fields[k.Asset()] {
		claims = append(claims, s.claim(f))
	}
	if !slices.ContainsFunc(s.fields[k.Asset()], func(f piimap.Location) bool { return f == k }) {
		claims = append(claims, s.claim(k))
	}
	return BindIdentities(claims)[k.Field]
}

// claim is one field's own claim to be a subject key.
func (s *snapshot) claim(k piimap.Location) IdentityClaim {
	if n, ok := s.nodes[k]; ok && n.Attrs[AttrIdentity] != "" {
		return IdentityClaim{Field: k.Field, Kind: n.Attrs[AttrIdentity], Explicit: true}
	}
	for _, t := range subjectKeyTypes {
		for _, f := range s.findings[k] {
			if f.Type == t {
				return IdentityClaim{Field: k.Field, Kind: t}
			}
		}
	}
	return IdentityClaim{Field: k.Field}
}

// subjectKeys lists every subject key field, in graph order, with its kind.
func (s *snapshot) subjectKeys() []piimap.Location {
	seen := map[piimap.Location]bool{}
	var keys []piimap.Location
	add := func(k piimap.Location) {
		if !seen[k] && s.identity(k) != "" {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, k := range s.order {
		add(k)
	}
	for k := range s.findings {
		add(k)
	}
	slices.SortFunc(keys, cmpLoc)
	return keys
}

// isCopy reports whether an edge kind carries a field's values elsewhere.
func isCopy(kind string) bool { return kind == EdgeDerivedFrom || kind == EdgeCopyOf }

// walk is a breadth-first search from the given subject keys over the
// assets whose rows belong to a subject. An asset is linked when it holds a
// key, when one of its fields references a field of a linked asset (a child
// table), or when one of its fields is derived from or copies a field of a
// linked asset. A references edge that touches a key directly also links
// the other end. The result gives, per linked asset, the shortest edge path
// from a key, and the references edges walked (the join keys' edges).
type walk struct {
	from map[piimap.Location]piimap.Location // linked asset → key it was reached from
	path map[piimap.Location][]Edge          // linked asset → edges from that key
	refs []Edge                              // references edges on subject paths
}

func (s *snapshot) walk(keys []piimap.Location) *walk {
	w := &walk{from: map[piimap.Location]piimap.Location{}, path: map[piimap.Location][]Edge{}}
	var queue []piimap.Location
	seenRef := map[Edge]bool{}
	link := func(asset, key piimap.Location, path []Edge) {
		if _, ok := w.from[asset]; ok {
			return
		}
		w.from[asset], w.path[asset] = key, path
		queue = append(queue, asset)
	}
	addRef := func(e Edge) {
		if !seenRef[e] {
			seenRef[e] = true
			w.refs = append(w.refs, e)
		}
	}
	for _, k := range keys {
		link(k.Asset(), k, nil)
	}
	// References edges that touch a key directly, in either direction.
	for _, k := range keys {
		for _, e := range s.out[k] {
			if e.Kind == EdgeReferences {
				addRef(e)
				link(key(e.To).Asset(), k, []Edge{e})
			}
		}
		for _, e := range s.in[k] {
			if e.Kind == EdgeReferences {
				addRef(e)
			}
		}
	}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		for _, f := range s.assetLocs(a) {
			for _, e := range s.in[f] {
				if e.Kind != EdgeReferences && !isCopy(e.Kind) {
					continue
				}
				if e.Kind == EdgeReferences {
					addRef(e)
				}
				link(key(e.From).Asset(), w.from[a], append(slices.Clone(w.path[a]), e))
			}
		}
	}
	slices.SortFunc(w.refs, cmpEdge)
	return w
}

func (s *snapshot) addField(k piimap.Location) {
	if k.Field == "" {
		return
	}
	if _, ok := s.nodes[k]; ok {
		return
	}
	if !slices.Contains(s.fields[k.Asset()], k) {
		s.fields[k.Asset()] = append(s.fields[k.Asset()], k)
	}
}

// assetLocs returns the asset itself and its fields.
func (s *snapshot) assetLocs(a piimap.Location) []piimap.Location {
	return append([]piimap.Location{a}, s.fields[a]...)
}
