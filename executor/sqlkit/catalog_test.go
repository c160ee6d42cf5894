package sqlkit_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
)

func TestCatalog(t *testing.T) {
	var loads []string
	c := &sqlkit.Catalog[int]{Kind: "fake", Store: "st", Naming: "schema.table",
		Split: func(a string) (string, string, bool) { s, t, ok := strings.Cut(a, "."); return s, t, ok },
		Load: func(_ context.Context, cat map[string]int, schemas, tables []string) error {
			for i := range schemas {
				loads = append(loads, schemas[i]+"|"+tables[i])
				if tables[i] != "missing" {
					cat[schemas[i]+"."+tables[i]] = len(tables[i])
				}
			}
			return nil
		}}
	ctx := context.Background()
	got, err := c.Tables(ctx, "s.a", "s.bb", "s.a")
	if err != nil || got["s.a"] != 1 || got["s.bb"] != 2 || len(got) != 2 {
		t.Fatalf("Tables = %v %v", got, err)
	}
	if _, err := c.Tables(ctx, "s.bb", "s.ccc"); err != nil {
		t.Fatal(err)
	}
	if want := "s|a s|bb s|ccc"; strings.Join(loads, " ") != want {
		t.Errorf("loaded %q, want %q: each relation once, cached ones never again", strings.Join(loads, " "), want)
	}
	if _, err := c.Tables(ctx, "s.missing"); !errors.Is(err, piimap.ErrNotFound) || err.Error() != "fake: st/s.missing: no such table: "+piimap.ErrNotFound.Error() {
		t.Errorf("a missing table: %v", err)
	}
	if _, err := c.Tables(ctx, "nodot"); !errors.Is(err, piimap.ErrConfig) || !strings.Contains(err.Error(), "asset is not schema.table") {
		t.Errorf("a bad name: %v", err)
	}
	boom := errors.New("boom")
	c.Load = func(context.Context, map[string]int, []string, []string) error { return boom }
	if _, err := c.Tables(ctx, "s.new"); !errors.Is(err, boom) {
		t.Errorf("a failing load: %v", err)
	}
}

func TestBatcher(t *testing.T) {
	for _, n := range []int{0, 1, sqlkit.FindBatchRows, sqlkit.FindBatchRows + 1, 2*sqlkit.FindBatchRows + 7} {
		var sizes []int
		b := &sqlkit.Batcher{Columns: []driver.Column{{Name: "c"}}, Emit: func(bt driver.Batch) error {
			if len(bt.Columns) != 1 {
				t.Errorf("batch without its columns")
			}
			sizes = append(sizes, len(bt.Rows))
			return nil
		}}
		for i := 0; i < n; i++ {
			if err := b.Add([]any{i}); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		total := 0
		for i, s := range sizes {
			total += s
			if s == 0 || s > sqlkit.FindBatchRows || (i < len(sizes)-1 && s != sqlkit.FindBatchRows) {
				t.Errorf("%d rows: batch sizes %v", n, sizes)
			}
		}
		if total != n {
			t.Errorf("%d rows: emitted %d", n, total)
		}
	}
	stop := errors.New("stop")
	b := &sqlkit.Batcher{Emit: func(driver.Batch) error { return stop }}
	var err error
	for i := 0; i < sqlkit.FindBatchRows && err == nil; i++ {
		err = b.Add(nil)
	}
	if err != stop {
		t.Errorf("an emit error comes back from Add: %v", err)
	}
}
