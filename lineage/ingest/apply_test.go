package ingest

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// scanFields writes a finished run whose map holds the given fields of
// store app, as a scan would.
func scanFields(t *testing.T, g lineage.Graph, fields ...[2]string) string {
	t.Helper()
	ctx := context.Background()
	id, w, err := g.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	for _, f := range fields {
		loc := piimap.Location{Namespace: "postgres://db.internal:5432", Store: "app", Name: f[0], Field: f[1]}
		require.NoError(t, w.PutNode(ctx, lineage.Node{Kind: lineage.NodeField, Loc: loc, StoreKind: "postgres"}))
	}
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{Status: lineage.RunComplete}))
	return id
}

func runEdges(t *testing.T, g *lineagetest.MemGraph, run string) []string {
	t.Helper()
	var out []lineage.Edge
	require.NoError(t, g.AllEdges(context.Background(), run, nil, func(e lineage.Edge) error {
		out = append(out, e)
		return nil
	}))
	got := edgeStrings(out)
	slices.Sort(got)
	return got
}

func TestApply(t *testing.T) {
	ctx := context.Background()
	stores := slices.DeleteFunc(testStores(), func(s Store) bool { return s.Name == "wh" })
	g := lineagetest.NewMemGraph()
	require.NoError(t, Put(ctx, g, read(t, KindDBT, "dbt_manifest.json")))

	// No scan yet: every edge waits for its ends, and no run is written.
	got, err := Apply(ctx, g, stores)
	require.NoError(t, err)
	require.Empty(t, got.Run)
	require.Equal(t, 6, got.Edges)
	require.Equal(t, got.Edges, got.NotInMap)
	require.Zero(t, got.Written)
	require.Equal(t, 1, got.Stored)
	require.NotNil(t, got.Problems, "problems print as [], not null")

	// A scan that holds four of the fields: the two edges with both ends
	// in the map are written to a new run, the others wait.
	scan := scanFields(t, g, [2]string{"marts.customers_export", "email"}, [2]string{"marts.customers_export", "user_id"},
		[2]string{"app.users", "email"}, [2]string{"app.users", "id"})
	got, err = Apply(ctx, g, stores)
	require.NoError(t, err)
	require.NotEmpty(t, got.Run)
	require.NotEqual(t, scan, got.Run)
	require.Equal(t, 2, got.Written)
	require.Equal(t, 4, got.NotInMap)
	require.Equal(t, map[string]int{lineage.SourceDBT: 2}, got.BySource)
	require.False(t, got.Unchanged)
	require.Equal(t, []string{
		"app/marts.customers_export#email -> app/app.users#email dbt identity 0.95",
		"app/marts.customers_export#user_id -> app/app.users#id dbt identity 0.95",
	}, runEdges(t, g, got.Run))
	run, err := g.Run(ctx, got.Run)
	require.NoError(t, err)
	require.Equal(t, []string{"app", "other", "crm", "lake", "lake_all", "files", "cache"}, run.Configured)
	require.Equal(t, EdgeSources, run.Rewrites)
	latest, err := g.Latest(ctx)
	require.NoError(t, err)
	require.Equal(t, got.Run, latest.ID)

	// The same sources again: the latest run has every edge, no run.
	again, err := Apply(ctx, g, stores)
	require.NoError(t, err)
	require.Empty(t, again.Run)
	require.True(t, again.Unchanged)
	require.Equal(t, 2, again.Written)
}

func TestDeclared(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	require.NoError(t, Put(ctx, g, read(t, KindDBT, "dbt_manifest.json")))
	stores := slices.DeleteFunc(testStores(), func(s Store) bool { return s.Name == "wh" })
	rep, err := Declared(ctx, g, stores)
	require.NoError(t, err)
	want, err := Build(ctx, g, NewResolver(stores, nil))
	require.NoError(t, err)
	require.Equal(t, edgeStrings(want.Edges), edgeStrings(rep.Edges))
	require.Equal(t, 1, rep.Sources)
}
