package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
)

// TestScanPrunesOldRuns: with keep_runs 2, the third scan prunes the first
// run (a diff against it fails as not found) and keeps the last two.
func TestScanPrunesOldRuns(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(data, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(data, "users.csv"), []byte("id,email\n1,ann@example.com\n2,bob@example.com\n"), 0o644))
	cfg := filepath.Join(dir, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf("graph: %s\nkeep_runs: 2\nstores:\n  - name: files\n    url: file://%s\n",
		filepath.Join(dir, "graph"), data)), 0o600))
	var ids []string
	for range 3 {
		var run lineage.ScanRun
		require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "scan")), &run))
		ids = append(ids, run.ID)
	}
	mustCLI(t, "--config", cfg, "diff", ids[1], ids[2])
	code, _, stderr := cli(t, "--config", cfg, "diff", ids[0], ids[2])
	require.NotEqual(t, exitOK, code, "the first run was pruned")
	require.Contains(t, stderr, ids[0])
}
