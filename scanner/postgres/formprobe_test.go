package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/postgres"
	"github.com/piimap/piimap/scanner/scannertest"
)

// TestProbeForms: the in-store copy probe normalises every value as
// lineage/fingerprint does and computes its masked forms (SHA-1 only with
// pgcrypto).
func TestProbeForms(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t, scannertest.FormProbeTableSQL(postgres.QuoteIdent, "forms", "text")...)
	src, err := postgres.OpenSource(ctx, scanner.StoreConfig{Name: "x", URL: dbURL})
	require.NoError(t, err)
	defer src.Close()
	u := piimap.Unit{Loc: piimap.Location{Store: "x", Name: "public.forms"}, Kind: piimap.UnitTable}
	scannertest.CheckFormProbes(t, src, u, "sha1_hex")
	execAll(t, dbURL, `CREATE SCHEMA crypto`, `CREATE EXTENSION pgcrypto SCHEMA crypto`)
	scannertest.CheckFormProbes(t, src, u) // SHA-1 by pgcrypto's digest(), wherever its schema is
}
