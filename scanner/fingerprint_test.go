package scanner_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	_ "github.com/piimap/piimap/scanner/files"
)

// email is the i-th synthetic address of an estate ("Ann"-style mixed case
// so normalisation matters); base separates unrelated populations.
func email(base, i int) string { return fmt.Sprintf("User%d.%d@Example.com", base, i) }

func writeCSV(t *testing.T, dir, name, header string, n int, cell func(i int) string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%s\n", i, cell(i))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644))
}

// TestFingerprintCopies scans a directory holding users.csv (500 emails)
// and one other file with the real classifier, full, and checks the
// copy_of edges fingerprinting infers.
func TestFingerprintCopies(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	users := func(t *testing.T, dir string) {
		writeCSV(t, dir, "users.csv", "id,email", 500, func(i int) string { return email(1, i) })
	}
	type edge struct{ from, to, transform string }
	tests := []struct {
		name  string
		key   []byte
		write func(t *testing.T, dir string)
		want  []edge
	}{
		{
			name: "identity export",
			key:  key,
			write: func(t *testing.T, dir string) {
				// every other user, lowercased: a reformatted subset
				writeCSV(t, dir, "export.csv", "n,email", 300, func(i int) string { return strings.ToLower(email(1, i*5/3)) })
			},
			want: []edge{{"export.csv#email", "users.csv#email", lineage.TransformIdentity}},
		},
		{
			name: "sha256 of lowercased email",
			key:  key,
			write: func(t *testing.T, dir string) {
				writeCSV(t, dir, "hashed.csv", "n,email_hash", 300, func(i int) string {
					sum := sha256.Sum256([]byte(strings.ToLower(email(1, i+100))))
					return hex.EncodeToString(sum[:])
				})
			},
			want: []edge{{"hashed.csv#email_hash", "users.csv#email", lineage.TransformMasked}},
		},
		{
			name: "unrelated emails",
			key:  key,
			write: func(t *testing.T, dir string) {
				writeCSV(t, dir, "other.csv", "n,email", 500, func(i int) string { return email(2, i) })
			},
		},
		{
			name: "no key, no fingerprints",
			write: func(t *testing.T, dir string) {
				writeCSV(t, dir, "export.csv", "n,email", 300, func(i int) string { return email(1, i) })
			},
		},
	}
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			users(t, dir)
			tt.write(t, dir)
			g := lineagetest.NewMemGraph()
			res, err := scanner.Run(ctx, []scanner.StoreConfig{{Name: "lake", URL: "file://" + dir}}, scanner.Options{
				Graph: g, Classifier: eng, Merge: classifiers.Merge, Full: true, Concurrency: 2, FingerprintKey: tt.key,
			})
			require.NoError(t, err)
			require.Empty(t, res.Errors)

			var got []edge
			var all []lineage.Edge
			require.NoError(t, g.AllEdges(ctx, res.RunID, []string{lineage.EdgeCopyOf}, func(e lineage.Edge) error {
				all = append(all, e)
				got = append(got, edge{e.From.Name + "#" + e.From.Field, e.To.Name + "#" + e.To.Field, e.Transform})
				return nil
			}))
			assert.Equal(t, tt.want, got)
			for _, e := range all {
				assert.Equal(t, lineage.SourceFingerprint, e.Source)
				assert.Greater(t, e.Confidence, 0.5)
				assert.LessOrEqual(t, e.Confidence, 1.0)
				assert.NotEmpty(t, e.Evidence)
				assert.NotContains(t, strings.ToLower(e.Evidence), "@example.com", "evidence must not hold values")
			}
		})
	}
}

// TestFingerprintSkipsDeclared checks that a pair of fields a declared edge
// (a foreign key) already links is not reported again as a copy, while an
// undeclared copy in the same store still is.
func TestFingerprintSkipsDeclared(t *testing.T) {
	values := func(n, step int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = email(3, i*step)
		}
		return out
	}
	tests := []struct {
		name     string
		declared bool
		want     []string
	}{
		{"undeclared reference is a copy", false, []string{"orders.buyer_email", "snapshot.email"}},
		{"declared reference is not", true, []string{"snapshot.email"}},
	}
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := &fakeStore{tables: map[string]map[string][]string{
				"users":    {"email": values(400, 1)},
				"orders":   {"buyer_email": values(200, 2)},
				"snapshot": {"email": values(300, 1)},
			}}
			url := addFake(fmt.Sprintf("fp-declared-%d", i), st)
			if tt.declared {
				st.edges = []lineage.Edge{{
					Kind: lineage.EdgeReferences, Source: lineage.SourceFK, Confidence: 1,
					From: piimap.Location{Store: "app", Name: "orders", Field: "buyer_email"},
					To:   piimap.Location{Store: "app", Name: "users", Field: "email"},
				}}
			}
			g := lineagetest.NewMemGraph()
			// 1000 sampled rows: the fake reads every row
			cfg := scanner.StoreConfig{Name: "app", URL: url, Sample: scanner.SampleConfig{Rows: 1000}}
			res, err := scanner.Run(ctx, []scanner.StoreConfig{cfg}, scanner.Options{
				Graph: g, Classifier: eng, Merge: classifiers.Merge, FingerprintKey: []byte("another key of 32 bytes, or so.."),
			})
			require.NoError(t, err)
			var got []string
			require.NoError(t, g.AllEdges(ctx, res.RunID, []string{lineage.EdgeCopyOf}, func(e lineage.Edge) error {
				assert.Equal(t, "users", e.To.Name)
				got = append(got, e.From.Name+"."+e.From.Field)
				return nil
			}))
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestFingerprintAcrossRuns: copies are found between a store scanned now
// and one scanned in an earlier run, and sampled scans find them too. Two
// sampled fields alone could not show containment (a 500-row sample of
// each holds few common values); the identifier fields a sampled scan
// reads in full for probing, and keeps, are what let them.
func TestFingerprintAcrossRuns(t *testing.T) {
	ctx := context.Background()
	values := func(n, step int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = email(4, i*step)
		}
		return out
	}
	crm := addFake("fp-runs-crm", &fakeStore{tables: map[string]map[string][]string{"users": {"email": values(5000, 1)}}})
	exp := addFake("fp-runs-exports", &fakeStore{tables: map[string]map[string][]string{"export": {"email": values(2000, 2)}}})
	sample := scanner.SampleConfig{Rows: 500}
	stores := map[string]scanner.StoreConfig{
		"crm":     {Name: "crm", URL: crm, Sample: sample},
		"exports": {Name: "exports", URL: exp, Sample: sample},
	}
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	g := lineagetest.NewMemGraph()
	key := []byte("kept sketches key, 32 bytes long")
	scan := func(full bool, names ...string) []string {
		var cfgs []scanner.StoreConfig
		for _, n := range names {
			cfgs = append(cfgs, stores[n])
		}
		res, err := scanner.Run(ctx, cfgs, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge,
			Full: full, FingerprintKey: key, Configured: []string{"crm", "exports"}, Concurrency: 1})
		require.NoError(t, err)
		require.Empty(t, res.Errors)
		var got []string
		require.NoError(t, g.AllEdges(ctx, res.RunID, []string{lineage.EdgeCopyOf}, func(e lineage.Edge) error {
			got = append(got, e.From.Store+"/"+e.From.Name+"."+e.From.Field+" -> "+e.To.Store+"/"+e.To.Name+"."+e.To.Field)
			return nil
		}))
		return got
	}
	want := []string{"exports/export.email -> crm/users.email"}

	assert.Equal(t, want, scan(false, "crm", "exports"), "a sampled scan probes the export's sample in the users read in full")
	assert.Equal(t, want, scan(true, "crm"), "one store scanned: the export's edge is carried with its store")
	assert.Equal(t, want, scan(false, "exports"), "a sampled export against the kept filters of users")
	assert.Equal(t, want, scan(false, "crm", "exports"), "samples merged into the kept full sketch")
	assert.Equal(t, want, scan(false, "crm"), "the edge is carried with the unscanned export")

	var docs int
	require.NoError(t, g.ListDocs(ctx, scanner.DocFingerprint, func(id string, data []byte) error {
		docs++
		assert.NotContains(t, strings.ToLower(string(data)), "@example.com", "kept sketches hold no values")
		return nil
	}))
	assert.Equal(t, 1, docs, "users was read in full and kept; the export, its copy, was not read again")
}
