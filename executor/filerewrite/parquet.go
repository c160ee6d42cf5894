package filerewrite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit/duckdbsql"
)

// Parquet reads and rewrites local Parquet files through an in-memory
// DuckDB: read_parquet for Find (Arrow batches) and Count, COPY … TO for
// Rewrite and Export, which keeps the schema and row order of the rows
// that stay. Files are named by path; where the bytes come from (a file
// under a store root, an object spooled to disk) and where a rewrite goes
// are the caller's. The zero value is ready to use; the database is opened
// at the first call and shared by every query (one connection). Close
// releases it.
type Parquet struct {
	once sync.Once
	db   *sql.DB
	err  error
}

func (p *Parquet) duck() (*sql.DB, error) {
	p.once.Do(func() {
		db, err := sql.Open("duckdb", "")
		if err == nil {
			db.SetMaxOpenConns(1) // one in-memory database, shared by every query
			err = db.Ping()
		}
		p.db, p.err = db, err
	})
	return p.db, p.err
}

// Close releases the in-memory DuckDB, if one was opened.
func (p *Parquet) Close() error {
	if p.db != nil {
		return p.db.Close()
	}
	return nil
}

func parquetRelation(path string) string { return "read_parquet(" + duckdbsql.QuoteLiteral(path) + ")" }

// where builds the target's predicate over the file's columns, whose
// types it returns too.
func (p *Parquet) where(ctx context.Context, path string, t driver.Target) (*sql.DB, string, []any, map[string]string, error) {
	db, err := p.duck()
	if err != nil {
		return nil, "", nil, nil, err
	}
	types, err := duckdbsql.Columns(ctx, db, parquetRelation(path))
	if err != nil {
		return nil, "", nil, nil, fmt.Errorf("describe: %w: %w", piimap.ErrCorrupt, err)
	}
	w, args, err := duckdbsql.Where(t.Match, func(field string) (string, error) { return duckdbsql.ColumnExpr(field, types) })
	return db, w, args, types, err
}

// Find emits the target's rows of the file at path as Arrow batches.
func (p *Parquet) Find(ctx context.Context, path string, t driver.Target, emit func(driver.Batch) error) error {
	db, w, args, _, err := p.where(ctx, path, t)
	if err != nil {
		return err
	}
	return duckdbsql.QueryArrow(ctx, db, "SELECT * FROM "+parquetRelation(path)+" WHERE "+w, args, emit)
}

// Count counts the target's rows of the file at path.
func (p *Parquet) Count(ctx context.Context, path string, t driver.Target) (int64, error) {
	db, w, args, _, err := p.where(ctx, path, t)
	if err != nil {
		return 0, err
	}
	var n int64
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM "+parquetRelation(path)+" WHERE "+w, args...).Scan(&n)
	return n, err
}

// Export writes the target's rows of the file at path to the Parquet
// file out and returns how many.
func (p *Parquet) Export(ctx context.Context, path string, t driver.Target, out string) (int64, error) {
	db, w, args, _, err := p.where(ctx, path, t)
	if err != nil {
		return 0, err
	}
	res, err := db.ExecContext(ctx, "COPY (SELECT * FROM "+parquetRelation(path)+" WHERE "+w+") TO "+duckdbsql.QuoteLiteral(out)+" (FORMAT PARQUET)", args...)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Check is CheckMode for a Parquet file: the fields a null, mask or
// rectification target sets must be columns that can take it
// (parquetFields).
func (p *Parquet) Check(ctx context.Context, path string, t driver.Target) error {
	if len(t.Changes) == 0 && t.Mode != driver.ModeNull && t.Mode != driver.ModeMask {
		return nil
	}
	db, err := p.duck()
	if err != nil {
		return err
	}
	types, err := duckdbsql.Columns(ctx, db, parquetRelation(path))
	if err != nil {
		return fmt.Errorf("describe: %w: %w", piimap.ErrCorrupt, err)
	}
	_, err = parquetFields(types, t)
	return err
}

// A Replacer commits a rewrite: it gives copyTo the path of a new file
// to write, and on success puts that file in place of the original (an
// atomic rename, an upload). copyTo writes the whole rewritten file.
type Replacer func(copyTo func(dst string) error) error

// Rewrite rewrites the file at path without the target's rows (mode
// delete), or with their fields set to NULL or HMAC tokens under maskKey
// (modes null and mask: their PII and match fields) or to their corrected
// values (rectification, t.Changes, cast to the column's type), every
// other row and column as it was, through replace, and returns how many
// rows changed. Rows already holding those values are no change, and a
// file without any is not rewritten (replace is not called).
func (p *Parquet) Rewrite(ctx context.Context, path string, t driver.Target, maskKey []byte, replace Replacer) (int64, error) {
	if len(t.Changes) > 0 || t.Mode == driver.ModeNull || t.Mode == driver.ModeMask {
		return p.update(ctx, path, t, maskKey, replace)
	}
	db, w, args, _, err := p.where(ctx, path, t)
	if err != nil {
		return 0, err
	}
	var n int64
	rel := parquetRelation(path)
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+rel+" WHERE coalesce("+w+", false)", args...).Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	return n, replace(copyTo(ctx, db, "COPY (SELECT * FROM "+rel+" WHERE NOT coalesce("+w+", false)) TO ", args))
}

// copyTo completes a COPY … TO statement with its target. USE_TMP_FILE
// false: DuckDB writes into the target itself, leaving no "tmp_" file of
// its own for a killed run to strand.
func copyTo(ctx context.Context, db *sql.DB, stmt string, args []any) func(dst string) error {
	return func(dst string) error {
		_, err := db.ExecContext(ctx, stmt+duckdbsql.QuoteLiteral(dst)+" (FORMAT PARQUET, USE_TMP_FILE false)", args...)
		return err
	}
}

// update is Rewrite for modes null and mask and rectification. Mask swaps
// the subject's distinct values for HMAC tokens computed in Go (the key
// stays here). Only top-level columns can be set (parquetFields).
func (p *Parquet) update(ctx context.Context, path string, t driver.Target, maskKey []byte, replace Replacer) (int64, error) {
	db, w, args, types, err := p.where(ctx, path, t)
	if err != nil {
		return 0, err
	}
	rel := parquetRelation(path)
	fields, err := parquetFields(types, t)
	if err != nil {
		return 0, err
	}
	var sets, differ []string
	var setArgs, differArgs []any
	for _, field := range fields {
		col, typ := duckdbsql.QuoteIdent(field), types[field]
		switch v, ok := t.Changes[field]; {
		case ok:
			val := "CAST(? AS " + typ + ")"
			sets = append(sets, "CASE WHEN coalesce("+w+", false) THEN "+val+" ELSE "+col+" END AS "+col)
			setArgs = append(append(setArgs, args...), v)
			differ = append(differ, col+" IS DISTINCT FROM "+val)
			differArgs = append(differArgs, v)
		case t.Mode == driver.ModeMask:
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
				setArgs = append(setArgs, v, driver.MaskToken(maskKey, v))
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
	return changed, replace(copyTo(ctx, db, "COPY (SELECT * REPLACE ("+strings.Join(sets, ", ")+") FROM "+rel+") TO ", setArgs))
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
func parquetFields(types map[string]string, t driver.Target) ([]string, error) {
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
		case t.Mode == driver.ModeMask && !strings.EqualFold(typ, "VARCHAR"):
			return nil, fmt.Errorf("field %s: a %s column cannot hold a token: %w", f, typ, piimap.ErrUnsupported)
		}
		fields = append(fields, f)
	}
	return fields, nil
}
