package executor_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// memGraph is an in-memory lineage.Graph holding one scan run, plus a
// lineage.DocStore with an installation key: enough for the executor.
type memGraph struct {
	run      lineage.ScanRun
	nodes    []lineage.Node
	edges    []lineage.Edge
	findings []piimap.Finding
}

func (g *memGraph) BeginRun(context.Context, []string) (string, lineage.Writer, error) {
	return "", nil, fmt.Errorf("memGraph is read-only: %w", piimap.ErrUnsupported)
}
func (g *memGraph) Runs(context.Context) ([]lineage.ScanRun, error) {
	return []lineage.ScanRun{g.run}, nil
}
func (g *memGraph) Run(_ context.Context, id string) (lineage.ScanRun, error) {
	if id != g.run.ID {
		return lineage.ScanRun{}, piimap.ErrNotFound
	}
	return g.run, nil
}
func (g *memGraph) Latest(context.Context) (lineage.ScanRun, error) { return g.run, nil }
func (g *memGraph) Nodes(_ context.Context, _ string, fn func(lineage.Node) error) error {
	for _, n := range g.nodes {
		if err := fn(n); err != nil {
			return err
		}
	}
	return nil
}
func (g *memGraph) Edges(_ context.Context, _ string, at piimap.Location, dir lineage.Direction, fn func(lineage.Edge) error) error {
	for _, e := range g.edges {
		end := e.From
		if dir == lineage.In {
			end = e.To
		}
		if end.Store == at.Store && end.Name == at.Name && end.Field == at.Field {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}
func (g *memGraph) Findings(_ context.Context, _ string, fn func(piimap.Finding) error) error {
	for _, f := range g.findings {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}
func (g *memGraph) Close() error { return nil }

// add registers store, asset and field nodes (deduplicated) for a location.
func (g *memGraph) add(kind string, loc piimap.Location, attrs map[string]string) {
	have := func(k string, l piimap.Location) bool {
		for _, n := range g.nodes {
			if n.Kind == k && n.Loc == l {
				return true
			}
		}
		return false
	}
	st := piimap.Location{Store: loc.Store}
	if !have(lineage.NodeStore, st) {
		g.nodes = append(g.nodes, lineage.Node{Kind: lineage.NodeStore, Loc: st, StoreKind: kind})
	}
	as := loc.Asset()
	if !have(lineage.NodeAsset, as) {
		g.nodes = append(g.nodes, lineage.Node{Kind: lineage.NodeAsset, Loc: as, StoreKind: kind, Attrs: attrs})
	}
	if loc.Field != "" && !have(lineage.NodeField, loc) {
		g.nodes = append(g.nodes, lineage.Node{Kind: lineage.NodeField, Loc: loc, StoreKind: kind})
	}
}

func (g *memGraph) finding(kind string, loc piimap.Location, typ string, attrs map[string]string) {
	g.add(kind, loc, attrs)
	g.findings = append(g.findings, piimap.Finding{Loc: loc, Type: typ, Confidence: 0.99, Hits: 10, Sampled: 10})
}

func (g *memGraph) ref(child, parent piimap.Location) {
	g.edges = append(g.edges, lineage.Edge{Kind: lineage.EdgeReferences, From: child, To: parent, Source: lineage.SourceFK,
		Confidence: 1, ObservedAt: time.Unix(0, 0).UTC()})
}

type memDocs struct {
	mu   sync.Mutex
	docs map[string][]byte
	key  []byte
}

func newMemDocs() *memDocs {
	return &memDocs{docs: map[string][]byte{}, key: []byte("0123456789abcdef0123456789abcdef")}
}

func (d *memDocs) InstallationKey(context.Context) ([]byte, error) { return d.key, nil }
func (d *memDocs) PutDoc(_ context.Context, kind, id string, data []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.docs[kind+"\x00"+id] = append([]byte(nil), data...)
	return nil
}
func (d *memDocs) GetDoc(_ context.Context, kind, id string) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.docs[kind+"\x00"+id]
	if !ok {
		return nil, fmt.Errorf("doc %s/%s: %w", kind, id, piimap.ErrNotFound)
	}
	return append([]byte(nil), b...), nil
}
func (d *memDocs) ListDocs(_ context.Context, kind string, fn func(string, []byte) error) error {
	d.mu.Lock()
	var keys []string
	for k := range d.docs {
		if strings.HasPrefix(k, kind+"\x00") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	snap := map[string][]byte{}
	for _, k := range keys {
		snap[k] = d.docs[k]
	}
	d.mu.Unlock()
	for _, k := range keys {
		if err := fn(strings.TrimPrefix(k, kind+"\x00"), snap[k]); err != nil {
			return err
		}
	}
	return nil
}

// all concatenates every stored document, for leak checks.
func (d *memDocs) all() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	for _, v := range d.docs {
		b.Write(v)
		b.WriteByte('\n')
	}
	return b.String()
}
