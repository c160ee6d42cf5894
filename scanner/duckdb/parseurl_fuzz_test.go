package duckdb_test

import (
	"errors"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner/duckdb"
)

// FuzzParseURL: ParseURL refuses with an error wrapping piimap.ErrConfig,
// or returns a DSN with a clean absolute path and no access_mode that
// re-parses to the same DSN from its canonical URL, whose namespace names
// the path, and whose read-only connection string sets access_mode once.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"duckdb:///data/wh.duckdb", "duckdb://rel/wh.duckdb", "duckdb:///d/w.duckdb?threads=2", "duckdb://",
		"duckdb://:memory:", "postgres://x", "duckdb:///x.duckdb?access_mode=read_write", "duckdb:///a%20b.duckdb",
		"duckdb:///x.duckdb?threads=2&threads=3&memory_limit=1GB", "duckdb:///x.duckdb?a=%zz", "duckdb:///x#y.duckdb",
		"duckdb:///x.duckdb?;", "duckdb://%3Amemory%3A",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		d, err := duckdb.ParseURL(raw)
		if err != nil {
			if !errors.Is(err, piimap.ErrConfig) {
				t.Fatalf("ParseURL(%q): error does not wrap ErrConfig: %v", raw, err)
			}
			return
		}
		if !filepath.IsAbs(d.Path) || filepath.Clean(d.Path) != d.Path {
			t.Fatalf("ParseURL(%q).Path = %q: not a clean absolute path", raw, d.Path)
		}
		if d.Params.Has("access_mode") {
			t.Fatalf("ParseURL(%q) accepted access_mode", raw)
		}
		canon := "duckdb://" + url.PathEscape(filepath.ToSlash(d.Path))
		if q := d.Params.Encode(); q != "" {
			canon += "?" + q
		}
		again, err := duckdb.ParseURL(canon)
		if err != nil {
			t.Fatalf("ParseURL(%q) = %+v, but its canonical URL %q does not parse: %v", raw, d, canon, err)
		}
		if again.Path != d.Path || !reflect.DeepEqual(again.Params, d.Params) && (len(again.Params) != 0 || len(d.Params) != 0) {
			t.Fatalf("ParseURL(%q) = %+v, but %q re-parses to %+v", raw, d, canon, again)
		}
		if ns := d.Namespace(); ns != "duckdb://"+filepath.ToSlash(d.Path) {
			t.Fatalf("namespace %q of %q", ns, d.Path)
		}
		if c := d.ConnString(true); strings.Count(c, "access_mode=read_only") != 1 || !strings.HasPrefix(c, d.Path) {
			t.Fatalf("read-only connection string %q of %+v", c, d)
		}
	})
}
