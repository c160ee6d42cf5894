package executortest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"testing"

	"github.com/piimap/piimap/executor"
)

// Fixture is one freshly built store.
type Fixture struct {
	// Handler is open read-write on the store; Run closes it.
	Handler executor.Handler
	// Subject are the targets holding the planted subject's data, in the
	// order a plan would give them (children first).
	Subject []executor.Target
	// Want is the number of the subject's rows (or lines) per asset.
	Want map[string]int64
	// Others select other subjects' data; none of it may change.
	Others []executor.Target
}

// Run runs the suite; each subtest gets a fresh fixture from build.
func Run(t *testing.T, build func(t *testing.T) Fixture) {
	t.Helper()
	ctx := context.Background()
	fresh := func(t *testing.T) Fixture {
		f := build(t)
		t.Cleanup(func() { _ = f.Handler.Close() })
		if len(f.Subject) == 0 || len(f.Others) == 0 {
			t.Fatal("fixture must plant a subject and other subjects")
		}
		for _, tg := range f.Subject {
			if f.Want[tg.Asset] <= 0 {
				t.Fatalf("fixture plants no rows for %s", tg.Asset)
			}
		}
		for _, tg := range f.Others {
			if len(FindRows(t, f.Handler, tg)) == 0 {
				t.Fatalf("fixture's other subjects have no rows in %s: the intact check could not fail", tg.Asset)
			}
		}
		return f
	}

	t.Run("find_count_export_agree", func(t *testing.T) {
		f := fresh(t)
		for _, tg := range f.Subject {
			rows := FindRows(t, f.Handler, tg)
			if int64(len(rows)) != f.Want[tg.Asset] {
				t.Errorf("%s: find returned %d rows, planted %d", tg.Asset, len(rows), f.Want[tg.Asset])
			}
			if c, ok := f.Handler.(executor.Counter); ok {
				n, err := c.Count(ctx, tg)
				if err != nil {
					t.Fatalf("%s: count: %v", tg.Asset, err)
				}
				if n != int64(len(rows)) {
					t.Errorf("%s: count %d != find rows %d", tg.Asset, n, len(rows))
				}
			}
		}
	})

	t.Run("dry_run_writes_nothing", func(t *testing.T) {
		f := fresh(t)
		before := Checksums(t, f.Handler, append(append([]executor.Target{}, f.Subject...), f.Others...))
		res, err := f.Handler.Erase(ctx, f.Subject, executor.EraseOptions{DryRun: true})
		if err != nil {
			t.Fatalf("dry run: %v", err)
		}
		for _, r := range res {
			if r.Found != f.Want[r.Asset] {
				t.Errorf("%s: dry run found %d, planted %d", r.Asset, r.Found, f.Want[r.Asset])
			}
		}
		after := Checksums(t, f.Handler, append(append([]executor.Target{}, f.Subject...), f.Others...))
		assertSame(t, before, after, "after a dry run")
	})

	t.Run("erase_then_find_nothing_others_intact", func(t *testing.T) {
		f := fresh(t)
		before := Checksums(t, f.Handler, f.Others)
		res, err := f.Handler.Erase(ctx, f.Subject, executor.EraseOptions{})
		if err != nil {
			t.Fatalf("erase: %v", err)
		}
		if len(res) != len(f.Subject) {
			t.Fatalf("erase returned %d results for %d targets", len(res), len(f.Subject))
		}
		for _, r := range res {
			if r.Found != f.Want[r.Asset] || r.Changed != f.Want[r.Asset] {
				t.Errorf("%s: erase found %d changed %d, planted %d", r.Asset, r.Found, r.Changed, f.Want[r.Asset])
			}
		}
		for _, tg := range f.Subject {
			if rows := FindRows(t, f.Handler, tg); len(rows) != 0 {
				t.Errorf("%s: %d rows remain after erase", tg.Asset, len(rows))
			}
		}
		assertSame(t, before, Checksums(t, f.Handler, f.Others), "after erase")
	})

	t.Run("second_erase_changes_nothing", func(t *testing.T) {
		f := fresh(t)
		if _, err := f.Handler.Erase(ctx, f.Subject, executor.EraseOptions{}); err != nil {
			t.Fatalf("first erase: %v", err)
		}
		before := Checksums(t, f.Handler, f.Others)
		res, err := f.Handler.Erase(ctx, f.Subject, executor.EraseOptions{})
		if err != nil {
			t.Fatalf("second erase: %v", err)
		}
		for _, r := range res {
			if r.Found != 0 || r.Changed != 0 {
				t.Errorf("%s: second erase found %d changed %d, want 0/0", r.Asset, r.Found, r.Changed)
			}
		}
		assertSame(t, before, Checksums(t, f.Handler, f.Others), "after a second erase")
	})
}

// FindRows returns a target's rows as canonical JSON strings (columns sorted
// by name), sorted.
func FindRows(t testing.TB, h executor.Handler, tg executor.Target) []string {
	t.Helper()
	var out []string
	err := h.Find(context.Background(), tg, func(b executor.Batch) error {
		cols, rows := b.Table()
		for _, row := range rows {
			m := map[string]any{}
			for i, c := range cols {
				m[c.Name] = row[i]
			}
			js, err := json.Marshal(m)
			if err != nil {
				return err
			}
			out = append(out, string(js))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("find %s: %v", tg.Asset, err)
	}
	sort.Strings(out)
	return out
}

// Checksums hashes each target's rows: target index → sha256 and count.
func Checksums(t testing.TB, h executor.Handler, ts []executor.Target) []string {
	t.Helper()
	out := make([]string, len(ts))
	for i, tg := range ts {
		rows := FindRows(t, h, tg)
		sum := sha256.New()
		for _, r := range rows {
			sum.Write([]byte(r))
			sum.Write([]byte{'\n'})
		}
		out[i] = tg.Asset + ":" + hex.EncodeToString(sum.Sum(nil)) + ":" + itoa(len(rows))
	}
	return out
}

func assertSame(t *testing.T, before, after []string, when string) {
	t.Helper()
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("other subject's data changed %s: %s → %s", when, before[i], after[i])
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
