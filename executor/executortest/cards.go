package executortest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
)

// Cards written inside text cells: a SQL handler must find, count and
// erase the subject's card where prose holds it ("paid with 4111 1111 1111
// 1111 on 12/03", groups joined by " - " or a doubled space too), not only
// in a cell that is nothing but its digits, agreeing with the Go matcher,
// and leave a longer digit run, a run that goes on past the card, a
// partial card and another person's card alone.

// cardCells are the rows of the table CardCellsSQL makes: id and body.
var cardCells = []struct {
	id   int
	body string
}{
	{1, "paid with 4111 1111 1111 1111 on 12/03"},
	{2, "card 4111-1111-1111-1111."},
	{3, "order 94111111111111111 shipped"},
	{4, "ref 4111-1111-1111-1111-12"},
	{5, "paid with 5500 0000 0000 0004"},
	{6, "4111111111111111"},
	{7, "card ending 1111, first digits 4111 1111 1111 111"}, // partial: never the subject's card
	{8, "card 4111 - 1111 - 1111 - 1111 exp 12/29"},          // groups joined by " - "
	{9, "paid with 4111  1111 1111 1111 yesterday"},          // a doubled space
	{10, "ref 4111 - 1111 - 1111 - 1111-12"},                 // the run goes on past the card
}

// CardCellsSQL is the SQL that makes the table: CREATE TABLE with an
// integer id and a text body of type textType (the kind's), then INSERT.
func CardCellsSQL(table, textType string) []string {
	var vals []string
	for _, c := range cardCells {
		vals = append(vals, fmt.Sprintf("(%d, '%s')", c.id, c.body))
	}
	return []string{
		"CREATE TABLE " + table + " (id INTEGER, body " + textType + ")",
		"INSERT INTO " + table + " VALUES " + strings.Join(vals, ", "),
	}
}

// CheckCardCells counts the subject's cells of asset (the table made by
// CardCellsSQL) through h, erases them in null mode, counts none left, and
// last checks with idsLeft, the store's own query of the ids whose body is
// not NULL (it may close h), that exactly the others are left.
func CheckCardCells(t *testing.T, h driver.Handler, asset string, idsLeft func() []int) {
	t.Helper()
	ctx := context.Background()
	tg := driver.Target{Asset: asset, Mode: driver.ModeNull, Fields: []string{"body"},
		Match: []driver.Match{{Field: "body", Kind: identifier.Card, Values: []string{"4111111111111111"}}}}
	// The store must agree with the Go matcher, which finds, erases and
	// verifies the same card in files and other stores.
	for _, cell := range cardCells {
		subject := cell.id == 1 || cell.id == 2 || cell.id == 6 || cell.id == 8 || cell.id == 9
		require.Equal(t, subject, identifier.MatchCell(identifier.Card, cell.body, tg.Match[0].Values, ""), "row %d", cell.id)
	}
	c, ok := h.(driver.Counter)
	require.True(t, ok, "a SQL handler counts")
	n, err := c.Count(ctx, tg)
	require.NoError(t, err)
	require.EqualValues(t, 5, n, "rows 1, 2, 6, 8 and 9 hold the card")
	_, err = h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	n, err = c.Count(ctx, tg)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Equal(t, []int{3, 4, 5, 7, 10}, idsLeft(), "the subject's cells cleared, the others kept")
}

// SQLIDs runs query, which selects one integer column, and returns its
// values.
func SQLIDs(t testing.TB, db *sql.DB, query string) []int {
	t.Helper()
	rows, err := db.Query(query)
	require.NoError(t, err)
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	return ids
}
