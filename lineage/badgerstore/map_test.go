package badgerstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
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
