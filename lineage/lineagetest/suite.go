package lineagetest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// RunGraphSuite runs the behaviour every lineage.Graph must have. open
// returns a fresh, empty graph; the suite closes it. Graphs that live in a
// directory and expose it as `Dir() string` also get the raw-PII check,
// which greps the directory's bytes after Close.
func RunGraphSuite(t *testing.T, open func(t *testing.T) lineage.Graph) {
	tests := []struct {
		name string
		fn   func(t *testing.T, g lineage.Graph)
	}{
		{"WriteReadBack", testWriteReadBack},
		{"EdgesBothDirections", testEdgesBothDirections},
		{"IndependentSnapshots", testIndependentSnapshots},
		{"CarryForward", testCarryForward},
		{"CarryForwardConfigured", testCarryForwardConfigured},
		{"CarryForwardRewrites", testCarryForwardRewrites},
		{"Latest", testLatest},
		{"RunsOrdered", testRunsOrdered},
		{"ConcurrentWriters", testConcurrentWriters},
		{"UnknownRun", testUnknownRun},
		{"FinishTwice", testFinishTwice},
		{"NoRawPII", testNoRawPII},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := open(t)
			closed := false
			t.Cleanup(func() {
				if !closed {
					_ = g.Close()
				}
			})
			if tc.name == "NoRawPII" {
				closed = true // the test closes the graph to read its files
			}
			tc.fn(t, g)
		})
	}
}

func collectNodes(t *testing.T, g lineage.Graph, run string) []lineage.Node {
	t.Helper()
	var out []lineage.Node
	require.NoError(t, g.Nodes(context.Background(), run, func(n lineage.Node) error { out = append(out, n); return nil }))
	return out
}

func collectEdges(t *testing.T, g lineage.Graph, run string, at piimap.Location, dir lineage.Direction) []lineage.Edge {
	t.Helper()
	var out []lineage.Edge
	require.NoError(t, g.Edges(context.Background(), run, at, dir, func(e lineage.Edge) error { out = append(out, e); return nil }))
	return out
}

func collectFindings(t *testing.T, g lineage.Graph, run string) []piimap.Finding {
	t.Helper()
	var out []piimap.Finding
	require.NoError(t, g.Findings(context.Background(), run, func(f piimap.Finding) error { out = append(out, f); return nil }))
	return out
}

func locs(nodes []lineage.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Loc.String()
	}
	return out
}

func stores(nodes []lineage.Node) []string {
	var out []string
	for _, n := range nodes {
		if !slices.Contains(out, n.Loc.Store) {
			out = append(out, n.Loc.Store)
		}
	}
	return out
}

func testWriteReadBack(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	id, err := WriteEstate(ctx, g)
	require.NoError(t, err)

	wantNodes, _, wantFindings, _ := Estate()
	got := collectNodes(t, g, id)
	require.Len(t, got, len(wantNodes))
	byLoc := map[string]lineage.Node{}
	for _, n := range wantNodes {
		byLoc[n.Loc.String()] = n
	}
	for _, n := range got {
		require.Equal(t, byLoc[n.Loc.String()], n, "node %s", n.Loc)
	}
	require.True(t, slices.IsSortedFunc(got, func(a, b lineage.Node) int { return cmpLoc(a.Loc, b.Loc) }),
		"nodes in (store, asset, field) order: %v", locs(got))

	gotF := collectFindings(t, g, id)
	require.ElementsMatch(t, wantFindings, gotF)
	require.True(t, slices.IsSortedFunc(gotF, func(a, b piimap.Finding) int { return cmpLoc(a.Loc, b.Loc) }))

	run, err := g.Run(ctx, id)
	require.NoError(t, err)
	require.Equal(t, id, run.ID)
	require.Equal(t, []string{"app", "logs", "wh"}, run.Stores)
	require.Equal(t, lineage.RunGaps, run.Status, "a unit error makes the run completed_with_gaps")
	require.Equal(t, []lineage.UnitError{{Store: "logs", Unit: "broken.gz", Err: "gzip: truncated input: corrupt input"}}, run.Errors)
	require.False(t, run.StartedAt.IsZero())
	require.False(t, run.EndedAt.Before(run.StartedAt))
	require.Equal(t, len(wantNodes), run.Units)

	if l, ok := g.(lineage.UnitErrorLister); ok {
		var ues []lineage.UnitError
		require.NoError(t, l.UnitErrors(ctx, id, func(ue lineage.UnitError) error { ues = append(ues, ue); return nil }))
		require.Equal(t, run.Errors, ues)
	}
}

func testEdgesBothDirections(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	id, err := WriteEstate(ctx, g)
	require.NoError(t, err)

	out := collectEdges(t, g, id, CustEmail, lineage.Out)
	require.Empty(t, out, "customers.email has no outgoing edges")

	in := collectEdges(t, g, id, CustEmail, lineage.In)
	kinds := []string{}
	for _, e := range in {
		require.Equal(t, CustEmail.String(), e.To.String())
		kinds = append(kinds, e.Kind+"<-"+e.From.String())
	}
	require.Equal(t, []string{
		"contains<-app/main.customers",
		"copy_of<-wh/main.dim_customer#email_sha256",
		"derived_from<-wh/main.dim_customer#email",
	}, kinds, "in-edges ordered by kind, then the other end")

	out = collectEdges(t, g, id, DimHash, lineage.Out)
	require.Len(t, out, 1)
	require.Equal(t, lineage.Edge{Kind: lineage.EdgeCopyOf, From: DimHash, To: CustEmail, Source: lineage.SourceFingerprint,
		Confidence: 0.93, Transform: lineage.TransformMasked, ObservedAt: Observed}, out[0])

	// An asset's edges are its own, not its fields'.
	out = collectEdges(t, g, id, Customers, lineage.Out)
	require.Len(t, out, 3)
	for _, e := range out {
		require.Equal(t, lineage.EdgeContains, e.Kind)
	}
	if l, ok := g.(lineage.EdgeLister); ok {
		var all, refs []lineage.Edge
		require.NoError(t, l.AllEdges(ctx, id, nil, func(e lineage.Edge) error { all = append(all, e); return nil }))
		_, want, _, _ := Estate()
		require.ElementsMatch(t, want, all)
		require.True(t, slices.IsSortedFunc(all, func(a, b lineage.Edge) int {
			return cmp.Or(cmpLoc(a.From, b.From), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Source, b.Source), cmpLoc(a.To, b.To))
		}), "AllEdges in (from, kind, source, to) order")
		require.NoError(t, l.AllEdges(ctx, id, []string{lineage.EdgeReferences}, func(e lineage.Edge) error { refs = append(refs, e); return nil }))
		require.Len(t, refs, 3)
		for _, e := range refs {
			require.Equal(t, lineage.EdgeReferences, e.Kind)
		}
		require.ErrorIs(t, l.AllEdges(ctx, "nope", nil, func(lineage.Edge) error { return nil }), piimap.ErrNotFound)
	}

	// Two sources for the same pair are two edges.
	_, w, err := g.BeginRun(ctx, []string{"x"})
	require.NoError(t, err)
	a := piimap.Location{Store: "x", Name: "t", Field: "a"}
	b := piimap.Location{Store: "x", Name: "u", Field: "b"}
	require.NoError(t, w.PutEdge(ctx, lineage.Edge{Kind: lineage.EdgeCopyOf, From: a, To: b, Source: lineage.SourceSQL, Confidence: 1}))
	require.NoError(t, w.PutEdge(ctx, lineage.Edge{Kind: lineage.EdgeCopyOf, From: a, To: b, Source: lineage.SourceFingerprint, Confidence: 0.7}))
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))
	latest, err := g.Latest(ctx)
	require.NoError(t, err)
	got := collectEdges(t, g, latest.ID, b, lineage.In)
	require.Len(t, got, 2)
	require.False(t, got[0].ObservedAt.IsZero(), "observed_at defaults to the write time")
}

func testIndependentSnapshots(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	run1, err := WriteEstate(ctx, g, "app")
	require.NoError(t, err)

	// Run 2 rescans app: customers lost its name column, a new table appeared.
	run2, w, err := g.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	nodes, edges, findings, _ := Estate("app")
	for _, n := range nodes {
		if n.Loc != CustName {
			require.NoError(t, w.PutNode(ctx, n))
		}
	}
	extra := piimap.Location{Store: "app", Name: "main.audit", Field: "actor_email"}
	require.NoError(t, w.PutNode(ctx, lineage.Node{Kind: lineage.NodeField, Loc: extra, StoreKind: "duckdb"}))
	for _, e := range edges {
		require.NoError(t, w.PutEdge(ctx, e))
	}
	for _, f := range findings {
		if f.Loc != CustName {
			require.NoError(t, w.PutFinding(ctx, f))
		}
	}
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))
	require.NotEqual(t, run1, run2)

	n1, n2 := locs(collectNodes(t, g, run1)), locs(collectNodes(t, g, run2))
	require.Contains(t, n1, CustName.String())
	require.NotContains(t, n1, extra.String())
	require.NotContains(t, n2, CustName.String())
	require.Contains(t, n2, extra.String())
	require.Len(t, collectFindings(t, g, run1), 2)
	require.Len(t, collectFindings(t, g, run2), 1)
}

func testCarryForward(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	run1, err := WriteEstate(ctx, g)
	require.NoError(t, err)

	// Run 2 scans app only, and main.customers.email disappeared: the wh
	// edges into it must not be carried, the rest of wh and logs must be.
	run2, w, err := g.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	nodes, edges, findings, _ := Estate("app")
	for _, n := range nodes {
		if n.Loc != CustEmail {
			require.NoError(t, w.PutNode(ctx, n))
		}
	}
	for _, e := range edges {
		require.NoError(t, w.PutEdge(ctx, e))
	}
	for _, f := range findings {
		if f.Loc != CustEmail {
			require.NoError(t, w.PutFinding(ctx, f))
		}
	}
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))

	got := collectNodes(t, g, run2)
	require.Equal(t, []string{"app", "logs", "wh"}, stores(got), "unscanned stores carried forward")
	all1, all2 := collectNodes(t, g, run1), collectNodes(t, g, run2)
	require.Len(t, all2, len(all1)-1)

	f2 := collectFindings(t, g, run2)
	var fl []string
	for _, f := range f2 {
		fl = append(fl, f.Loc.String()+":"+f.Type)
	}
	require.ElementsMatch(t, []string{
		"app/main.customers#name:person_name",
		"logs/app.log:email", "logs/app.log:ip_address",
		"wh/main.dim_customer#email:email",
	}, fl)

	out := collectEdges(t, g, run2, DimEmail, lineage.Out)
	require.Empty(t, out, "derived_from into a vanished field is dropped")
	require.Len(t, collectEdges(t, g, run2, Dim, lineage.Out), 2, "wh contains edges carried")
	require.Len(t, collectEdges(t, g, run2, DimEmail, lineage.In), 1, "reverse index carried too")
	require.Len(t, collectEdges(t, g, run1, DimEmail, lineage.Out), 1, "run 1 untouched")

	run, err := g.Run(ctx, run2)
	require.NoError(t, err)
	require.Equal(t, []string{"app"}, run.Stores)
	require.Equal(t, lineage.RunComplete, run.Status, "this run had no unit errors")
	require.Empty(t, run.Errors)
	if l, ok := g.(lineage.UnitErrorLister); ok {
		var ues []lineage.UnitError
		require.NoError(t, l.UnitErrors(ctx, run2, func(ue lineage.UnitError) error { ues = append(ues, ue); return nil }))
		require.Len(t, ues, 1, "logs' unit error carried with logs")
		require.Equal(t, "broken.gz", ues[0].Unit)
	}

	// Run 3 rescans wh only: app is carried from run 2 (without
	// customers.email), and the edges wh writes itself are kept as written.
	run3, err := WriteEstate(ctx, g, "wh")
	require.NoError(t, err)
	require.NotContains(t, locs(collectNodes(t, g, run3)), CustEmail.String())
	require.Contains(t, locs(collectNodes(t, g, run3)), CustName.String())
	require.Contains(t, locs(collectNodes(t, g, run3)), AppLog.String(), "carried through two runs")
	require.Len(t, collectEdges(t, g, run3, DimEmail, lineage.Out), 1, "edges written in this run are kept as written")
}

func testCarryForwardConfigured(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	_, err := WriteEstate(ctx, g)
	require.NoError(t, err)
	id, w, err := g.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	nodes, _, _, _ := Estate("app")
	for _, n := range nodes {
		require.NoError(t, w.PutNode(ctx, n))
	}
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{Configured: []string{"app", "wh"}}))
	got := collectNodes(t, g, id)
	require.Equal(t, []string{"app", "wh"}, stores(got), "logs left the configuration, so it left the map")
	require.Len(t, collectEdges(t, g, id, DimEmail, lineage.Out), 1)
}

// testCarryForwardRewrites: a run that rewrites a source (as lineage
// ingest does) carries no edge of it forward, only what it writes; edges
// of other sources are carried as before.
func testCarryForwardRewrites(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	_, err := WriteEstate(ctx, g)
	require.NoError(t, err)
	sources := func(run string, at piimap.Location) []string {
		var out []string
		for _, e := range collectEdges(t, g, run, at, lineage.Out) {
			out = append(out, e.Kind+"/"+e.Source+"/"+e.To.String())
		}
		return out
	}
	id, w, err := g.BeginRun(ctx, nil)
	require.NoError(t, err)
	require.NoError(t, w.PutEdge(ctx, lineage.Edge{Kind: lineage.EdgeDerivedFrom, From: DimHash, To: CustEmail,
		Source: lineage.SourceView, Confidence: 1, Transform: lineage.TransformMasked, ObservedAt: Observed}))
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{Rewrites: []string{lineage.SourceView}}))
	require.Empty(t, sources(id, DimEmail), "the view edge the rewrite did not write again is gone")
	require.ElementsMatch(t, []string{"copy_of/fingerprint/" + CustEmail.String(), "derived_from/view/" + CustEmail.String()},
		sources(id, DimHash), "other sources carried, the rewritten edge written")
	require.Len(t, collectEdges(t, g, id, OrderCust, lineage.Out), 1, "fk edges are carried")
	r, err := g.Run(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{lineage.SourceView}, r.Rewrites)
}

func testLatest(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	_, err := g.Latest(ctx)
	require.ErrorIs(t, err, piimap.ErrNotFound)

	id1, w, err := g.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	_, err = g.Latest(ctx)
	require.ErrorIs(t, err, piimap.ErrNotFound, "a running run is not latest")
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))
	l, err := g.Latest(ctx)
	require.NoError(t, err)
	require.Equal(t, id1, l.ID)
	require.Equal(t, lineage.RunComplete, l.Status)

	id2, w, err := g.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{Status: lineage.RunFailed}))
	l, err = g.Latest(ctx)
	require.NoError(t, err)
	require.Equal(t, id1, l.ID, "a failed run is not latest")
	r2, err := g.Run(ctx, id2)
	require.NoError(t, err)
	require.Equal(t, lineage.RunFailed, r2.Status)

	id3, err := WriteEstate(ctx, g)
	require.NoError(t, err)
	l, err = g.Latest(ctx)
	require.NoError(t, err)
	require.Equal(t, id3, l.ID)
}

func testRunsOrdered(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	var ids []string
	for range 5 {
		id, w, err := g.BeginRun(ctx, []string{"app"})
		require.NoError(t, err)
		require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))
		ids = append(ids, id)
	}
	require.True(t, slices.IsSorted(ids), "run IDs sort by time: %v", ids)
	require.Len(t, slices.Compact(slices.Clone(ids)), 5, "run IDs are unique")
	runs, err := g.Runs(ctx)
	require.NoError(t, err)
	var got []string
	for _, r := range runs {
		got = append(got, r.ID)
	}
	require.Equal(t, ids, got, "Runs lists oldest first")
}

func testConcurrentWriters(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	id, w, err := g.BeginRun(ctx, []string{"big"})
	require.NoError(t, err)
	const workers, per = 8, 150
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Go(func() {
			asset := piimap.Location{Store: "big", Name: fmt.Sprintf("t%02d", i)}
			for j := range per {
				f := asset.WithField(fmt.Sprintf("c%03d", j))
				for _, err := range []error{
					w.PutNode(ctx, lineage.Node{Kind: lineage.NodeField, Loc: f, StoreKind: "duckdb"}),
					w.PutEdge(ctx, lineage.Edge{Kind: lineage.EdgeContains, From: asset, To: f, Source: lineage.SourceScan, Confidence: 1}),
					w.PutFinding(ctx, piimap.Finding{Loc: f, Type: piimap.TypeEmail, Confidence: 0.9, Masked: "a***@b***.c"}),
				} {
					if err != nil {
						errs <- err
						return
					}
				}
			}
			errs <- w.PutUnitError(ctx, lineage.UnitError{Store: "big", Unit: asset.Name, Err: "timeout"})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))
	require.Len(t, collectNodes(t, g, id), workers*per)
	require.Len(t, collectFindings(t, g, id), workers*per)
	require.Len(t, collectEdges(t, g, id, piimap.Location{Store: "big", Name: "t03"}, lineage.Out), per)
	run, err := g.Run(ctx, id)
	require.NoError(t, err)
	require.Len(t, run.Errors, workers)
	require.Equal(t, lineage.RunGaps, run.Status)
}

func testUnknownRun(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	_, err := WriteEstate(ctx, g, "app")
	require.NoError(t, err)
	nop := func(any) error { return nil }
	for name, call := range map[string]func() error{
		"Run":   func() error { _, err := g.Run(ctx, "20990101T000000.000000Z"); return err },
		"Nodes": func() error { return g.Nodes(ctx, "nope", func(n lineage.Node) error { return nop(n) }) },
		"Edges": func() error {
			return g.Edges(ctx, "nope", CustID, lineage.In, func(e lineage.Edge) error { return nop(e) })
		},
		"Findings": func() error { return g.Findings(ctx, "nope", func(f piimap.Finding) error { return nop(f) }) },
		"Empty":    func() error { return g.Nodes(ctx, "", func(n lineage.Node) error { return nop(n) }) },
	} {
		require.ErrorIs(t, call(), piimap.ErrNotFound, name)
	}
}

func testFinishTwice(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	_, w, err := g.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))
	require.Error(t, w.Finish(ctx, lineage.ScanRun{}), "a run is sealed once")
	require.Error(t, w.PutNode(ctx, lineage.Node{Kind: lineage.NodeStore, Loc: App.Asset()}), "no writes after Finish")
}

// testNoRawPII simulates the classifier's contract: the raw sample holds the
// canary, the finding only its masked form. After Close, the canary must not
// occur anywhere in the graph's files, while the masked form must (which
// proves the grep can see stored strings at all).
func testNoRawPII(t *testing.T, g lineage.Graph) {
	ctx := context.Background()
	dg, ok := g.(interface{ Dir() string })
	if !ok {
		_ = g.Close()
		t.Skip("graph keeps no files")
	}
	raw := piimap.Record{Loc: CustEmail, Values: []string{Canary, "other@example.org"}}
	_, err := WriteEstate(ctx, g)
	require.NoError(t, err)
	id, w, err := g.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	f := piimap.Finding{Loc: raw.Loc, Type: piimap.TypeEmail, RuleID: "email", Confidence: 1,
		Hits: len(raw.Values), Sampled: len(raw.Values), Masked: CanaryMasked,
		Evidence: []string{fmt.Sprintf("pattern ok %d/%d", len(raw.Values), len(raw.Values))}}
	require.NoError(t, w.PutFinding(ctx, f))
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{ID: id}))
	require.NoError(t, g.Close())

	dir := dg.Dir()
	var sawMasked bool
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(Canary)) {
			return fmt.Errorf("raw PII canary found in %s", path)
		}
		sawMasked = sawMasked || bytes.Contains(b, []byte(CanaryMasked))
		return nil
	})
	require.NoError(t, err)
	require.True(t, sawMasked, "masked value not found in %s: the grep cannot see stored data", dir)
}
