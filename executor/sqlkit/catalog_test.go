package sqlkit_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/piimap/piimap"
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
