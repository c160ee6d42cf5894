package lineage_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

func TestParseNode(t *testing.T) {
	tests := []struct {
		in   string
		want piimap.Location
		err  bool
	}{
		{"app/main.customers#email", piimap.Location{Store: "app", Name: "main.customers", Field: "email"}, false},
		{"app/main.customers", piimap.Location{Store: "app", Name: "main.customers"}, false},
		{"files/exports/users.csv", piimap.Location{Store: "files", Name: "exports/users.csv"}, false},
		{"files/a#b.csv#payload.user.email", piimap.Location{Store: "files", Name: "a#b.csv", Field: "payload.user.email"}, false},
		{"app", piimap.Location{}, true},
		{"/main.customers", piimap.Location{}, true},
		{"app/", piimap.Location{}, true},
		{"app/main.customers#", piimap.Location{}, true},
		{"app/#email", piimap.Location{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := lineage.ParseNode(tc.in)
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// traceEstate is the fixture plus a second-level copy (a mart column
// derived from the warehouse email) and an object whose name holds '#'.
func traceEstate(t *testing.T) (lineage.Graph, string) {
	g := lineagetest.NewMemGraph()
	p := fixture()
	mart := piimap.Location{Store: "wh", Namespace: lineagetest.WH.Namespace, Name: "main.mart", Field: "email"}
	odd := piimap.Location{Store: "logs", Namespace: lineagetest.Logs.Namespace, Name: "a#b.log"}
	p.nodes = append(p.nodes, lineage.Node{Kind: lineage.NodeField, Loc: mart}, lineage.Node{Kind: lineage.NodeAsset, Loc: odd})
	p.edges = append(p.edges,
		lineage.Edge{Kind: lineage.EdgeContains, From: mart.Asset(), To: mart, Source: lineage.SourceScan, Confidence: 1},
		lineage.Edge{Kind: lineage.EdgeContains, From: lineagetest.Logs.Asset(), To: odd, Source: lineage.SourceScan, Confidence: 1},
		lineage.Edge{Kind: lineage.EdgeDerivedFrom, From: mart, To: lineagetest.DimEmail, Source: lineage.SourceDBT,
			Confidence: 0.9, Transform: lineage.TransformTransformation, Evidence: "lower(email)"})
	return g, p.write(t, g)
}

// treeLines renders a trace as "depth node kind" lines in tree order.
func treeLines(tr *lineage.Trace) []string {
	var out []string
	var walk func(n *lineage.TraceNode, indent string)
	walk = func(n *lineage.TraceNode, indent string) {
		for _, c := range n.Children {
			kind := "-"
			if c.Via != nil {
				kind = c.Via.Kind
			}
			out = append(out, indent+c.Node+" "+kind)
			walk(c, indent+"  ")
		}
	}
	walk(tr.Root, "")
	return out
}

func TestTraceLineage(t *testing.T) {
	ctx := context.Background()
	g, run := traceEstate(t)
	tests := []struct {
		name  string
		from  piimap.Location
		dir   lineage.Direction
		depth int
		want  []string
	}{
		{"downstream copies, two levels", lineagetest.CustEmail, lineage.In, 0, []string{
			"wh/main.dim_customer#email derived_from",
			"  wh/main.mart#email derived_from",
			"wh/main.dim_customer#email_sha256 copy_of",
		}},
		{"depth limit", lineagetest.CustEmail, lineage.In, 1, []string{
			"wh/main.dim_customer#email derived_from",
			"wh/main.dim_customer#email_sha256 copy_of",
		}},
		{"upstream to the source", piimap.Location{Store: "wh", Name: "main.mart", Field: "email"}, lineage.Out, 0, []string{
			"wh/main.dim_customer#email derived_from",
			"  app/main.customers#email derived_from",
		}},
		{"references: child to parent", lineagetest.ItemOrder, lineage.Out, 0, []string{
			"app/main.orders#id references",
		}},
		{"references: parent to children", lineagetest.CustID, lineage.In, 0, []string{
			"app/main.orders#customer_id references",
		}},
		{"an asset walks its fields", lineagetest.Items.Asset(), lineage.Out, 0, []string{
			"app/main.order_items#order_id -",
			"  app/main.orders#id references",
			"app/main.order_items#sku -",
			"  app/main.products#sku references",
		}},
		{"nothing upstream", lineagetest.CustEmail, lineage.Out, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := lineage.TraceLineage(ctx, g, "", tc.from, tc.dir, tc.depth)
			require.NoError(t, err)
			require.Equal(t, run, tr.Run)
			require.Equal(t, tc.want, treeLines(tr))
			n := 0
			for _, l := range tc.want {
				if !strings.HasSuffix(l, " -") {
					n++
				}
			}
			require.Equal(t, n, tr.Count)
		})
	}
	_, err := lineage.TraceLineage(ctx, g, "nope", lineagetest.CustEmail, lineage.In, 0)
	require.ErrorIs(t, err, piimap.ErrNotFound)
}

func TestResolveNode(t *testing.T) {
	ctx := context.Background()
	g, run := traceEstate(t)
	tests := []struct {
		in   string
		want piimap.Location
		err  error
	}{
		{"app/main.customers#email", piimap.Location{Store: "app", Name: "main.customers", Field: "email"}, nil},
		{"app/main.customers", piimap.Location{Store: "app", Name: "main.customers"}, nil},
		{"logs/a#b.log", piimap.Location{Store: "logs", Name: "a#b.log"}, nil}, // '#' inside an object name
		{"app/main.customers#nope", piimap.Location{}, piimap.ErrNotFound},
		{"zzz/t", piimap.Location{}, piimap.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, id, err := lineage.ResolveNode(ctx, g, "", tc.in)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, run, id)
			require.Equal(t, tc.want, got)
		})
	}
	_, _, err := lineage.ResolveNode(ctx, g, "", "bad")
	require.Error(t, err)
}

func TestWriteTraceTextGolden(t *testing.T) {
	ctx := context.Background()
	g, _ := traceEstate(t)
	var buf bytes.Buffer
	for _, c := range []struct {
		from piimap.Location
		dir  lineage.Direction
	}{
		{lineagetest.CustEmail, lineage.In},
		{lineagetest.Items.Asset(), lineage.Out},
		{lineagetest.CustEmail, lineage.Out},
	} {
		tr, err := lineage.TraceLineage(ctx, g, "", c.from, c.dir, 0)
		require.NoError(t, err)
		tr.Run = "RUN"
		require.NoError(t, lineage.WriteTraceText(&buf, tr))
		buf.WriteString("\n")
	}
	golden(t, "trace.txt", buf.Bytes())
}

// FuzzParseNode: whatever parses renders back to itself.
func FuzzParseNode(f *testing.F) {
	for _, s := range []string{"app/main.customers#email", "files/a#b.csv#x", "a/b", "a/#", "/x", "a/b#", "ä/\x00#\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := lineage.ParseNode(s)
		if err != nil {
			return
		}
		require.NotEmpty(t, l.Store)
		require.NotEmpty(t, l.Name)
		require.Equal(t, s, l.String())
		again, err := lineage.ParseNode(l.String())
		require.NoError(t, err)
		require.Equal(t, l, again)
	})
}

// TestTraceAlsoEdges: a trace lists, under each location, the other edges
// into it from locations it reached: a second edge between the same pair
// (a dbt edge beside a fingerprint copy) and an edge from another branch.
func TestTraceAlsoEdges(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	a := piimap.Location{Store: "app", Name: "users", Field: "email"}
	b := piimap.Location{Store: "wh", Name: "dim_user", Field: "email"}
	c := piimap.Location{Store: "wh", Name: "mart", Field: "email"}
	var nodes []lineage.Node
	for _, l := range []piimap.Location{a, b, c} {
		nodes = append(nodes, lineage.Node{Kind: lineage.NodeField, Loc: l})
	}
	writeRun(t, g, nodes, []lineage.Edge{
		{Kind: lineage.EdgeDerivedFrom, From: b, To: a, Source: lineage.SourceDBT, Confidence: 0.9, Transform: lineage.TransformIdentity},
		{Kind: lineage.EdgeCopyOf, From: b, To: a, Source: lineage.SourceFingerprint, Confidence: 0.97, Transform: lineage.TransformIdentity},
		{Kind: lineage.EdgeCopyOf, From: c, To: a, Source: lineage.SourceFingerprint, Confidence: 0.95, Transform: lineage.TransformIdentity},
		{Kind: lineage.EdgeDerivedFrom, From: c, To: b, Source: lineage.SourceDBT, Confidence: 0.9, Transform: lineage.TransformIdentity},
	}, nil)
	tr, err := lineage.TraceLineage(ctx, g, "", a, lineage.In, 0)
	require.NoError(t, err)
	require.Equal(t, 2, tr.Count)
	also := map[string][]string{}
	for _, n := range tr.Root.Children {
		for _, e := range n.Also {
			also[n.Node] = append(also[n.Node], e.Kind+"/"+e.Source+" from "+e.From)
		}
	}
	require.Len(t, also["wh/dim_user#email"], 1, "the second edge between dim_user and users")
	require.Contains(t, also["wh/dim_user#email"][0], "from app/users#email")
	require.Equal(t, []string{"derived_from/dbt from wh/dim_user#email"}, also["wh/mart#email"], "mart is fed by dim_user too")
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteTraceText(&buf, tr))
	require.Contains(t, buf.String(), "also derived_from (dbt 0.90, identity) from wh/dim_user#email")
}
