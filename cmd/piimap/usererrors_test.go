package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piimap/piimap/lineage"
	"github.com/stretchr/testify/require"
)

// TestMapBeforeAnyScan: the map of a graph no scan has written says what
// to do next, in the user's terms, and exits 1.
func TestMapBeforeAnyScan(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(data, 0o700))
	cfg := writeConfig(t, dir, "  - {name: files, url: \"file://"+data+"\"}\n")
	code, _, stderr := cli(t, "--config", cfg, "map")
	require.Equal(t, 1, code)
	require.Equal(t, "piimap: no scan yet: run `piimap scan` first\n", stderr)
	code, _, stderr = cli(t, "--config", cfg, "map", "--run", "r-nope")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `no scan run "r-nope"`)
}

// TestUserMessageHidesPackages: piimap's package names leave the printed
// error; store kinds and the message itself stay.
func TestUserMessageHidesPackages(t *testing.T) {
	err := fmt.Errorf("executor: approve dsar-1: %w", fmt.Errorf("badgerstore: doc x: %w", fmt.Errorf("postgres: connect db: refused")))
	require.Equal(t, "approve dsar-1: doc x: postgres: connect db: refused", userMessage(err))
	require.Equal(t, "scan: files: open /x (y)", userMessage(errors.New("scan: files: open /x (scanner: y)")))
}

// TestTableWriterFits: rows written with tabs come out aligned and, with a
// width, no longer than it; a line without tabs ends a block and is kept.
func TestTableWriterFits(t *testing.T) {
	var out strings.Builder
	tw := &lineage.ColumnWriter{W: &out, Width: 40}
	fmt.Fprintf(tw, "STORE\tASSET\tCOUNT\n")
	fmt.Fprintf(tw, "warehouse\t%s\t12\n", strings.Repeat("very_long_table_name_", 5))
	fmt.Fprintf(tw, "gaps: none\n")
	fmt.Fprintf(tw, "a\tb\n")
	require.NoError(t, tw.Flush())
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 4)
	for _, l := range lines {
		require.LessOrEqual(t, len([]rune(l)), 40, l)
	}
	require.Equal(t, "gaps: none", lines[2])
	require.Equal(t, "a  b", lines[3], "a new block is aligned on its own")
	require.Contains(t, lines[1], "…")
}

// TestFlagTypoSuggests: a misspelt flag exits 2 and names the nearest one.
func TestFlagTypoSuggests(t *testing.T) {
	code, _, stderr := cli(t, "map", "--formt", "json")
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "did you mean --format?")
	code, _, stderr = cli(t, "scan", "--zzzzzz")
	require.Equal(t, exitUsage, code)
	require.NotContains(t, stderr, "did you mean")
}
