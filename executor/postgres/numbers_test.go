package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/executortest"
)

// TestCardsInsideTextCells: executortest.CheckCardCells in Postgres.
func TestCardsInsideTextCells(t *testing.T) {
	ctx := context.Background()
	url := newDB(t, executortest.CardCellsSQL("notes", "text")...)
	h := open(t, url, driver.HandlerOptions{})
	defer h.Close()
	executortest.CheckCardCells(t, h, "public.notes", func() []int {
		conn, err := pgx.Connect(ctx, url)
		require.NoError(t, err)
		defer conn.Close(ctx)
		rows, err := conn.Query(ctx, `SELECT id FROM notes WHERE body IS NOT NULL ORDER BY id`)
		require.NoError(t, err)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int])
		require.NoError(t, err)
		return ids
	})
}
