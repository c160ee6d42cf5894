package lineage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// writeRun writes one finished run from explicit parts.
func writeRun(t *testing.T, g lineage.Graph, nodes []lineage.Node, edges []lineage.Edge, findings []piimap.Finding) string {
	t.Helper()
	ctx := context.Background()
	id, w, err := g.BeginRun(ctx, []string{"app", "logs", "wh"})
	require.NoError(t, err)
	for _, n := range nodes {
		require.NoError(t, w.PutNode(ctx, n))
	}
	for _, e := range edges {
		require.NoError(t, w.PutEdge(ctx, e))
	}
	for _, f := range findings {
		require.NoError(t, w.PutFinding(ctx, f))
	}
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))
	return id
}

func hopNames(hops []lineage.Hop) []string {
	var out []string
	for _, h := range hops {
		out = append(out, h.Loc.String())
	}
	return out
}

func TestReach(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	a := piimap.Location{Store: "s", Name: "t", Field: "a"}
	b, c, d := a.WithField("b"), a.WithField("c"), a.WithField("d")
	edge := func(kind string, from, to piimap.Location) lineage.Edge {
		return lineage.Edge{Kind: kind, From: from, To: to, Source: lineage.SourceManual, Confidence: 1}
	}
	// a → b → c → a is a cycle; c → d; a contains-edge to d must be ignored
	// by default.
	run := writeRun(t, g, nil, []lineage.Edge{
		edge(lineage.EdgeCopyOf, a, b), edge(lineage.EdgeCopyOf, b, c), edge(lineage.EdgeCopyOf, c, a),
		edge(lineage.EdgeDerivedFrom, c, d), edge(lineage.EdgeContains, a, d),
	}, nil)

	tests := []struct {
		name  string
		from  piimap.Location
		kinds []string
		dir   lineage.Direction
		depth int
		want  []string
		deps  []int
	}{
		{"out all", a, nil, lineage.Out, 0, []string{"s/t#b", "s/t#c", "s/t#d"}, []int{1, 2, 3}},
		{"out depth 1", a, nil, lineage.Out, 1, []string{"s/t#b"}, []int{1}},
		{"out copy only", a, []string{lineage.EdgeCopyOf}, lineage.Out, 0, []string{"s/t#b", "s/t#c"}, []int{1, 2}},
		{"contains explicit", a, []string{lineage.EdgeContains}, lineage.Out, 0, []string{"s/t#d"}, []int{1}},
		{"in", d, nil, lineage.In, 0, []string{"s/t#c", "s/t#b", "s/t#a"}, []int{1, 2, 3}},
		{"in depth 2", d, nil, lineage.In, 2, []string{"s/t#c", "s/t#b"}, []int{1, 2}},
		{"dead end", d, nil, lineage.Out, 0, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hops, err := lineage.Reach(ctx, g, run, tc.from, tc.kinds, tc.dir, tc.depth)
			require.NoError(t, err)
			require.Equal(t, tc.want, hopNames(hops))
			for i, h := range hops {
				require.Equal(t, tc.deps[i], h.Depth)
				if tc.dir == lineage.Out {
					require.Equal(t, h.Loc, h.Via.To)
				} else {
					require.Equal(t, h.Loc, h.Via.From)
				}
			}
		})
	}
	_, err := lineage.Reach(ctx, g, "nope", a, nil, lineage.Out, 0)
	require.ErrorIs(t, err, piimap.ErrNotFound)
}

// estatePlus is the fixture plus PII in a grandchild table (reached over
// two references edges) and in an unrelated table (an orphan).
func estatePlus(t *testing.T) (lineage.Graph, string) {
	g := lineagetest.NewMemGraph()
	nodes, edges, findings, _ := lineagetest.Estate()
	gift := lineagetest.Items.WithField("gift_note")
	contact := lineagetest.Products.WithField("contact_name")
	nodes = append(nodes,
		lineage.Node{Kind: lineage.NodeField, Loc: gift, StoreKind: "duckdb"},
		lineage.Node{Kind: lineage.NodeField, Loc: contact, StoreKind: "duckdb"})
	findings = append(findings,
		piimap.Finding{Loc: gift, Type: piimap.TypePersonName, Confidence: 0.7, Masked: "A** B**"},
		piimap.Finding{Loc: contact, Type: piimap.TypePersonName, Confidence: 0.9, Masked: "C** D**"})
	return g, writeRun(t, g, nodes, edges, findings)
}

func TestSubjectPaths(t *testing.T) {
	ctx := context.Background()
	g, run := estatePlus(t)

	paths, err := lineage.SubjectPaths(ctx, g, run)
	require.NoError(t, err)
	got := map[string]lineage.SubjectPath{}
	for _, p := range paths {
		got[p.To.String()] = p
	}
	require.Len(t, got, len(paths), "one path per target")
	require.ElementsMatch(t, []string{
		"app/main.customers#email", "app/main.customers#id", "app/main.customers#name",
		"app/main.order_items#gift_note", "wh/main.dim_customer#email",
	}, keys(got))

	gift := got["app/main.order_items#gift_note"]
	require.Equal(t, lineagetest.CustEmail.String(), gift.Key.String(), "ties go to the first key in order")
	require.Equal(t, piimap.KeyEmail, gift.Identity)
	require.Len(t, gift.Edges, 2)
	require.Equal(t, lineagetest.OrderCust, gift.Edges[0].From)
	require.Equal(t, lineagetest.ItemOrder, gift.Edges[1].From)
	require.Empty(t, got["app/main.customers#name"].Edges, "same row as the key")
	require.Equal(t, lineagetest.Customers.Namespace, got["app/main.customers#name"].To.Namespace, "namespaces kept")

	// Starting from user_id keys only: dim_customer's own email key is not
	// a start, so it is reached through the view edge.
	paths, err = lineage.SubjectPaths(ctx, g, run, piimap.KeyUserID)
	require.NoError(t, err)
	for _, p := range paths {
		require.Equal(t, lineagetest.CustID.String(), p.Key.String())
		if p.To.String() == lineagetest.DimEmail.String() {
			require.Len(t, p.Edges, 1)
			require.Equal(t, lineage.EdgeDerivedFrom, p.Edges[0].Kind)
		}
	}
	paths, err = lineage.SubjectPaths(ctx, g, run, "passport")
	require.NoError(t, err)
	require.Empty(t, paths)
}

func TestOrphans(t *testing.T) {
	ctx := context.Background()
	g, run := estatePlus(t)
	orphans, err := lineage.Orphans(ctx, g, run)
	require.NoError(t, err)
	var names []string
	for _, o := range orphans {
		names = append(names, o.String())
	}
	require.Equal(t, []string{"app/main.products#contact_name", "logs/app.log"}, names)
}

func keys(m map[string]lineage.SubjectPath) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
