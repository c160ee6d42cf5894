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
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
	"github.com/piimap/piimap/scanner/files"
	"github.com/piimap/piimap/scanner/scannertest"
)

// outsideMarker is the local part of the fake email kept outside the
// store root: no record the scan reads may hold it.
const outsideMarker = "outside.person"

// recorder counts '@example.test' words like emailCounter and remembers
// whether any record held the outside marker.
type recorder struct {
	emailCounter
	mu      sync.Mutex
	leaked  []string
	records int
}

func (r *recorder) Classify(rec piimap.Record) []piimap.Finding {
	r.mu.Lock()
	r.records++
	hit := bytes.Contains(rec.Data, []byte(outsideMarker))
	for _, v := range rec.Values {
		hit = hit || strings.Contains(v, outsideMarker)
	}
	if hit {
		r.leaked = append(r.leaked, rec.Loc.String())
	}
	r.mu.Unlock()
	return r.emailCounter.Classify(rec)
}

func sha(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(link), 0o755))
	require.NoError(t, os.Symlink(target, link))
}

// TestContainment scans a root holding every kind of symlink and an unsafe
// name next to good files: nothing outside the root is read, every link
// that is not followed is a unit error with its reason, a link to a file
// inside the root is read once under the target's name, and neither the
// root nor the outside files change.
func TestContainment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	secret := writeFile(t, outside, "secret.csv", []byte("id,email\n1,"+outsideMarker+"@example.test\n"))
	writeFile(t, outside, "dir/more.log", []byte("login "+outsideMarker+"@example.test\n"))
	outsideSum := sha(t, secret)
	outsideDirSum := scannertest.DirChecksum(t, outside)

	writeFile(t, root, "good.csv", []byte("id,email\n1,in1@example.test\n"))
	writeFile(t, root, "sub/x.log", []byte("hello in2@example.test\n"))
	writeFile(t, root, "private/p.csv", []byte("id,email\n1,in3@example.test\n"))
	writeFile(t, root, "bad\nname\x1b[31m.log", []byte("hello in4@example.test\n"))
	writeFile(t, root, "tab\tdir/y.csv", []byte("id,email\n1,in5@example.test\n"))

	symlink(t, secret, filepath.Join(root, "link-out.csv"))                   // absolute, to a file outside
	symlink(t, filepath.Join(outside, "dir"), filepath.Join(root, "linkdir")) // a directory outside
	symlink(t, "../outside/secret.csv", filepath.Join(root, "up.csv"))        // relative, climbing out
	symlink(t, "up.csv", filepath.Join(root, "chain.csv"))                    // a chain whose last hop leaves
	symlink(t, "../../outside/dir", filepath.Join(root, "sub/updir"))         // a directory chain upward
	symlink(t, filepath.Join(root, "nowhere.csv"), filepath.Join(root, "dangling.csv"))
	symlink(t, "loop2.csv", filepath.Join(root, "loop1.csv"))
	symlink(t, "loop1.csv", filepath.Join(root, "loop2.csv"))
	symlink(t, "good.csv", filepath.Join(root, "alias.csv"))     // inside: read once, as good.csv
	symlink(t, "sub", filepath.Join(root, "aliasdir"))           // inside directory: walked as sub/
	symlink(t, "private/p.csv", filepath.Join(root, "peek.csv")) // inside, but its target is excluded
	symlink(t, "/etc/passwd", filepath.Join(root, "passwd"))     // the incident
	links := []string{"link-out.csv", "linkdir", "up.csv", "chain.csv", "sub/updir", "dangling.csv", "loop1.csv", "loop2.csv",
		"alias.csv", "aliasdir", "peek.csv", "passwd"}
	rootSum := scannertest.DirChecksum(t, root)

	cls := &recorder{}
	g := lineagetest.NewMemGraph()
	res, err := scanner.Run(context.Background(), []scanner.StoreConfig{
		{Name: "fs", URL: "file://" + root, Exclude: []string{"private/*"}},
	}, scanner.Options{Graph: g, Classifier: cls, Concurrency: 2})
	require.NoError(t, err)

	// Independent checks: the outside files and the links are untouched.
	assert.Equal(t, outsideSum, sha(t, secret), "outside file changed")
	assert.Equal(t, outsideDirSum, scannertest.DirChecksum(t, outside), "outside directory changed")
	assert.Equal(t, rootSum, scannertest.DirChecksum(t, root), "scan wrote to the store")
	for _, l := range links {
		fi, err := os.Lstat(filepath.Join(root, l))
		require.NoError(t, err)
		assert.NotZero(t, fi.Mode()&fs.ModeSymlink, "%s is no longer a link", l)
	}
	assert.Empty(t, cls.leaked, "records read from outside the root")

	errs := map[string]string{}
	for _, e := range res.Errors {
		errs[e.Unit] = e.Err
	}
	want := map[string]string{
		"link-out.csv":            "symlink to outside the store root; not followed — copy the file into the root or add its directory as a store",
		"linkdir/":                "symlink to a directory outside the store root; not followed — add that directory as a store of its own",
		"up.csv":                  "symlink to outside the store root",
		"chain.csv":               "symlink to outside the store root",
		"sub/updir/":              "symlink to a directory outside the store root",
		"dangling.csv":            "dangling symlink",
		"loop1.csv":               "dangling symlink",
		"loop2.csv":               "dangling symlink",
		"peek.csv":                "symlink to private/p.csv, which this store's include/exclude leaves out",
		"passwd":                  "symlink to outside the store root",
		`bad\x0aname\x1b[31m.log`: "name holds control characters; not read — rename it",
		`tab\x09dir/y.csv`:        "name holds control characters; not read — rename it",
	}
	for unit, reason := range want {
		msg, ok := errs[unit]
		if assert.True(t, ok, "no unit error for %s; errors: %q", unit, errs) {
			assert.Contains(t, msg, "files: read "+unit+": "+reason)
			assert.Contains(t, msg, piimap.ErrUnsupported.Error())
			assert.NotContains(t, msg, base, "machine path in a unit error")
			assert.NotContains(t, msg, "@example", "raw value in a unit error")
		}
	}
	assert.Len(t, errs, len(want), "unexpected unit errors: %q", errs)
	for _, e := range res.Errors {
		assert.False(t, strings.ContainsAny(e.Unit+e.Err, "\n\x1b\x00"), "raw control byte in %q", e.Unit)
	}
	assert.Equal(t, lineage.RunGaps, res.Run.Status, "skipped units make the run end with gaps")

	// The graph's map lists each skipped unit as an asset saying why.
	skipped := map[string]string{}
	require.NoError(t, g.Nodes(context.Background(), res.RunID, func(n lineage.Node) error {
		if r := n.Attrs[fileformat.MetaSkipped]; r != "" {
			skipped[n.Loc.Name] = r
		}
		return nil
	}))
	for unit := range want {
		assert.Contains(t, skipped, unit, "asset %s has no %s attribute", unit, fileformat.MetaSkipped)
	}
	var unitErrs []lineage.UnitError
	require.NoError(t, g.UnitErrors(context.Background(), res.RunID, func(ue lineage.UnitError) error {
		unitErrs = append(unitErrs, ue)
		return nil
	}))
	assert.Len(t, unitErrs, len(want), "the map's errors list every skipped unit")

	// Read once: the inside targets under their own names only.
	hits := map[string]int{}
	for _, f := range res.Findings {
		hits[f.Loc.String()] += f.Hits
	}
	assert.Equal(t, map[string]int{"fs/good.csv#email": 1, "fs/sub/x.log": 1}, hits)
}

// TestContainmentRead: a unit whose path holds a symlink at read time (the
// file was swapped for a link after the walk, a parent directory became a
// link, or the name was made up) fails its read and nothing outside is read.
func TestContainmentRead(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	secret := writeFile(t, outside, "a.csv", []byte("id,email\n1,"+outsideMarker+"@example.test\n"))
	writeFile(t, root, "keep/a.csv", []byte("id,email\n1,in@example.test\n"))
	writeFile(t, root, "b.csv", []byte("id,email\n1,in@example.test\n"))
	sum := sha(t, secret)

	src, err := files.Open(context.Background(), scanner.StoreConfig{Name: "fs", URL: "file://" + root})
	require.NoError(t, err)
	var units []piimap.Unit
	require.NoError(t, src.Enumerate(context.Background(), func(u piimap.Unit) error { units = append(units, u); return nil }))
	require.Len(t, units, 2)

	// Swap: b.csv becomes a link out, keep/ a link to the outside directory.
	require.NoError(t, os.Remove(filepath.Join(root, "b.csv")))
	symlink(t, secret, filepath.Join(root, "b.csv"))
	require.NoError(t, os.RemoveAll(filepath.Join(root, "keep")))
	symlink(t, outside, filepath.Join(root, "keep"))

	made := []piimap.Unit{
		{Loc: piimap.Location{Store: "fs", Name: "../outside/a.csv"}, Kind: piimap.UnitObject, Format: piimap.FormatCSV},
		{Loc: piimap.Location{Store: "fs", Name: "/etc/passwd"}, Kind: piimap.UnitObject, Format: piimap.FormatText},
		{Loc: piimap.Location{Store: "fs", Name: "a\x00b"}, Kind: piimap.UnitObject, Format: piimap.FormatText},
	}
	for _, u := range append(units, made...) {
		err := src.Read(context.Background(), u, func(rec piimap.Record) error {
			t.Errorf("%s: read a record", fileformat.EscapeName(u.Loc.Name))
			return nil
		})
		require.Error(t, err, fileformat.EscapeName(u.Loc.Name))
		assert.True(t, errors.Is(err, piimap.ErrUnsupported), "%v", err)
		assert.NotContains(t, err.Error(), base)
		assert.NotContains(t, err.Error(), "\x00")
		t.Log(err)
	}
	assert.Equal(t, sum, sha(t, secret))
}

// TestSymlinkedRoot: the configured root may itself be a symlink; the
// source reads the directory it resolves to, and its own links are judged
// against that directory.
func TestSymlinkedRoot(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	base := t.TempDir()
	real := filepath.Join(base, "real")
	writeFile(t, real, "a.csv", []byte("id,email\n1,in@example.test\n"))
	symlink(t, "a.csv", filepath.Join(real, "same.csv"))
	symlink(t, real, filepath.Join(base, "link"))
	res, err := scanner.Run(context.Background(), []scanner.StoreConfig{{Name: "fs", URL: "file://" + filepath.Join(base, "link")}},
		scanner.Options{Graph: lineagetest.NewMemGraph(), Classifier: emailCounter{}})
	require.NoError(t, err)
	assert.Empty(t, res.Errors)
	require.Len(t, res.Findings, 1)
	assert.Equal(t, "fs/a.csv#email", res.Findings[0].Loc.String())
}
