package badgerstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// The map built from Badger equals the one built from the reference
// in-memory graph for the same scans, including a carried-forward run.
func TestBuildMapMatchesMemGraph(t *testing.T) {
	ctx := context.Background()
	mem, bs := lineagetest.NewMemGraph(), open(t)
	var maps [2][]*lineage.Map
	for i, g := range []lineage.Graph{mem, bs} {
		for _, stores := range [][]string{nil, {"app"}, {"wh"}} {
			id, err := lineagetest.WriteEstate(ctx, g, stores...)
			require.NoError(t, err)
			m, err := lineage.BuildMap(ctx, g, id, lineage.MapFilter{})
			require.NoError(t, err)
			m.ScanRun, m.GeneratedAt = "", m.GeneratedAt.Truncate(0)
			maps[i] = append(maps[i], m)
		}
	}
	for i := range maps[0] {
		maps[1][i].GeneratedAt = maps[0][i].GeneratedAt
		require.Equal(t, maps[0][i], maps[1][i], "scan %d", i)
		require.Len(t, maps[0][i].Locations, 9, "carry-forward keeps the map complete")
	}
}

// The map a Badger graph renders, in every format, is the module's shared
// golden map (testdata/maps), byte for byte the reference graph's.
func TestGoldenMaps(t *testing.T) {
	lineagetest.CheckGoldenMaps(t, open(t), lineagetest.GoldenMapDir(2), false)
}

// BenchmarkBuildMap builds the map of a 100-table × 100-column estate
// (10,000 fields, 1,000 PII findings, 100 references edges).
func BenchmarkBuildMap(b *testing.B) {
	ctx := context.Background()
	s, err := badgerstore.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	id, w, err := s.BeginRun(ctx, []string{"big"})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		asset := piimap.Location{Store: "big", Name: fmt.Sprintf("main.t%03d", i)}
		_ = w.PutNode(ctx, lineage.Node{Kind: lineage.NodeAsset, Loc: asset, StoreKind: "duckdb"})
		for j := range 100 {
			f := asset.WithField(fmt.Sprintf("c%03d", j))
			_ = w.PutNode(ctx, lineage.Node{Kind: lineage.NodeField, Loc: f, StoreKind: "duckdb"})
			_ = w.PutEdge(ctx, lineage.Edge{Kind: lineage.EdgeContains, From: asset, To: f, Source: lineage.SourceScan, Confidence: 1})
			if j%10 == 0 {
				_ = w.PutFinding(ctx, piimap.Finding{Loc: f, Type: piimap.TypeEmail, Confidence: 0.9, Masked: "a***@b***.c"})
			}
		}
		if i > 0 {
			_ = w.PutEdge(ctx, lineage.Edge{Kind: lineage.EdgeReferences, From: asset.WithField("c001"),
				To: piimap.Location{Store: "big", Name: fmt.Sprintf("main.t%03d", i-1), Field: "c000"}, Source: lineage.SourceFK, Confidence: 1})
		}
	}
	if err := w.Finish(ctx, lineage.ScanRun{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		m, err := lineage.BuildMap(ctx, s, id, lineage.MapFilter{})
		if err != nil {
			b.Fatal(err)
		}
		if len(m.Locations) < 1000 {
			b.Fatalf("%d locations", len(m.Locations))
		}
	}
}
