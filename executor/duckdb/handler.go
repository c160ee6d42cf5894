package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	"github.com/piimap/piimap/executor/sqlkit/duckdbsql"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// Kind is the store kind this package handles.
const Kind = "duckdb"

func init() { driver.Register(Kind, Open) }

// Handler finds, erases and rectifies a subject's rows in the tables of one
// DuckDB database file.
type Handler struct {
	db       *sql.DB
	store    string
	readOnly bool
	maskKey  []byte
	url      string // the store URL Open was given; Purge reopens it

	consOnce sync.Once
	cons     *constraints
	consErr  error
}

var (
	_ driver.Handler         = (*Handler)(nil)
	_ driver.Counter         = (*Handler)(nil)
	_ driver.Rectifier       = (*Handler)(nil)
	_ driver.ModeChecker     = (*Handler)(nil)
	_ driver.ParquetExporter = (*Handler)(nil)
)

// Open opens the database of a duckdb:// store; read-only unless the
// executor is about to write.
func Open(ctx context.Context, sc scanner.StoreConfig, opt driver.HandlerOptions) (driver.Handler, error) {
	db, err := sduck.Open(ctx, sc.URL, opt.ReadOnly)
	if err != nil {
		return nil, err
	}
	return &Handler{db: db, store: sc.Name, readOnly: opt.ReadOnly, maskKey: opt.MaskKey, url: sc.URL}, nil
}

// New wraps an open database (tests, embedding).
func New(db *sql.DB, store string, opt driver.HandlerOptions) *Handler {
	return &Handler{db: db, store: store, readOnly: opt.ReadOnly, maskKey: opt.MaskKey}
}

// Close closes the database.
func (h *Handler) Close() error { return h.db.Close() }

// relation is a target's quoted table and its column types.
type relation struct {
	table string
	types map[string]string
}

func (h *Handler) relation(ctx context.Context, q duckdbsql.Querier, asset string) (relation, error) {
	schema, table, ok := sduck.SplitAsset(asset)
	if !ok {
		return relation{}, fmt.Errorf("duckdb: %s/%s: asset is not schema.table: %w", h.store, asset, piimap.ErrConfig)
	}
	r := relation{table: sduck.QuoteTable(schema, table)}
	types, err := duckdbsql.Columns(ctx, q, r.table)
	if err != nil {
		return relation{}, fmt.Errorf("duckdb: %s/%s: describe: %w", h.store, asset, err)
	}
	r.types = types
	return r, nil
}

func (h *Handler) where(r relation, t driver.Target) (string, []any, error) {
	w, args, err := duckdbsql.Where(t.Match, func(f string) (string, error) { return duckdbsql.ColumnExpr(f, r.types) })
	if err != nil {
		return "", nil, fmt.Errorf("duckdb: %s/%s: %w", h.store, t.Asset, err)
	}
	return w, args, nil
}

// Find emits the subject's rows of one table as Arrow record batches.
func (h *Handler) Find(ctx context.Context, t driver.Target, emit func(driver.Batch) error) error {
	r, err := h.relation(ctx, h.db, t.Asset)
	if err != nil {
		return err
	}
	w, args, err := h.where(r, t)
	if err != nil {
		return err
	}
	if err := duckdbsql.QueryArrow(ctx, h.db, "SELECT * FROM "+r.table+" WHERE "+w, args, emit); err != nil {
		return fmt.Errorf("duckdb: find %s/%s: %w", h.store, t.Asset, err)
	}
	return nil
}

// Count counts the subject's rows of one table.
func (h *Handler) Count(ctx context.Context, t driver.Target) (int64, error) {
	return h.count(ctx, h.db, t)
}

func (h *Handler) count(ctx context.Context, q duckdbsql.Querier, t driver.Target) (int64, error) {
	r, err := h.relation(ctx, q, t.Asset)
	if err != nil {
		return 0, err
	}
	w, args, err := h.where(r, t)
	if err != nil {
		return 0, err
	}
	rows, err := q.QueryContext(ctx, "SELECT count(*) FROM "+r.table+" WHERE "+w, args...)
	if err != nil {
		return 0, fmt.Errorf("duckdb: count %s/%s: %w", h.store, t.Asset, err)
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("duckdb: count %s/%s: %w", h.store, t.Asset, err)
		}
	}
	return n, rows.Err()
}

// ExportParquet writes the subject's rows of a table to a Parquet file.
func (h *Handler) ExportParquet(ctx context.Context, t driver.Target, path string) (int64, error) {
	r, err := h.relation(ctx, h.db, t.Asset)
	if err != nil {
		return 0, err
	}
	w, args, err := h.where(r, t)
	if err != nil {
		return 0, err
	}
	q := "COPY (SELECT * FROM " + r.table + " WHERE " + w + ") TO " + duckdbsql.QuoteLiteral(path) + " (FORMAT PARQUET)"
	res, err := h.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("duckdb: export %s/%s: %w", h.store, t.Asset, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Erase applies each target's mode in one transaction, in the order given
// (children first). A dry run only counts.
func (h *Handler) Erase(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	if err := sqlkit.CheckAll(ctx, ts, nil, h.CheckMode); err != nil {
		return nil, err
	}
	return h.inTx(ctx, ts, opt, func(tx *sql.Tx, r relation, t driver.Target, w string, args []any) (int64, error) {
		switch t.Mode {
		case driver.ModeNull:
			return h.nullRows(ctx, tx, r, t, w, args)
		case driver.ModeMask:
			return h.maskRows(ctx, tx, r, t, w, args)
		}
		return exec(ctx, tx, "DELETE FROM "+r.table+" WHERE "+w, args)
	})
}

// Rectify sets each target's Changes (field → new value) on the subject's
// rows, in one transaction.
func (h *Handler) Rectify(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	return h.inTx(ctx, ts, opt, func(tx *sql.Tx, r relation, t driver.Target, w string, args []any) (int64, error) {
		var sets []string
		var vals []any
		for _, f := range sqlkit.SortedKeys(t.Changes) {
			if _, ok := r.types[f]; !ok {
				return 0, fmt.Errorf("duckdb: rectify %s/%s: field %s is not a column: %w", h.store, t.Asset, f, piimap.ErrUnsupported)
			}
			sets = append(sets, sduck.QuoteIdent(f)+" = ?")
			vals = append(vals, t.Changes[f])
		}
		if len(sets) == 0 {
			return 0, nil
		}
		// Only rows not already holding the new values count as changed,
		// so a second rectification changes nothing.
		var differ []string
		for _, f := range sqlkit.SortedKeys(t.Changes) {
			differ = append(differ, sduck.QuoteIdent(f)+" IS DISTINCT FROM ?")
			args = append(args, t.Changes[f])
		}
		q := "UPDATE " + r.table + " SET " + strings.Join(sets, ", ") + " WHERE " + w + " AND (" + strings.Join(differ, " OR ") + ")"
		return exec(ctx, tx, q, append(vals, args...))
	})
}

type applyFunc func(tx *sql.Tx, r relation, t driver.Target, where string, args []any) (int64, error)

// inTx runs the targets in one transaction (sqlkit.Txn), in the order
// given, or, when DuckDB's foreign-key checks need it, one transaction per
// table. Each target is counted first; a dry run only counts.
func (h *Handler) inTx(ctx context.Context, ts []driver.Target, opt driver.EraseOptions, apply applyFunc) ([]driver.Result, error) {
	x := sqlkit.Txn[*sql.Tx, struct{}]{
		Kind: Kind, Store: h.store, ReadOnly: h.readOnly,
		Begin: func(ctx context.Context, _ bool) (*sql.Tx, error) {
			tx, err := h.db.BeginTx(ctx, nil)
			if err != nil {
				return nil, fmt.Errorf("duckdb: %s: begin: %w", h.store, err)
			}
			return tx, nil
		},
		Commit: func(_ context.Context, tx *sql.Tx) error {
			if err := tx.Commit(); err != nil {
				return fmt.Errorf("duckdb: %s: commit: %w", h.store, err)
			}
			return nil
		},
		Rollback: func(_ context.Context, tx *sql.Tx) { _ = tx.Rollback() }, // a no-op after Commit
	}
	if err := x.Writable(opt.DryRun); err != nil {
		return nil, err
	}
	groups := [][]driver.Target{ts} // one transaction for the store ...
	if !opt.DryRun {
		c, err := h.constraints(ctx)
		if err != nil {
			return nil, err
		}
		if c.linked(ts) { // ... unless DuckDB's FK checks need a commit per table
			groups = groups[:0]
			for _, t := range ts {
				groups = append(groups, []driver.Target{t})
			}
		}
	}
	step := func(ctx context.Context, tx *sql.Tx, _ int, _ struct{}, t driver.Target, dry bool) (driver.Result, error) {
		r, err := h.relation(ctx, tx, t.Asset)
		if err != nil {
			return driver.Result{}, err
		}
		w, args, err := h.where(r, t)
		if err != nil {
			return driver.Result{}, err
		}
		found, err := h.count(ctx, tx, t)
		if err != nil {
			return driver.Result{}, err
		}
		res := driver.Result{Found: found}
		if dry {
			res.Changed = found
		} else if found > 0 {
			if res.Changed, err = apply(tx, r, t, w, args); err != nil {
				return driver.Result{}, fmt.Errorf("duckdb: %s/%s: %w", h.store, t.Asset, err)
			}
		}
		return res, nil
	}
	out := make([]driver.Result, 0, len(ts))
	for _, g := range groups {
		res, err := x.Run(ctx, g, opt.DryRun, step)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func exec(ctx context.Context, tx *sql.Tx, q string, args []any) (int64, error) {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
