package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/piimap/piimap/executor/driver"
)

// Restriction of processing: with the store's restrict_column configured
// (scanner.StoreConfig.RestrictColumn), the subject's rows of every table
// that has that column, of type boolean, get it set to true, in one
// transaction. Tables without it are left out of the results; the request
// flow records an exception for them.

var _ driver.Restricter = (*Handler)(nil)

// CanRestrict reports whether a restrict_column is configured.
func (h *Handler) CanRestrict() bool { return h.restrictCol != "" }

// Restrict marks the subject's rows of each target whose table has the
// restrict column; it is idempotent (a marked row is not updated again).
func (h *Handler) Restrict(ctx context.Context, ts []driver.Target) ([]driver.Result, error) {
	if h.restrictCol == "" || len(ts) == 0 {
		return nil, nil
	}
	cat, err := h.tables(ctx, sqlAssets(ts)...)
	if err != nil {
		return nil, err
	}
	var marked []driver.Target
	for _, t := range ts {
		if tb := cat[t.Asset]; tb != nil && !tb.view {
			if c, ok := tb.cols[h.restrictCol]; ok && c.typname == "bool" {
				marked = append(marked, t)
			}
		}
	}
	col := pgx.Identifier{h.restrictCol}.Sanitize()
	return h.txn().Run(ctx, marked, false, func(ctx context.Context, tx pgx.Tx, _ int, tb *table, t driver.Target, _ bool) (driver.Result, error) {
		p := &Params{}
		w, err := h.where(tb, t, p)
		if err != nil {
			return driver.Result{}, err
		}
		found, err := h.countTx(ctx, tx, tb, w, p)
		if err != nil {
			return driver.Result{}, err
		}
		n, err := h.exec(ctx, tx, "UPDATE "+tb.quoted+" AS s SET "+col+" = true WHERE ("+w+") AND s."+col+" IS DISTINCT FROM true", p.Args)
		return driver.Result{Found: found, Changed: n}, err
	})
}

func sqlAssets(ts []driver.Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Asset
	}
	return out
}
