package duckdb_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/driver"
	xduck "github.com/piimap/piimap/executor/duckdb"
	"github.com/piimap/piimap/executor/executortest"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// TestCardsInsideTextCells: executortest.CheckCardCells in DuckDB.
func TestCardsInsideTextCells(t *testing.T) {
	ctx := context.Background()
	url := "duckdb://" + filepath.Join(t.TempDir(), "wh.duckdb")
	db, err := sduck.Open(ctx, url, false)
	require.NoError(t, err)
	_, err = db.Exec(strings.Join(executortest.CardCellsSQL("notes", "VARCHAR"), ";\n"))
	require.NoError(t, err)
	require.NoError(t, db.Close())
	h, err := xduck.Open(ctx, scanner.StoreConfig{Name: "wh", URL: url}, driver.HandlerOptions{})
	require.NoError(t, err)
	executortest.CheckCardCells(t, h, "main.notes", func() []int {
		require.NoError(t, h.Close()) // it holds the file: read it with the store's own client after

		db, err := sduck.Open(ctx, url, true)
		require.NoError(t, err)
		defer db.Close()
		return executortest.SQLIDs(t, db, `SELECT id FROM notes WHERE body IS NOT NULL ORDER BY id`)
	})
}
