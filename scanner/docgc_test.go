package scanner_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/rules"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/idfilter"
)

// TestForgetRemovedLocations: the filters and sketches of an object that
// was removed go with the next scan that lists its store; a store that
// was not scanned, or whose listing failed, keeps its documents.
func TestForgetRemovedLocations(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	lake, other := filepath.Join(root, "lake"), filepath.Join(root, "other")
	idEstate(t, lake)
	idEstate(t, other)
	g, err := badgerstore.Open(filepath.Join(root, "graph"))
	require.NoError(t, err)
	defer g.Close()
	key, err := g.InstallationKey(ctx)
	require.NoError(t, err)
	rs, err := rules.Default()
	require.NoError(t, err)
	eng, err := classifiers.New(rs, classifiers.Options{})
	require.NoError(t, err)
	both := []scanner.StoreConfig{{Name: "lake", URL: "file://" + lake}, {Name: "other", URL: "file://" + other}}
	scan := func(stores []scanner.StoreConfig, full bool) {
		t.Helper()
		_, err := scanner.Run(ctx, stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, FingerprintKey: key, Full: full})
		require.NoError(t, err)
	}
	docs := func(kind string) []string {
		var ids []string
		require.NoError(t, g.ListDocs(ctx, kind, func(id string, _ []byte) error { ids = append(ids, id); return nil }))
		sort.Strings(ids)
		return ids
	}
	scan(both, true)
	filters := docs(idfilter.DocKind)
	require.Contains(t, filters, "lake/export.csv")
	require.Contains(t, filters, "other/export.csv")
	sketches := docs(scanner.DocFingerprint)
	require.Contains(t, sketches, "lake/export.csv#email")

	// export.csv leaves both stores; only lake is scanned (sampled).
	require.NoError(t, os.Remove(filepath.Join(lake, "export.csv")))
	require.NoError(t, os.Remove(filepath.Join(other, "export.csv")))
	scan(both[:1], false)
	assert.NotContains(t, docs(idfilter.DocKind), "lake/export.csv")
	assert.NotContains(t, docs(scanner.DocFingerprint), "lake/export.csv#email")
	assert.Contains(t, docs(idfilter.DocKind), "lake/logs/auth.log", "objects still there keep their filters")
	assert.Contains(t, docs(idfilter.DocKind), "other/export.csv", "a store not scanned keeps its documents")
	assert.Contains(t, docs(scanner.DocFingerprint), "other/export.csv#email")
	assert.Len(t, docs(idfilter.DocKind), len(filters)-1)

	// A store whose listing fails keeps its documents too.
	require.NoError(t, os.Rename(other, other+".moved"))
	_, err = scanner.Run(ctx, both[1:], scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, FingerprintKey: key})
	require.NoError(t, err)
	assert.Contains(t, docs(idfilter.DocKind), "other/export.csv")
}
