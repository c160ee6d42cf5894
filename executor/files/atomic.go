package files

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner/fileformat"
	sfiles "github.com/piimap/piimap/scanner/files"
)

// tmpPattern names rewrite temp files: hidden, beside the original (so the
// rename is atomic on the same filesystem), recognisable for cleanup. The
// pattern is the scanner's (sfiles.TempPattern, sfiles.IsTempName), so a
// scan never reads a temp file as data.
func tmpPattern(base string) string { return sfiles.TempPattern(base) }

// isTempOf reports whether name is a temp file of the file base: ours, or
// the "tmp_" temp DuckDB's COPY writes beside its target when asked to.
func isTempOf(base, name string) bool {
	pattern := tmpPattern(base)
	ok, _ := filepath.Match(pattern, name)
	if !ok {
		ok, _ = filepath.Match(sfiles.DuckDBTempPrefix+pattern, name)
	}
	return ok
}

// sweepTemps removes, once per handler and before its first write, every
// stale piimap temp file (sfiles.IsTempName) in the store: debris of a run
// killed mid-rewrite, whose original is intact (the rename never
// happened). It walks the root through the os.Root, never following a
// symlink, and removes only regular files. Best effort: a file it cannot
// remove stays for the per-file cleanup of the next rewrite.
func (h *Handler) sweepTemps(ctx context.Context) {
	h.sweepOnce.Do(func() {
		_ = fs.WalkDir(h.fsroot.FS(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // an unreadable directory is not swept
			}
			if ctx.Err() != nil {
				return fs.SkipAll
			}
			if d.Type().IsRegular() && sfiles.IsTempName(d.Name()) {
				_ = h.fsroot.Remove(p)
			}
			return nil
		})
	})
}

// dirHandle is a file's parent directory, opened beneath the store root
// and checked to be the directory locate verified: every temp file, check
// and rename of a rewrite goes through it, so a rewrite stays in that
// directory whatever is swapped in above it meanwhile.
type dirHandle struct {
	root   *os.Root    // the parent directory
	dir    string      // its absolute path (DuckDB writes by path)
	base   string      // the file's name in it
	before os.FileInfo // the file as locate saw it
}

// openDir opens f's directory and checks that it is still the verified
// directory and that f is still the regular file locate saw.
func (h *Handler) openDir(f file) (*dirHandle, error) {
	d := &dirHandle{dir: filepath.Dir(f.path), base: path.Base(f.rel), before: f.info}
	r, err := h.fsroot.OpenRoot(path.Dir(f.rel))
	if err != nil {
		return nil, trimPath(err)
	}
	d.root = r
	want, err := os.Lstat(d.dir)
	if err != nil {
		r.Close()
		return nil, trimPath(err)
	}
	got, err := r.Stat(".")
	if err != nil || !got.IsDir() || !os.SameFile(got, want) {
		r.Close()
		return nil, fmt.Errorf("its directory was replaced while being opened; retry: %w", piimap.ErrInvalidState)
	}
	if err := d.unchanged(); err != nil {
		r.Close()
		return nil, err
	}
	return d, nil
}

func (d *dirHandle) Close() error { return d.root.Close() }

// unchanged checks that the directory entry is still the regular file
// locate saw, with the same size and modification time.
func (d *dirHandle) unchanged() error {
	now, err := d.root.Lstat(d.base)
	if err != nil {
		return trimPath(err)
	}
	if !now.Mode().IsRegular() || !os.SameFile(now, d.before) {
		return fmt.Errorf("replaced (by a link or another file) while being rewritten; nothing written: %w", piimap.ErrUnsupported)
	}
	if now.Size() != d.before.Size() || !now.ModTime().Equal(d.before.ModTime()) {
		return fmt.Errorf("changed while being rewritten; retry: %w", piimap.ErrInvalidState)
	}
	return nil
}

// removeStaleTemps deletes temp files an interrupted rewrite of the file
// left behind. The original is intact in that case: the rename never
// happened.
func (d *dirHandle) removeStaleTemps() {
	dir, err := d.root.Open(".")
	if err != nil {
		return
	}
	names, _ := dir.Readdirnames(-1)
	dir.Close()
	for _, n := range names {
		if isTempOf(d.base, n) {
			_ = d.root.Remove(n)
		}
	}
}

// createTemp creates a new, empty temp file beside the file (O_EXCL: never
// an existing entry or link).
func (d *dirHandle) createTemp() (*os.File, string, error) {
	prefix, suffix, _ := strings.Cut(tmpPattern(d.base), "*")
	for range 10000 {
		name := prefix + strconv.FormatUint(uint64(rand.Uint32()), 10) + suffix
		f, err := d.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", trimPath(err)
		}
		return f, name, nil
	}
	return nil, "", fmt.Errorf("no free temp file name: %w", piimap.ErrInvalidState)
}

// rewrite replaces the file f atomically with what write produces: a temp
// file in the same (verified) directory, gzip-compressed when f.gz,
// fsynced, given the original's mode, renamed over the original within
// that directory, then the directory fsynced. A crash at any point leaves
// either the old or the new file. If the original changed while it was
// being rewritten (an appending writer), or was replaced by a link or
// another file, the rewrite is abandoned with an error rather than losing
// the new data or replacing something that is not the file read.
func (h *Handler) rewrite(ctx context.Context, f file, write func(w io.Writer) error) (err error) {
	d, err := h.openDir(f)
	if err != nil {
		return err
	}
	defer d.Close()
	d.removeStaleTemps()
	tmp, name, err := d.createTemp()
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			_ = d.root.Remove(name)
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	var w io.Writer = bw
	var zw *gzip.Writer
	if f.gz {
		zw = gzip.NewWriter(bw)
		w = zw
	}
	if err = write(w); err != nil {
		return err
	}
	if zw != nil {
		if err = zw.Close(); err != nil {
			return err
		}
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	return d.commit(ctx, tmp, name)
}

// commit fsyncs an already written temp file and renames it over the
// file, if the file is still the one read.
func (d *dirHandle) commit(ctx context.Context, tmp *os.File, name string) error {
	if err := tmp.Chmod(d.before.Mode().Perm()); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := d.unchanged(); err != nil {
		return err
	}
	if err := d.root.Rename(name, d.base); err != nil {
		return trimPath(err)
	}
	dir, err := d.root.Open(".")
	if err != nil {
		return trimPath(err)
	}
	defer dir.Close()
	if err := dir.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// openReader wraps an open file for streaming, transparently decompressing
// gzip (when gz, or when the content starts with the gzip magic). Closing
// the reader closes the file.
func openReader(f *os.File, gz bool) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(f, 256<<10)
	head, _ := br.Peek(2)
	if gz || fileformat.IsGzip(head) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("gzip: %w: %w", piimap.ErrCorrupt, err)
		}
		return struct {
			io.Reader
			io.Closer
		}{zr, f}, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{br, f}, nil
}
