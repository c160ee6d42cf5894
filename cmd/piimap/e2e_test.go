package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/internal/estate"
	"github.com/piimap/piimap/lineage"
)

// cli runs piimap in-process like a separate invocation and returns its
// exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := cli(t, args...)
	require.Equal(t, 0, code, "piimap %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), out, errs)
	return out
}

// TestDemoEndToEnd runs the demo flow and then checks everything against
// the generator's ground truth, with each later step a separate invocation
// on the kept estate (DESIGN §7).
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end demo: skipped with -short")
	}
	dir := t.TempDir()
	var sum demoSummary
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "demo", "--dir", dir, "--subjects", "300", "--seed", "5", "--json")), &sum))
	cfg := filepath.Join(dir, "piimap.yaml")
	require.FileExists(t, cfg)
	require.FileExists(t, filepath.Join(dir, "ground-truth.json"))
	require.DirExists(t, filepath.Join(dir, "graph"))
	var truth estate.GroundTruth
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &truth))

	t.Run("map finds every planted PII field and no hard negative", func(t *testing.T) {
		var m lineage.Map
		require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "map", "--format", "json")), &m))
		types := map[string]map[string]bool{}
		for _, l := range m.Locations {
			k := l.Store + "/" + l.Asset + "#" + l.Field
			for _, p := range l.PII {
				if types[k] == nil {
					types[k] = map[string]bool{}
				}
				types[k][p.Type] = true
			}
		}
		for _, f := range truth.PIIFields {
			k := f.Store + "/" + f.Asset + "#" + f.Field
			require.True(t, types[k][f.Type], "planted %s at %s not found (found %v)", f.Type, k, types[k])
		}
		for _, f := range truth.NegativeFields {
			k := f.Store + "/" + f.Asset + "#" + f.Field
			require.Empty(t, types[k], "hard negative %s flagged", k)
		}
		require.Equal(t, len(truth.PIIFields), sum.PIIFound)
		require.Zero(t, sum.NegativeHit)
	})

	// The demo's subject: erased by the demo run.
	erased := truth.Busiest()
	t.Run("demo erasure verified with zero residual", func(t *testing.T) {
		require.NotNil(t, sum.Erasure)
		require.Equal(t, dsar.StatusCompleted, sum.Erasure.Status)
		var changed int64
		for _, l := range sum.Erasure.Locations {
			require.Zero(t, l.Residual, "%s/%s", l.Store, l.Asset)
			changed += l.Changed
		}
		want := 0
		for _, n := range erased.Records {
			want += n
		}
		require.Equal(t, int64(want), changed, "erasure changed exactly the subject's records")
	})

	t.Run("demo access package held exactly the subject's records", func(t *testing.T) {
		require.NotNil(t, sum.Access)
		require.NotNil(t, sum.Access.Export)
		got := packageCounts(t, sum.Access.Export.Dir)
		require.Equal(t, erased.Records, got)
	})

	t.Run("access for other subjects after the erasure: their records are intact", func(t *testing.T) {
		others := []estate.SubjectTruth{truth.Subjects[0], truth.Subjects[len(truth.Subjects)/2], truth.Subjects[len(truth.Subjects)-1]}
		for i, s := range others {
			if s.Email == erased.Email {
				continue
			}
			out := filepath.Join(t.TempDir(), "pkg")
			got := accessViaCLI(t, cfg, s.Email, out)
			require.Equal(t, s.Records, got, "subject %d", i)
		}
	})

	t.Run("access for the erased subject finds nothing", func(t *testing.T) {
		// Its customers row is gone, so the orders it had can no longer be
		// reached: the run lists that as a gap and exits 3 rather than
		// claiming a clean result.
		id := newRequest(t, cfg, "access", erased.Email)
		mustCLI(t, "--config", cfg, "dsar", "plan", id)
		mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "dpo")
		out := filepath.Join(t.TempDir(), "pkg")
		code, stdout, stderr := cli(t, "--config", cfg, "dsar", "run", id, "--out", out)
		require.Contains(t, []int{exitOK, exitGaps}, code, "stdout: %s\nstderr: %s", stdout, stderr)
		require.Empty(t, packageCounts(t, out))
	})

	t.Run("a second erasure changes nothing", func(t *testing.T) {
		id := newRequest(t, cfg, "erasure", erased.Email)
		mustCLI(t, "--config", cfg, "dsar", "plan", id)
		mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "dpo")
		mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "legal")
		var rc evidence.Receipt
		code, stdout, stderr := cli(t, "--config", cfg, "--json", "dsar", "run", id, "--apply")
		require.Contains(t, []int{exitOK, exitGaps}, code, "stderr: %s", stderr)
		require.NoError(t, json.Unmarshal([]byte(stdout), &rc))
		for _, l := range rc.Locations {
			require.Zero(t, l.Changed, "%s/%s", l.Store, l.Asset)
			require.Zero(t, l.Residual)
		}
		require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "dsar", "receipt", id)), &rc))
		require.NotEmpty(t, rc.Signature)
	})
}

func newRequest(t *testing.T, cfg, typ, email string) string {
	t.Helper()
	var req executor.Request
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "dsar", "new", "--type", typ,
		"--subject", "email="+email, "--requester", "privacy-ops", "--attested-by", "dpo", "--attest-method", "id-document",
		"--allow-duplicate")), &req))
	require.NotEmpty(t, req.ID)
	require.NotContains(t, mustCLI(t, "--config", cfg, "--json", "dsar", "status", req.ID), email, "raw identifier printed")
	return req.ID
}

// approvedRequest files a request (newRequest), plans it and has bob and
// carol approve it; it returns the id, ready to run.
func approvedRequest(t *testing.T, cfg, typ, email string) string {
	t.Helper()
	id := newRequest(t, cfg, typ, email)
	mustCLI(t, "--config", cfg, "dsar", "plan", id)
	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "bob")
	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "carol")
	return id
}

// accessViaCLI runs new → plan → approve → run for an access request and
// returns the package's record counts per "<store>/<asset>".
func accessViaCLI(t *testing.T, cfg, email, out string) map[string]int {
	t.Helper()
	id := newRequest(t, cfg, "access", email)
	mustCLI(t, "--config", cfg, "dsar", "plan", id)
	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "dpo")
	mustCLI(t, "--config", cfg, "dsar", "run", id, "--out", out)
	return packageCounts(t, out)
}

// packageCounts reads an access package, checks every file's SHA-256
// against the manifest, and counts the JSONL records per source.
func packageCounts(t *testing.T, dir string) map[string]int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	var m evidence.Manifest
	require.NoError(t, json.Unmarshal(raw, &m))
	require.FileExists(t, filepath.Join(dir, "dictionary.json"))
	got := map[string]int{}
	for _, f := range m.Files {
		body, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		require.NoError(t, err)
		sum := sha256.Sum256(body)
		require.Equal(t, f.SHA256, hex.EncodeToString(sum[:]), f.Path)
		if strings.HasSuffix(f.Path, ".jsonl") {
			n := bytes.Count(body, []byte{'\n'})
			if n > 0 {
				got[f.Source] = n
			}
		}
	}
	return got
}

// TestDemoTempDir runs the demo without --dir: the estate lives in a
// temporary directory that is removed afterwards, graph closed first.
func TestDemoTempDir(t *testing.T) {
	if testing.Short() {
		t.Skip("demo: skipped with -short")
	}
	t.Setenv("TMPDIR", t.TempDir())
	code, out, errs := cli(t, "demo", "--subjects", "40", "--seed", "2")
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", out, errs)
	require.Contains(t, out, "planted PII fields found")
	require.Contains(t, out, "erasure completed")
	require.NotContains(t, errs, "badger", "badger complained: the graph was not closed before its directory went")
	entries, err := os.ReadDir(os.Getenv("TMPDIR"))
	require.NoError(t, err)
	require.Empty(t, entries, "the temporary estate is removed")
}
