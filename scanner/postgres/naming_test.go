package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/postgres"
)

func TestNaming(t *testing.T) {
	n, err := postgres.Naming("postgres://piimap:s3cret@db.internal:5432/shop?sslmode=disable&password=x")
	require.NoError(t, err)
	require.Equal(t, lineage.DatasetNaming{Namespace: "postgres://db.internal:5432",
		Aliases:   []string{"postgres://db.internal", "postgresql://db.internal:5432", "postgresql://db.internal"},
		Prefix:    "shop.",
		Relations: &lineage.RelationNaming{Database: "shop", DefaultSchema: "public"}}, n)
	require.NotContains(t, n.Namespace+n.Prefix+n.Relations.Database, "s3cret")
	for ns, want := range map[string]bool{"postgres://DB.internal": true, "postgresql://db.internal:5432": true, "postgres://db.internal:5433": false} {
		require.Equal(t, want, n.Answers(ns), ns)
	}
	n, err = postgres.Naming("postgres://127.0.0.1:6543/other")
	require.NoError(t, err)
	require.Equal(t, []string{"postgresql://127.0.0.1:6543"}, n.Aliases, "a port that is not the default stays")
	require.True(t, n.Answers("postgres://localhost:6543"))
	_, err = postgres.Naming("mysql://x")
	require.Error(t, err)
}
