package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
)

// TestCardsInsideTextCells: a card number written inside a text cell
// ("paid with 4111 1111 1111 1111 on 12/03") is the subject's, found,
// counted and erased; a longer digit run holding its digits, a run that
// goes on past it, and another person's card are not. Checked with the
// database's own count of the rows left holding the digits.
func TestCardsInsideTextCells(t *testing.T) {
	ctx := context.Background()
	url := newDB(t, `CREATE TABLE notes (id int PRIMARY KEY, body text)`,
		`INSERT INTO notes VALUES
		 (1, 'paid with 4111 1111 1111 1111 on 12/03'),
		 (2, 'card 4111-1111-1111-1111.'),
		 (3, 'order 94111111111111111 shipped'),
		 (4, 'ref 4111-1111-1111-1111-12'),
		 (5, 'paid with 5500 0000 0000 0004'),
		 (6, '4111111111111111')`)
	h := open(t, url, driver.HandlerOptions{})
	defer h.Close()
	tg := driver.Target{Asset: "public.notes", Mode: driver.ModeNull, Fields: []string{"body"},
		Match: []driver.Match{{Field: "body", Kind: identifier.Card, Values: []string{"4111111111111111"}}}}
	n, err := h.Count(ctx, tg)
	require.NoError(t, err)
	require.EqualValues(t, 3, n, "rows 1, 2 and 6 hold the card")
	_, err = h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var ids []int
	rows, err := conn.Query(ctx, `SELECT id FROM notes WHERE body IS NOT NULL ORDER BY id`)
	require.NoError(t, err)
	for rows.Next() {
		var id int
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []int{3, 4, 5}, ids, "the subject's cells cleared, the others kept")
	n, err = h.Count(ctx, tg)
	require.NoError(t, err)
	require.Zero(t, n)
}
