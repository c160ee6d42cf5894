package files_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/files"
)

func TestNaming(t *testing.T) {
	n, err := files.Naming("file:///data/files/")
	require.NoError(t, err)
	require.Equal(t, lineage.DatasetNaming{Namespace: "file:///data/files", Dataset: "file", Aliases: []string{"file://*"},
		Prefix: "/data/files/", Paths: true}, n)
	for ns, want := range map[string]bool{"file": true, "file://host1": true, "file:///data/files": true, "s3://data": false} {
		require.Equal(t, want, n.Answers(ns), ns)
	}
	asset, ok := n.PathAsset("/data/files/exports/crm.csv", false)
	require.True(t, ok)
	require.Equal(t, "exports/crm.csv", asset)
	_, ok = n.PathAsset("/data/filesX/a.csv", false)
	require.False(t, ok, "a sibling directory sharing the prefix's letters is outside")
}
