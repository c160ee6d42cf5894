package postgres

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	spg "github.com/piimap/piimap/scanner/postgres"
)

// Erase applies each target's mode in one transaction, children first; a
// dry run only counts. Modes the catalog shows cannot work are refused
// before the transaction starts, so nothing is half-done.
func (h *Handler) Erase(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	if err := sqlkit.CheckAll(ctx, ts, h.load, h.CheckMode); err != nil {
		return nil, err
	}
	return h.txn().Run(ctx, ts, opt.DryRun, h.erase)
}

func (h *Handler) erase(ctx context.Context, tx pgx.Tx, _ int, tb *table, t driver.Target, dry bool) (driver.Result, error) {
	p := &Params{}
	w, err := h.where(tb, t, p)
	if err != nil {
		return driver.Result{}, err
	}
	if dry || tb.view {
		// A view is only counted; Verify reports whatever it still shows
		// (a materialized view until it is refreshed, rows of a base table
		// outside the plan).
		n, err := h.countTx(ctx, tx, tb, w, p)
		return sqlkit.Counted(n, tb.view, dry), err
	}
	var n int64
	switch t.Mode {
	case driver.ModeNull:
		_, nulls, err := clearPlan(tb, t)
		if err != nil {
			return driver.Result{}, err
		}
		n, err = h.update(ctx, tx, tb, nil, nulls, w, p)
		if err != nil {
			return driver.Result{}, err
		}
	case driver.ModeMask:
		return h.mask(ctx, tx, tb, t, w, p)
	default:
		n, err = h.exec(ctx, tx, "DELETE FROM "+tb.quoted+" AS s WHERE "+w, p.Args)
		if err != nil {
			return driver.Result{}, err
		}
	}
	return driver.Result{Found: n, Changed: n}, nil
}

// mask replaces the subject's string values with HMAC tokens (computed
// here, so the key never reaches the server or its logs) and sets the other
// cleared columns to NULL: one SELECT of the distinct values, one UPDATE.
func (h *Handler) mask(ctx context.Context, tx pgx.Tx, tb *table, t driver.Target, w string, p *Params) (driver.Result, error) {
	if err := sqlkit.NeedMaskKey(h.maskKey); err != nil {
		return driver.Result{}, err
	}
	tokens, nulls, err := clearPlan(tb, t)
	if err != nil {
		return driver.Result{}, err
	}
	sel := []string{"count(*)"}
	for _, c := range tokens {
		q := "s." + spg.QuoteIdent(c.name) + "::text"
		sel = append(sel, "coalesce(array_agg(DISTINCT "+q+") FILTER (WHERE "+q+" IS NOT NULL), '{}')")
	}
	dest := make([]any, 1+len(tokens))
	var found int64
	dest[0] = &found
	olds := make([][]string, len(tokens))
	for i := range tokens {
		dest[1+i] = &olds[i]
	}
	h.stmts.Add(1)
	if err := tx.QueryRow(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM "+tb.quoted+" AS s WHERE "+w, p.Args...).Scan(dest...); err != nil {
		return driver.Result{}, err
	}
	if found == 0 {
		return driver.Result{}, nil
	}
	maps := make([][2][]string, len(tokens))
	for i, vals := range olds {
		news := make([]string, len(vals))
		for j, v := range vals {
			news[j] = driver.MaskToken(h.maskKey, v)
		}
		maps[i] = [2][]string{vals, news}
	}
	n, err := h.update(ctx, tx, tb, &tokenMaps{cols: tokens, maps: maps}, nulls, w, p)
	if err != nil {
		return driver.Result{}, err
	}
	return driver.Result{Found: found, Changed: n}, nil
}

// tokenMaps are value → token arrays for the masked string columns.
type tokenMaps struct {
	cols []*column
	maps [][2][]string // per column: old values, tokens
}

// update sets the null columns to NULL and, with tm, each token column to
// its value's token, in one statement over the matched rows. Every SET
// expression reads the row as it was, so clearing a match column cannot
// unmatch the row half-way.
func (h *Handler) update(ctx context.Context, tx pgx.Tx, tb *table, tm *tokenMaps, nulls []*column, w string, p *Params) (int64, error) {
	var sets []string
	for _, c := range nulls {
		sets = append(sets, spg.QuoteIdent(c.name)+" = NULL")
	}
	if tm == nil || len(tm.cols) == 0 {
		if len(sets) == 0 {
			return 0, fmt.Errorf("nothing to clear: %w", piimap.ErrUnsupported)
		}
		return h.exec(ctx, tx, "UPDATE "+tb.quoted+" AS s SET "+strings.Join(sets, ", ")+" WHERE "+w, p.Args)
	}
	var joins []string
	for i, c := range tm.cols {
		m := "m" + strconv.Itoa(i)
		sets = append(sets, spg.QuoteIdent(c.name)+" = "+m+".n")
		joins = append(joins, " LEFT JOIN unnest("+p.Add(tm.maps[i][0])+"::text[], "+p.Add(tm.maps[i][1])+"::text[]) AS "+m+
			"(o, n) ON "+m+".o = s."+spg.QuoteIdent(c.name)+"::text")
	}
	sort.Strings(sets)
	q := "UPDATE " + tb.quoted + " AS u SET " + strings.Join(sets, ", ") +
		" FROM " + tb.quoted + " AS s" + strings.Join(joins, "") +
		" WHERE u.ctid = s.ctid AND u.tableoid = s.tableoid AND " + w
	return h.exec(ctx, tx, q, p.Args)
}

// Rectify sets each target's Changes (field → new value) on the subject's
// rows, in one transaction. Only rows not already holding the new values
// count as changed, so a second rectification changes nothing.
func (h *Handler) Rectify(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	return h.txn().Run(ctx, ts, opt.DryRun, h.rectify)
}

func (h *Handler) rectify(ctx context.Context, tx pgx.Tx, _ int, tb *table, t driver.Target, dry bool) (driver.Result, error) {
	p := &Params{}
	w, err := h.where(tb, t, p)
	if err != nil {
		return driver.Result{}, err
	}
	var sets, differ []string
	for _, f := range sqlkit.SortedKeys(t.Changes) {
		c := tb.cols[f]
		if c == nil {
			return driver.Result{}, fmt.Errorf("rectify: field %s is not a top-level column: %w", f, piimap.ErrUnsupported)
		}
		val := "CAST(" + p.Add(t.Changes[f]) + "::text AS " + c.typ + ")"
		sets = append(sets, spg.QuoteIdent(f)+" = "+val)
		differ = append(differ, "s."+spg.QuoteIdent(f)+" IS DISTINCT FROM "+val)
	}
	if len(sets) == 0 {
		return driver.Result{}, nil
	}
	cond := "(" + strings.Join(differ, " OR ") + ")"
	var found, stale int64
	h.stmts.Add(1)
	if err := tx.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE "+cond+") FROM "+tb.quoted+" AS s WHERE "+w, p.Args...).Scan(&found, &stale); err != nil {
		return driver.Result{}, err
	}
	if r, ok := sqlkit.RectifyCounted(found, stale, tb.view, dry); ok {
		return r, nil
	}
	n, err := h.exec(ctx, tx, "UPDATE "+tb.quoted+" AS s SET "+strings.Join(sets, ", ")+" WHERE "+w+" AND "+cond, p.Args)
	if err != nil {
		return driver.Result{}, err
	}
	return driver.Result{Found: found, Changed: n}, nil
}

var _ driver.Recomputer = (*Handler)(nil)

// Recompute refreshes the materialized views among the targets, after the
// erasure of their base tables committed, so they stop showing the
// subject's rows; plain views need nothing. Each refresh is one statement.
func (h *Handler) Recompute(ctx context.Context, ts []driver.Target) error {
	for _, t := range ts {
		cat, err := h.tables(ctx, t.Asset)
		if err != nil {
			return err
		}
		tb := cat[t.Asset]
		if tb == nil || !tb.matview {
			continue
		}
		h.stmts.Add(1)
		if _, err := h.pool.Exec(ctx, "REFRESH MATERIALIZED VIEW "+tb.quoted); err != nil {
			return spg.WrapError(ctx, h.store+": refresh "+t.Asset, err)
		}
	}
	return nil
}
