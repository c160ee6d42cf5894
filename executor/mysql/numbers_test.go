package mysql_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/executortest"
	smy "github.com/piimap/piimap/scanner/mysql"
)

// TestCardsInsideTextCells: executortest.CheckCardCells in MariaDB, under a
// case-insensitive collation.
func TestCardsInsideTextCells(t *testing.T) {
	dbURL := newDB(t, executortest.CardCellsSQL("notes", "TEXT COLLATE utf8mb4_general_ci")...)
	h := open(t, dbURL, driver.HandlerOptions{})
	defer h.Close()
	executortest.CheckCardCells(t, h, dbName(t, dbURL)+".notes", func() []int {
		db, err := smy.Open(context.Background(), dbURL)
		require.NoError(t, err)
		defer db.Close()
		return executortest.SQLIDs(t, db.DB, `SELECT id FROM notes WHERE body IS NOT NULL ORDER BY id`)
	})
}
