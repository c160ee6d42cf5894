package mysql

import (
	"context"
	"database/sql"

	"github.com/piimap/piimap/executor/driver"
	smy "github.com/piimap/piimap/scanner/mysql"
)

// Restriction of processing: with the store's restrict_column configured
// (scanner.StoreConfig.RestrictColumn), the subject's rows of every table
// that has that column (a BOOLEAN, i.e. TINYINT, or BIT) get it set to 1,
// in one transaction. Tables without it are left out of the results; the
// request flow records an exception for them.

var _ driver.Restricter = (*Handler)(nil)

// CanRestrict reports whether a restrict_column is configured.
func (h *Handler) CanRestrict() bool { return h.restrictCol != "" }

// Restrict marks the subject's rows of each target whose table has the
// restrict column; idempotent (a marked row is not updated again).
func (h *Handler) Restrict(ctx context.Context, ts []driver.Target) ([]driver.Result, error) {
	if h.restrictCol == "" || len(ts) == 0 {
		return nil, nil
	}
	assets := make([]string, len(ts))
	for i, t := range ts {
		assets[i] = t.Asset
	}
	cat, err := h.tables(ctx, assets...)
	if err != nil {
		return nil, err
	}
	var marked []driver.Target
	for _, t := range ts {
		if tb := cat[t.Asset]; tb != nil && !tb.view {
			if c, ok := tb.cols[h.restrictCol]; ok && (c.dataType == "tinyint" || c.dataType == "bit") {
				marked = append(marked, t)
			}
		}
	}
	col := "t." + smy.QuoteIdent(h.restrictCol)
	return h.inTx(ctx, marked, driver.EraseOptions{}, func(ctx context.Context, tx *sql.Tx, _ *txState, _ int, tb *table, t driver.Target, _ bool) (driver.Result, error) {
		w, args, err := h.where(tb, t)
		if err != nil {
			return driver.Result{}, err
		}
		found, err := h.count(ctx, tx, tb, w, args)
		if err != nil {
			return driver.Result{}, err
		}
		n, err := h.exec(ctx, tx, "UPDATE "+tb.quoted+" AS t SET "+col+" = 1 WHERE ("+w+") AND NOT ("+col+" <=> 1)", args)
		return driver.Result{Found: found, Changed: n}, err
	})
}
