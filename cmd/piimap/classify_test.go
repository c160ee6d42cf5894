package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestClassifyMatchesSampleGolden runs `piimap classify --json` on the
// module's shared sample log (testdata/samples/mixed.log) and checks that
// it prints exactly the spans the classifiers' golden pins for the same
// file (line, column, length, type, rule and confidence), in order, and
// never the matched text.
func TestClassifyMatchesSampleGolden(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "samples")
	golden, err := os.ReadFile(filepath.Join(dir, "mixed.golden"))
	require.NoError(t, err)
	var want []string
	for _, l := range strings.Split(string(golden), "\n") {
		if strings.HasPrefix(l, "span ") {
			want = append(want, strings.TrimPrefix(l, "span "))
		}
	}
	require.NotEmpty(t, want)

	out := mustCLI(t, "--json", "classify", filepath.Join(dir, "mixed.log"))
	var got []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l classifyLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		got = append(got, fmt.Sprintf("line=%d col=%d len=%d type=%s rule=%s conf=%.2f", l.Line, l.Offset, l.Length, l.Type, l.Rule, l.Confidence))
	}
	require.Equal(t, want, got)
	for _, raw := range []string{"jane.doe", "555-2671", "536-22", "AKIAIOSFODNN7EXAMPLE", "s3cr3t"} {
		require.NotContains(t, out, raw)
	}
}
