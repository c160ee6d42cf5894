package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// Kind is the store kind this package handles.
const Kind = "duckdb"

func init() { executor.Register(Kind, Open) }

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
	_ executor.Handler         = (*Handler)(nil)
	_ executor.Counter         = (*Handler)(nil)
	_ executor.Rectifier       = (*Handler)(nil)
	_ executor.ModeChecker     = (*Handler)(nil)
	_ executor.ParquetExporter = (*Handler)(nil)
)

// Open opens the database of a duckdb:// store; read-only unless the
// executor is about to write.
func Open(ctx context.Context, sc scanner.StoreConfig, opt executor.HandlerOptions) (executor.Handler, error) {
	db, err := sduck.Open(ctx, sc.URL, opt.ReadOnly)
	if err != nil {
		return nil, err
	}
	return &Handler{db: db, store: sc.Name, readOnly: opt.ReadOnly, maskKey: opt.MaskKey, url: sc.URL}, nil
}

// New wraps an open database (tests, embedding).
func New(db *sql.DB, store string, opt executor.HandlerOptions) *Handler {
	return &Handler{db: db, store: store, readOnly: opt.ReadOnly, maskKey: opt.MaskKey}
}

// Close closes the database.
func (h *Handler) Close() error { return h.db.Close() }

// relation is a target's quoted table and its column types.
type relation struct {
	table string
	types map[string]string
}

func (h *Handler) relation(ctx context.Context, q querier, asset string) (relation, error) {
	schema, table, ok := sduck.SplitAsset(asset)
	if !ok {
		return relation{}, fmt.Errorf("duckdb: %s/%s: asset is not schema.table: %w", h.store, asset, piimap.ErrConfig)
	}
	r := relation{table: sduck.QuoteTable(schema, table)}
	types, err := Columns(ctx, q, r.table)
	if err != nil {
		return relation{}, fmt.Errorf("duckdb: %s/%s: describe: %w", h.store, asset, err)
	}
	r.types = types
	return r, nil
}

func (h *Handler) where(r relation, t executor.Target) (string, []any, error) {
	w, args, err := Where(t.Match, func(f string) (string, error) { return ColumnExpr(f, r.types) })
	if err != nil {
		return "", nil, fmt.Errorf("duckdb: %s/%s: %w", h.store, t.Asset, err)
	}
	return w, args, nil
}

// Find emits the subject's rows of one table as Arrow record batches.
func (h *Handler) Find(ctx context.Context, t executor.Target, emit func(executor.Batch) error) error {
	r, err := h.relation(ctx, h.db, t.Asset)
	if err != nil {
		return err
	}
	w, args, err := h.where(r, t)
	if err != nil {
		return err
	}
	if err := QueryArrow(ctx, h.db, "SELECT * FROM "+r.table+" WHERE "+w, args, emit); err != nil {
		return fmt.Errorf("duckdb: find %s/%s: %w", h.store, t.Asset, err)
	}
	return nil
}

// Count counts the subject's rows of one table.
func (h *Handler) Count(ctx context.Context, t executor.Target) (int64, error) {
	return h.count(ctx, h.db, t)
}

func (h *Handler) count(ctx context.Context, q querier, t executor.Target) (int64, error) {
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
func (h *Handler) ExportParquet(ctx context.Context, t executor.Target, path string) (int64, error) {
	r, err := h.relation(ctx, h.db, t.Asset)
	if err != nil {
		return 0, err
	}
	w, args, err := h.where(r, t)
	if err != nil {
		return 0, err
	}
	q := "COPY (SELECT * FROM " + r.table + " WHERE " + w + ") TO " + quoteLiteral(path) + " (FORMAT PARQUET)"
	res, err := h.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("duckdb: export %s/%s: %w", h.store, t.Asset, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Erase applies each target's mode in one transaction, in the order given
// (children first). A dry run only counts.
func (h *Handler) Erase(ctx context.Context, ts []executor.Target, opt executor.EraseOptions) ([]executor.Result, error) {
	for _, t := range ts {
		if err := h.CheckMode(t); err != nil {
			return nil, err
		}
	}
	return h.inTx(ctx, ts, opt, func(tx *sql.Tx, r relation, t executor.Target, w string, args []any) (int64, error) {
		switch t.Mode {
		case executor.ModeNull:
			return h.nullRows(ctx, tx, r, t, w, args)
		case executor.ModeMask:
			return h.maskRows(ctx, tx, r, t, w, args)
		}
		return exec(ctx, tx, "DELETE FROM "+r.table+" WHERE "+w, args)
	})
}

// Rectify sets each target's Changes (field → new value) on the subject's
// rows, in one transaction.
func (h *Handler) Rectify(ctx context.Context, ts []executor.Target, opt executor.EraseOptions) ([]executor.Result, error) {
	return h.inTx(ctx, ts, opt, func(tx *sql.Tx, r relation, t executor.Target, w string, args []any) (int64, error) {
		var sets []string
		var vals []any
		for _, f := range sortedFields(t.Changes) {
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
		for _, f := range sortedFields(t.Changes) {
			differ = append(differ, sduck.QuoteIdent(f)+" IS DISTINCT FROM ?")
			args = append(args, t.Changes[f])
		}
		q := "UPDATE " + r.table + " SET " + strings.Join(sets, ", ") + " WHERE " + w + " AND (" + strings.Join(differ, " OR ") + ")"
		return exec(ctx, tx, q, append(vals, args...))
	})
}

type applyFunc func(tx *sql.Tx, r relation, t executor.Target, where string, args []any) (int64, error)

func (h *Handler) inTx(ctx context.Context, ts []executor.Target, opt executor.EraseOptions, apply applyFunc) ([]executor.Result, error) {
	if !opt.DryRun && h.readOnly {
		return nil, fmt.Errorf("duckdb: %s: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	groups := [][]executor.Target{ts} // one transaction for the store ...
	if !opt.DryRun {
		c, err := h.constraints(ctx)
		if err != nil {
			return nil, err
		}
		if c.linked(ts) { // ... unless DuckDB's FK checks need a commit per table
			groups = groups[:0]
			for _, t := range ts {
				groups = append(groups, []executor.Target{t})
			}
		}
	}
	out := make([]executor.Result, 0, len(ts))
	for _, g := range groups {
		res, err := h.txGroup(ctx, g, opt, apply)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func (h *Handler) txGroup(ctx context.Context, ts []executor.Target, opt executor.EraseOptions, apply applyFunc) ([]executor.Result, error) {
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("duckdb: %s: begin: %w", h.store, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	out := make([]executor.Result, 0, len(ts))
	for _, t := range ts {
		r, err := h.relation(ctx, tx, t.Asset)
		if err != nil {
			return nil, err
		}
		w, args, err := h.where(r, t)
		if err != nil {
			return nil, err
		}
		found, err := h.count(ctx, tx, t)
		if err != nil {
			return nil, err
		}
		res := executor.Result{Asset: t.Asset, Found: found}
		if opt.DryRun {
			res.Changed = found
		} else if found > 0 {
			if res.Changed, err = apply(tx, r, t, w, args); err != nil {
				return nil, fmt.Errorf("duckdb: %s/%s: %w", h.store, t.Asset, err)
			}
		}
		out = append(out, res)
	}
	if opt.DryRun {
		return out, nil
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("duckdb: %s: commit: %w", h.store, err)
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
