package lineage

import (
	"context"
	"fmt"
	"slices"

	"github.com/piimap/piimap"
)

// Hop is one location reached by Reach: its distance from the start, the
// edge it was first reached by, and every other followed edge into it from
// a location the walk reached (a second edge between the same pair, such
// as a declared foreign key beside an inferred copy, or a second parent).
type Hop struct {
	Loc   piimap.Location `json:"loc"`
	Depth int             `json:"depth"`
	Via   Edge            `json:"via"`
	Also  []Edge          `json:"also,omitempty"`
}

// Reach walks the graph of run ("" for the latest) breadth-first from
// `from`, following edges of the given kinds (nil means every kind but
// contains) in direction dir: Out from an edge's From to its To, In the
// reverse. Since a copy or view points at its source, Out along
// derived_from/copy_of goes upstream and In goes downstream; along
// references, Out goes from child to parent. maxDepth <= 0 means no limit. Each location is visited once, so
// cycles end; hops come in BFS order, ties in the graph's edge order. The
// start itself is not a hop. Edges are followed at the node they are
// attached to; asset and field levels are not mixed.
func Reach(ctx context.Context, g Graph, run string, from piimap.Location, kinds []string, dir Direction, maxDepth int) ([]Hop, error) {
	r, err := resolveRun(ctx, g, run)
	if err != nil {
		return nil, fmt.Errorf("lineage: reach from %s: %w", from, err)
	}
	follow := func(kind string) bool {
		if len(kinds) == 0 {
			return kind != EdgeContains
		}
		return slices.Contains(kinds, kind)
	}
	seen := map[piimap.Location]bool{key(from): true}
	hopOf := map[piimap.Location]int{} // index in hops
	var hops []Hop
	frontier := []piimap.Location{from}
	for depth := 1; len(frontier) > 0 && (maxDepth <= 0 || depth <= maxDepth); depth++ {
		var next []piimap.Location
		for _, at := range frontier {
			err := g.Edges(ctx, r.ID, at, dir, func(e Edge) error {
				if !follow(e.Kind) {
					return nil
				}
				other := e.To
				if dir == In {
					other = e.From
				}
				if seen[key(other)] {
					if i, ok := hopOf[key(other)]; ok && hops[i].Via != e {
						hops[i].Also = append(hops[i].Also, e)
					}
					return nil
				}
				seen[key(other)] = true
				hopOf[key(other)] = len(hops)
				hops = append(hops, Hop{Loc: other, Depth: depth, Via: e})
				next = append(next, other)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("lineage: reach from %s: edges of %s: %w", from, at, err)
			}
		}
		frontier = next
	}
	return hops, nil
}

// SubjectPath is the shortest path from a subject key to a location
// holding PII. Edges is empty when the location is in the key's own asset
// (the same row holds both); otherwise it lists references edges into
// child tables and derived_from / copy_of edges into copies, in walk order.
type SubjectPath struct {
	Key      piimap.Location `json:"key"`
	Identity string          `json:"identity"`
	To       piimap.Location `json:"to"`
	Edges    []Edge          `json:"edges"`
}

// SubjectPaths returns, for every field holding PII or being a subject key
// that some subject key reaches, the shortest path from a key (ties go to
// the first key in (store, asset, field) order). identities restricts the
// starting keys to those kinds (email, user_id, ...); none means all.
// Results are ordered by target location.
func SubjectPaths(ctx context.Context, g Graph, run string, identities ...string) ([]SubjectPath, error) {
	s, err := loadSnapshot(ctx, g, run)
	if err != nil {
		return nil, fmt.Errorf("lineage: subject paths: %w", err)
	}
	return s.subjectPaths(identities), nil
}

func (s *snapshot) subjectPaths(identities []string) []SubjectPath {
	var keys []piimap.Location
	for _, k := range s.subjectKeys() {
		if len(identities) == 0 || slices.Contains(identities, s.identity(k)) {
			keys = append(keys, k)
		}
	}
	w := s.walk(keys)
	var out []SubjectPath
	assets := make([]piimap.Location, 0, len(w.from))
	for a := range w.from {
		assets = append(assets, a)
	}
	slices.SortFunc(assets, cmpLoc)
	for _, a := range assets {
		k := w.from[a]
		for _, f := range s.fields[a] {
			if len(s.findings[f]) == 0 && s.identity(f) == "" {
				continue
			}
			out = append(out, SubjectPath{Key: s.loc(k), Identity: s.identity(k), To: s.loc(f), Edges: slices.Clone(w.path[a])})
		}
	}
	return out
}

// loc returns a location with the namespace its node carries.
func (s *snapshot) loc(k piimap.Location) piimap.Location {
	if n, ok := s.nodes[k]; ok {
		return n.Loc
	}
	return k
}

// Orphans returns the locations holding PII (fields and text assets) that
// no subject key reaches: PII the DSAR flow cannot find by following the
// graph, which the map reports as coverage gaps. Text assets are always
// orphans here, since only identifier filters can tie them to a subject.
func Orphans(ctx context.Context, g Graph, run string) ([]piimap.Location, error) {
	s, err := loadSnapshot(ctx, g, run)
	if err != nil {
		return nil, fmt.Errorf("lineage: orphans: %w", err)
	}
	reached := map[piimap.Location]bool{}
	for _, p := range s.subjectPaths(nil) {
		reached[key(p.To)] = true
	}
	var out []piimap.Location
	for k := range s.findings {
		if !reached[k] {
			out = append(out, s.loc(k))
		}
	}
	slices.SortFunc(out, cmpLoc)
	return out, nil
}
