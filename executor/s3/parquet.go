package s3

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/filerewrite"
	"github.com/piimap/piimap/scanner"
)

// Parquet objects need random access and a columnar engine: each operation
// spools the object (pinned to the ETag read at resolve) to a private temp
// directory on disk — never memory — and runs the codec's Parquet engine
// (filerewrite.Parquet, an in-memory DuckDB of its own) on it. An erasure
// then uploads the rewritten file with the same conditional put as every
// other format.

// Local names inside an operation's temp directory: the spooled object,
// and the rewrite of it an erasure uploads.
const (
	localName     = "object.parquet"
	rewrittenName = "rewritten.parquet"
)

// withLocal spools o to a temp directory and calls fn with a Parquet
// engine and the spooled file's path.
func (h *Handler) withLocal(ctx context.Context, o object, fn func(pq *filerewrite.Parquet, path string) error) error {
	dir, err := os.MkdirTemp(h.TempDir, "piimap-s3-*")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, localName)
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	err = h.stream(ctx, o, func(r io.Reader) error {
		_, err := io.Copy(f, r)
		return err
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	var pq filerewrite.Parquet
	defer pq.Close()
	return scanner.ScrubError(fn(&pq, path), dir)
}

// rewriteParquet erases the subject's rows from the spooled copy and
// uploads the result conditionally; nothing is uploaded when no row
// changes.
func (h *Handler) rewriteParquet(ctx context.Context, o object, t driver.Target) (int64, error) {
	var changed int64
	err := h.withLocal(ctx, o, func(pq *filerewrite.Parquet, path string) error {
		var err error
		changed, err = pq.Rewrite(ctx, path, t, h.maskKey, func(copyTo func(dst string) error) error {
			out := filepath.Join(filepath.Dir(path), rewrittenName)
			if err := copyTo(out); err != nil {
				return err
			}
			f, err := os.Open(out)
			if err != nil {
				return err
			}
			defer f.Close()
			return h.put(ctx, o, func(w io.Writer) error {
				_, err := io.Copy(w, f)
				return err
			})
		})
		return err
	})
	return changed, err
}

// ExportParquet writes the subject's rows of a Parquet object to path; other
// formats are not columnar sources (piimap.ErrUnsupported).
func (h *Handler) ExportParquet(ctx context.Context, t driver.Target, path string) (int64, error) {
	o, err := h.resolve(ctx, t, "export")
	if err != nil {
		return 0, err
	}
	if o.format != piimap.FormatParquet {
		return 0, h.errf("export", t.Asset, fmt.Errorf("%s object: %w", o.format, piimap.ErrUnsupported))
	}
	var n int64
	err = h.withLocal(ctx, o, func(pq *filerewrite.Parquet, local string) error {
		n, err = pq.Export(ctx, local, t, path)
		return err
	})
	return n, h.errf("export", t.Asset, err)
}
