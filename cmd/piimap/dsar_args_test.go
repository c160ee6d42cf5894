package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestKeyValues: --mode keys are locations that may hold '=' (Hive
// partitions), so they split at the last '='; --subject and --change
// values may hold '=', so they split at the first.
func TestKeyValues(t *testing.T) {
	modes, err := keyValues("--mode", []string{"files/events/day=2026-11-01/events.parquet=mask", "wh=null"}, cutLast)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"files/events/day=2026-11-01/events.parquet": "mask", "wh": "null"}, modes)
	changes, err := keyValues("--change", []string{"note=a=b"}, strings.Cut)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"note": "a=b"}, changes)
	for _, bad := range []string{"=mask", "files/x=", "nokey"} {
		_, err := keyValues("--mode", []string{bad}, cutLast)
		require.Error(t, err, bad)
	}
}
