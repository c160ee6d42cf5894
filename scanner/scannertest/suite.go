package scannertest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sort"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// Harness adapts one store kind to the conformance suite.
type Harness interface {
	// Make materialises fx as a new store that lives until the test ends
	// and returns the config that opens it (through the scanner registry).
	Make(t *testing.T, fx Fixture) scanner.StoreConfig
	// Asset returns the asset name the source reports for a fixture table
	// or text, and false when the store kind cannot hold it.
	Asset(fixtureName string) (string, bool)
	// Checksum digests everything the store holds; any write changes it.
	Checksum(t *testing.T, cfg scanner.StoreConfig) string
}

// RunConformance checks that a Source keeps the scanner's contract:
// stable enumeration, records located in their unit, reproducible seeded
// sampling that is not head-only, exact full reads, honoured cancellation,
// piimap.ErrNotFound for a missing unit, and no write to the store.
func RunConformance(t *testing.T, h Harness) {
	fx := DefaultFixture()
	cfg := h.Make(t, fx)
	cfg.Sample = scanner.SampleConfig{Rows: 50, Seed: 42}
	before := h.Checksum(t, cfg)
	ctx := context.Background()

	src, kind, err := scanner.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", cfg.Name, err)
	}
	if kind == "" {
		t.Errorf("open: empty kind")
	}
	t.Cleanup(func() {
		if c, ok := src.(scanner.Closer); ok {
			if err := c.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		}
		if after := h.Checksum(t, cfg); after != before {
			t.Errorf("store changed while scanning: checksum %s → %s", before, after)
		}
	})

	units := enumerate(t, ctx, src)
	byName := map[string]piimap.Unit{}
	for _, u := range units {
		byName[u.Loc.Name] = u
	}

	t.Run("EnumerateStable", func(t *testing.T) {
		again := enumerate(t, ctx, src)
		if !slices.EqualFunc(units, again, func(a, b piimap.Unit) bool { return a.Loc == b.Loc && a.Format == b.Format && a.Kind == b.Kind }) {
			t.Errorf("two enumerations differ:\n%v\n%v", names(units), names(again))
		}
		for _, u := range units {
			if u.Loc.Store != cfg.Name || u.Loc.Namespace == "" || u.Loc.Name == "" || u.Loc.Field != "" {
				t.Errorf("unit %+v: want store %q, a namespace, a name and no field", u.Loc, cfg.Name)
			}
			if u.Kind == "" {
				t.Errorf("unit %s: no kind", u.Loc.Name)
			}
		}
		for _, tb := range fx.Tables {
			if a, ok := h.Asset(tb.Name); ok && byName[a].Loc.Name == "" {
				t.Errorf("table %s: asset %s not enumerated (got %v)", tb.Name, a, names(units))
			}
		}
		for _, tx := range fx.Texts {
			if a, ok := h.Asset(tx.Name); ok && byName[a].Loc.Name == "" {
				t.Errorf("text %s: asset %s not enumerated (got %v)", tx.Name, a, names(units))
			}
		}
	})

	t.Run("RecordsBelongToUnit", func(t *testing.T) {
		for _, u := range units {
			err := src.Read(ctx, u, func(r piimap.Record) error {
				if r.Loc.Asset() != u.Loc {
					t.Errorf("unit %s: record located at %+v", u.Loc.Name, r.Loc)
				}
				if u.Structured() && r.Loc.Field == "" {
					t.Errorf("unit %s: structured record without a field", u.Loc.Name)
				}
				if !u.Structured() && r.Data == nil {
					t.Errorf("unit %s: text record without data", u.Loc.Name)
				}
				return nil
			})
			if err != nil {
				t.Errorf("read %s: %v", u.Loc.Name, err)
			}
		}
	})

	for _, tb := range fx.Tables {
		a, ok := h.Asset(tb.Name)
		if !ok {
			continue
		}
		u := byName[a]
		t.Run("Sample/"+tb.Name, func(t *testing.T) { checkSample(t, ctx, src, u, tb) })
	}
	for _, tx := range fx.Texts {
		a, ok := h.Asset(tx.Name)
		if !ok {
			continue
		}
		u := byName[a]
		t.Run("TextInFull/"+tx.Name, func(t *testing.T) { checkText(t, ctx, src, u, tx) })
	}

	t.Run("Cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := src.Enumerate(cctx, func(piimap.Unit) error { return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("enumerate on a cancelled context: %v, want context.Canceled", err)
		}
		for _, u := range units {
			if err := src.Read(cctx, u, func(piimap.Record) error { return nil }); !errors.Is(err, context.Canceled) {
				t.Errorf("read %s on a cancelled context: %v, want context.Canceled", u.Loc.Name, err)
			}
		}
		// Cancelled mid-read: the source must stop and say so.
		for _, u := range units {
			cctx, cancel := context.WithCancel(ctx)
			n := 0
			err := src.Read(cctx, u, func(piimap.Record) error {
				n++
				cancel()
				return nil
			})
			cancel()
			if n > 0 && !errors.Is(err, context.Canceled) {
				t.Errorf("read %s cancelled mid-way: %v, want context.Canceled", u.Loc.Name, err)
			}
		}
	})

	t.Run("EmitErrorStops", func(t *testing.T) {
		stop := errors.New("stop")
		for _, u := range units {
			n := 0
			err := src.Read(ctx, u, func(piimap.Record) error { n++; return stop })
			if !errors.Is(err, stop) {
				t.Errorf("read %s: emit error not returned: %v", u.Loc.Name, err)
			}
			if n > 1 {
				t.Errorf("read %s: %d records emitted after the emit error", u.Loc.Name, n-1)
			}
		}
	})

	t.Run("MissingUnit", func(t *testing.T) {
		if len(units) == 0 {
			t.Skip("no units")
		}
		missing := units[0]
		missing.Loc.Name = "no_such_asset_" + missing.Loc.Name
		err := src.Read(ctx, missing, func(piimap.Record) error { return nil })
		if !errors.Is(err, piimap.ErrNotFound) {
			t.Errorf("read missing unit: %v, want an error wrapping piimap.ErrNotFound", err)
		}
	})
}

func enumerate(t *testing.T, ctx context.Context, src scanner.Source) []piimap.Unit {
	t.Helper()
	var units []piimap.Unit
	if err := src.Enumerate(ctx, func(u piimap.Unit) error { units = append(units, u); return nil }); err != nil {
		t.Fatalf("enumerate: %v", err)
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Loc.Name < units[j].Loc.Name })
	return units
}

func names(us []piimap.Unit) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Loc.Name)
	}
	return out
}

// read collects a sample: field → values (concatenated across records).
func read(t *testing.T, ctx context.Context, src scanner.Source, u piimap.Unit, s scanner.Sample) map[string][]string {
	t.Helper()
	sm, ok := src.(scanner.Sampler)
	if !ok {
		t.Skip("source does not implement scanner.Sampler")
	}
	got := map[string][]string{}
	err := sm.ReadSample(ctx, u, s, func(r piimap.Record) error {
		got[r.Loc.Field] = append(got[r.Loc.Field], r.Values...)
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", u.Loc.Name, err)
	}
	return got
}

func checkSample(t *testing.T, ctx context.Context, src scanner.Source, u piimap.Unit, tb Table) {
	s := scanner.Sample{Rows: 50, Seed: 42}
	a := read(t, ctx, src, u, s)
	b := read(t, ctx, src, u, s)
	c := read(t, ctx, src, u, scanner.Sample{Rows: 50, Seed: 43})
	for _, col := range tb.Columns {
		if _, ok := a[col]; !ok {
			t.Errorf("field %s missing from the sample (got %v)", col, keys(a))
		}
	}
	for f, vals := range a {
		want := tb.Column(f)
		if want == nil && !slices.Contains(tb.Columns, f) {
			t.Errorf("unexpected field %s", f)
			continue
		}
		if len(vals) > s.Rows {
			t.Errorf("field %s: %d values sampled, asked for %d rows", f, len(vals), s.Rows)
		}
		for _, v := range vals {
			if !slices.Contains(want, v) {
				t.Errorf("field %s: sampled a value that is not in that column (len %d)", f, len(v))
				break
			}
		}
		if !slices.Equal(vals, b[f]) {
			t.Errorf("field %s: same seed gave a different sample", f)
		}
	}
	ids := a["id"]
	if len(ids) != s.Rows {
		t.Fatalf("id: sampled %d values, want %d", len(ids), s.Rows)
	}
	if slices.Equal(ids, c["id"]) {
		t.Errorf("id: seeds 42 and 43 gave the same sample")
	}
	head := tb.Column("id")[:len(tb.Rows)/2]
	late := 0
	for _, v := range ids {
		if !slices.Contains(head, v) {
			late++
		}
	}
	if late == 0 {
		t.Errorf("id: sample holds only the first half of the table (head-only sampling)")
	}
	// Aligned rows: the email of a sampled row is the one beside its id.
	emails := a["email"]
	if len(emails) == len(ids) {
		for i := range ids {
			row := slices.IndexFunc(tb.Rows, func(r []string) bool { return r[0] == ids[i] })
			if emails[i] != tb.Rows[row][1] {
				t.Errorf("row for id %s: fields not aligned", ids[i])
				break
			}
		}
	}

	full := read(t, ctx, src, u, scanner.Sample{Full: true})
	for _, col := range tb.Columns {
		got, want := slices.Clone(full[col]), slices.Clone(tb.Column(col))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("full read of %s: %d values, want %d", col, len(got), len(want))
		}
	}
	only := read(t, ctx, src, u, scanner.Sample{Rows: 10, Seed: 1, Fields: []string{"email"}})
	if len(only) != 1 || len(only["email"]) != 10 {
		t.Errorf("sample restricted to email: got fields %v", keys(only))
	}
}

func checkText(t *testing.T, ctx context.Context, src scanner.Source, u piimap.Unit, tx Text) {
	var got []byte
	var next int64
	err := src.Read(ctx, u, func(r piimap.Record) error {
		if r.Offset != next {
			t.Errorf("chunk at offset %d, want %d", r.Offset, next)
		}
		if r.Line != int64(bytes.Count(got, []byte("\n"))+1) {
			t.Errorf("chunk at offset %d: line %d, want %d", r.Offset, r.Line, bytes.Count(got, []byte("\n"))+1)
		}
		got = append(got, r.Data...)
		next += int64(len(r.Data))
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", u.Loc.Name, err)
	}
	if !bytes.Equal(got, tx.Data) {
		t.Errorf("text %s: chunks do not reassemble the object (%d bytes, want %d)", u.Loc.Name, len(got), len(tx.Data))
	}
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
