package lineagetest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// MemGraph is an in-memory lineage.Graph and lineage.DocStore with the same
// semantics as the Badger store: per-run snapshots, carry-forward of
// unscanned stores, Latest over finished runs, sorted reads. It passes
// RunGraphSuite and is meant as a fake for tests of packages that consume a
// graph (the map, the planner, the CLI).
type MemGraph struct {
	mu   sync.Mutex
	runs map[string]*memRun
	docs map[string]map[string][]byte
	last time.Time
	now  func() time.Time
}

var (
	_ lineage.Graph           = (*MemGraph)(nil)
	_ lineage.DocStore        = (*MemGraph)(nil)
	_ lineage.UnitErrorLister = (*MemGraph)(nil)
	_ lineage.EdgeLister      = (*MemGraph)(nil)
)

type edgeID struct {
	from, to     piimap.Location
	kind, source string
}

type findingID struct {
	loc       piimap.Location
	typ, rule string
}

type memRun struct {
	meta     lineage.ScanRun
	done     bool
	nodes    map[piimap.Location]lineage.Node
	edges    map[edgeID]lineage.Edge
	findings map[findingID]piimap.Finding
	errs     []lineage.UnitError
}

// NewMemGraph returns an empty in-memory graph.
func NewMemGraph() *MemGraph {
	return &MemGraph{runs: map[string]*memRun{}, docs: map[string]map[string][]byte{}, now: time.Now}
}

func key(l piimap.Location) piimap.Location { l.Namespace = ""; return l }

func cmpLoc(a, b piimap.Location) int {
	return cmp.Or(cmp.Compare(a.Store, b.Store), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Field, b.Field))
}

func (g *MemGraph) BeginRun(ctx context.Context, stores []string) (string, lineage.Writer, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t := g.now().UTC().Truncate(time.Microsecond)
	if !t.After(g.last) {
		t = g.last.Add(time.Microsecond)
	}
	g.last = t
	id := t.Format("20060102T150405.000000Z")
	st := slices.Clone(stores)
	slices.Sort(st)
	g.runs[id] = &memRun{
		meta:     lineage.ScanRun{ID: id, StartedAt: t, Stores: slices.Compact(st), Status: lineage.RunRunning},
		nodes:    map[piimap.Location]lineage.Node{},
		edges:    map[edgeID]lineage.Edge{},
		findings: map[findingID]piimap.Finding{},
	}
	return id, &memWriter{g: g, id: id}, nil
}

type memWriter struct {
	g  *MemGraph
	id string
}

func (w *memWriter) with(fn func(r *memRun) error) error {
	w.g.mu.Lock()
	defer w.g.mu.Unlock()
	r := w.g.runs[w.id]
	if r.done {
		return fmt.Errorf("memgraph: run %s: already finished", w.id)
	}
	return fn(r)
}

func (w *memWriter) PutNode(_ context.Context, n lineage.Node) error {
	return w.with(func(r *memRun) error { r.nodes[key(n.Loc)] = n; return nil })
}

func (w *memWriter) PutEdge(_ context.Context, e lineage.Edge) error {
	if e.ObservedAt.IsZero() {
		e.ObservedAt = w.g.now().UTC()
	}
	return w.with(func(r *memRun) error {
		r.edges[edgeID{key(e.From), key(e.To), e.Kind, e.Source}] = e
		return nil
	})
}

func (w *memWriter) PutFinding(_ context.Context, f piimap.Finding) error {
	return w.with(func(r *memRun) error {
		r.findings[findingID{key(f.Loc), f.Type, f.RuleID}] = f
		return nil
	})
}

func (w *memWriter) PutUnitError(_ context.Context, ue lineage.UnitError) error {
	return w.with(func(r *memRun) error { r.errs = append(r.errs, ue); return nil })
}

func (w *memWriter) Finish(ctx context.Context, run lineage.ScanRun) error {
	return w.with(func(r *memRun) error {
		if run.ID != "" && run.ID != w.id {
			return fmt.Errorf("memgraph: run %s: finish called with run %s", w.id, run.ID)
		}
		r.done = true
		run.ID, run.StartedAt, run.Stores = w.id, r.meta.StartedAt, r.meta.Stores
		if run.EndedAt.IsZero() {
			run.EndedAt = w.g.now().UTC()
		}
		if run.Status == "" || run.Status == lineage.RunRunning {
			run.Status = lineage.RunComplete
			if len(r.errs) > 0 || len(run.Errors) > 0 {
				run.Status = lineage.RunGaps
			}
		}
		seen := map[lineage.UnitError]bool{}
		var errs []lineage.UnitError
		for _, ue := range slices.Concat(run.Errors, r.errs) {
			if !seen[ue] {
				seen[ue] = true
				errs = append(errs, ue)
			}
		}
		run.Errors = errs
		r.meta = run
		if finished(run.Status) {
			w.g.carryForward(r)
		}
		return nil
	})
}

func finished(s string) bool { return s == lineage.RunComplete || s == lineage.RunGaps }

// carryForward applies the rules documented on badgerstore's Finish.
func (g *MemGraph) carryForward(r *memRun) {
	var prev *memRun
	for _, id := range g.ids() {
		if id < r.meta.ID && finished(g.runs[id].meta.Status) {
			prev = g.runs[id]
		}
	}
	if prev == nil {
		return
	}
	scanned := map[string]bool{}
	for _, s := range r.meta.Stores {
		scanned[s] = true
	}
	conf := map[string]bool{}
	for _, s := range r.meta.Configured {
		conf[s] = true
	}
	keep := func(s string) bool { return !scanned[s] && (len(conf) == 0 || conf[s]) }
	rewritten := map[string]bool{}
	for _, s := range r.meta.Rewrites {
		rewritten[s] = true
	}
	for k, n := range prev.nodes {
		if keep(k.Store) {
			r.nodes[k] = n
		}
	}
	for k, f := range prev.findings {
		if keep(k.loc.Store) {
			r.findings[k] = f
		}
	}
	for _, ue := range prev.errs {
		if keep(ue.Store) {
			r.errs = append(r.errs, ue)
		}
	}
	for k, e := range prev.edges {
		if !keep(k.from.Store) || (len(conf) > 0 && !conf[k.to.Store]) || rewritten[e.Source] {
			continue
		}
		if _, ok := r.nodes[k.to]; scanned[k.to.Store] && !ok {
			continue
		}
		r.edges[k] = e
	}
}

func (g *MemGraph) ids() []string { return slices.Sorted(maps.Keys(g.runs)) }

func (g *MemGraph) Runs(context.Context) ([]lineage.ScanRun, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []lineage.ScanRun
	for _, id := range g.ids() {
		out = append(out, g.runs[id].meta)
	}
	return out, nil
}

func (g *MemGraph) get(id string) (*memRun, error) {
	r, ok := g.runs[id]
	if !ok {
		return nil, fmt.Errorf("memgraph: run %q: %w", id, piimap.ErrNotFound)
	}
	return r, nil
}

func (g *MemGraph) Run(_ context.Context, id string) (lineage.ScanRun, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, err := g.get(id)
	if err != nil {
		return lineage.ScanRun{}, err
	}
	return r.meta, nil
}

func (g *MemGraph) Latest(context.Context) (lineage.ScanRun, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ids := g.ids()
	for i := len(ids) - 1; i >= 0; i-- {
		if m := g.runs[ids[i]].meta; finished(m.Status) {
			return m, nil
		}
	}
	return lineage.ScanRun{}, fmt.Errorf("memgraph: latest run: %w", piimap.ErrNotFound)
}

// snapshot copies what fn needs under the lock, so callbacks run unlocked.
func (g *MemGraph) snapshot(id string) (*memRun, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, err := g.get(id)
	if err != nil {
		return nil, err
	}
	return &memRun{
		meta: r.meta, nodes: maps.Clone(r.nodes), edges: maps.Clone(r.edges),
		findings: maps.Clone(r.findings), errs: slices.Clone(r.errs),
	}, nil
}

func (g *MemGraph) Nodes(_ context.Context, run string, fn func(lineage.Node) error) error {
	r, err := g.snapshot(run)
	if err != nil {
		return err
	}
	for _, k := range slices.SortedFunc(maps.Keys(r.nodes), cmpLoc) {
		if err := fn(r.nodes[k]); err != nil {
			return err
		}
	}
	return nil
}

func (g *MemGraph) Edges(_ context.Context, run string, at piimap.Location, dir lineage.Direction, fn func(lineage.Edge) error) error {
	r, err := g.snapshot(run)
	if err != nil {
		return err
	}
	return visitEdges(r, key(at), dir, nil, fn)
}

// AllEdges visits every edge of run in (from, kind, source, to) order.
func (g *MemGraph) AllEdges(_ context.Context, run string, kinds []string, fn func(lineage.Edge) error) error {
	r, err := g.snapshot(run)
	if err != nil {
		return err
	}
	return visitEdges(r, piimap.Location{}, lineage.Out, kinds, fn)
}

// visitEdges visits the edges at `at` (all edges for a zero location) in
// key order.
func visitEdges(r *memRun, at piimap.Location, dir lineage.Direction, kinds []string, fn func(lineage.Edge) error) error {
	type item struct {
		at, other    piimap.Location
		kind, source string
		e            lineage.Edge
	}
	var items []item
	for k, e := range r.edges {
		if len(kinds) > 0 && !slices.Contains(kinds, k.kind) {
			continue
		}
		it := item{k.from, k.to, k.kind, k.source, e}
		if dir == lineage.In && at.Store != "" {
			it.at, it.other = k.to, k.from
		}
		if at.Store == "" || it.at == at {
			items = append(items, it)
		}
	}
	slices.SortFunc(items, func(a, b item) int {
		return cmp.Or(cmpLoc(a.at, b.at), cmp.Compare(a.kind, b.kind), cmp.Compare(a.source, b.source), cmpLoc(a.other, b.other))
	})
	for _, it := range items {
		if err := fn(it.e); err != nil {
			return err
		}
	}
	return nil
}

func (g *MemGraph) Findings(_ context.Context, run string, fn func(piimap.Finding) error) error {
	r, err := g.snapshot(run)
	if err != nil {
		return err
	}
	keys := slices.SortedFunc(maps.Keys(r.findings), func(a, b findingID) int {
		return cmp.Or(cmpLoc(a.loc, b.loc), cmp.Compare(a.typ, b.typ), cmp.Compare(a.rule, b.rule))
	})
	for _, k := range keys {
		if err := fn(r.findings[k]); err != nil {
			return err
		}
	}
	return nil
}

func (g *MemGraph) UnitErrors(_ context.Context, run string, fn func(lineage.UnitError) error) error {
	r, err := g.snapshot(run)
	if err != nil {
		return err
	}
	errs := r.errs
	slices.SortStableFunc(errs, func(a, b lineage.UnitError) int {
		return cmp.Or(cmp.Compare(a.Store, b.Store), cmp.Compare(a.Unit, b.Unit))
	})
	for _, ue := range errs {
		if err := fn(ue); err != nil {
			return err
		}
	}
	return nil
}

func (g *MemGraph) Close() error { return nil }

func (g *MemGraph) PutDoc(_ context.Context, kind, id string, data []byte) error {
	if kind == "" || id == "" {
		return fmt.Errorf("memgraph: put doc %s/%s: empty kind or id", kind, id)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.docs[kind] == nil {
		g.docs[kind] = map[string][]byte{}
	}
	g.docs[kind][id] = slices.Clone(data)
	return nil
}

func (g *MemGraph) GetDoc(_ context.Context, kind, id string) ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	d, ok := g.docs[kind][id]
	if !ok {
		return nil, fmt.Errorf("memgraph: doc %s/%s: %w", kind, id, piimap.ErrNotFound)
	}
	return slices.Clone(d), nil
}

func (g *MemGraph) ListDocs(_ context.Context, kind string, fn func(id string, data []byte) error) error {
	g.mu.Lock()
	docs := maps.Clone(g.docs[kind])
	g.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(docs)) {
		if err := fn(id, docs[id]); err != nil {
			return err
		}
	}
	return nil
}
