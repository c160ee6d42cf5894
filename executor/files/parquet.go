package files

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// Parquet files are read and rewritten by the codec's in-memory DuckDB
// (filerewrite.Parquet) by path; this file holds what is the store's: the
// error naming, and putting a rewrite in place atomically (replaceParquet).

func (h *Handler) findParquet(ctx context.Context, f file, t driver.Target, emit func(driver.Batch) error) error {
	if err := h.parquet.Find(ctx, f.path, t, emit); err != nil {
		return fmt.Errorf("files: find %s/%s: %w", h.store, t.Asset, err)
	}
	return nil
}

func (h *Handler) countParquet(ctx context.Context, f file, t driver.Target) (int64, error) {
	n, err := h.parquet.Count(ctx, f.path, t)
	if err != nil {
		return 0, fmt.Errorf("files: count %s/%s: %w", h.store, t.Asset, err)
	}
	return n, nil
}

// eraseParquet rewrites the file without the subject's rows, or with
// their fields nulled, masked or rectified (filerewrite.Parquet.Rewrite),
// into a temp file beside the original, then commits it atomically like
// every other rewrite.
func (h *Handler) eraseParquet(ctx context.Context, f file, t driver.Target) (int64, error) {
	return h.parquet.Rewrite(ctx, f.path, t, h.maskKey, func(copyTo func(dst string) error) error {
		return h.replaceParquet(ctx, f, copyTo)
	})
}

// checkParquet is CheckMode for a Parquet file: the fields a null, mask
// or rectification target sets must be columns that can take it.
func (h *Handler) checkParquet(ctx context.Context, f file, t driver.Target) error {
	return h.parquet.Check(ctx, f.path, t)
}

// replaceParquet has copyTo write a temp file beside f and commits it
// atomically like every other rewrite.
func (h *Handler) replaceParquet(ctx context.Context, f file, copyTo func(dst string) error) (err error) {
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
	tmp.Close()
	defer func() {
		if err != nil {
			_ = d.root.Remove(name)
		}
	}()
	// DuckDB writes into our temp file itself (USE_TMP_FILE false).
	if err := copyTo(filepath.Join(d.dir, name)); err != nil {
		return err
	}
	// What DuckDB wrote must still be a regular file in the directory.
	li, err := d.root.Lstat(name)
	if err != nil {
		return trimPath(err)
	}
	if !li.Mode().IsRegular() {
		return fmt.Errorf("temp file replaced by a %s; nothing written: %w", kindOf(li.Mode()), piimap.ErrUnsupported)
	}
	out, err := d.root.OpenFile(name, os.O_RDWR|oNonblock, 0)
	if err != nil {
		return trimPath(err)
	}
	if err := sameRegular(out, li); err != nil {
		out.Close()
		return err
	}
	if err := d.commit(ctx, out, name); err != nil {
		out.Close()
		return err
	}
	return nil
}

// ExportParquet writes the subject's rows of a Parquet file to path; other
// formats are not columnar sources (piimap.ErrUnsupported).
func (h *Handler) ExportParquet(ctx context.Context, t driver.Target, path string) (int64, error) {
	f, err := h.resolve(t, opExport)
	if err != nil {
		return 0, err
	}
	if f.format != piimap.FormatParquet {
		return 0, fmt.Errorf("files: %s/%s is %s: %w", h.store, t.Asset, f.format, piimap.ErrUnsupported)
	}
	n, err := h.parquet.Export(ctx, f.path, t, path)
	if err != nil {
		return 0, fmt.Errorf("files: export %s/%s: %w", h.store, t.Asset, err)
	}
	return n, nil
}
