package files_test

import (
	"testing"

	"github.com/piimap/piimap/scanner"
	_ "github.com/piimap/piimap/scanner/files"
	"github.com/piimap/piimap/scanner/scannertest"
)

type scannerStoreConfig = scanner.StoreConfig

func TestConformance(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) { scannertest.RunConformance(t, harness{f}) })
	}
}
