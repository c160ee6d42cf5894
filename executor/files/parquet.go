package files

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	xduck "github.com/piimap/piimap/executor/duckdb"
	sduck "github.com/piimap/piimap/scanner/duckdb"
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

// parquetWhere builds the target's predicate over the file's columns,
// whose types it returns too.
func (h *Handler) parquetWhere(ctx context.Context, db *sql.DB, f file, t executor.Target) (string, []any, map[string]string, error) {
	types, err := xduck.Columns(ctx, db, parquetRelation(f.path))
	if err != nil {
		return "", nil, nil, fmt.Errorf("describe: %w: %w", piimap.ErrCorrupt, err)
	}
	w, args, err := xduck.Where(t.Match, func(field string) (string, error) { return xduck.ColumnExpr(field, types) })
	return w, args, types, err
}

func (h *Handler) findParquet(ctx context.Context, f file, t executor.Target, emit func(executor.Batch) error) error {
	db, err := h.duck()
	if err != nil {
		return err
	}
	w, args, _, err := h.parquetWhere(ctx, db, f, t)
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
	w, args, _, err := h.parquetWhere(ctx, db, f, t)
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
// original, then commits it atomically like every other rewrite; null,
// mask and rectification go to updateParquet.
func (h *Handler) eraseParquet(ctx context.Context, f file, t executor.Target) (int64, error) {
	if len(t.Changes) > 0 || t.Mode == executor.ModeNull || t.Mode == executor.ModeMask {
		return h.updateParquet(ctx, f, t)
	}
	db, err := h.duck()
	if err != nil {
		return 0, err
	}
	w, args, _, err := h.parquetWhere(ctx, db, f, t)
	if err != nil {
		return 0, err
	}
	var n int64
	rel := parquetRelation(f.path)
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+rel+" WHERE coalesce("+w+", false)", args...).Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	return n, h.replaceParquet(ctx, f, "COPY (SELECT * FROM "+rel+" WHERE NOT coalesce("+w+", false)) TO ", args)
}

// updateParquet rewrites the file with the subject's rows' fields set to
// NULL or HMAC tokens (modes null and mask: their PII and match fields) or
// to their corrected values (rectification, t.Changes, cast to the
// column's type), every other row and column as it was, and returns how
// many rows changed. Rows already holding those values are no change, and
// a file without any is not rewritten. Mask swaps the subject's distinct
// values for HMAC tokens computed in Go. Only top-level columns can be set
// (parquetFields).
func (h *Handler) updateParquet(ctx context.Context, f file, t executor.Target) (int64, error) {
	db, err := h.duck()
	if err != nil {
		return 0, err
	}
	rel := parquetRelation(f.path)
	w, args, types, err := h.parquetWhere(ctx, db, f, t)
	if err != nil {
		return 0, err
	}
	fields, err := parquetFields(types, t)
	if err != nil {
		return 0, err
	}
	var sets, differ []string
	var setArgs, differArgs []any
	for _, field := range fields {
		col, typ := sduck.QuoteIdent(field), types[field]
		switch v, ok := t.Changes[field]; {
		case ok:
			val := "CAST(? AS " + typ + ")"
			sets = append(sets, "CASE WHEN coalesce("+w+", false) THEN "+val+" ELSE "+col+" END AS "+col)
			setArgs = append(append(setArgs, args...), v)
			differ = append(differ, col+" IS DISTINCT FROM "+val)
			differArgs = append(differArgs, v)
		case t.Mode == executor.ModeMask:
			// Tokens are computed here (the key stays in Go) for the
			// subject's distinct values, then swapped in by a CASE.
			vals, err := distinctValues(ctx, db, "SELECT DISTINCT "+col+" FROM "+rel+" WHERE coalesce("+w+", false) AND "+col+" IS NOT NULL", args)
			if err != nil || len(vals) == 0 {
				if err != nil {
					return 0, err
				}
				continue
			}
			swap, in := "CASE "+col, make([]string, len(vals))
			setArgs = append(setArgs, args...)
			for i, v := range vals {
				swap += " WHEN ? THEN ?"
				setArgs = append(setArgs, v, executor.MaskToken(h.maskKey, v))
				in[i] = "?"
				differArgs = append(differArgs, v)
			}
			sets = append(sets, "CASE WHEN coalesce("+w+", false) THEN "+swap+" ELSE "+col+" END ELSE "+col+" END AS "+col)
			differ = append(differ, col+" IN ("+strings.Join(in, ", ")+")")
		default:
			sets = append(sets, "CASE WHEN coalesce("+w+", false) THEN NULL ELSE "+col+" END AS "+col)
			setArgs = append(setArgs, args...)
			differ = append(differ, col+" IS NOT NULL")
		}
	}
	if len(sets) == 0 {
		return 0, nil
	}
	var changed int64
	q := "SELECT count(*) FROM " + rel + " WHERE coalesce(" + w + ", false) AND (" + strings.Join(differ, " OR ") + ")"
	if err := db.QueryRowContext(ctx, q, append(append([]any{}, args...), differArgs...)...).Scan(&changed); err != nil || changed == 0 {
		return 0, err
	}
	return changed, h.replaceParquet(ctx, f, "COPY (SELECT * REPLACE ("+strings.Join(sets, ", ")+") FROM "+rel+") TO ", setArgs)
}

// maxMaskValues bounds the distinct values of one field a Parquet mask
// swaps (one subject's values: a handful).
const maxMaskValues = 10000

func distinctValues(ctx context.Context, db *sql.DB, q string, args []any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		if out = append(out, v); len(out) > maxMaskValues {
			return nil, fmt.Errorf("more than %d distinct values to mask: %w", maxMaskValues, piimap.ErrUnsupported)
		}
	}
	return out, rows.Err()
}

// parquetFields are the top-level columns a null, mask or rectification
// target sets in a file of the given column types: the corrected fields,
// or the PII and match fields present. A corrected field that is no
// column, a nested field, or a masked column that cannot hold a token (not
// VARCHAR) is refused.
func parquetFields(types map[string]string, t executor.Target) ([]string, error) {
	if len(t.Changes) > 0 {
		fields := slices.Sorted(maps.Keys(t.Changes))
		for _, f := range fields {
			if _, ok := types[f]; !ok {
				return nil, fmt.Errorf("field %s: not a top-level column: %w", f, piimap.ErrUnsupported)
			}
		}
		return fields, nil
	}
	var fields []string
	for _, f := range t.ClearFields() {
		typ, ok := types[f]
		switch {
		case !ok && strings.ContainsAny(f, ".["):
			return nil, fmt.Errorf("field %s: not a top-level column: %w", f, piimap.ErrUnsupported)
		case !ok:
			continue // a PII field of another version of the file
		case t.Mode == executor.ModeMask && !strings.EqualFold(typ, "VARCHAR"):
			return nil, fmt.Errorf("field %s: a %s column cannot hold a token: %w", f, typ, piimap.ErrUnsupported)
		}
		fields = append(fields, f)
	}
	return fields, nil
}

// checkParquet is CheckMode for a Parquet file: the fields a null, mask
// or rectification target sets must be columns that can take it.
func (h *Handler) checkParquet(ctx context.Context, f file, t executor.Target) error {
	if len(t.Changes) == 0 && t.Mode != executor.ModeNull && t.Mode != executor.ModeMask {
		return nil
	}
	db, err := h.duck()
	if err != nil {
		return err
	}
	types, err := xduck.Columns(ctx, db, parquetRelation(f.path))
	if err != nil {
		return fmt.Errorf("describe: %w: %w", piimap.ErrCorrupt, err)
	}
	_, err = parquetFields(types, t)
	return err
}

// replaceParquet writes a temp file beside f with copy (a COPY … TO
// statement missing its target) and commits it atomically like every other
// rewrite.
func (h *Handler) replaceParquet(ctx context.Context, f file, copyTo string, args []any) (err error) {
	db, err := h.duck()
	if err != nil {
		return err
	}
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
	// USE_TMP_FILE false: DuckDB writes into our temp file itself, leaving
	// no "tmp_" file of its own for a killed run to strand.
	if _, err := db.ExecContext(ctx, copyTo+quote(filepath.Join(d.dir, name))+" (FORMAT PARQUET, USE_TMP_FILE false)", args...); err != nil {
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
func (h *Handler) ExportParquet(ctx context.Context, t executor.Target, path string) (int64, error) {
	f, err := h.resolve(t, opExport)
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
	w, args, _, err := h.parquetWhere(ctx, db, f, t)
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
