package ingest

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Graph is the graph Declared and Apply work on: its runs, the stored
// sources beside them, and a pass over every edge of a run.
// badgerstore.Store and lineagetest.MemGraph are ones.
type Graph interface {
	lineage.Graph
	lineage.DocStore
	lineage.EdgeLister
}

// Declared rebuilds the edges of every stored source, resolved against the
// configured stores and the latest scan (GraphResolver, then Build). A
// scan hands them to scanner.Options.Declared, so ingested lineage
// survives re-scans of its stores.
func Declared(ctx context.Context, g Graph, stores []Store) (*Report, error) {
	r, err := GraphResolver(ctx, g, stores)
	if err != nil {
		return nil, err
	}
	return Build(ctx, g, r)
}

// Applied is what Apply did; `piimap lineage ingest --json` prints it.
type Applied struct {
	// Run is the run written, "" when none was (no scan yet, no edge with
	// both ends in the map, or nothing added or dropped).
	Run        string         `json:"run"`
	Edges      int            `json:"edges"`      // edges built from every stored source
	Written    int            `json:"written"`    // edges with both ends in the map (in the run written, or already in the latest)
	NotInMap   int            `json:"not_in_map"` // edges to assets or fields the map does not have (yet)
	BySource   map[string]int `json:"by_source"`  // written edges per edge source (dbt, openlineage, sql)
	Unresolved []string       `json:"unresolved"`
	Problems   []string       `json:"problems"`
	Stored     int            `json:"stored_sources"` // sources in the graph (not superseded)
	// Unchanged is true when the latest run already has every edge, so no
	// run was written.
	Unchanged bool `json:"unchanged"`
}

// edgeKey identifies an edge by its kind, source and ends (namespaces
// aside, as the graph keys them).
type edgeKey struct {
	kind, source string
	from, to     locKey
}

type locKey struct{ store, asset, field string }

func keyOf(l piimap.Location) locKey { return locKey{l.Store, l.Name, l.Field} }

// Apply writes a run that carries every store forward and holds the edges
// of every stored source whose two ends are in the latest map. The run
// rewrites every ingested source (lineage.ScanRun.Rewrites = EdgeSources):
// edges the stored sources no longer declare (a superseded manifest) are
// not carried forward. When the latest run already has exactly those
// edges, or there is no scan yet, no run is written, so `piimap diff
// previous latest` keeps meaning something. stores are the configured
// stores; the run records them as ScanRun.Configured.
func Apply(ctx context.Context, g Graph, stores []Store) (*Applied, error) {
	rep, err := Declared(ctx, g, stores)
	if err != nil {
		return nil, err
	}
	out := &Applied{Edges: len(rep.Edges), BySource: map[string]int{}, Unresolved: rep.Unresolved,
		Problems: rep.Problems, Stored: rep.Sources}
	if out.Problems == nil {
		out.Problems = []string{}
	}
	latest, err := g.Latest(ctx)
	if errors.Is(err, piimap.ErrNotFound) {
		out.NotInMap = len(rep.Edges)
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	nodes := map[locKey]bool{}
	err = g.Nodes(ctx, latest.ID, func(n lineage.Node) error {
		nodes[keyOf(n.Loc)] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	var write []lineage.Edge
	for _, e := range rep.Edges {
		if nodes[keyOf(e.From)] && nodes[keyOf(e.To)] {
			write = append(write, e)
			out.BySource[e.Source]++
		} else {
			out.NotInMap++
		}
	}
	out.Written = len(write)
	ek := func(e lineage.Edge) edgeKey { return edgeKey{e.Kind, e.Source, keyOf(e.From), keyOf(e.To)} }
	have := map[edgeKey]bool{}
	err = g.AllEdges(ctx, latest.ID, nil, func(e lineage.Edge) error {
		if slices.Contains(EdgeSources, e.Source) {
			have[ek(e)] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	want := map[edgeKey]bool{}
	for _, e := range write {
		want[ek(e)] = true
	}
	if maps.Equal(have, want) {
		out.Unchanged = len(write) > 0
		return out, nil
	}
	id, w, err := g.BeginRun(ctx, nil)
	if err != nil {
		return nil, err
	}
	for _, e := range write {
		if err := w.PutEdge(ctx, e); err != nil {
			_ = w.Finish(ctx, lineage.ScanRun{Status: lineage.RunFailed})
			return nil, err
		}
	}
	configured := make([]string, len(stores))
	for i, s := range stores {
		configured[i] = s.Name
	}
	run := lineage.ScanRun{Configured: configured, Errors: latest.Errors, Rewrites: EdgeSources}
	if err := w.Finish(ctx, run); err != nil {
		return nil, err
	}
	out.Run = id
	return out, nil
}
