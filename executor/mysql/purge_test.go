package mysql_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xmy "github.com/piimap/piimap/executor/mysql"
	"github.com/piimap/piimap/scanner"
	smy "github.com/piimap/piimap/scanner/mysql"
)

// A fake, distinctive SSN held only by the erased row.
const purgeSSN = "SSN-078-05-1120-PURGE"

const purgeSchema = `CREATE TABLE people (id INT PRIMARY KEY, email VARCHAR(200), ssn VARCHAR(64), KEY people_ssn (ssn)) ENGINE=InnoDB`

func purgeTarget(db string) driver.Target {
	return driver.Target{Asset: db + ".people", Mode: driver.ModeDelete, Fields: []string{"ssn"},
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"victim@example.com"}}}}
}

func openPurge(t *testing.T, dbURL, purge string) *xmy.Handler {
	t.Helper()
	h, err := xmy.Open(context.Background(), scanner.StoreConfig{Name: "app", URL: dbURL, Purge: purge}, driver.HandlerOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h.(*xmy.Handler)
}

// ibd reads the table's .ibd file, or returns nil with the reason.
func ibd(t *testing.T, db *smy.DB, schema string) ([]byte, string) {
	t.Helper()
	// FLUSH TABLES ... FOR EXPORT writes the table's dirty pages to its
	// .ibd file; the session must hold the lock while we read.
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "FLUSH TABLES people FOR EXPORT"); err != nil {
		return nil, err.Error()
	}
	defer conn.ExecContext(ctx, "UNLOCK TABLES") //nolint:errcheck
	var dir string
	if err := conn.QueryRowContext(context.Background(), "SELECT @@datadir").Scan(&dir); err != nil {
		return nil, err.Error()
	}
	b, err := os.ReadFile(filepath.Join(dir, schema, "people.ibd"))
	if err != nil {
		return nil, err.Error()
	}
	return b, ""
}

func TestPurgeOptimize(t *testing.T) {
	ctx := context.Background()
	stmts := []string{purgeSchema}
	for i := 0; i < 300; i++ {
		stmts = append(stmts, "INSERT INTO people VALUES ("+itoa(i)+", 'user"+itoa(i)+"@example.com', 'zz"+itoa(i)+"')")
	}
	stmts = append(stmts, "INSERT INTO people VALUES (999, 'victim@example.com', '"+purgeSSN+"')")
	dbURL := newDB(t, stmts...)
	admin, err := smy.Open(ctx, dbURL)
	require.NoError(t, err)
	defer admin.Close()
	schema := admin.Config.Database()
	if b, why := ibd(t, admin, schema); b == nil {
		t.Logf("cannot read the table's .ibd file (%s)", why)
	} else {
		require.True(t, bytes.Contains(b, []byte(purgeSSN)), "fixture: the .ibd file should hold the value before the erasure")
	}
	h := openPurge(t, dbURL, scanner.PurgeOptimize)
	tg := purgeTarget(schema)
	res, err := h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 1, res[0].Changed)

	reps, err := h.Purge(ctx, []driver.Target{tg, tg})
	require.NoError(t, err)
	require.Len(t, reps, 1)
	require.Equal(t, tg.Asset, reps[0].Asset)
	require.Equal(t, driver.PurgeGone, reps[0].State, reps[0].Detail)
	require.Contains(t, reps[0].Detail, "OPTIMIZE TABLE recreated the InnoDB table")

	var n int
	require.NoError(t, admin.QueryRowContext(ctx, "SELECT count(*) FROM people WHERE ssn = 'zz7'").Scan(&n))
	require.Equal(t, 1, n, "bystander")
	require.NoError(t, admin.QueryRowContext(ctx, "SELECT count(*) FROM people").Scan(&n))
	require.Equal(t, 300, n, "bystanders")

	// Independent check: the table's .ibd file, when this process can read
	// the server's data directory (the same machine, as root).
	b, why := ibd(t, admin, schema)
	if b == nil {
		t.Skipf("cannot read the table's .ibd file (%s): skipping the byte check", why)
	}
	require.True(t, bytes.Contains(b, []byte("zz7")), "the .ibd file read is the table's (a bystander's value is in it)")
	require.False(t, bytes.Contains(b, []byte(purgeSSN)), "the .ibd file still holds the erased value after OPTIMIZE TABLE")
}

func TestPurgeOptions(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t, purgeSchema, "CREATE TABLE mem (id INT PRIMARY KEY, email VARCHAR(200)) ENGINE=MEMORY")
	admin, err := smy.Open(ctx, dbURL)
	require.NoError(t, err)
	defer admin.Close()
	schema := admin.Config.Database()
	for _, c := range []struct{ opt, state, detail string }{
		{"", driver.PurgePending, "no purge configured"},
		{scanner.PurgeNone, driver.PurgeException, "none configured"},
		{scanner.PurgeVacuumFull, driver.PurgeException, "not one MariaDB/MySQL supports"},
	} {
		reps, err := openPurge(t, dbURL, c.opt).Purge(ctx, []driver.Target{purgeTarget(schema)})
		require.NoError(t, err)
		require.Len(t, reps, 1)
		require.Equal(t, c.state, reps[0].State, c.opt)
		require.True(t, strings.Contains(reps[0].Detail, c.detail), reps[0].Detail)
	}
	reps, err := openPurge(t, dbURL, scanner.PurgeOptimize).Purge(ctx, []driver.Target{{Asset: schema + ".mem"}})
	require.NoError(t, err)
	require.Equal(t, driver.PurgeException, reps[0].State)
	require.Contains(t, reps[0].Detail, "MEMORY")
}

func itoa(i int) string { return strconv.Itoa(i) }
