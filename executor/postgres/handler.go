package postgres

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/scanner"
	spg "github.com/piimap/piimap/scanner/postgres"
)

// Kind is the store kind this package handles.
const Kind = "postgres"

func init() { executor.Register(Kind, Open) }

// findBatch is the number of rows per emitted Batch.
const findBatch = 1000

// Handler finds, erases and rectifies a subject's rows in the tables of one
// Postgres database.
type Handler struct {
	pool     *pgxpool.Pool
	cfg      *spg.Config
	store    string
	readOnly bool
	maskKey  []byte
	purge    string // StoreConfig.Purge; "" is vacuum
	stmts    atomic.Int64

	mu  sync.Mutex
	cat map[string]*table // asset → catalog entry, read once per handler
}

var (
	_ executor.Handler     = (*Handler)(nil)
	_ executor.Counter     = (*Handler)(nil)
	_ executor.Rectifier   = (*Handler)(nil)
	_ executor.ModeChecker = (*Handler)(nil)
)

// Open opens a bounded pool on a postgres:// store. Every session carries
// the URL's statement_timeout and lock_timeout (defaults 30 s and 5 s);
// read-only handlers' sessions are read-only too.
func Open(ctx context.Context, sc scanner.StoreConfig, opt executor.HandlerOptions) (executor.Handler, error) {
	cfg, err := spg.ParseURL(sc.URL)
	if err != nil {
		return nil, err
	}
	rp := cfg.Pool.ConnConfig.RuntimeParams
	rp["statement_timeout"] = strconv.FormatInt(cfg.StatementTimeout.Milliseconds(), 10)
	rp["lock_timeout"] = strconv.FormatInt(cfg.LockTimeout.Milliseconds(), 10)
	if _, ok := rp["application_name"]; !ok {
		rp["application_name"] = "piimap-executor"
	}
	pool, err := cfg.Open(ctx, opt.ReadOnly)
	if err != nil {
		return nil, err
	}
	h := New(pool, cfg, sc.Name, opt)
	h.purge = sc.Purge
	return h, nil
}

// New wraps an open pool and its parsed configuration (tests, embedding).
func New(pool *pgxpool.Pool, cfg *spg.Config, store string, opt executor.HandlerOptions) *Handler {
	return &Handler{pool: pool, cfg: cfg, store: store, readOnly: opt.ReadOnly, maskKey: opt.MaskKey, cat: map[string]*table{}}
}

// Close closes the pool.
func (h *Handler) Close() error { h.pool.Close(); return nil }

// Statements is the number of SQL statements the handler has sent so far,
// catalog reads, BEGIN, SET LOCAL and COMMIT included.
func (h *Handler) Statements() int64 { return h.stmts.Load() }

func (h *Handler) where(tb *table, t executor.Target, p *Params) (string, error) {
	w, err := Where(t.Match, func(f string) (Col, error) { return fieldCol(tb, "s", f) }, p)
	if err != nil {
		return "", fmt.Errorf("postgres: %s/%s: %w", h.store, t.Asset, err)
	}
	return w, nil
}

func (h *Handler) target(ctx context.Context, t executor.Target) (*table, string, *Params, error) {
	cat, err := h.tables(ctx, t.Asset)
	if err != nil {
		return nil, "", nil, err
	}
	tb := cat[t.Asset]
	p := &Params{}
	w, err := h.where(tb, t, p)
	return tb, w, p, err
}

// Find emits the subject's rows of one table, in batches of up to 1000
// rows, with every column.
func (h *Handler) Find(ctx context.Context, t executor.Target, emit func(executor.Batch) error) error {
	tb, w, p, err := h.target(ctx, t)
	if err != nil {
		return err
	}
	args := append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, p.Args...)
	h.stmts.Add(1)
	rows, err := h.pool.Query(ctx, "SELECT * FROM "+tb.quoted+" AS s WHERE "+w, args...)
	if err != nil {
		return spg.WrapError(ctx, "find "+h.store+"/"+t.Asset, err)
	}
	defer rows.Close()
	fds := rows.FieldDescriptions()
	cols := make([]executor.Column, len(fds))
	for i, fd := range fds {
		cols[i] = executor.Column{Name: fd.Name, Type: typeName(rows.Conn().TypeMap(), fd.DataTypeOID)}
	}
	batch := executor.Batch{Columns: cols}
	for rows.Next() {
		raw := rows.RawValues()
		row := make([]any, len(fds))
		for i, fd := range fds {
			row[i] = cellValue(fd.DataTypeOID, raw[i])
		}
		batch.Rows = append(batch.Rows, row)
		if len(batch.Rows) == findBatch {
			if err := emit(batch); err != nil {
				return err
			}
			batch = executor.Batch{Columns: cols}
		}
	}
	if err := rows.Err(); err != nil {
		return spg.WrapError(ctx, "find "+h.store+"/"+t.Asset, err)
	}
	if len(batch.Rows) > 0 {
		return emit(batch)
	}
	return nil
}

// Count counts the subject's rows of one table.
func (h *Handler) Count(ctx context.Context, t executor.Target) (int64, error) {
	tb, w, p, err := h.target(ctx, t)
	if err != nil {
		return 0, err
	}
	var n int64
	h.stmts.Add(1)
	if err := h.pool.QueryRow(ctx, "SELECT count(*) FROM "+tb.quoted+" AS s WHERE "+w, p.Args...).Scan(&n); err != nil {
		return 0, spg.WrapError(ctx, "count "+h.store+"/"+t.Asset, err)
	}
	return n, nil
}

// applyFunc runs one target inside the store's transaction.
type applyFunc func(ctx context.Context, tx pgx.Tx, tb *table, t executor.Target, dry bool) (executor.Result, error)

// inTx runs every target in one transaction, children first, and returns
// the results in the order of ts. A dry run uses a read-only transaction
// and rolls back.
func (h *Handler) inTx(ctx context.Context, ts []executor.Target, opt executor.EraseOptions, apply applyFunc) ([]executor.Result, error) {
	if !opt.DryRun && h.readOnly {
		return nil, fmt.Errorf("postgres: %s: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	if len(ts) == 0 {
		return []executor.Result{}, nil
	}
	assets := make([]string, len(ts))
	for i, t := range ts {
		assets[i] = t.Asset
	}
	cat, err := h.tables(ctx, assets...)
	if err != nil {
		return nil, err
	}
	mode := pgx.ReadWrite
	if opt.DryRun {
		mode = pgx.ReadOnly
	}
	h.stmts.Add(2) // BEGIN; SET LOCAL statement_timeout, lock_timeout
	tx, err := h.cfg.Begin(ctx, h.pool, mode)
	if err != nil {
		return nil, spg.WrapError(ctx, h.store+": begin", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // no-op after Commit
	byAsset := make(map[string]executor.Result, len(ts))
	for _, t := range childrenFirst(ts, cat) {
		r, err := apply(ctx, tx, cat[t.Asset], t, opt.DryRun)
		if err != nil {
			return nil, spg.WrapError(ctx, h.store+"/"+t.Asset, err)
		}
		r.Asset = t.Asset
		byAsset[t.Asset] = r
	}
	if !opt.DryRun {
		h.stmts.Add(1)
		if err := tx.Commit(ctx); err != nil {
			return nil, spg.WrapError(ctx, h.store+": commit", err)
		}
	}
	out := make([]executor.Result, len(ts))
	for i, t := range ts {
		out[i] = byAsset[t.Asset]
	}
	return out, nil
}

func (h *Handler) exec(ctx context.Context, tx pgx.Tx, q string, args []any) (int64, error) {
	h.stmts.Add(1)
	tag, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (h *Handler) countTx(ctx context.Context, tx pgx.Tx, tb *table, w string, p *Params) (int64, error) {
	var n int64
	h.stmts.Add(1)
	err := tx.QueryRow(ctx, "SELECT count(*) FROM "+tb.quoted+" AS s WHERE "+w, p.Args...).Scan(&n)
	return n, err
}
