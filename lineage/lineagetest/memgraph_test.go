package lineagetest_test

import (
	"testing"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

func TestMemGraph(t *testing.T) {
	lineagetest.RunGraphSuite(t, func(t *testing.T) lineage.Graph { return lineagetest.NewMemGraph() })
}

func TestMemDocStore(t *testing.T) {
	lineagetest.RunDocStoreSuite(t, func(t *testing.T) lineage.DocStore { return lineagetest.NewMemGraph() })
}
