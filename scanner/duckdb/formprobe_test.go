package duckdb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/duckdb"
	"github.com/piimap/piimap/scanner/scannertest"
)

// TestProbeForms: the in-store copy probe normalises every value as
// lineage/fingerprint does and computes every masked form.
func TestProbeForms(t *testing.T) {
	ctx := context.Background()
	url := build(t, scannertest.FormProbeTableSQL(duckdb.QuoteIdent, "forms", "VARCHAR")...)
	src, err := duckdb.OpenSource(ctx, scanner.StoreConfig{Name: "x", URL: url})
	require.NoError(t, err)
	defer src.Close()
	scannertest.CheckFormProbes(t, src, piimap.Unit{Loc: piimap.Location{Store: "x", Name: "main.forms"}, Kind: piimap.UnitTable})
}
