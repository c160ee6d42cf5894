package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
	xduck "github.com/piimap/piimap/executor/duckdb"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// TestCardsInsideTextCells: a card written inside a text cell is the
// subject's, found and erased; a longer run, a run that goes on past it
// and another card are not. Checked with the database's own query.
func TestCardsInsideTextCells(t *testing.T) {
	ctx := context.Background()
	url := "duckdb://" + filepath.Join(t.TempDir(), "wh.duckdb")
	db, err := sduck.Open(ctx, url, false)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE notes (id INTEGER, body VARCHAR);
INSERT INTO notes VALUES (1, 'paid with 4111 1111 1111 1111 on 12/03'), (2, 'card 4111-1111-1111-1111.'),
 (3, 'order 94111111111111111 shipped'), (4, 'ref 4111-1111-1111-1111-12'),
 (5, 'paid with 5500 0000 0000 0004'), (6, '4111111111111111');`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	h, err := xduck.Open(ctx, scanner.StoreConfig{Name: "wh", URL: url}, driver.HandlerOptions{})
	require.NoError(t, err)
	tg := driver.Target{Asset: "main.notes", Mode: driver.ModeNull, Fields: []string{"body"},
		Match: []driver.Match{{Field: "body", Kind: identifier.Card, Values: []string{"4111111111111111"}}}}
	c, ok := h.(driver.Counter)
	require.True(t, ok)
	n, err := c.Count(ctx, tg)
	require.NoError(t, err)
	require.EqualValues(t, 3, n, "rows 1, 2 and 6 hold the card")
	_, err = h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	require.NoError(t, h.Close())
	db, err = sduck.Open(ctx, url, true)
	require.NoError(t, err)
	defer db.Close()
	var ids []int
	rows, err := db.Query(`SELECT id FROM notes WHERE body IS NOT NULL ORDER BY id`)
	require.NoError(t, err)
	for rows.Next() {
		var id int
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []int{3, 4, 5}, ids, "the subject's cells cleared, the others kept")
}
