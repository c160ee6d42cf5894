package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xduck "github.com/piimap/piimap/executor/duckdb"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// TestMaskWithIndexedMatchColumn: masking a row whose match column is
// indexed clears every PII column, not only the first one updated (an
// update of an indexed column gives the row a new rowid in DuckDB, so a
// second UPDATE pinned by rowid missed it and left the SSN in place while
// Count said 0). Checked with an independent SQL read. (The table has no
// primary key: DuckDB 1.1 refuses an update of an indexed column beside a
// primary key with a constraint error, which fails the step loudly.)
func TestMaskWithIndexedMatchColumn(t *testing.T) {
	ctx := context.Background()
	db, err := sduck.Open(ctx, "duckdb://"+filepath.Join(t.TempDir(), "wh.duckdb"), false)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE people (id INTEGER, email VARCHAR, ssn VARCHAR, iban VARCHAR);
CREATE INDEX people_email ON people(email);
INSERT INTO people VALUES (1, 'ann@example.com', '078-05-1120', 'GB82WEST12345698765432'),
                          (2, 'bob@example.com', '219-09-9999', 'DE89370400440532013000')`)
	require.NoError(t, err)
	h := xduck.New(db, "wh", driver.HandlerOptions{MaskKey: []byte("0123456789abcdef")})
	t.Cleanup(func() { _ = h.Close() })
	target := driver.Target{Asset: "main.people", Mode: driver.ModeMask, Fields: []string{"email", "ssn", "iban"},
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"ann@example.com"}}}}
	res, err := h.Erase(ctx, []driver.Target{target}, driver.EraseOptions{})
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.EqualValues(t, 1, res[0].Changed)

	var left int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM people WHERE email = 'ann@example.com' OR ssn = '078-05-1120' OR iban = 'GB82WEST12345698765432'`).Scan(&left))
	require.Zero(t, left, "the subject's PII survived masking")
	var ssn, iban string
	require.NoError(t, db.QueryRow(`SELECT ssn, iban FROM people WHERE id = 1`).Scan(&ssn, &iban))
	require.NotEqual(t, "078-05-1120", ssn)
	require.NotEqual(t, "GB82WEST12345698765432", iban)
	var bob string
	require.NoError(t, db.QueryRow(`SELECT email || ssn || iban FROM people WHERE id = 2`).Scan(&bob))
	require.Equal(t, "bob@example.com219-09-9999DE89370400440532013000", bob, "a bystander changed")
}
