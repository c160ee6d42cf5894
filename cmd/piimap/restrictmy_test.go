package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/evidence"
)

// TestRestrictionMySQL: a restriction sets the configured column on the
// subject's rows only, in a real MariaDB/MySQL.
func TestRestrictionMySQL(t *testing.T) {
	admin := xsEnv(t, "PIIMAP_TEST_MYSQL")
	ctx := context.Background()
	myURL, myDSN := scratchMySQL(t, admin, "piimap_rs_")
	db, err := sql.Open("mysql", myDSN)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(ctx, "CREATE TABLE contacts (contact_id INT PRIMARY KEY, email VARCHAR(120) NOT NULL UNIQUE, segment VARCHAR(20), restricted BOOLEAN NOT NULL DEFAULT FALSE)")
	require.NoError(t, err)
	const subject = "my.subject@example.org"
	_, err = db.ExecContext(ctx, "INSERT INTO contacts (contact_id, email, segment) VALUES (1, ?, 'gold')", subject)
	require.NoError(t, err)
	for i := 2; i <= 30; i++ {
		_, err = db.ExecContext(ctx, "INSERT INTO contacts (contact_id, email, segment) VALUES (?, ?, 'silver')", i, fmt.Sprintf("bystander%02d@example.net", i))
		require.NoError(t, err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf("graph: %s\nstores:\n  - {name: crm, url: %q, tenant: a, restrict_column: restricted}\n",
		filepath.Join(dir, "graph"), myURL)), 0o600))
	mustCLI(t, "--config", cfg, "init")
	code, _, errs := cli(t, "--config", cfg, "scan", "--full")
	require.Contains(t, []int{exitOK, exitGaps}, code, errs)
	req := struct{ ID string }{approvedRequest(t, cfg, "restriction", subject)}
	mustCLI(t, "--config", cfg, "dsar", "run", req.ID)
	var n int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM contacts WHERE restricted").Scan(&n))
	require.Zero(t, n, "a dry run marked rows")
	var rc evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "dsar", "run", req.ID, "--apply")), &rc))
	require.Empty(t, rc.Exceptions, "%+v", rc)
	require.Len(t, rc.Locations, 1)
	require.Equal(t, int64(1), rc.Locations[0].Changed)
	var marked, others int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(CASE WHEN restricted AND email = ? THEN 1 END), COUNT(CASE WHEN restricted AND email <> ? THEN 1 END) FROM contacts", subject, subject).Scan(&marked, &others))
	require.Equal(t, 1, marked)
	require.Zero(t, others)
}
