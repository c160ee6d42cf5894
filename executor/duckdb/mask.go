package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	"github.com/piimap/piimap/executor/sqlkit/duckdbsql"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// clearColumns are the top-level columns null/mask modes rewrite.
func (h *Handler) clearColumns(r relation, t driver.Target) ([]string, error) {
	var cols []string
	for _, f := range t.ClearFields() {
		if _, ok := r.types[f]; !ok {
			return nil, fmt.Errorf("field %s is not a top-level column (use delete): %w", f, piimap.ErrUnsupported)
		}
		cols = append(cols, f)
	}
	return cols, nil
}

// nullRows sets the PII and match columns of the subject's rows to NULL in
// one statement.
func (h *Handler) nullRows(ctx context.Context, tx *sql.Tx, r relation, t driver.Target, w string, args []any) (int64, error) {
	cols, err := h.clearColumns(r, t)
	if err != nil {
		return 0, err
	}
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = sduck.QuoteIdent(c) + " = NULL"
	}
	return exec(ctx, tx, "UPDATE "+r.table+" SET "+strings.Join(sets, ", ")+" WHERE "+w, args)
}

// maskRows replaces the subject's string values with HMAC tokens and nulls
// the non-string ones. The matched rows are pinned by rowid first, because
// masking a match column would otherwise unmatch the row half-way; then one
// set-based UPDATE per column joins a value → token map.
func (h *Handler) maskRows(ctx context.Context, tx *sql.Tx, r relation, t driver.Target, w string, args []any) (int64, error) {
	cols, err := h.clearColumns(r, t)
	if err != nil {
		return 0, err
	}
	if err := sqlkit.NeedMaskKey(h.maskKey); err != nil {
		return 0, err
	}
	stmts := []string{
		"CREATE OR REPLACE TEMP TABLE piimap_rows AS SELECT rowid AS rid FROM " + r.table + " WHERE " + w,
		"CREATE OR REPLACE TEMP TABLE piimap_mask (f VARCHAR, o VARCHAR, n VARCHAR)",
	}
	for i, q := range stmts {
		var a []any
		if i == 0 {
			a = args
		}
		if _, err := tx.ExecContext(ctx, q, a...); err != nil {
			return 0, err
		}
	}
	defer tx.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS piimap_rows; DROP TABLE IF EXISTS piimap_mask") //nolint:errcheck
	var n int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM piimap_rows").Scan(&n); err != nil {
		return 0, err
	}
	pinned := " WHERE " + r.table + ".rowid IN (SELECT rid FROM piimap_rows)"
	// Every column is set by one UPDATE: DuckDB may give an updated row a
	// new rowid (an update touching an indexed column is a delete and an
	// insert), so a second UPDATE pinned by rowid would miss the row and
	// leave its other PII in place while the match columns no longer match.
	var sets []string
	var args2 []any
	for _, c := range cols {
		qc := sduck.QuoteIdent(c)
		if !duckdbsql.IsString(r.types[c]) {
			sets = append(sets, qc+" = NULL")
			continue
		}
		if err := h.fillMaskMap(ctx, tx, r, c, pinned); err != nil {
			return 0, err
		}
		sets = append(sets, qc+" = (SELECT m.n FROM piimap_mask m WHERE m.f = ? AND m.o = "+r.table+"."+qc+")")
		args2 = append(args2, c)
	}
	if len(sets) > 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE "+r.table+" SET "+strings.Join(sets, ", ")+pinned, args2...); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (h *Handler) fillMaskMap(ctx context.Context, tx *sql.Tx, r relation, c, pinned string) error {
	rows, err := tx.QueryContext(ctx, "SELECT DISTINCT "+sduck.QuoteIdent(c)+" FROM "+r.table+pinned+" AND "+sduck.QuoteIdent(c)+" IS NOT NULL")
	if err != nil {
		return err
	}
	var olds []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		olds = append(olds, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := 0; i < len(olds); i += duckdbsql.InChunk {
		j := min(i+duckdbsql.InChunk, len(olds))
		var ph []string
		var a []any
		for _, o := range olds[i:j] {
			ph = append(ph, "(?, ?, ?)")
			a = append(a, c, o, driver.MaskToken(h.maskKey, o))
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO piimap_mask VALUES "+strings.Join(ph, ", "), a...); err != nil {
			return err
		}
	}
	return nil
}
