package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/bench/copyestate"
)

// copiesEnv returns a required server URL, skipping the test when unset.
func copiesEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Skipf("%s is not set: skipping the default-scan copy detection test (.ci/run sets every PIIMAP_TEST_* variable)", name)
	}
	return v
}

// TestDefaultScanFindsCopies plants undeclared copies of email and phone
// columns (identity, lower-cased, subset, sha256, md5 and sha1 hex) across
// PostgreSQL, MariaDB, DuckDB, a files store and, when PIIMAP_TEST_S3 is
// set, S3, beside decoys that are no copies (bench/copyestate), runs one
// default scan (sampled, not --full) from a fresh graph, and checks the
// map's fingerprint copy_of edges against the ground truth: recall (copies
// with an edge to their original) and precision (edges to the original
// among all but those to a sibling copy of the same original) both at
// least 0.95. It logs counts and location names, never a value.
func TestDefaultScanFindsCopies(t *testing.T) {
	if testing.Short() {
		t.Skip("default-scan copy detection test: skipped with -short")
	}
	pg, my := copiesEnv(t, "PIIMAP_TEST_POSTGRES"), copiesEnv(t, "PIIMAP_TEST_MYSQL")
	s3 := os.Getenv("PIIMAP_TEST_S3")
	if s3 == "" {
		t.Log("PIIMAP_TEST_S3 is not set: no copies in S3 (four store kinds hold copies)")
	}
	ctx := context.Background()
	t0 := time.Now()
	e, err := copyestate.Generate(ctx, copyestate.Options{Dir: t.TempDir(), Rows: 3000, CopiesPerTransform: 10, Seed: 1,
		Postgres: pg, MySQL: my, S3: s3, Log: t.Logf})
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := e.Clean(context.Background()); err != nil {
			t.Errorf("cleanup of estate %s: %v", e.Suffix, err)
		}
	})
	t.Logf("estate %s in %.1fs: copies per kind %v, %d decoys", e.Suffix, time.Since(t0).Seconds(), e.CopyKinds(), len(e.Decoys))
	require.GreaterOrEqual(t, len(e.Kinds), 4, "at least four store kinds hold copies")

	cfg, err := e.WriteConfig("piimap.yaml", filepath.Join(e.Dir, "graph"))
	require.NoError(t, err)
	t0 = time.Now()
	code, _, errs := cli(t, "--config", cfg, "--quiet", "scan")
	require.Contains(t, []int{exitOK, exitGaps}, code, "scan: %s", errs)
	t.Logf("default scan: exit %d in %.1fs", code, time.Since(t0).Seconds())
	edges, unitErrs, err := copyestate.CopyEdges([]byte(mustCLI(t, "--config", cfg, "map", "--format", "json")))
	require.NoError(t, err)
	assert.Zero(t, unitErrs, "unit errors in the map")

	s := e.Score(edges)
	for _, tr := range copyestate.AllTransforms {
		if c := s.ByTransform[tr]; c != nil {
			t.Logf("%-15s planted %2d, found %2d, edge to a sibling only %2d, no edge %2d, wrong transform %d",
				tr, c.Planted, c.Found, c.Sibling, c.NoEdge, c.WrongTransform)
		}
	}
	for _, k := range e.Kinds {
		if c := s.ByKind[k]; c != nil {
			t.Logf("%-15s planted %2d, found %2d", k, c.Planted, c.Found)
		}
	}
	t.Logf("recall %.3f (%d/%d; %d linked counting sibling edges), precision %.3f (%d TP, %d FP: %d reversed, %d decoy, %d other fields; %d sibling edges)",
		s.Recall, s.Found, s.Planted, s.Linked, s.Precision, s.TP, s.FP, s.Reversed, s.DecoyFP, s.OtherFP, s.SiblingEdges)
	assert.GreaterOrEqual(t, s.Recall, 0.95, "recall of a default scan; missed:\n  %s\nedges to a sibling:\n  %s",
		strings.Join(s.Missed, "\n  "), strings.Join(s.Siblings, "\n  "))
	assert.GreaterOrEqual(t, s.Precision, 0.95, "precision of a default scan; false positives:\n  %s", strings.Join(s.FalsePos, "\n  "))
}
