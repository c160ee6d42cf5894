package postgres_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xpg "github.com/piimap/piimap/executor/postgres"
	"github.com/piimap/piimap/scanner"
)

// A fake, distinctive SSN held only by the erased row, in the heap (ssn),
// an index (ssn_idx) and, inside a long uncompressed note, the TOAST table.
const purgeSSN = "SSN-078-05-1120-PURGE"

const purgeSchema = `CREATE TABLE people (id int PRIMARY KEY, email text, ssn text, note text);
ALTER TABLE people ALTER COLUMN note SET STORAGE EXTERNAL;
CREATE INDEX people_ssn ON people (ssn);
INSERT INTO people SELECT i, 'user' || i || '@example.com', 'zz' || i, NULL FROM generate_series(1, 300) i;
INSERT INTO people VALUES (999, 'victim@example.com', '` + purgeSSN + `', repeat('x', 3000) || '` + purgeSSN + `');`

// relationFiles reads the files of the table, its TOAST table and its
// indexes, or skips when the data directory cannot be read.
func relationFiles(t *testing.T, conn *pgx.Conn) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	_, err := conn.Exec(ctx, "CHECKPOINT")
	require.NoError(t, err)
	var dir string
	if err := conn.QueryRow(ctx, "SHOW data_directory").Scan(&dir); err != nil {
		t.Skipf("cannot read data_directory (%v): skipping the byte check", err)
	}
	rows, err := conn.Query(ctx, `SELECT 'heap', pg_relation_filepath('people')
		UNION ALL SELECT 'toast', pg_relation_filepath(reltoastrelid) FROM pg_class WHERE oid = 'people'::regclass
		UNION ALL SELECT 'index ' || indexrelid::regclass::text, pg_relation_filepath(indexrelid) FROM pg_index WHERE indrelid = 'people'::regclass`)
	require.NoError(t, err)
	paths := map[string]string{}
	for rows.Next() {
		var what, p string
		require.NoError(t, rows.Scan(&what, &p))
		paths[what] = p
	}
	require.NoError(t, rows.Err())
	out := map[string][]byte{}
	for what, p := range paths {
		segs, _ := filepath.Glob(filepath.Join(dir, p) + "*")
		if len(segs) == 0 {
			t.Skipf("cannot see the relation files under the data directory (%s): skipping the byte check", dir)
		}
		for _, s := range segs {
			b, err := os.ReadFile(s)
			if err != nil {
				t.Skipf("cannot read the relation files (%v): skipping the byte check", err)
			}
			out[what] = append(out[what], b...)
		}
	}
	require.Len(t, out, 4, "heap, toast and two indexes")
	return out
}

func purgeTarget() driver.Target {
	return driver.Target{Asset: "public.people", Mode: driver.ModeDelete, Fields: []string{"ssn", "note"},
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"victim@example.com"}}}}
}

func openPurge(t *testing.T, dbURL, purge string) *xpg.Handler {
	t.Helper()
	h, err := xpg.Open(context.Background(), scanner.StoreConfig{Name: "app", URL: dbURL, Purge: purge}, driver.HandlerOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h.(*xpg.Handler)
}

func TestPurgeVacuumFullRemovesBytes(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t, purgeSchema)
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	before := relationFiles(t, conn)
	for what, b := range before {
		if what != "index people_pkey" {
			require.True(t, bytes.Contains(b, []byte(purgeSSN)), "fixture: %s should hold the value before the erasure", what)
		}
	}
	h := openPurge(t, dbURL, scanner.PurgeVacuumFull)
	tg := purgeTarget()
	res, err := h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 1, res[0].Changed)
	dead := relationFiles(t, conn)
	if !bytes.Contains(dead["heap"], []byte(purgeSSN)) {
		t.Log("note: the heap no longer held the value before the purge")
	}
	reps, err := h.Purge(ctx, []driver.Target{tg, tg})
	require.NoError(t, err)
	require.Len(t, reps, 1)
	require.Equal(t, driver.PurgeGone, reps[0].State, reps[0].Detail)
	require.Contains(t, reps[0].Detail, "VACUUM FULL")
	after := relationFiles(t, conn)
	for what, b := range after {
		require.False(t, bytes.Contains(b, []byte(purgeSSN)), "%s still holds the erased value after VACUUM FULL", what)
	}
	var n int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM people WHERE ssn LIKE 'zz%'").Scan(&n))
	require.Equal(t, 300, n, "bystanders")
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM people WHERE ssn = 'zz7'").Scan(&n))
	require.Equal(t, 1, n, "bystander through the rebuilt index")
}

func TestPurgeVacuumIsPending(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t, purgeSchema)
	for _, c := range []struct{ opt, state, detail string }{
		{"", driver.PurgePending, "VACUUM ran"},
		{scanner.PurgeVacuum, driver.PurgePending, "bytes remain until the pages are reused"},
		{scanner.PurgeNone, driver.PurgeException, "none configured"},
		{scanner.PurgeOptimize, driver.PurgeException, "not one Postgres supports"},
	} {
		h := openPurge(t, dbURL, c.opt)
		reps, err := h.Purge(ctx, []driver.Target{purgeTarget()})
		require.NoError(t, err)
		require.Len(t, reps, 1)
		require.Equal(t, c.state, reps[0].State, c.opt)
		require.True(t, strings.Contains(reps[0].Detail, c.detail), reps[0].Detail)
		require.Nil(t, reps[0].At)
	}
}

func TestPurgeLockTimeoutIsException(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t, purgeSchema)
	u := dbURL + "&lock_timeout=200ms"
	if !strings.Contains(dbURL, "?") {
		u = dbURL + "?lock_timeout=200ms"
	}
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck
	_, err = tx.Exec(ctx, "LOCK TABLE people IN ACCESS SHARE MODE")
	require.NoError(t, err)
	h := openPurge(t, u, scanner.PurgeVacuumFull)
	reps, err := h.Purge(ctx, []driver.Target{purgeTarget()})
	require.NoError(t, err)
	require.Equal(t, driver.PurgeException, reps[0].State)
	require.Contains(t, reps[0].Detail, "VACUUM (FULL) failed")
}
