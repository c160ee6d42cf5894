package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
)

// TestLedgerReplayPostgres: pg_dump a database, erase a subject, restore
// the dump (the subject is back), then `ledger replay --store app`: a dry
// run changes nothing, --apply leaves residual 0 by independent SQL and
// every bystander row exactly as before the erasure (checksums).
func TestLedgerReplayPostgres(t *testing.T) {
	admin := xsEnv(t, "PIIMAP_TEST_POSTGRES")
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed and CI is set: .ci/run installs postgresql-client", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	ctx := context.Background()
	pgURL := scratchPostgres(t, admin, "piimap_lr_")
	u, err := url.Parse(pgURL)
	require.NoError(t, err)
	dsn := u.String()
	db, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer db.Close(ctx)
	_, err = db.Exec(ctx, `CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, full_name text);
CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users(id), amount numeric(10,2));`)
	require.NoError(t, err)
	const subject = "lr.subject@example.org"
	_, err = db.Exec(ctx, "INSERT INTO users VALUES (1, $1, 'Lr Subject')", subject)
	require.NoError(t, err)
	for i := 2; i <= 40; i++ {
		_, err = db.Exec(ctx, "INSERT INTO users VALUES ($1, $2, $3)", i, fmt.Sprintf("bystander%02d@example.net", i), fmt.Sprintf("Bystander %02d", i))
		require.NoError(t, err)
	}
	_, err = db.Exec(ctx, "INSERT INTO orders (user_id, amount) SELECT u.id, 10 + g FROM users u, generate_series(1, 3) g")
	require.NoError(t, err)

	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		require.NoError(t, db.QueryRow(ctx, q, args...).Scan(&n))
		return n
	}
	sums := func() [2]string {
		t.Helper()
		var a, b string
		require.NoError(t, db.QueryRow(ctx, "SELECT md5(string_agg(u::text, '|' ORDER BY id)) FROM users u WHERE id <> 1").Scan(&a))
		require.NoError(t, db.QueryRow(ctx, "SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM orders o WHERE user_id <> 1").Scan(&b))
		return [2]string{a, b}
	}
	residual := func() int {
		return count("SELECT count(*) FROM users WHERE lower(email) = $1", subject) + count("SELECT count(*) FROM orders WHERE user_id = 1")
	}
	bystanders := sums()
	require.Equal(t, 4, residual())

	dir := t.TempDir()
	cfg := filepath.Join(dir, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf("graph: %s\nstores:\n  - {name: app, url: %q, tenant: a}\n",
		filepath.Join(dir, "graph"), dsn)), 0o600))
	mustCLI(t, "--config", cfg, "init")
	code, _, errs := cli(t, "--config", cfg, "scan", "--full")
	require.Contains(t, []int{exitOK, exitGaps}, code, errs)

	// The backup, taken before the erasure.
	dump := filepath.Join(dir, "app.dump")
	out, err := exec.Command("pg_dump", "-Fc", "-f", dump, "-d", dsn).CombinedOutput()
	require.NoError(t, err, "pg_dump: %s", out)

	id := xsRequestIn(t, cfg, subject)
	mustCLI(t, "--config", cfg, "dsar", "plan", id)
	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "bob")
	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "carol")
	code, _, errs = cli(t, "--config", cfg, "dsar", "run", id, "--apply")
	require.Equal(t, exitOK, code, errs)
	require.Equal(t, 0, residual(), "the erasure left rows")
	require.Equal(t, bystanders, sums(), "the erasure touched bystanders")

	// Restore the dump: the subject is back.
	out, err = exec.Command("pg_restore", "--clean", "--if-exists", "--no-owner", "-d", dsn, dump).CombinedOutput()
	require.NoError(t, err, "pg_restore: %s", out)
	require.Equal(t, 4, residual(), "the restore did not bring the subject back")
	require.Equal(t, bystanders, sums())

	// Dry run: counts, writes nothing.
	var dry evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "ledger", "replay", "--store", "app")), &dry))
	require.True(t, dry.DryRun)
	var would int64
	for _, l := range dry.Locations {
		would += l.WouldChange
	}
	require.Equal(t, int64(4), would, "dry run locations %+v", dry.Locations)
	require.Equal(t, 4, residual(), "a dry run wrote")

	var rc evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "ledger", "replay", "--store", "app", "--apply")), &rc))
	require.Equal(t, dsar.StatusCompleted, rc.Status, "%+v", rc)
	require.Equal(t, []string{id}, rc.Replay.Requests)
	for _, l := range rc.Locations {
		require.Zero(t, l.Residual, "%+v", l)
	}
	// Outside piimap: nothing of the subject, every bystander row intact.
	require.Equal(t, 0, residual())
	require.Equal(t, 40-1, count("SELECT count(*) FROM users"))
	require.Equal(t, bystanders, sums(), "the replay touched bystanders")
}

// TestRestrictionPostgres: a restriction marks the subject's rows where the
// table has the configured restrict_column, records an exception where it
// does not, writes nothing on a dry run, and touches no other row.
func TestRestrictionPostgres(t *testing.T) {
	admin := xsEnv(t, "PIIMAP_TEST_POSTGRES")
	ctx := context.Background()
	pgURL := scratchPostgres(t, admin, "piimap_rs_")
	u, err := url.Parse(pgURL)
	require.NoError(t, err)
	dsn := u.String()
	db, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer db.Close(ctx)
	_, err = db.Exec(ctx, `CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, full_name text, restricted boolean NOT NULL DEFAULT false);
CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users(id), amount numeric(10,2));
CREATE TABLE newsletter (id serial PRIMARY KEY, email text NOT NULL);`)
	require.NoError(t, err)
	const subject = "rs.subject@example.org"
	_, err = db.Exec(ctx, "INSERT INTO users (id, email, full_name) VALUES (1, $1, 'Rs Subject')", subject)
	require.NoError(t, err)
	for i := 2; i <= 30; i++ {
		_, err = db.Exec(ctx, "INSERT INTO users (id, email, full_name) VALUES ($1, $2, $3)", i, fmt.Sprintf("bystander%02d@example.net", i), fmt.Sprintf("Bystander %02d", i))
		require.NoError(t, err)
	}
	_, err = db.Exec(ctx, "INSERT INTO orders (user_id, amount) SELECT u.id, 5 FROM users u")
	require.NoError(t, err)
	_, err = db.Exec(ctx, "INSERT INTO newsletter (email) SELECT email FROM users WHERE id > 1")
	require.NoError(t, err)
	sum := func() string {
		var s string
		require.NoError(t, db.QueryRow(ctx, "SELECT md5(string_agg(u::text, '|' ORDER BY id)) FROM users u").Scan(&s))
		return s
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf("graph: %s\nstores:\n  - {name: app, url: %q, tenant: a, restrict_column: restricted}\n",
		filepath.Join(dir, "graph"), dsn)), 0o600))
	mustCLI(t, "--config", cfg, "init")
	code, _, errs := cli(t, "--config", cfg, "scan", "--full")
	require.Contains(t, []int{exitOK, exitGaps}, code, errs)
	req := struct{ ID string }{approvedRequest(t, cfg, "restriction", subject)}

	before := sum()
	var dry evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "dsar", "run", req.ID)), &dry))
	require.True(t, dry.DryRun)
	require.Equal(t, before, sum(), "a dry run marked rows")

	code, out, errs := cli(t, "--config", cfg, "--json", "dsar", "run", req.ID, "--apply")
	require.Equal(t, exitGaps, code, errs)
	var rc evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(out), &rc))
	locs := map[string]evidence.ReceiptLocation{}
	for _, l := range rc.Locations {
		locs[l.Asset] = l
	}
	require.NotContains(t, locs, "public.newsletter", "a location without the subject's records is listed")
	require.Equal(t, int64(1), locs["public.users"].Changed, "%+v", rc.Locations)
	require.Contains(t, locs, "public.orders")
	require.Len(t, rc.Exceptions, 1, "%+v", rc.Exceptions)
	require.Equal(t, "public.orders", rc.Exceptions[0].Asset)
	var marked, others int
	require.NoError(t, db.QueryRow(ctx, "SELECT count(*) FILTER (WHERE restricted AND email = $1), count(*) FILTER (WHERE restricted AND email <> $1) FROM users", subject).Scan(&marked, &others))
	require.Equal(t, 1, marked)
	require.Equal(t, 0, others)
}

// TestRestrictionRedis: a restriction tags the subject's keys in the
// configured set and no other key.
func TestRestrictionRedis(t *testing.T) {
	base := xsEnv(t, "PIIMAP_TEST_REDIS")
	ctx := context.Background()
	storeURL, prefix, c := xsRedis(t, base)
	const subject = "Acc.Person001@Example.org" // xsEmail(1)
	tag := prefix + "restricted"
	dir := t.TempDir()
	cfg := filepath.Join(dir, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf("graph: %s\nstores:\n  - {name: cache, url: %q, tenant: a, restrict_column: %q}\n",
		filepath.Join(dir, "graph"), storeURL, tag)), 0o600))
	mustCLI(t, "--config", cfg, "init")
	code, _, errs := cli(t, "--config", cfg, "scan", "--full")
	require.Contains(t, []int{exitOK, exitGaps}, code, errs)
	req := struct{ ID string }{approvedRequest(t, cfg, "restriction", subject)}
	mustCLI(t, "--config", cfg, "dsar", "run", req.ID)
	n, err := c.Exists(ctx, tag).Result()
	require.NoError(t, err)
	require.Zero(t, n, "a dry run tagged keys")
	var rc evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "dsar", "run", req.ID, "--apply")), &rc))
	require.Equal(t, dsar.StatusCompleted, rc.Status, "%+v", rc)
	require.Empty(t, rc.Exceptions)
	members, err := c.SMembers(ctx, tag).Result()
	require.NoError(t, err)
	require.Equal(t, []string{fmt.Sprintf("%sprofile:%d", prefix, 9001)}, members)
}
