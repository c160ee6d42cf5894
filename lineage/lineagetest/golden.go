package lineagetest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
)

// GoldenTime is the generated_at of every golden map, and GoldenRun its
// scan run, so that a rendering depends on the estate alone.
var (
	GoldenTime = time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	GoldenRun  = "RUN"
)

// GoldenMapDir is the module's shared golden maps (testdata/maps at the
// module root), as a path relative to a package directory depth levels
// below the root: every Graph implementation renders the same maps.
func GoldenMapDir(depth int) string {
	parts := make([]string, 0, depth+2)
	for range depth {
		parts = append(parts, "..")
	}
	return filepath.Join(append(parts, "testdata", "maps")...)
}

// CheckGoldenMaps writes the estate (WriteEstate, every store) into g,
// builds its map and renders it in every format of lineage.MapFormats,
// comparing each rendering with map.FORMAT in dir. With update set it
// rewrites the files instead (go test -update). The map of a Graph
// implementation must equal the reference's byte for byte.
func CheckGoldenMaps(t *testing.T, g lineage.Graph, dir string, update bool) {
	t.Helper()
	ctx := context.Background()
	_, err := WriteEstate(ctx, g)
	require.NoError(t, err)
	m, err := lineage.BuildMap(ctx, g, "", lineage.MapFilter{})
	require.NoError(t, err)
	m.GeneratedAt, m.ScanRun = GoldenTime, GoldenRun
	for _, format := range lineage.MapFormats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, lineage.WriteMap(&buf, m, format))
			path := filepath.Join(dir, "map."+format)
			if update {
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
				return
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create %s", path)
			require.Equal(t, string(want), buf.String(), "%s differs; rerun with -update if intended", path)
		})
	}
}
