package postgres

import (
	"context"
	"fmt"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	"github.com/piimap/piimap/scanner"
	spg "github.com/piimap/piimap/scanner/postgres"
)

var _ driver.Purger = (*Handler)(nil)

// Purge removes the erased rows' bytes as the store's purge option says
// (StoreConfig.Purge, default vacuum):
//
//   - vacuum_full: VACUUM FULL rewrites the table, its TOAST table and
//     its indexes into new files and drops the old ones: gone;
//   - vacuum: plain VACUUM marks the dead tuples' space reusable, but the
//     bytes stay in the pages until new rows overwrite them, which no one
//     can date: pending, without a date;
//   - none: nothing is run: exception.
//
// VACUUM cannot run in a transaction; it runs on its own session without
// the statement timeout (it may take long) but with the lock timeout (VACUUM
// FULL takes an exclusive lock): a table it cannot lock gets an exception.
// WAL segments, replicas and backups are outside the table and not covered.
func (h *Handler) Purge(ctx context.Context, ts []driver.Target) ([]driver.PurgeReport, error) {
	opt := h.purge
	if opt == "" {
		opt = scanner.PurgeVacuum
	}
	var stmt string
	switch opt {
	case scanner.PurgeVacuumFull:
		stmt = "VACUUM (FULL) "
	case scanner.PurgeVacuum:
		stmt = "VACUUM "
	case scanner.PurgeNone:
		return sqlkit.EachAsset(ts, driver.PurgeException, "purge: none configured; the dead tuples' bytes stay in the table's pages until autovacuum frees the space and new rows overwrite it"), nil
	default:
		return sqlkit.EachAsset(ts, driver.PurgeException, fmt.Sprintf("purge option %q is not one Postgres supports (none, vacuum, vacuum_full); nothing was run", opt)), nil
	}
	if h.readOnly {
		return nil, fmt.Errorf("postgres: %s: purge: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	var out []driver.PurgeReport
	seen := map[string]bool{}
	for _, t := range ts {
		if seen[t.Asset] {
			continue
		}
		seen[t.Asset] = true
		cat, err := h.tables(ctx, t.Asset)
		if err != nil {
			out = append(out, driver.PurgeReport{Asset: t.Asset, State: driver.PurgeException, Detail: "purge: " + err.Error()})
			continue
		}
		if err := h.vacuum(ctx, stmt+cat[t.Asset].quoted); err != nil {
			out = append(out, driver.PurgeReport{Asset: t.Asset, State: driver.PurgeException,
				Detail: "purge: " + stmt + "failed, the erased bytes stay until it runs: " + spg.WrapError(ctx, h.store+"/"+t.Asset, err).Error()})
			continue
		}
		if opt == scanner.PurgeVacuumFull {
			out = append(out, driver.PurgeReport{Asset: t.Asset, State: driver.PurgeGone,
				Detail: "VACUUM FULL rewrote the table, its TOAST table and indexes into new files; the old files are removed (WAL, replicas and backups not covered)"})
		} else {
			out = append(out, driver.PurgeReport{Asset: t.Asset, State: driver.PurgePending,
				Detail: "VACUUM ran; bytes remain until the pages are reused (no date can be given; purge: vacuum_full removes them)"})
		}
	}
	return out, nil
}

// vacuum runs one VACUUM on a session of its own, outside any transaction
// and without a statement timeout.
func (h *Handler) vacuum(ctx context.Context, q string) error {
	c, err := h.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	h.stmts.Add(3)
	if _, err := c.Exec(ctx, "SET statement_timeout = 0"); err != nil {
		return err
	}
	_, verr := c.Exec(ctx, q)
	if _, err := c.Exec(context.WithoutCancel(ctx), "RESET statement_timeout"); err != nil {
		// Do not hand a session without its timeout back to the pool.
		_ = c.Conn().Close(context.WithoutCancel(ctx))
	}
	return verr
}
