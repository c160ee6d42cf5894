package postgres

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	"github.com/piimap/piimap/scanner"
	spg "github.com/piimap/piimap/scanner/postgres"
)

// Kind is the store kind this package handles.
const Kind = "postgres"

func init() { driver.Register(Kind, Open) }

// Handler finds, erases and rectifies a subject's rows in the tables of one
// Postgres database.
type Handler struct {
	pool     *pgxpool.Pool
	cfg      *spg.Config
	store    string
	readOnly bool
	maskKey  []byte
	purge    string // StoreConfig.Purge; "" is vacuum
	// restrictCol is StoreConfig.RestrictColumn: the boolean column a
	// restriction sets on the subject's rows (restrict.go).
	restrictCol string
	stmts       atomic.Int64

	cat *sqlkit.Catalog[*table] // asset → catalog entry, read once per handler
}

var (
	_ driver.Handler     = (*Handler)(nil)
	_ driver.Counter     = (*Handler)(nil)
	_ driver.Rectifier   = (*Handler)(nil)
	_ driver.ModeChecker = (*Handler)(nil)
)

// Open opens a bounded pool on a postgres:// store. Every session carries
// the URL's statement_timeout and lock_timeout (defaults 30 s and 5 s);
// read-only handlers' sessions are read-only too.
func Open(ctx context.Context, sc scanner.StoreConfig, opt driver.HandlerOptions) (driver.Handler, error) {
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
	h.restrictCol = sc.RestrictColumn
	return h, nil
}

// New wraps an open pool and its parsed configuration (tests, embedding).
func New(pool *pgxpool.Pool, cfg *spg.Config, store string, opt driver.HandlerOptions) *Handler {
	h := &Handler{pool: pool, cfg: cfg, store: store, readOnly: opt.ReadOnly, maskKey: opt.MaskKey}
	h.cat = &sqlkit.Catalog[*table]{Kind: Kind, Store: store, Naming: "schema.table", Split: spg.SplitAsset, Load: h.loadCatalog}
	return h
}

// Close closes the pool.
func (h *Handler) Close() error { h.pool.Close(); return nil }

// Statements is the number of SQL statements the handler has sent so far,
// catalog reads, BEGIN, SET LOCAL and COMMIT included.
func (h *Handler) Statements() int64 { return h.stmts.Load() }

func (h *Handler) where(tb *table, t driver.Target, p *Params) (string, error) {
	w, err := Where(t.Match, func(f string) (Col, error) { return fieldCol(tb, "s", f) }, p)
	if err != nil {
		return "", fmt.Errorf("postgres: %s/%s: %w", h.store, t.Asset, err)
	}
	return w, nil
}

func (h *Handler) target(ctx context.Context, t driver.Target) (*table, string, *Params, error) {
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
func (h *Handler) Find(ctx context.Context, t driver.Target, emit func(driver.Batch) error) error {
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
	cols := make([]driver.Column, len(fds))
	for i, fd := range fds {
		cols[i] = driver.Column{Name: fd.Name, Type: typeName(rows.Conn().TypeMap(), fd.DataTypeOID)}
	}
	b := &driver.Batcher{Emit: emit}
	for rows.Next() {
		raw := rows.RawValues()
		row := make([]any, len(fds))
		for i, fd := range fds {
			row[i] = cellValue(fd.DataTypeOID, raw[i])
		}
		if err := b.Add(cols, row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return spg.WrapError(ctx, "find "+h.store+"/"+t.Asset, err)
	}
	return b.Flush()
}

// Count counts the subject's rows of one table.
func (h *Handler) Count(ctx context.Context, t driver.Target) (int64, error) {
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

// txn is the store's transaction skeleton (sqlkit.Txn): every target in
// one transaction, children first; a dry run uses a read-only transaction
// and rolls back.
func (h *Handler) txn() sqlkit.Txn[pgx.Tx, *table] {
	return sqlkit.Txn[pgx.Tx, *table]{
		Kind: Kind, Store: h.store, ReadOnly: h.readOnly,
		Tables:  h.tables,
		Parents: func(tb *table) map[string]bool { return tb.parents },
		Begin: func(ctx context.Context, dry bool) (pgx.Tx, error) {
			mode := pgx.ReadWrite
			if dry {
				mode = pgx.ReadOnly
			}
			h.stmts.Add(2) // BEGIN; SET LOCAL statement_timeout, lock_timeout
			tx, err := h.cfg.Begin(ctx, h.pool, mode)
			if err != nil {
				return nil, spg.WrapError(ctx, h.store+": begin", err)
			}
			return tx, nil
		},
		Commit: func(ctx context.Context, tx pgx.Tx) error {
			h.stmts.Add(1)
			return spg.WrapError(ctx, h.store+": commit", tx.Commit(ctx))
		},
		Rollback: func(ctx context.Context, tx pgx.Tx) { _ = tx.Rollback(context.WithoutCancel(ctx)) },
		Wrap:     spg.WrapError,
	}
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
