package executortest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// Fixture is one freshly built store.
type Fixture struct {
	// Handler is open read-write on the store; Run closes it.
	Handler driver.Handler
	// Subject are the targets holding the planted subject's data, in the
	// order a plan would give them (children first), one per asset.
	Subject []driver.Target
	// Want is the number of the subject's rows (or lines) per asset.
	Want map[string]int64
	// Others select other subjects' data; none of it may change.
	Others []driver.Target
	// Raw reads every row of an asset as the store holds it, with the
	// store's own client and never through Handler: the suite's
	// independent view of what an erasure did.
	Raw func(t testing.TB, asset string) []Row
	// SubjectKeys are the Row.Keys of the rows planted for the subject, per
	// subject asset (len must equal Want). Every other row of the asset is
	// a bystander that must keep its bytes.
	SubjectKeys map[string][]string
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
		if f.Raw == nil {
			t.Fatal("fixture must give a raw reader (Fixture.Raw): erasure is checked with reads independent of the handler")
		}
		seen := map[string]bool{}
		for _, tg := range f.Subject {
			if seen[tg.Asset] {
				t.Fatalf("fixture has two subject targets for %s", tg.Asset)
			}
			seen[tg.Asset] = true
			if f.Want[tg.Asset] <= 0 {
				t.Fatalf("fixture plants no rows for %s", tg.Asset)
			}
			if int64(len(f.SubjectKeys[tg.Asset])) != f.Want[tg.Asset] {
				t.Fatalf("%s: fixture names %d subject row keys, wants %d", tg.Asset, len(f.SubjectKeys[tg.Asset]), f.Want[tg.Asset])
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
		before := snapshot(t, f)
		for _, tg := range f.Subject {
			n := plantedCount(t, f, tg.Asset, before[tg.Asset])
			rows := FindRows(t, f.Handler, tg)
			if int64(len(rows)) != n {
				t.Errorf("%s: find returned %d rows, the store holds %d of the subject's rows (raw read)", tg.Asset, len(rows), n)
			}
			if c, ok := f.Handler.(driver.Counter); ok {
				c, err := c.Count(ctx, tg)
				if err != nil {
					t.Fatalf("%s: count: %v", tg.Asset, err)
				}
				if c != n {
					t.Errorf("%s: count %d, the store holds %d of the subject's rows (raw read)", tg.Asset, c, n)
				}
			}
			if x, ok := f.Handler.(driver.ParquetExporter); ok {
				got, err := x.ExportParquet(ctx, tg, filepath.Join(t.TempDir(), "export.parquet"))
				switch {
				case errors.Is(err, piimap.ErrUnsupported):
					// this asset's format has no Parquet export
				case err != nil:
					t.Fatalf("%s: export: %v", tg.Asset, err)
				case got != n:
					t.Errorf("%s: export wrote %d rows, the store holds %d of the subject's rows (raw read)", tg.Asset, got, n)
				}
			}
		}
	})

	t.Run("dry_run_writes_nothing", func(t *testing.T) {
		f := fresh(t)
		before := Checksums(t, f.Handler, append(append([]driver.Target{}, f.Subject...), f.Others...))
		rawBefore := snapshot(t, f)
		res, err := f.Handler.Erase(ctx, f.Subject, driver.EraseOptions{DryRun: true})
		if err != nil {
			t.Fatalf("dry run: %v", err)
		}
		byAsset := results(t, f, res, "dry run")
		for _, tg := range f.Subject {
			n := plantedCount(t, f, tg.Asset, rawBefore[tg.Asset])
			if r := byAsset[tg.Asset]; r.Found != n {
				t.Errorf("%s: dry run found %d, the store holds %d of the subject's rows (raw read)", tg.Asset, r.Found, n)
			}
		}
		after := Checksums(t, f.Handler, append(append([]driver.Target{}, f.Subject...), f.Others...))
		assertSame(t, before, after, "after a dry run")
		assertRawSame(t, rawBefore, snapshot(t, f), "a dry run")
	})

	t.Run("erase_then_find_nothing_others_intact", func(t *testing.T) {
		f := fresh(t)
		before := Checksums(t, f.Handler, f.Others)
		rawBefore := snapshot(t, f)
		res, err := f.Handler.Erase(ctx, f.Subject, driver.EraseOptions{})
		if err != nil {
			t.Fatalf("erase: %v", err)
		}
		byAsset := results(t, f, res, "erase")
		for _, tg := range f.Subject {
			n := plantedCount(t, f, tg.Asset, rawBefore[tg.Asset])
			if r := byAsset[tg.Asset]; r.Found != n || r.Changed != n {
				t.Errorf("%s: erase found %d changed %d, the store held %d of the subject's rows (raw read)", tg.Asset, r.Found, r.Changed, n)
			}
		}
		for _, tg := range f.Subject {
			if rows := FindRows(t, f.Handler, tg); len(rows) != 0 {
				t.Errorf("%s: %d rows remain after erase", tg.Asset, len(rows))
			}
		}
		assertSame(t, before, Checksums(t, f.Handler, f.Others), "after erase")
		rawAfter := snapshot(t, f)
		for _, tg := range f.Subject {
			checkErased(t, tg, f.SubjectKeys[tg.Asset], rawBefore[tg.Asset], rawAfter[tg.Asset])
		}
	})

	t.Run("second_erase_changes_nothing", func(t *testing.T) {
		f := fresh(t)
		if _, err := f.Handler.Erase(ctx, f.Subject, driver.EraseOptions{}); err != nil {
			t.Fatalf("first erase: %v", err)
		}
		before := Checksums(t, f.Handler, f.Others)
		rawBefore := snapshot(t, f)
		res, err := f.Handler.Erase(ctx, f.Subject, driver.EraseOptions{})
		if err != nil {
			t.Fatalf("second erase: %v", err)
		}
		for _, r := range res {
			if r.Found != 0 || r.Changed != 0 {
				t.Errorf("%s: second erase found %d changed %d, want 0/0", r.Asset, r.Found, r.Changed)
			}
		}
		assertSame(t, before, Checksums(t, f.Handler, f.Others), "after a second erase")
		assertRawSame(t, rawBefore, snapshot(t, f), "a second erase")
	})
}

// snapshot reads every subject asset raw.
func snapshot(t *testing.T, f Fixture) map[string][]Row {
	t.Helper()
	out := map[string][]Row{}
	for _, tg := range f.Subject {
		rows := f.Raw(t, tg.Asset)
		rowsByKey(t, tg.Asset, rows)
		out[tg.Asset] = rows
	}
	return out
}

// plantedCount is the independent count of the subject's rows: the planted
// keys the raw read finds. Every planted key must be there, and the asset
// must hold bystanders too.
func plantedCount(t *testing.T, f Fixture, asset string, rows []Row) int64 {
	t.Helper()
	m := rowsByKey(t, asset, rows)
	var n int64
	for _, k := range f.SubjectKeys[asset] {
		if _, ok := m[k]; !ok {
			t.Fatalf("%s: planted subject row %q is not in the store (raw read)", asset, k)
		}
		n++
	}
	if n != f.Want[asset] {
		t.Fatalf("%s: raw read holds %d of the subject's rows, fixture wants %d", asset, n, f.Want[asset])
	}
	if int64(len(rows)) <= n {
		t.Fatalf("%s: the asset holds no bystander rows: the intact check could not fail", asset)
	}
	return n
}

// results maps an Erase's results by asset; every subject target must have
// exactly one.
func results(t *testing.T, f Fixture, res []driver.Result, what string) map[string]driver.Result {
	t.Helper()
	if len(res) != len(f.Subject) {
		t.Fatalf("%s returned %d results for %d targets", what, len(res), len(f.Subject))
	}
	m := map[string]driver.Result{}
	for _, r := range res {
		m[r.Asset] = r
	}
	for _, tg := range f.Subject {
		r, ok := m[tg.Asset]
		if !ok {
			t.Fatalf("%s returned no result for %s, where the subject's rows were planted", what, tg.Asset)
		}
		if r.Found <= 0 || r.Changed <= 0 {
			t.Errorf("%s: %s found %d changed %d where the subject's rows were planted", tg.Asset, what, r.Found, r.Changed)
		}
	}
	return m
}

// checkErased compares an asset's raw rows before and after the erasure of
// tg: bystanders keep their bytes; in delete and drop modes the subject's
// rows are gone; otherwise every field the mode clears (Target.Fields and
// the match fields) is NULL/absent (null) or no longer its original value
// (mask, redact, tombstone); and no original PII value of the subject is
// left anywhere in the asset.
func checkErased(t *testing.T, tg driver.Target, keys []string, before, after []Row) {
	t.Helper()
	subj := map[string]bool{}
	for _, k := range keys {
		subj[k] = true
	}
	rb, ra := rest(before, subj), rest(after, subj)
	if strings.Join(rb, "\n") != strings.Join(ra, "\n") {
		t.Errorf("%s: bystander rows changed (raw read: %d rows before, %d after)%s", tg.Asset, len(rb), len(ra), firstDiff(rb, ra))
	}
	bm, am := rowsByKey(t, tg.Asset, before), rowsByKey(t, tg.Asset, after)
	gone := tg.Mode == driver.ModeDelete || tg.Mode == driver.ModeDrop
	for _, k := range keys {
		now, ok := am[k]
		if !ok {
			continue
		}
		if gone {
			t.Errorf("%s: subject row %q is still in the store after %s (raw read)", tg.Asset, k, tg.Mode)
			continue
		}
		orig := bm[k]
		for _, fl := range tg.ClearFields() {
			ov := Str(orig.Fields[fl])
			if ov == "" {
				continue
			}
			nv := Str(now.Fields[fl])
			switch {
			case nv == "":
			case tg.Mode == driver.ModeNull:
				t.Errorf("%s: subject row %q: field %q is not cleared in null mode: it still holds a value (raw read)", tg.Asset, k, fl)
			case nv == ov || strings.Contains(nv, ov):
				t.Errorf("%s: subject row %q: field %q still holds its original value after %s (raw read)", tg.Asset, k, fl, tg.Mode)
			}
		}
	}
	// Residue: the subject's original PII values (its Target.Fields and
	// identifier match fields; key and ref values are not PII) must appear
	// in no cell of the asset, and not inside the subject's remaining rows.
	pii := map[string]bool{}
	for _, fl := range tg.Fields {
		pii[fl] = true
	}
	var text []string
	for _, m := range tg.Match {
		switch {
		case m.Kind == driver.KindKey || m.Kind == driver.KindRef:
		case m.Field == "":
			text = append(text, m.Values...)
		default:
			pii[m.Field] = true
		}
	}
	type orig struct{ key, field, val string }
	var vals []orig
	for _, k := range keys {
		for fl := range pii {
			if v := Str(bm[k].Fields[fl]); v != "" {
				vals = append(vals, orig{k, fl, v})
			}
		}
	}
	for _, r := range after {
		for fl, x := range r.Fields {
			s := Str(x)
			for _, o := range vals {
				if s == o.val {
					t.Errorf("%s: the original value of subject row %q field %q is still in the asset: row %q field %q (raw read)", tg.Asset, o.key, o.field, r.Key, fl)
				}
			}
		}
		if !subj[r.Key] {
			continue
		}
		raw := r.raw()
		for _, o := range vals {
			if strings.Contains(raw, o.val) {
				t.Errorf("%s: the original value of subject row %q field %q is still inside subject row %q (raw read)", tg.Asset, o.key, o.field, r.Key)
			}
		}
		for _, v := range text {
			if strings.Contains(strings.ToLower(raw), strings.ToLower(v)) {
				t.Errorf("%s: the subject's identifier is still inside row %q (raw read)", tg.Asset, r.Key)
			}
		}
	}
}

func firstDiff(a, b []string) string {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return ": first difference " + short(x) + " → " + short(y)
		}
	}
	return ""
}

func short(s string) string {
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return "«" + s + "»"
}

func assertRawSame(t *testing.T, before, after map[string][]Row, what string) {
	t.Helper()
	for asset, rows := range before {
		b, a := rest(rows, nil), rest(after[asset], nil)
		if strings.Join(b, "\n") != strings.Join(a, "\n") {
			t.Errorf("%s: %s changed the store (raw read: %d rows before, %d after)%s", asset, what, len(b), len(a), firstDiff(b, a))
		}
	}
}

// FindRows returns a target's rows as canonical JSON strings (columns sorted
// by name), sorted.
func FindRows(t testing.TB, h driver.Handler, tg driver.Target) []string {
	t.Helper()
	var out []string
	err := h.Find(context.Background(), tg, func(b driver.Batch) error {
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
func Checksums(t testing.TB, h driver.Handler, ts []driver.Target) []string {
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
