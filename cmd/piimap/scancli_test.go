package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/fileformat"
)

const scanCSV = "id,contact_email,note\n1,ann.adhoc@example.com,hi\n2,bo.adhoc@example.org,hello\n3,cy.adhoc@example.net,hey\n4,di.adhoc@example.com,yo\n"

// TestScanBrokenConfigExits1: a misspelt scheme is a config error naming
// the scheme piimap reads, and a config whose every store is unreachable
// exits 1 (not 3, "completed with gaps"): nothing was read.
func TestScanBrokenConfigExits1(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "  - {name: app, url: \"postgress://postgres@127.0.0.1:5432/x\"}\n")
	code, _, stderr := cli(t, "--config", cfg, "scan")
	require.Equal(t, exitError, code, stderr)
	require.Contains(t, stderr, `did you mean "postgres://"?`)

	cfg = writeConfig(t, dir, "  - {name: gone, url: \"file://"+filepath.Join(dir, "missing")+"\"}\n"+
		"  - {name: db, url: \"postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2\"}\n")
	code, _, stderr = cli(t, "--config", cfg, "scan")
	require.Equal(t, exitError, code, stderr)
	require.Contains(t, stderr, "none of the 2 stores could be opened")
}

// TestAdhocScan: `scan PATH…` without a config scans a directory and a
// single file into the state directory's graph, prints the map, and says
// how to open it again; the config it leaves works with `map`. Bad
// locations and mixing paths with --config are usage errors.
func TestAdhocScan(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	data := filepath.Join(t.TempDir(), "exports")
	require.NoError(t, os.MkdirAll(data, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(data, "people.csv"), []byte(scanCSV), 0o600))
	single := filepath.Join(t.TempDir(), "[odd] name*.csv")
	require.NoError(t, os.WriteFile(single, []byte(scanCSV), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(single), "other.csv"), []byte(scanCSV), 0o600))

	code, stdout, stderr := cli(t, "scan", data, single)
	require.Equal(t, exitOK, code, stderr)
	var m lineage.Map
	require.NoError(t, json.Unmarshal([]byte(stdout), &m), stdout)
	assets := map[string]bool{}
	for _, l := range m.Locations {
		if l.Field == "contact_email" {
			assets[l.Store+"/"+l.Asset] = true
		}
	}
	require.Equal(t, map[string]bool{"exports/people.csv": true, "odd_name_csv/[odd] name*.csv": true}, assets,
		"the single file's store holds that file only")
	cfgPath := filepath.Join(state, "piimap", "adhoc", "piimap.yaml")
	require.Contains(t, stderr, "piimap --config "+cfgPath+" map")
	again := mustCLI(t, "--config", cfgPath, "map", "--format", "json")
	var m2 lineage.Map
	require.NoError(t, json.Unmarshal([]byte(again), &m2))
	require.Equal(t, m.ScanRun, m2.ScanRun)
	for _, raw := range []string{"ann.adhoc@", "bo.adhoc@"} {
		require.NotContains(t, stdout, raw)
	}

	for _, args := range [][]string{
		{"scan", filepath.Join(data, "nope")},
		{"scan", "postgress://x@127.0.0.1/db"},
		{"--config", cfgPath, "scan", data},
	} {
		code, _, stderr := cli(t, args...)
		require.Equal(t, exitUsage, code, "%v: %s", args, stderr)
	}
}

// TestScanBaseline: after `baseline write`, a scan reports only findings
// the baseline does not hold; an edited baseline is refused.
func TestScanBaseline(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(data, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(data, "people.csv"), []byte(scanCSV), 0o600))
	cfg := writeConfig(t, dir, "  - {name: files, url: \"file://"+data+"\"}\n")
	mustCLI(t, "--config", cfg, "scan")
	base := filepath.Join(dir, "accepted.json")
	mustCLI(t, "--config", cfg, "baseline", "write", base)

	out := mustCLI(t, "--json", "--config", cfg, "scan", "--baseline", base)
	var fresh lineage.Map
	require.NoError(t, json.Unmarshal([]byte(out), &fresh), out)
	require.Empty(t, fresh.Locations, "nothing new since the baseline")

	require.NoError(t, os.WriteFile(filepath.Join(data, "more.csv"),
		[]byte("id,phone_number\n1,+1 415 555 0100\n2,+1 415 555 0101\n3,+1 415 555 0102\n4,+1 415 555 0103\n5,+1 415 555 0104\n"), 0o600))
	out = mustCLI(t, "--json", "--config", cfg, "scan", "--baseline", base)
	fresh = lineage.Map{}
	require.NoError(t, json.Unmarshal([]byte(out), &fresh), out)
	require.NotEmpty(t, fresh.Locations)
	for _, l := range fresh.Locations {
		require.Equal(t, "more.csv", l.Asset, "only the new file's findings")
	}

	raw, err := os.ReadFile(base)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(base, []byte(strings.Replace(string(raw), "people.csv", "peeple.csv", 1)), 0o600))
	code, _, stderr := cli(t, "--config", cfg, "scan", "--baseline", base)
	require.Equal(t, exitError, code, stderr)
	require.Contains(t, stderr, "fingerprint does not match")
}

// TestMapFlagsStrict: --format is case-insensitive, --json with another
// format is refused, an unknown --store or --type is a usage error (not an
// empty map), and the catalog and SARIF formats come out of the CLI.
func TestMapFlagsStrict(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(data, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(data, "people.csv"), []byte(scanCSV), 0o600))
	cfg := writeConfig(t, dir, "  - {name: files, url: \"file://"+data+"\"}\n")
	mustCLI(t, "--config", cfg, "scan")

	var m lineage.Map
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "map", "--format", "JSON")), &m))
	require.NotEmpty(t, m.Locations)
	for _, args := range [][]string{
		{"--json", "map", "--format", "md"},
		{"map", "--store", "nope"},
		{"map", "--type", "emial"},
		{"map", "--format", "xml"},
	} {
		code, _, stderr := cli(t, append([]string{"--config", cfg}, args...)...)
		require.Equal(t, exitUsage, code, "%v: %s", args, stderr)
	}
	_, _, stderr := cli(t, "--config", cfg, "map", "--type", "emial")
	require.Contains(t, stderr, "email", "the valid types are listed")
	for _, format := range []string{"sarif", "fides", "datahub", "openmetadata"} {
		out := mustCLI(t, "--config", cfg, "map", "--format", format)
		require.Contains(t, out, "contact_email", format)
		require.NotContains(t, out, "ann.adhoc@", format)
	}
}

// TestMapAllowList: the config's allow: marks accepted findings in the
// map with the reason, leaving the others as they were; a rule without a
// reason is a config error.
func TestMapAllowList(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(data, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(data, "people.csv"), []byte(scanCSV), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(data, "fixture.csv"), []byte(scanCSV), 0o600))
	cfg := writeConfig(t, dir, "  - {name: files, url: \"file://"+data+"\"}\n")
	raw, err := os.ReadFile(cfg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfg, append(raw, []byte("allow:\n  - {store: files, asset: \"fixture*\", type: email, reason: synthetic test data}\n")...), 0o600))
	mustCLI(t, "--config", cfg, "scan")
	var m lineage.Map
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "map", "--format", "json")), &m))
	seen := map[string]string{}
	for _, l := range m.Locations {
		for _, p := range l.PII {
			if p.Type == "email" {
				seen[l.Asset] = p.Allowed
			}
		}
	}
	require.Equal(t, map[string]string{"people.csv": "", "fixture.csv": "synthetic test data"}, seen)

	require.NoError(t, os.WriteFile(cfg, append(raw, []byte("allow:\n  - {store: files}\n")...), 0o600))
	code, _, stderr := cli(t, "--config", cfg, "map")
	require.Equal(t, exitError, code)
	require.Contains(t, stderr, "reason is required")
}

// TestGzipLimitsFromConfig: gzip.max_ratio in the config bounds
// decompression; the bomb is a unit error naming the setting (exit 3), and
// the limit is the config's, not the built-in 200:1.
func TestGzipLimitsFromConfig(t *testing.T) {
	old, oldOut := fileformat.MaxGzipRatio, fileformat.MaxGzipOutput
	t.Cleanup(func() { fileformat.MaxGzipRatio, fileformat.MaxGzipOutput = old, oldOut })
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(data, 0o700))
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(bytes.Repeat([]byte("all work and no play\n"), 1<<20)) // ~21 MiB, ratio far above 50:1
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(data, "app.log.gz"), buf.Bytes(), 0o600))
	cfg := writeConfig(t, dir, "  - {name: files, url: \"file://"+data+"\"}\n")
	raw, err := os.ReadFile(cfg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfg, append(raw, []byte("gzip: {max_ratio: 50}\n")...), 0o600))
	code, stdout, stderr := cli(t, "--config", cfg, "scan")
	require.Equal(t, exitGaps, code, stderr)
	require.Contains(t, stdout, "exceeds 50:1")
	require.Contains(t, stdout, "gzip.max_ratio")
}

// TestExitCodesPinned pins the documented exit codes: 0 ok, 1 error, 2
// usage, 3 completed with gaps.
func TestExitCodesPinned(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(data, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(data, "people.csv"), []byte(scanCSV), 0o600))
	cfg := writeConfig(t, dir, "  - {name: files, url: \"file://"+data+"\"}\n")
	gapDir := filepath.Join(dir, "gap")
	require.NoError(t, os.MkdirAll(filepath.Join(gapDir, "data"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(gapDir, "data", "broken.csv.gz"), []byte("\x1f\x8bnot gzip at all"), 0o600))
	gapCfg := writeConfig(t, gapDir, "  - {name: files, url: \"file://"+filepath.Join(gapDir, "data")+"\"}\n")
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"--version"}, exitOK},
		{[]string{"--config", cfg, "scan"}, exitOK},
		{[]string{"--config", cfg, "map", "--format", "json"}, exitOK},
		{[]string{"--config", filepath.Join(dir, "missing.yaml"), "map"}, exitError},
		{[]string{"--config", cfg, "dsar", "status", "dsar-nope"}, exitError},
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"dsar", "aprove", "x"}, exitUsage},
		{[]string{"--config", cfg, "scan", "--bogus"}, exitUsage},
		{[]string{"--config", cfg, "map", "--format", "xml"}, exitUsage},
		{[]string{"--config", cfg, "dsar", "new", "--type", "erase", "--subject", "email=a@example.com"}, exitUsage},
		{[]string{"--config", gapCfg, "scan"}, exitGaps},
	} {
		code, _, stderr := cli(t, tc.args...)
		require.Equal(t, tc.want, code, "%v: %s", tc.args, stderr)
	}
}
