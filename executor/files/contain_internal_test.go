package files

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/filerewrite"
	"github.com/piimap/piimap/executor/sqlkit/duckdbsql"
	"github.com/piimap/piimap/scanner"
)

// Swaps after the checks (TOCTOU): a file or its directory replaced by a
// symlink between locate and the read or the rename never leads to a read
// or a write outside the root, and the link survives.

const swapCSV = "id,email\n1,ann@example.com\n2,bob@example.com\n"

type swapEnv struct {
	h                     *Handler
	root, outside, secret string
	sum                   [32]byte
}

func newSwapEnv(t *testing.T) *swapEnv {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	base := t.TempDir()
	e := &swapEnv{root: filepath.Join(base, "root"), outside: filepath.Join(base, "outside")}
	for _, d := range []string{filepath.Join(e.root, "exports"), e.outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(e.root, "exports/customers.csv"), []byte(swapCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	e.secret = filepath.Join(e.outside, "customers.csv")
	if err := os.WriteFile(e.secret, []byte(swapCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	e.sum = sha256.Sum256([]byte(swapCSV))
	h, err := Open(context.Background(), scanner.StoreConfig{Name: "lake", URL: "file://" + e.root}, driver.HandlerOptions{MaskKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	e.h = h.(*Handler)
	return e
}

// swapFile replaces exports/customers.csv with a link to the outside file.
func (e *swapEnv) swapFile(t *testing.T) {
	t.Helper()
	p := filepath.Join(e.root, "exports/customers.csv")
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(e.secret, p); err != nil {
		t.Fatal(err)
	}
}

// swapDir replaces exports/ with a link to the outside directory.
func (e *swapEnv) swapDir(t *testing.T) {
	t.Helper()
	if err := os.Rename(filepath.Join(e.root, "exports"), filepath.Join(e.root, "exports.old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(e.outside, filepath.Join(e.root, "exports")); err != nil {
		t.Fatal(err)
	}
}

// check: the outside file is intact, the link is still a link, and no temp
// file is left in either directory.
func (e *swapEnv) check(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("the swapped target was used")
	}
	if !errors.Is(err, piimap.ErrUnsupported) && !errors.Is(err, piimap.ErrInvalidState) && !strings.Contains(err.Error(), "escapes") {
		t.Errorf("unexpected error: %v", err)
	}
	t.Log(err)
	b, rerr := os.ReadFile(e.secret)
	if rerr != nil || sha256.Sum256(b) != e.sum {
		t.Error("the outside file changed")
	}
	fi, lerr := os.Lstat(filepath.Join(e.root, "exports"))
	if lerr == nil && fi.Mode()&fs.ModeSymlink == 0 {
		fi, lerr = os.Lstat(filepath.Join(e.root, "exports/customers.csv"))
	}
	if lerr != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	for _, d := range []string{e.outside, filepath.Join(e.root, "exports.old"), filepath.Join(e.root, "exports")} {
		if m, _ := filepath.Glob(filepath.Join(d, ".*.piimap-*")); len(m) > 0 {
			t.Errorf("temp files left: %v", m)
		}
	}
}

func (e *swapEnv) target() driver.Target {
	return driver.Target{Asset: "exports/customers.csv", Format: piimap.FormatCSV, Mode: driver.ModeDelete,
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"ann@example.com"}}}}
}

func (e *swapEnv) rewriteAll(ctx context.Context, f file) error {
	return e.h.rewrite(ctx, f, func(w io.Writer) error {
		return e.h.stream(f, func(r io.Reader) error {
			_, err := filerewrite.RewriteStream(ctx, r, w, f.format, e.target(), e.h.maskKey)
			return err
		})
	})
}

func TestSwapFileBeforeRewrite(t *testing.T) {
	e := newSwapEnv(t)
	f, err := e.h.resolve(e.target(), opErase)
	if err != nil {
		t.Fatal(err)
	}
	e.swapFile(t)
	e.check(t, e.rewriteAll(context.Background(), f))
}

func TestSwapDirBeforeRewrite(t *testing.T) {
	e := newSwapEnv(t)
	f, err := e.h.resolve(e.target(), opErase)
	if err != nil {
		t.Fatal(err)
	}
	e.swapDir(t)
	e.check(t, e.rewriteAll(context.Background(), f))
}

func TestSwapFileDuringRewrite(t *testing.T) {
	e := newSwapEnv(t)
	f, err := e.h.resolve(e.target(), opErase)
	if err != nil {
		t.Fatal(err)
	}
	err = e.h.rewrite(context.Background(), f, func(w io.Writer) error {
		if err := e.h.stream(f, func(r io.Reader) error {
			_, err := filerewrite.RewriteStream(context.Background(), r, w, f.format, e.target(), e.h.maskKey)
			return err
		}); err != nil {
			return err
		}
		e.swapFile(t) // after the read, before the rename
		return nil
	})
	e.check(t, err)
}

func TestSwapDirDuringRewrite(t *testing.T) {
	e := newSwapEnv(t)
	f, err := e.h.resolve(e.target(), opErase)
	if err != nil {
		t.Fatal(err)
	}
	err = e.h.rewrite(context.Background(), f, func(w io.Writer) error {
		if err := e.h.stream(f, func(r io.Reader) error {
			_, err := filerewrite.RewriteStream(context.Background(), r, w, f.format, e.target(), e.h.maskKey)
			return err
		}); err != nil {
			return err
		}
		e.swapDir(t)
		return nil
	})
	// The rename happens in the directory that was opened (now exports.old):
	// whatever it does, the outside directory is never written.
	b, rerr := os.ReadFile(e.secret)
	if rerr != nil || sha256.Sum256(b) != e.sum {
		t.Error("the outside file changed")
	}
	if m, _ := filepath.Glob(filepath.Join(e.outside, ".*")); len(m) > 0 {
		t.Errorf("files written outside: %v", m)
	}
	t.Logf("rewrite after the directory swap: %v", err)
}

func TestSwapBeforeRead(t *testing.T) {
	e := newSwapEnv(t)
	f, err := e.h.resolve(e.target(), "find")
	if err != nil {
		t.Fatal(err)
	}
	e.swapFile(t)
	read := false
	err = e.h.stream(f, func(r io.Reader) error { read = true; return nil })
	if read {
		t.Error("read through the swapped-in link")
	}
	e.check(t, err)

	e2 := newSwapEnv(t)
	f, err = e2.h.resolve(e2.target(), "find")
	if err != nil {
		t.Fatal(err)
	}
	e2.swapDir(t)
	err = e2.h.stream(f, func(r io.Reader) error { read = true; return nil })
	if read {
		t.Error("read through the swapped-in directory link")
	}
	e2.check(t, err)
}

// TestSwapParquetBeforeReplace: DuckDB reads by path (the documented
// residual), but the replace is refused, so nothing outside is written.
func TestSwapParquetBeforeReplace(t *testing.T) {
	e := newSwapEnv(t)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range []string{filepath.Join(e.root, "exports/events.parquet"), filepath.Join(e.outside, "events.parquet")} {
		if _, err := db.Exec("COPY (SELECT 'ann@example.com' AS email UNION ALL SELECT 'bob@example.com') TO " + duckdbsql.QuoteLiteral(p) + " (FORMAT PARQUET)"); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.ReadFile(filepath.Join(e.outside, "events.parquet"))
	tg := e.target()
	tg.Asset, tg.Format = "exports/events.parquet", piimap.FormatParquet
	f, err := e.h.resolve(tg, opErase)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(e.root, "exports/events.parquet")
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(e.outside, "events.parquet"), p); err != nil {
		t.Fatal(err)
	}
	_, err = e.h.eraseParquet(context.Background(), f, tg)
	if err == nil {
		t.Fatal("erased through a swapped-in link")
	}
	t.Log(err)
	after, _ := os.ReadFile(filepath.Join(e.outside, "events.parquet"))
	if string(after) != string(before) {
		t.Error("the outside Parquet file changed")
	}
	if fi, err := os.Lstat(p); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if m, _ := filepath.Glob(filepath.Join(e.root, "exports", ".*.piimap-*")); len(m) > 0 {
		t.Errorf("temp files left: %v", m)
	}
}
