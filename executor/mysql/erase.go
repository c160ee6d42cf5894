package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	smy "github.com/piimap/piimap/scanner/mysql"
)

// Erase applies each target's mode in one transaction, children first; a
// dry run only counts. Modes the catalog shows cannot work are refused
// before the transaction starts.
func (h *Handler) Erase(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	if err := sqlkit.CheckAll(ctx, ts, h.load, h.CheckMode); err != nil {
		return nil, err
	}
	return h.inTx(ctx, ts, opt, h.erase)
}

func (h *Handler) erase(ctx context.Context, tx *sql.Tx, st *txState, i int, tb *table, t driver.Target, dry bool) (driver.Result, error) {
	w, args, err := h.where(tb, t)
	if err != nil {
		return driver.Result{}, err
	}
	if dry || tb.view {
		n, err := h.count(ctx, tx, tb, w, args)
		return sqlkit.Counted(n, tb.view, dry), err
	}
	var n int64
	switch t.Mode {
	case driver.ModeNull, driver.ModeMask:
		tokens, nulls, err := clearPlan(tb, t)
		if err != nil {
			return driver.Result{}, err
		}
		if t.Mode == driver.ModeNull {
			nulls, tokens = append(nulls, tokens...), nil
		}
		n, err = h.update(ctx, tx, st, i, tb, tokens, nulls, w, args)
		if err != nil {
			return driver.Result{}, err
		}
	default:
		n, err = h.exec(ctx, tx, "DELETE t FROM "+tb.quoted+" AS t WHERE "+w, args)
		if err != nil {
			return driver.Result{}, err
		}
	}
	return driver.Result{Found: n, Changed: n}, nil
}

// update clears the subject's rows in one UPDATE: null columns to NULL and,
// for mask, each token column to its value's HMAC token through a
// value→token temporary table (one per column: MySQL cannot open a
// temporary table twice in one statement). Every matched row changes,
// because a match column is among those cleared.
func (h *Handler) update(ctx context.Context, tx *sql.Tx, st *txState, target int, tb *table, tokens, nulls []*column, w string, args []any) (int64, error) {
	var sets, joins []string
	for _, c := range nulls {
		sets = append(sets, "t."+smy.QuoteIdent(c.name)+" = NULL")
	}
	if len(tokens) > 0 {
		if err := sqlkit.NeedMaskKey(h.maskKey); err != nil {
			return 0, err
		}
		olds, err := h.distinct(ctx, tx, tb, tokens, w, args)
		if err != nil {
			return 0, err
		}
		if err := h.ensureMaskTables(ctx, tx, st, len(tokens)); err != nil {
			return 0, err
		}
		for i, c := range tokens {
			m := "m" + strconv.Itoa(i)
			if err := h.fillMask(ctx, tx, i, target, olds[i]); err != nil {
				return 0, err
			}
			sets = append(sets, "t."+smy.QuoteIdent(c.name)+" = "+m+".n")
			joins = append(joins, " LEFT JOIN piimap_mask_"+strconv.Itoa(i)+" AS "+m+" ON "+m+".f = "+strconv.Itoa(target)+
				" AND "+m+".o = CAST(CONVERT(t."+smy.QuoteIdent(c.name)+" USING utf8mb4) AS BINARY)")
		}
	}
	if len(sets) == 0 {
		return 0, fmt.Errorf("nothing to clear: %w", piimap.ErrUnsupported)
	}
	sort.Strings(sets)
	return h.exec(ctx, tx, "UPDATE "+tb.quoted+" AS t"+strings.Join(joins, "")+" SET "+strings.Join(sets, ", ")+" WHERE "+w, args)
}

// distinct reads the distinct non-NULL values of the token columns in the
// subject's rows, in one statement.
func (h *Handler) distinct(ctx context.Context, tx *sql.Tx, tb *table, cols []*column, w string, args []any) ([][]string, error) {
	var parts []string
	var all []any
	for i, c := range cols {
		q := "CONVERT(t." + smy.QuoteIdent(c.name) + " USING utf8mb4)"
		parts = append(parts, "SELECT DISTINCT "+strconv.Itoa(i)+", CAST("+q+" AS BINARY) FROM "+tb.quoted+" AS t WHERE "+w+" AND "+q+" IS NOT NULL")
		all = append(all, args...)
	}
	rows, err := h.query(ctx, tx, strings.Join(parts, " UNION ALL "), all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([][]string, len(cols))
	for rows.Next() {
		var i int
		var v []byte
		if err := rows.Scan(&i, &v); err != nil {
			return nil, err
		}
		out[i] = append(out[i], string(v))
	}
	return out, rows.Err()
}

func (h *Handler) ensureMaskTables(ctx context.Context, tx *sql.Tx, st *txState, n int) error {
	for ; st.maskTables < n; st.maskTables++ {
		name := "piimap_mask_" + strconv.Itoa(st.maskTables)
		// A table left by an earlier, failed transaction on this pooled
		// connection must not leak its pairs into this one.
		if _, err := h.exec(ctx, tx, "DROP TEMPORARY TABLE IF EXISTS "+name, nil); err != nil {
			return err
		}
		if _, err := h.exec(ctx, tx, "CREATE TEMPORARY TABLE "+name+
			" (f INT NOT NULL, o LONGBLOB NOT NULL, n VARCHAR(64) NOT NULL, KEY (f, o(255))) ENGINE=InnoDB", nil); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) dropMaskTables(ctx context.Context, tx *sql.Tx, st *txState) error {
	names := make([]string, st.maskTables)
	for i := range names {
		names[i] = "piimap_mask_" + strconv.Itoa(i)
	}
	_, err := h.exec(ctx, tx, "DROP TEMPORARY TABLE IF EXISTS "+strings.Join(names, ", "), nil)
	return err
}

// maxInsertBytes bounds one INSERT of value→token pairs, well under the
// default max_allowed_packet (16 MB on MariaDB): a subject's values fit in
// one statement unless they are megabytes of text.
const maxInsertBytes = 4 << 20

func (h *Handler) fillMask(ctx context.Context, tx *sql.Tx, table, target int, olds []string) error {
	var ph []string
	var args []any
	size := 0
	flush := func() error {
		if len(ph) == 0 {
			return nil
		}
		_, err := h.exec(ctx, tx, "INSERT INTO piimap_mask_"+strconv.Itoa(table)+" (f, o, n) VALUES "+strings.Join(ph, ", "), args)
		ph, args, size = ph[:0], nil, 0
		return err
	}
	for _, o := range olds {
		ph = append(ph, "(?, ?, ?)")
		args = append(args, target, []byte(o), driver.MaskToken(h.maskKey, o))
		if size += 2*len(o) + 64; size >= maxInsertBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// Rectify sets each target's Changes (field → new value) on the subject's
// rows, in one transaction. Only rows not already holding the new values
// count as changed, so a second rectification changes nothing.
func (h *Handler) Rectify(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	return h.inTx(ctx, ts, opt, h.rectify)
}

func (h *Handler) rectify(ctx context.Context, tx *sql.Tx, _ *txState, _ int, tb *table, t driver.Target, dry bool) (driver.Result, error) {
	w, args, err := h.where(tb, t)
	if err != nil {
		return driver.Result{}, err
	}
	var sets, differ []string
	var setArgs, diffArgs []any
	for _, f := range sqlkit.SortedKeys(t.Changes) {
		c := tb.cols[f]
		if c == nil {
			return driver.Result{}, fmt.Errorf("rectify: field %s is not a top-level column: %w", f, piimap.ErrUnsupported)
		}
		q := "t." + smy.QuoteIdent(f)
		sets = append(sets, q+" = ?")
		setArgs = append(setArgs, t.Changes[f])
		if c.isString() {
			differ = append(differ, "NOT (CAST(CONVERT("+q+" USING utf8mb4) AS BINARY) <=> CAST(CONVERT(? USING utf8mb4) AS BINARY))")
		} else {
			differ = append(differ, "NOT ("+q+" <=> ?)")
		}
		diffArgs = append(diffArgs, t.Changes[f])
	}
	if len(sets) == 0 {
		return driver.Result{}, nil
	}
	cond := "(" + strings.Join(differ, " OR ") + ")"
	var found, stale int64
	h.stmts.Add(1)
	err = tx.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM("+cond+"), 0) FROM "+tb.quoted+" AS t WHERE "+w,
		append(append([]any{}, diffArgs...), args...)...).Scan(&found, &stale)
	if err != nil {
		return driver.Result{}, err
	}
	if r, ok := sqlkit.RectifyCounted(found, stale, tb.view, dry); ok {
		return r, nil
	}
	all := append(append(append([]any{}, setArgs...), args...), diffArgs...)
	n, err := h.exec(ctx, tx, "UPDATE "+tb.quoted+" AS t SET "+strings.Join(sets, ", ")+" WHERE "+w+" AND "+cond, all)
	if err != nil {
		return driver.Result{}, err
	}
	return driver.Result{Found: found, Changed: n}, nil
}
