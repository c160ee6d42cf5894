package files_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

func sha(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// tree digests every entry under dir without following links: names,
// types, link targets and file contents.
func tree(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		h.Write([]byte(p + "\x00" + fi.Mode().String() + "\x00"))
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			h.Write([]byte(l))
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func subjectTarget(asset, field string, mode driver.Mode) driver.Target {
	return driver.Target{Asset: asset, Mode: mode, Match: []driver.Match{{Field: field, Kind: piimap.KeyEmail, Values: []string{subject}}}}
}

// op is one handler operation on a target; write says whether it writes.
type op struct {
	name  string
	write bool
	run   func(h driver.Handler, t driver.Target) error
}

var ops = []op{
	{"check", true, func(h driver.Handler, t driver.Target) error { return h.(driver.ModeChecker).CheckMode(t) }},
	{"erase", true, func(h driver.Handler, t driver.Target) error {
		_, err := h.Erase(context.Background(), []driver.Target{t}, driver.EraseOptions{})
		return err
	}},
	{"rectify", true, func(h driver.Handler, t driver.Target) error {
		t.Changes = map[string]string{"email": "new@example.com"}
		_, err := h.(driver.Rectifier).Rectify(context.Background(), []driver.Target{t}, driver.EraseOptions{})
		return err
	}},
	{"find", false, func(h driver.Handler, t driver.Target) error {
		return h.Find(context.Background(), t, func(driver.Batch) error { return errors.New("find emitted rows") })
	}},
	{"count", false, func(h driver.Handler, t driver.Target) error {
		_, err := h.(driver.Counter).Count(context.Background(), t)
		return err
	}},
	{"export", false, func(h driver.Handler, t driver.Target) error {
		dir, _ := os.MkdirTemp("", "export")
		defer os.RemoveAll(dir)
		_, err := h.(driver.ParquetExporter).ExportParquet(context.Background(), t, filepath.Join(dir, "x.parquet"))
		return err
	}},
	{"version", false, func(h driver.Handler, t driver.Target) error {
		_, err := h.(driver.AssetVersioner).AssetVersion(context.Background(), t.Asset)
		return err
	}},
}

// TestContainment: targets that are symlinks, under symlinked directories,
// hard-linked or not regular files are refused by every operation with
// piimap.ErrUnsupported and a message saying why; the files outside the
// root, the links and the root itself are unchanged afterwards.
func TestContainment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	for _, p := range []string{"secret.csv", "dir/customers.csv", "hard.csv"} {
		writeAt(t, filepath.Join(outside, p), csvData)
	}
	writeAt(t, filepath.Join(outside, "app.log"), logData)
	writeParquet(t, outside, "events.parquet")
	writeAt(t, filepath.Join(root, "real/customers.csv"), csvData)
	writeAt(t, filepath.Join(root, "real/app.log"), logData)

	links := map[string]string{
		"exports/customers.csv": filepath.Join(outside, "secret.csv"),     // absolute, to a file outside
		"logs/app.log":          "../../outside/app.log",                  // relative, climbing out
		"events.parquet":        filepath.Join(outside, "events.parquet"), // Parquet goes through DuckDB
		"chain.csv":             "exports/customers.csv",                  // a chain whose last hop leaves
		"alias.csv":             "real/customers.csv",                     // inside the root: still never written through
		"linkdir":               filepath.Join(outside, "dir"),            // a directory outside
		"realdir":               "real",                                   // a directory inside
		"dangling.csv":          "nowhere.csv",
	}
	for l, target := range links {
		p := filepath.Join(root, l)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(filepath.Join(outside, "hard.csv"), filepath.Join(root, "hard.csv")); err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, p := range []string{"secret.csv", "dir/customers.csv", "hard.csv", "app.log", "events.parquet"} {
		sums[p] = sha(t, filepath.Join(outside, p))
	}
	outsideTree, rootTree := tree(t, outside), tree(t, root)

	h := open(t, root)
	defer h.Close()
	cases := []struct {
		asset, field string
		mode         driver.Mode
		why          string // in every refusal
		readsOK      bool   // reads are allowed (hard link)
	}{
		{"exports/customers.csv", "email", driver.ModeDelete, "symlink; refusing to %s through it", false},
		{"logs/app.log", "", driver.ModeRedact, "symlink; refusing to %s through it", false},
		{"events.parquet", "email", driver.ModeDelete, "symlink; refusing to %s through it", false},
		{"chain.csv", "email", driver.ModeDelete, "symlink; refusing to %s through it", false},
		{"alias.csv", "email", driver.ModeDelete, "symlink; refusing to %s through it", false},
		{"linkdir/customers.csv", "email", driver.ModeDelete, "linkdir is a symlinked directory; refusing to %s through it", false},
		{"realdir/customers.csv", "email", driver.ModeDelete, "realdir is a symlinked directory; refusing to %s through it", false},
		{"dangling.csv", "email", driver.ModeDelete, "symlink; refusing to %s through it", false},
		{"hard.csv", "email", driver.ModeDelete, "file has 2 hard links", true},
		{"../outside/secret.csv", "email", driver.ModeDelete, "name has a . or .. segment", false},
		{"/etc/passwd", "", driver.ModeRedact, "absolute name", false},
		{"real/../../outside/secret.csv", "email", driver.ModeDelete, "name has a . or .. segment", false},
		{"real/customers.csv\x00", "email", driver.ModeDelete, "control characters", false},
		{"real", "email", driver.ModeDelete, "not a regular file (directory)", false},
	}
	for _, c := range cases {
		tg := subjectTarget(c.asset, c.field, c.mode)
		for _, o := range ops {
			err := o.run(h, tg)
			if c.readsOK && !o.write {
				if err != nil && strings.Contains(err.Error(), c.why) {
					t.Errorf("%s %q: a read was refused: %v", o.name, c.asset, err)
				}
				continue
			}
			if !errors.Is(err, piimap.ErrUnsupported) {
				t.Errorf("%s %q: err = %v, want ErrUnsupported", o.name, c.asset, err)
				continue
			}
			msg := err.Error()
			if o.name == "erase" || o.name == "find" {
				t.Logf("%s: %s", o.name, msg)
			}
			why := c.why
			if strings.Contains(why, "%s") {
				why = strings.Replace(why, "%s", map[bool]string{true: "write", false: "read"}[o.write], 1)
			}
			if !strings.Contains(msg, why) {
				t.Errorf("%s %q: %q does not say %q", o.name, c.asset, msg, why)
			}
			if strings.Contains(msg, base) || strings.ContainsRune(msg, 0) || strings.Contains(msg, "@example") {
				t.Errorf("%s %q: message leaks a path, a raw byte or a value: %q", o.name, c.asset, msg)
			}
		}
	}

	// Independent checks: nothing outside changed, every link is still the
	// same link, the root is as it was, and no temp file was left anywhere.
	for p, want := range sums {
		if got := sha(t, filepath.Join(outside, p)); got != want {
			t.Errorf("outside file %s changed", p)
		}
		if !bytes.Contains(readFile(t, filepath.Join(outside, p)), []byte(","+subject+",")) && !strings.HasSuffix(p, ".parquet") &&
			!strings.HasSuffix(p, ".log") {
			t.Errorf("outside file %s lost the subject", p)
		}
	}
	for l, target := range links {
		fi, err := os.Lstat(filepath.Join(root, l))
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symlink: %v", l, err)
			continue
		}
		if got, _ := os.Readlink(filepath.Join(root, l)); got != target {
			t.Errorf("%s now links %s", l, got)
		}
	}
	if tree(t, outside) != outsideTree {
		t.Error("the outside tree changed")
	}
	if tree(t, root) != rootTree {
		t.Error("the root changed")
	}
	for _, d := range []string{root, outside} {
		_ = filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && strings.Contains(e.Name(), ".piimap-") {
				t.Errorf("temp file left: %s", p)
			}
			return nil
		})
	}

	// The real names still erase normally.
	res, err := h.Erase(context.Background(), []driver.Target{subjectTarget("real/customers.csv", "email", driver.ModeDelete)}, driver.EraseOptions{})
	if err != nil || len(res) != 1 || res[0].Changed != 2 {
		t.Fatalf("erase the real file: %+v %v", res, err)
	}
	if fi, err := os.Lstat(filepath.Join(root, "alias.csv")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("erasing the real file replaced the link to it")
	}
}

// TestSymlinkedRoot: the configured root may itself be a symlink (a mount
// point, /tmp on some systems): the handler works in the directory it
// resolves to.
func TestSymlinkedRoot(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	base := t.TempDir()
	fixtures[0].write(t, filepath.Join(base, "real"))
	if err := os.Symlink(filepath.Join(base, "real"), filepath.Join(base, "link")); err != nil {
		t.Fatal(err)
	}
	h := open(t, filepath.Join(base, "link"))
	defer h.Close()
	subj, _ := fixtures[0].targets()
	res, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{})
	if err != nil || res[0].Changed != 2 {
		t.Fatalf("erase under a symlinked root: %+v %v", res, err)
	}
	if got := string(readFile(t, filepath.Join(base, "real", fixtures[0].asset))); got != fixtures[0].after {
		t.Errorf("after erase: %q", got)
	}
	if fi, err := os.Lstat(filepath.Join(base, "link")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the root link was replaced")
	}
}

func writeAt(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBackslashName: on Unix a backslash is an ordinary character of a
// file name, so the asset `a\b.csv` is that file at the top of the root,
// never a/b.csv.
func TestBackslashName(t *testing.T) {
	if filepath.Separator != '/' {
		t.Skip("a backslash is a separator here")
	}
	root := t.TempDir()
	writeAt(t, filepath.Join(root, `a\b.csv`), csvData)
	writeAt(t, filepath.Join(root, "a/b.csv"), csvData)
	h := open(t, root)
	defer h.Close()
	res, err := h.Erase(context.Background(), []driver.Target{subjectTarget(`a\b.csv`, "email", driver.ModeDelete)}, driver.EraseOptions{})
	if err != nil || res[0].Changed != 2 {
		t.Fatalf("erase: %+v %v", res, err)
	}
	if bytes.Contains(readFile(t, filepath.Join(root, `a\b.csv`)), []byte("1,"+subject+",")) {
		t.Error(`a\b.csv still holds the subject`)
	}
	if string(readFile(t, filepath.Join(root, "a/b.csv"))) != csvData {
		t.Error("a/b.csv was changed instead")
	}
}
