package files

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/filerewrite"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
	sfiles "github.com/piimap/piimap/scanner/files"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Kind is the store kind this package handles.
const Kind = "files"

func init() { driver.Register(Kind, Open) }

// Handler finds and erases a subject's records in the files under one
// directory (file:// stores; assets are paths relative to the root).
type Handler struct {
	idfilter.ObjectFormats          // it matches objects as identifier filters extract them: planning may trust them
	root                   string   // as configured
	real                   string   // root with its symlinks resolved: everything is checked against it
	fsroot                 *os.Root // real, opened: every read and write goes through it
	store                  string
	readOnly               bool
	maskKey                []byte

	parquet filerewrite.Parquet // in-memory DuckDB, opened at the first Parquet file

	sweepOnce sync.Once // sweepTemps (atomic.go), before the first write
}

var (
	_ driver.Handler            = (*Handler)(nil)
	_ driver.Counter            = (*Handler)(nil)
	_ driver.ModeChecker        = (*Handler)(nil)
	_ driver.ParquetExporter    = (*Handler)(nil)
	_ driver.ParallelReader     = (*Handler)(nil)
	_ driver.Rectifier          = (*Handler)(nil)
	_ driver.IdentifierFiltered = (*Handler)(nil)
)

// ParallelReads: files are read independently (Parquet through one
// in-memory DuckDB, which serialises what it must).
func (h *Handler) ParallelReads() int { return 4 }

// Open opens the directory of a file:// store.
func Open(ctx context.Context, sc scanner.StoreConfig, opt driver.HandlerOptions) (driver.Handler, error) {
	root, err := sfiles.ParseURL(sc.URL)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("files: %s: %w: %w", sc.Name, piimap.ErrUnreachable, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("files: %s: %s is not a directory: %w", sc.Name, root, piimap.ErrConfig)
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("files: %s: %w: %w", sc.Name, piimap.ErrUnreachable, err)
	}
	fsroot, err := os.OpenRoot(real)
	if err != nil {
		return nil, fmt.Errorf("files: %s: %w: %w", sc.Name, piimap.ErrUnreachable, err)
	}
	return &Handler{root: root, real: real, fsroot: fsroot, store: sc.Name, readOnly: opt.ReadOnly, maskKey: opt.MaskKey}, nil
}

// Close releases the root and the in-memory DuckDB, if one was opened.
func (h *Handler) Close() error {
	err := h.fsroot.Close()
	if perr := h.parquet.Close(); perr != nil {
		err = errors.Join(err, perr)
	}
	return err
}

// file is a resolved target: where it is (contain.go checked it), its
// format and compression.
type file struct {
	rel    string      // slash-separated path under the root
	path   string      // absolute path under the real root (for DuckDB)
	info   os.FileInfo // the file as locate saw it (Lstat)
	format string
	gz     bool
}

// resolve checks that an asset is a regular file under the root with no
// symlink on its path (locate; op names the operation in errors and says
// whether it writes), and settles its format (from the plan, else
// detected) and compression (the plan's, or the gzip magic).
func (h *Handler) resolve(t driver.Target, op string) (file, error) {
	rel, abs, info, err := h.locate(op, t.Asset)
	if err != nil {
		return file{}, err
	}
	f := file{rel: rel, path: abs, info: info, format: t.Format, gz: t.Gzip}
	if !f.gz || f.format == "" {
		fh, err := h.openFile(f)
		if err != nil {
			return file{}, fmt.Errorf("files: %s %s/%s: %w", op, h.store, fileformat.EscapeName(t.Asset), err)
		}
		br := bufio.NewReader(fh)
		magic, _ := br.Peek(2)
		f.gz = f.gz || fileformat.IsGzip(magic)
		if f.format == "" {
			f.format = h.detect(t.Asset, fh, br, f.gz)
		}
		fh.Close()
	}
	if f.format == "" {
		return file{}, fmt.Errorf("files: %s/%s: unreadable binary content: %w", h.store, fileformat.EscapeName(t.Asset), piimap.ErrUnsupported)
	}
	if f.format == piimap.FormatParquet && f.gz {
		return file{}, fmt.Errorf("files: %s/%s: gzip-wrapped parquet: %w", h.store, fileformat.EscapeName(t.Asset), piimap.ErrUnsupported)
	}
	return f, nil
}

// detect reads the head of an open file (decompressed when gz) and
// detects its format like the scanner does.
func (h *Handler) detect(asset string, fh *os.File, br *bufio.Reader, gz bool) string {
	head := make([]byte, fileformat.HeadSize)
	n, _ := io.ReadFull(br, head)
	head = head[:n]
	if gz {
		head, _ = fileformat.GunzipHead(head, false, br)
	}
	return fileformat.DetectFormat(asset, head, len(head) < fileformat.HeadSize)
}

func (f file) text() bool { return f.format == piimap.FormatText }

// CheckMode accepts the modes ModeSupported lists for the file's format,
// and rectification (a target with Changes) where RectifySupported does.
//
// It also refuses a target that is not a regular file inside the store
// root with no symlink on its path, or that has other hard links
// (contain.go), so planning shows it as a gap instead of an erasure that
// would write through a link or leave a copy behind.
func (h *Handler) CheckMode(t driver.Target) error {
	op := opErase
	if len(t.Changes) > 0 {
		op = opRectify
	}
	f, err := h.resolve(t, op)
	if err != nil {
		return err
	}
	err = filerewrite.CheckTarget(f.format, t)
	if err == nil && f.format == piimap.FormatParquet {
		err = h.checkParquet(context.Background(), f, t)
	}
	if err != nil {
		return fmt.Errorf("files: %s/%s: %w", h.store, fileformat.EscapeName(t.Asset), err)
	}
	return nil
}

// Rectify sets the subject's records' fields to their corrected values
// (t.Changes) in CSV, TSV, JSON and JSON Lines files, rewriting each file
// as Erase does; records already holding them are left alone.
func (h *Handler) Rectify(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	for _, t := range ts {
		if len(t.Changes) == 0 {
			return nil, fmt.Errorf("files: rectify %s/%s: no changes: %w", h.store, t.Asset, piimap.ErrConfig)
		}
	}
	return h.Erase(ctx, ts, opt)
}

// stream opens the file's decompressed bytes for the stream functions of
// executor/filerewrite, which hold the record-level logic for local files
// and objects alike.
func (h *Handler) stream(f file, use func(r io.Reader) error) error {
	fh, err := h.openFile(f)
	if err != nil {
		return err
	}
	rc, err := openReader(fh, f.gz)
	if err != nil {
		return err
	}
	defer rc.Close()
	return use(rc)
}

// Find emits the subject's records: Arrow batches for Parquet (DuckDB),
// rows for CSV/JSON/JSONL, {line, text} rows for text.
func (h *Handler) Find(ctx context.Context, t driver.Target, emit func(driver.Batch) error) error {
	f, err := h.resolve(t, opFind)
	if err != nil {
		return err
	}
	if f.format == piimap.FormatParquet {
		return h.findParquet(ctx, f, t, emit)
	}
	err = h.stream(f, func(r io.Reader) error { return filerewrite.FindStream(ctx, r, f.format, t, emit) })
	if err != nil {
		return fmt.Errorf("files: find %s/%s: %w", h.store, fileformat.EscapeName(t.Asset), err)
	}
	return nil
}

// Count counts the subject's records (lines for text).
func (h *Handler) Count(ctx context.Context, t driver.Target) (int64, error) {
	f, err := h.resolve(t, opCount)
	if err != nil {
		return 0, err
	}
	if f.format == piimap.FormatParquet {
		return h.countParquet(ctx, f, t)
	}
	var n int64
	err = h.stream(f, func(r io.Reader) (err error) {
		n, err = filerewrite.CountStream(ctx, r, f.format, t)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("files: count %s/%s: %w", h.store, fileformat.EscapeName(t.Asset), err)
	}
	return n, nil
}

// Erase rewrites each target's file without the subject's records (or
// with the subject's lines redacted/dropped). Each file is replaced
// atomically and only when something matched, so a second erase reads but
// never writes. Files are independent: a failure stops at that file and
// reports the results so far.
func (h *Handler) Erase(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	if !opt.DryRun && h.readOnly {
		return nil, fmt.Errorf("files: %s: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	if !opt.DryRun {
		h.sweepTemps(ctx) // a resumed erasure clears what a killed one left
	}
	out := make([]driver.Result, 0, len(ts))
	for _, t := range ts {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if err := h.CheckMode(t); err != nil {
			return out, err
		}
		found, err := h.Count(ctx, t)
		if err != nil {
			return out, err
		}
		res := driver.Result{Asset: t.Asset, Found: found}
		if opt.DryRun || found == 0 {
			if opt.DryRun {
				res.Changed = found
			}
			out = append(out, res)
			continue
		}
		if res.Changed, err = h.eraseFile(ctx, t); err != nil {
			return out, fmt.Errorf("files: erase %s/%s: %w", h.store, fileformat.EscapeName(t.Asset), err)
		}
		out = append(out, res)
	}
	return out, nil
}

func (h *Handler) eraseFile(ctx context.Context, t driver.Target) (int64, error) {
	op := opErase
	if len(t.Changes) > 0 {
		op = opRectify
	}
	f, err := h.resolve(t, op)
	if err != nil {
		return 0, err
	}
	if f.format == piimap.FormatParquet {
		return h.eraseParquet(ctx, f, t)
	}
	var changed int64
	err = h.rewrite(ctx, f, func(w io.Writer) error {
		return h.stream(f, func(r io.Reader) (err error) {
			changed, err = filerewrite.RewriteStream(ctx, r, w, f.format, t, h.maskKey)
			return err
		})
	})
	return changed, err
}
