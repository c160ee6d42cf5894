package files

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/piimap/piimap"
)

// tmpPattern names rewrite temp files: hidden, beside the original (so the
// rename is atomic on the same filesystem), recognisable for cleanup.
func tmpPattern(path string) string { return "." + filepath.Base(path) + ".piimap-*.tmp" }

// removeStaleTemps deletes temp files an interrupted rewrite of path left
// behind. The original is intact in that case: the rename never happened.
func removeStaleTemps(path string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tmpPattern(path)))
	for _, m := range matches {
		_ = os.Remove(m)
	}
}

// rewrite replaces path atomically with what write produces: a temp file in
// the same directory (gzip-compressed when gz), fsynced, given the
// original's mode, renamed over the original, then the directory fsynced. A
// crash at any point leaves either the old or the new file. If the original
// changed while it was being rewritten (an appending writer), the rewrite
// is abandoned with an error rather than losing the new data.
func rewrite(ctx context.Context, path string, gz bool, write func(w io.Writer) error) (err error) {
	before, err := os.Stat(path)
	if err != nil {
		return err
	}
	removeStaleTemps(path)
	tmp, err := os.CreateTemp(filepath.Dir(path), tmpPattern(path))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	var w io.Writer = bw
	var zw *gzip.Writer
	if gz {
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
	return commitTemp(ctx, tmp, path, before)
}

// commitTemp fsyncs an already written temp file and renames it over path.
func commitTemp(ctx context.Context, tmp *os.File, path string, before os.FileInfo) error {
	if err := tmp.Chmod(before.Mode().Perm()); err != nil {
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
	now, err := os.Stat(path)
	if err != nil {
		return err
	}
	if now.Size() != before.Size() || !now.ModTime().Equal(before.ModTime()) {
		return fmt.Errorf("changed while being rewritten; retry: %w", piimap.ErrInvalidState)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// openReader opens path for streaming, transparently decompressing gzip.
func openReader(path string, gz bool) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 256<<10)
	head, _ := br.Peek(2)
	if gz || (len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b) {
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

// isGzipFile reports whether the file starts with the gzip magic.
func isGzipFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [2]byte
	n, _ := io.ReadFull(f, b[:])
	return n == 2 && b[0] == 0x1f && b[1] == 0x8b
}

// lineEnd splits a raw line into its content and its terminator ("\n",
// "\r\n" or "" for a last line without one).
func lineEnd(raw []byte) ([]byte, string) {
	s := string(raw)
	switch {
	case strings.HasSuffix(s, "\r\n"):
		return raw[:len(raw)-2], "\r\n"
	case strings.HasSuffix(s, "\n"):
		return raw[:len(raw)-1], "\n"
	}
	return raw, ""
}
