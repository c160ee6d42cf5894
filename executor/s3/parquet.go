package s3

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	xfiles "github.com/piimap/piimap/executor/files"
	"github.com/piimap/piimap/scanner"
)

// Parquet objects need random access and a columnar engine: each operation
// spools the object (pinned to the ETag read at resolve) to a private temp
// directory on disk — never memory — and runs the files handler (DuckDB)
// on it. An erasure then uploads the rewritten file with the same
// conditional put as every other format.

// localName is the spooled object's name inside its temp directory.
const localName = "object.parquet"

// withLocal spools o to a temp directory and calls fn with a files handler
// open on it, the local target naming the spooled file, and its path.
func (h *Handler) withLocal(ctx context.Context, o object, fn func(lh *xfiles.Handler, lt executor.Target, path string) error) error {
	dir, err := os.MkdirTemp(h.TempDir, "piimap-s3-*")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, localName))
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
	lh, err := xfiles.Open(ctx, scanner.StoreConfig{Name: h.store, URL: "file://" + dir}, executor.HandlerOptions{MaskKey: h.maskKey})
	if err != nil {
		return err
	}
	defer lh.Close()
	fh, ok := lh.(*xfiles.Handler)
	if !ok {
		return fmt.Errorf("files handler of unexpected type %T: %w", lh, piimap.ErrUnsupported)
	}
	err = fn(fh, executor.Target{Asset: localName, Format: piimap.FormatParquet}, f.Name())
	return scanner.ScrubError(err, dir)
}

// local is t aimed at the spooled copy.
func local(t, lt executor.Target) executor.Target {
	t.Asset, t.Format, t.Gzip = lt.Asset, lt.Format, false
	return t
}

// rewriteParquet erases the subject's rows from the spooled copy with the
// files handler and uploads the result conditionally.
func (h *Handler) rewriteParquet(ctx context.Context, o object, t executor.Target) (int64, error) {
	var changed int64
	err := h.withLocal(ctx, o, func(lh *xfiles.Handler, lt executor.Target, path string) error {
		res, err := lh.Erase(ctx, []executor.Target{local(t, lt)}, executor.EraseOptions{})
		if err != nil {
			return err
		}
		if len(res) == 1 {
			changed = res[0].Changed
		}
		if changed == 0 {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return h.put(ctx, o, func(w io.Writer) error {
			_, err := io.Copy(w, f)
			return err
		})
	})
	return changed, err
}

// ExportParquet writes the subject's rows of a Parquet object to path; other
// formats are not columnar sources (piimap.ErrUnsupported).
func (h *Handler) ExportParquet(ctx context.Context, t executor.Target, path string) (int64, error) {
	o, err := h.resolve(ctx, t, "export")
	if err != nil {
		return 0, err
	}
	if o.format != piimap.FormatParquet {
		return 0, h.errf("export", t.Asset, fmt.Errorf("%s object: %w", o.format, piimap.ErrUnsupported))
	}
	var n int64
	err = h.withLocal(ctx, o, func(lh *xfiles.Handler, lt executor.Target, _ string) error {
		n, err = lh.ExportParquet(ctx, local(t, lt), path)
		return err
	})
	return n, h.errf("export", t.Asset, err)
}
