package mysql_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/mysql"
	"github.com/piimap/piimap/scanner/scannertest"
)

// TestProbeForms: the in-store copy probe normalises every value as
// lineage/fingerprint does and computes every masked form, whatever the
// column's collation.
func TestProbeForms(t *testing.T) {
	ctx := context.Background()
	u := newDB(t, scannertest.FormProbeTableSQL(mysql.QuoteIdent, "forms", "VARCHAR(200) COLLATE utf8mb4_general_ci")...)
	src, err := mysql.OpenSource(ctx, scanner.StoreConfig{Name: "x", URL: u})
	require.NoError(t, err)
	defer src.Close()
	db := u[strings.LastIndex(u, "/")+1:]
	if i := strings.IndexByte(db, '?'); i >= 0 {
		db = db[:i]
	}
	scannertest.CheckFormProbes(t, src, piimap.Unit{Loc: piimap.Location{Store: "x", Name: db + ".forms"}, Kind: piimap.UnitTable})
}
