package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piimap/piimap/lineage/sarif"
	"github.com/piimap/piimap/scanner/fileformat/fileformattest"
	"github.com/piimap/piimap/scanner/scannertest"
	"github.com/santhosh-tekuri/jsonschema/v6"
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

// TestClassifySARIF checks `classify --format sarif` against the vendored
// SARIF 2.1.0 schema, its results against the --json spans of the same
// file, and that no matched text is written.
func TestClassifySARIF(t *testing.T) {
	file := filepath.Join("..", "..", "testdata", "samples", "mixed.log")
	out := mustCLI(t, "classify", "--format", "SARIF", file) // --format is case-insensitive
	sch, err := jsonschema.NewCompiler().Compile(filepath.Join("..", "..", "testdata", "sarif", "sarif-schema-2.1.0.json"))
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	require.NoError(t, err)
	require.NoError(t, sch.Validate(inst))

	var log sarif.Log
	require.NoError(t, json.Unmarshal([]byte(out), &log))
	spans := strings.Split(strings.TrimSpace(mustCLI(t, "--json", "classify", file)), "\n")
	res := log.Runs[0].Results
	require.Len(t, res, len(spans))
	for i, s := range spans {
		var l classifyLine
		require.NoError(t, json.Unmarshal([]byte(s), &l))
		r := res[i]
		require.Equal(t, sarif.RuleID(l.Type), r.RuleID)
		reg := r.Locations[0].Physical.Region
		require.Equal(t, l.Line, reg.StartLine)
		require.Equal(t, int64(l.Length), *reg.ByteLength)
		require.True(t, strings.HasSuffix(r.Locations[0].Physical.Artifact.URI, "testdata/samples/mixed.log"))
	}
	for _, raw := range []string{"jane.doe", "555-2671", "536-22", "AKIAIOSFODNN7EXAMPLE", "s3cr3t"} {
		require.NotContains(t, out, raw)
	}
}

// TestClassifyExitCode pins the gitleaks convention: --exit-code N exits N
// when PII is found and 0 when not; bad values and conflicting output
// flags are usage errors (2).
func TestClassifyExitCode(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.txt")
	require.NoError(t, os.WriteFile(clean, []byte("nothing personal here\n"), 0o600))
	pii := filepath.Join("..", "..", "testdata", "samples", "mixed.log")
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"classify", "--exit-code", "7", pii}, 7},
		{[]string{"classify", "--exit-code", "7", clean}, 0},
		{[]string{"classify", pii}, 0},
		{[]string{"classify", "--format", "sarif", "--exit-code", "4", pii}, 4},
		{[]string{"classify", "--format", "xml", pii}, 2},
		{[]string{"--json", "classify", "--format", "sarif", pii}, 2},
		{[]string{"classify", "--exit-code", "300", pii}, 2},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run(t.Context(), tc.args, strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, tc.want, code, stderr.String())
		})
	}
}

// TestClassifyReadsWhatScanReads: a gzip-compressed log gives the same
// spans as the plain one, a Parquet file is read column by column (not as
// raw bytes), and binary content and a gzip bomb are refused (exit 1)
// with the file named, never an empty success.
func TestClassifyReadsWhatScanReads(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join("..", "..", "testdata", "samples", "mixed.log")
	plain, err := os.ReadFile(logPath)
	require.NoError(t, err)
	gz := filepath.Join(dir, "mixed.log.gz")
	require.NoError(t, os.WriteFile(gz, fileformattest.Gzip(t, plain), 0o600))
	want := mustCLI(t, "--json", "classify", logPath)
	got := mustCLI(t, "--json", "classify", gz)
	require.NotEmpty(t, want)
	require.Equal(t, strings.ReplaceAll(want, logPath, gz), got)

	pq := filepath.Join(dir, "people.parquet")
	require.NoError(t, os.WriteFile(pq, fileformattest.Parquet(t, scannertest.Table{Name: "people", Columns: []string{"id", "contact"},
		Rows: [][]string{{"1", "ann.lee@example.com"}, {"2", "none"}, {"3", "write to bo.chan@example.org"}}}), 0o600))
	var lines []classifyLine
	for _, s := range strings.Split(strings.TrimSpace(mustCLI(t, "--json", "classify", pq)), "\n") {
		var l classifyLine
		require.NoError(t, json.Unmarshal([]byte(s), &l), s)
		lines = append(lines, l)
	}
	require.Len(t, lines, 2)
	require.Equal(t, pq+"#contact", lines[0].Source)
	require.Equal(t, int64(1), lines[0].Line)
	require.Equal(t, "email", lines[0].Type)
	require.Equal(t, int64(3), lines[1].Line)
	require.Equal(t, len("write to "), lines[1].Offset)

	bin := filepath.Join(dir, "image.png")
	require.NoError(t, os.WriteFile(bin, append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 4096)...), 0o600))
	bomb := filepath.Join(dir, "bomb.log.gz")
	require.NoError(t, os.WriteFile(bomb, fileformattest.Gzip(t, bytes.Repeat([]byte{'a'}, 64<<20)), 0o600))
	for _, bad := range []string{bin, bomb} {
		code, _, stderr := cli(t, "classify", bad)
		require.Equal(t, 1, code, stderr)
		require.Contains(t, stderr, bad)
	}
}
