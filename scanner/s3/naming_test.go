package s3_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/s3"
)

func TestNaming(t *testing.T) {
	n, err := s3.Naming("s3://exports/daily?endpoint=http://127.0.0.1:7070&use_path_style=true")
	require.NoError(t, err)
	require.Equal(t, lineage.DatasetNaming{Namespace: "s3://exports", Prefix: "daily/", Paths: true}, n)
	asset, ok := n.PathAsset("daily/users.csv", false)
	require.True(t, ok)
	require.Equal(t, "users.csv", asset)
	n, err = s3.Naming("s3://exports")
	require.NoError(t, err)
	require.Equal(t, lineage.DatasetNaming{Namespace: "s3://exports", Paths: true}, n)
}
