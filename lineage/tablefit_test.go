package lineage_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rivo/uniseg"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
)

// TestWriteColumnsFitsWidth: on a terminal of W cells every line fits,
// the widest columns are cut first (narrow ones stay whole), cut cells end
// with "…" and wide characters count as two cells; without a width
// nothing is cut.
func TestWriteColumnsFitsWidth(t *testing.T) {
	rows := [][]string{
		{"STORE", "KIND", "ASSET", "PII"},
		{"app", "postgres", strings.Repeat("customer_addresses_", 6), "email 0.99 (97/100), phone 0.91 (80/100), person_name 0.80"},
		{"lake", "s3", "exports/顧客リスト_2026.csv", "email 0.90"},
	}
	for _, width := range []int{40, 60, 80, 120} {
		var buf bytes.Buffer
		require.NoError(t, lineage.WriteColumns(&buf, rows, width))
		lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
		require.Len(t, lines, len(rows))
		for _, l := range lines {
			require.LessOrEqual(t, uniseg.StringWidth(l), width, "width %d: %q", width, l)
		}
		require.Contains(t, lines[1], "postgres", "width %d: the narrow KIND column is not cut", width)
		require.Contains(t, buf.String(), "…")
	}
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteColumns(&buf, rows, 0))
	require.NotContains(t, buf.String(), "…")
	require.Contains(t, buf.String(), strings.Repeat("customer_addresses_", 6))
	require.Contains(t, buf.String(), "person_name 0.80")
}

// TestMapTableWidth renders the reference map at 80 cells.
func TestMapTableWidth(t *testing.T) {
	m := exportMap(t)
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteMapWith(&buf, m, lineage.FormatTable, lineage.WriteOptions{Width: 80}))
	for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		require.LessOrEqual(t, uniseg.StringWidth(l), 80, "%q", l)
	}
	require.Contains(t, buf.String(), "scan run")
}
