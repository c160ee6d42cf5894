package files_test

import (
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner/files"
)

// FuzzParseURL: ParseURL refuses with an error wrapping piimap.ErrConfig,
// or returns a clean absolute directory that re-parses to itself, written
// plainly (when it holds none of % ? #) and fully escaped.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"file:///abs/dir", "file://relative/dir", "file://./dir", "file://", "file:///", "file:///tmp/a b",
		"file:///tmp/a%20b", "file:///tmp/x?exclude=*.log", "file:///tmp/x#frag", "file://%zz", "s3://bucket/x",
		"file:///tmp/../etc", "file:///tmp//x/./y/", "file://..", "file:///tmp/%3Fq", "FILE:///tmp",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		dir, err := files.ParseURL(raw)
		if err != nil {
			if !errors.Is(err, piimap.ErrConfig) {
				t.Fatalf("ParseURL(%q): error does not wrap ErrConfig: %v", raw, err)
			}
			return
		}
		if !filepath.IsAbs(dir) || filepath.Clean(dir) != dir {
			t.Fatalf("ParseURL(%q) = %q: not a clean absolute path", raw, dir)
		}
		forms := []string{"file://" + url.PathEscape(filepath.ToSlash(dir))}
		if !strings.ContainsAny(dir, "%?#") {
			forms = append(forms, "file://"+filepath.ToSlash(dir))
		}
		for _, u := range forms {
			again, err := files.ParseURL(u)
			if err != nil || again != dir {
				t.Fatalf("ParseURL(%q) = %q, but %q re-parses to %q, %v", raw, dir, u, again, err)
			}
		}
	})
}
