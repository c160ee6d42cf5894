package duckdb_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/duckdb"
)

func TestNaming(t *testing.T) {
	n, err := duckdb.Naming("duckdb:///data/wh.duckdb?threads=2")
	require.NoError(t, err)
	require.Equal(t, lineage.DatasetNaming{Namespace: "duckdb:///data/wh.duckdb",
		Relations: &lineage.RelationNaming{Database: "wh", DefaultSchema: "main"}}, n)
	asset, ok := n.Relation("wh.main.customers")
	require.True(t, ok)
	require.Equal(t, "main.customers", asset)
	_, ok = n.Relation("other.main.customers")
	require.False(t, ok)
}
