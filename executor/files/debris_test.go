package files_test

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	sfiles "github.com/piimap/piimap/scanner/files"
)

// nameCounter is a minimal classifier for the scan half: one finding per
// record, so every unit read shows.
type nameCounter struct{}

func (nameCounter) Classify(rec piimap.Record) []piimap.Finding {
	return []piimap.Finding{{Loc: rec.Loc, Type: piimap.TypeEmail, RuleID: "test", Confidence: 1, Hits: 1, Sampled: 1}}
}

// tempsIn lists the piimap temp files under root.
func tempsIn(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && sfiles.IsTempName(d.Name()) {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

// TestStaleTempsNoDebris plants the temp files a run killed mid-rewrite
// leaves — a half-written CSV, JSONL and log rewrite, a 100 KB corrupt
// Parquet COPY target, DuckDB's own "tmp_" file, temps of files the
// erasure does not touch, in subdirectories — then checks that a scan
// reads none of them as data (no unit, no error) and that the next erasure
// removes them all, while a symlink named like a temp file and its
// target outside the store are left alone.
func TestStaleTempsNoDebris(t *testing.T) {
	root := t.TempDir()
	for _, fx := range fixtures[:1] { // exports/customers.csv
		fx.write(t, root)
	}
	logs := fixtures[7] // logs/app.log
	logs.write(t, root)
	writeParquet(t, root, parquetFixture().asset)

	rnd := rand.New(rand.NewPCG(7, 7))
	corrupt := make([]byte, 100<<10)
	for i := range corrupt {
		corrupt[i] = byte(rnd.Uint32())
	}
	copy(corrupt, "PAR1")
	plant := map[string][]byte{
		"exports/.customers.csv.piimap-1234.tmp":             []byte("user_id,email\n1,ann@example.com\n"),
		"logs/.app.log.piimap-99.tmp":                        []byte("2024-01-01 half written ann@example.com"),
		"logs/.app.jsonl.piimap-5.tmp":                       []byte(`{"id":1,"user":{"email":"ann@example.com"`),
		"events/2024/.events.parquet.piimap-77.tmp":          corrupt,
		"events/2024/tmp_.events.parquet.piimap-78.tmp":      corrupt,
		"events/2024/.other.parquet.piimap-3.tmp":            corrupt[:5000],
		"deep/a/b/.untouched.csv.piimap-4294967295.tmp":      []byte("id,email\n1,ann@example.com\n"),
		"exports/.customers.csv.gz.piimap-8.tmp":             {0x1f, 0x8b, 8, 0, 0},
		"exports/.customers.csv.piimap-empty-name-part-.tmp": nil,
	}
	for name, data := range plant {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(t.TempDir(), "precious.csv")
	if err := os.WriteFile(outside, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "exports", ".link.csv.piimap-1.tmp")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	if got := len(tempsIn(t, root)); got != len(plant)+1 {
		t.Fatalf("planted %d temp files, see %d", len(plant)+1, got)
	}

	// A scan reads none of them: no unit, no error.
	res, err := scanner.Run(context.Background(), []scanner.StoreConfig{{Name: "lake", URL: "file://" + root}},
		scanner.Options{Graph: lineagetest.NewMemGraph(), Classifier: nameCounter{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		t.Errorf("unit error: %s: %s", e.Unit, e.Err)
	}
	units := map[string]bool{}
	for _, f := range res.Findings {
		units[f.Loc.Name] = true
	}
	for u := range units {
		if strings.Contains(u, sfiles.TempInfix) {
			t.Errorf("temp file scanned as a unit: %s", u)
		}
	}
	for _, want := range []string{"exports/customers.csv", "logs/app.log", parquetFixture().asset} {
		if !units[want] {
			t.Errorf("data file %s not scanned (units %v)", want, units)
		}
	}

	// A dry run and a read-only Count write nothing, temps included.
	h := open(t, root)
	defer h.Close()
	subj, _ := fixtures[0].targets()
	if _, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if got := len(tempsIn(t, root)); got != len(plant)+1 {
		t.Fatalf("a dry run removed temp files: %d left of %d", got, len(plant)+1)
	}

	// The next erasure (of one file) clears every stale temp file in the store.
	res2, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res2[0].Changed != fixtures[0].want {
		t.Errorf("changed %d, want %d", res2[0].Changed, fixtures[0].want)
	}
	left := tempsIn(t, root)
	if len(left) != 1 || left[0] != "exports/.link.csv.piimap-1.tmp" {
		t.Errorf("after erase, temp files left: %v (want only the symlink, which is not removed)", left)
	}
	if b, err := os.ReadFile(outside); err != nil || string(b) != "keep" {
		t.Errorf("symlink target outside the store touched: %q %v", b, err)
	}

	// A Parquet rewrite (DuckDB COPY) leaves no temp of its own.
	os.Remove(link)
	pq := parquetFixture()
	pqSubj, _ := pq.targets()
	if _, err := h.Erase(context.Background(), []driver.Target{pqSubj}, driver.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	if left := tempsIn(t, root); len(left) > 0 {
		t.Errorf("parquet rewrite left temp files: %v", left)
	}
	ents, _ := os.ReadDir(filepath.Join(root, "events/2024"))
	for _, e := range ents {
		if e.Name() != "events.parquet" {
			t.Errorf("unexpected file beside the rewritten parquet: %s", e.Name())
		}
	}
}
