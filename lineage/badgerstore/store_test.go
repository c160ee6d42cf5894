package badgerstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/lineage/lineagetest"
)

func open(t *testing.T) *badgerstore.Store {
	t.Helper()
	s, err := badgerstore.Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestGraphSuite(t *testing.T) {
	lineagetest.RunGraphSuite(t, func(t *testing.T) lineage.Graph { return open(t) })
}

func TestDocStoreSuite(t *testing.T) {
	lineagetest.RunDocStoreSuite(t, func(t *testing.T) lineage.DocStore { return open(t) })
}
