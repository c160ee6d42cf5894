package files

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	xduck "github.com/piimap/piimap/executor/duckdb"
)

// Parquet files are read and rewritten through an in-memory DuckDB:
// read_parquet for Find (Arrow batches), COPY … TO for the rewrite, which
// keeps the schema and row order of the rows that stay.

func (h *Handler) duck() (*sql.DB, error) {
	h.dbOnce.Do(func() {
		db, err := sql.Open("duckdb", "")
		if err == nil {
			db.SetMaxOpenConns(1) // one in-memory database, shared by every query
			err = db.Ping()
		}
		h.db, h.dbErr = db, err
	})
	return h.db, h.dbErr
}

func parquetRelation(p string) string { return "read_parquet(" + quote(p) + ")" }

func quote(s string) string {
	b := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			b = append(b, '\'')
		}
		b = append(b, s[i])
	}
	return string(append(b, '\''))
}

// parquetWhere builds the target's predicate over the file's columns.
func (h *Handler) parquetWhere(ctx context.Context, db *sql.DB, f file, t executor.Target) (string, []any, error) {
	types, err := xduck.Columns(ctx, db, parquetRelation(f.path))
	if err != nil {
		return "", nil, fmt.Errorf("describe: %w: %w", piimap.ErrCorrupt, err)
	}
	return xduck.Where(t.Match, func(field string) (string, error) { return xduck.ColumnExpr(field, types) })
}

func (h *Handler) findParquet(ctx context.Context, f file, t executor.Target, emit func(executor.Batch) error) error {
	db, err := h.duck()
	if err != nil {
		return err
	}
	w, args, err := h.parquetWhere(ctx, db, f, t)
	if err != nil {
		return fmt.Errorf("files: find %s/%s: %w", h.store, t.Asset, err)
	}
	if err := xduck.QueryArrow(ctx, db, "SELECT * FROM "+parquetRelation(f.path)+" WHERE "+w, args, emit); err != nil {
		return fmt.Errorf("files: find %s/%s: %w", h.store, t.Asset, err)
	}
	return nil
}

func (h *Handler) countParquet(ctx context.Context, f file, t executor.Target) (int64, error) {
	db, err := h.duck()
	if err != nil {
		return 0, err
	}
	w, args, err := h.parquetWhere(ctx, db, f, t)
	if err != nil {
		return 0, fmt.Errorf("files: count %s/%s: %w", h.store, t.Asset, err)
	}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+parquetRelation(f.path)+" WHERE "+w, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("files: count %s/%s: %w", h.store, t.Asset, err)
	}
	return n, nil
}

// eraseParquet copies the rows that stay into a temp file beside the
// original, then commits it atomically like every other rewrite.
func (h *Handler) eraseParquet(ctx context.Context, f file, t executor.Target) (int64, error) {
	db, err := h.duck()
	if err != nil {
		return 0, err
	}
	w, args, err := h.parquetWhere(ctx, db, f, t)
	if err != nil {
		return 0, err
	}
	before, err := os.Stat(f.path)
	if err != nil {
		return 0, err
	}
	removeStaleTemps(f.path)
	tmp, err := os.CreateTemp(filepath.Dir(f.path), tmpPattern(f.path))
	if err != nil {
		return 0, err
	}
	tmp.Close()
	fail := func(err error) (int64, error) { os.Remove(tmp.Name()); return 0, err }
	var total, kept int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+parquetRelation(f.path)).Scan(&total); err != nil {
		return fail(err)
	}
	q := "COPY (SELECT * FROM " + parquetRelation(f.path) + " WHERE NOT coalesce(" + w + ", false)) TO " + quote(tmp.Name()) + " (FORMAT PARQUET)"
	res, err := db.ExecContext(ctx, q, args...)
	if err != nil {
		return fail(err)
	}
	kept, _ = res.RowsAffected()
	out, err := os.OpenFile(tmp.Name(), os.O_RDWR, 0)
	if err != nil {
		return fail(err)
	}
	if err := commitTemp(ctx, out, f.path, before); err != nil {
		out.Close()
		return fail(err)
	}
	return total - kept, nil
}

// ExportParquet writes the subject's rows of a Parquet file to path; other
// formats are not columnar sources (piimap.ErrUnsupported).
func (h *Handler) ExportParquet(ctx context.Context, t executor.Target, path string) (int64, error) {
	f, err := h.resolve(t)
	if err != nil {
		return 0, err
	}
	if f.format != piimap.FormatParquet {
		return 0, fmt.Errorf("files: %s/%s is %s: %w", h.store, t.Asset, f.format, piimap.ErrUnsupported)
	}
	db, err := h.duck()
	if err != nil {
		return 0, err
	}
	w, args, err := h.parquetWhere(ctx, db, f, t)
	if err != nil {
		return 0, err
	}
	res, err := db.ExecContext(ctx, "COPY (SELECT * FROM "+parquetRelation(f.path)+" WHERE "+w+") TO "+quote(path)+" (FORMAT PARQUET)", args...)
	if err != nil {
		return 0, fmt.Errorf("files: export %s/%s: %w", h.store, t.Asset, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
