package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	"github.com/piimap/piimap/scanner"
	smy "github.com/piimap/piimap/scanner/mysql"
)

// Kind is the store kind this package handles.
const Kind = "mysql"

func init() { driver.Register(Kind, Open) }

// Handler finds, erases and rectifies a subject's rows in the tables of one
// MariaDB or MySQL server.
type Handler struct {
	db       *smy.DB
	store    string
	readOnly bool
	maskKey  []byte
	purge    string // StoreConfig.Purge
	// restrictCol is StoreConfig.RestrictColumn: the column a
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

// Open opens a bounded pool on a mysql:// (or mariadb://) store.
func Open(ctx context.Context, sc scanner.StoreConfig, opt driver.HandlerOptions) (driver.Handler, error) {
	db, err := smy.Open(ctx, sc.URL)
	if err != nil {
		return nil, err
	}
	h := New(db, sc.Name, opt)
	h.purge = sc.Purge
	h.restrictCol = sc.RestrictColumn
	return h, nil
}

// New wraps an open pool (tests, embedding).
func New(db *smy.DB, store string, opt driver.HandlerOptions) *Handler {
	h := &Handler{db: db, store: store, readOnly: opt.ReadOnly, maskKey: opt.MaskKey}
	h.cat = &sqlkit.Catalog[*table]{Kind: Kind, Store: store, Naming: "db.table", Split: smy.SplitAsset, Load: h.loadTables}
	return h
}

// Close closes the pool.
func (h *Handler) Close() error { return h.db.Close() }

// Statements is the number of SQL statements the handler has sent so far,
// catalog reads, BEGIN with its timeouts, and COMMIT included.
func (h *Handler) Statements() int64 { return h.stmts.Load() }

func (h *Handler) target(ctx context.Context, t driver.Target) (*table, string, []any, error) {
	cat, err := h.tables(ctx, t.Asset)
	if err != nil {
		return nil, "", nil, err
	}
	tb := cat[t.Asset]
	w, args, err := h.where(tb, t)
	return tb, w, args, err
}

func (h *Handler) where(tb *table, t driver.Target) (string, []any, error) {
	w, args, err := Where(t.Match, func(f string) (Col, error) { return fieldCol(tb, f) })
	if err != nil {
		return "", nil, fmt.Errorf("mysql: %s/%s: %w", h.store, t.Asset, err)
	}
	return w, args, nil
}

// begin starts a transaction with the configured timeouts (two statements).
func (h *Handler) begin(ctx context.Context, readOnly bool) (*sql.Tx, error) {
	h.stmts.Add(2)
	tx, err := h.db.Begin(ctx, readOnly)
	if err != nil {
		return nil, smy.WrapError(ctx, h.store+": begin", err)
	}
	return tx, nil
}

// Find emits the subject's rows of one table in batches of up to 1000
// rows, read in a read-only transaction with the statement timeout.
func (h *Handler) Find(ctx context.Context, t driver.Target, emit func(driver.Batch) error) error {
	tb, w, args, err := h.target(ctx, t)
	if err != nil {
		return err
	}
	tx, err := h.begin(ctx, true)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := h.query(ctx, tx, "SELECT * FROM "+tb.quoted+" AS t WHERE "+w, args...)
	if err != nil {
		return smy.WrapError(ctx, "find "+h.store+"/"+t.Asset, err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return smy.WrapError(ctx, "find "+h.store+"/"+t.Asset, err)
	}
	cols := make([]driver.Column, len(names))
	for i, n := range names {
		cols[i] = driver.Column{Name: n}
		if c := tb.cols[n]; c != nil {
			cols[i].Type = c.colType
		}
	}
	raw := make([]sql.RawBytes, len(names))
	dest := make([]any, len(names))
	for i := range raw {
		dest[i] = &raw[i]
	}
	b := &driver.Batcher{Emit: emit}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return smy.WrapError(ctx, "find "+h.store+"/"+t.Asset, err)
		}
		row := make([]any, len(names))
		for i, n := range names {
			row[i] = cellValue(tb.cols[n], raw[i])
		}
		if err := b.Add(cols, row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return smy.WrapError(ctx, "find "+h.store+"/"+t.Asset, err)
	}
	return b.Flush()
}

// cellValue turns one text-protocol cell into a JSON-able value: numbers as
// json.Number, JSON documents as json.RawMessage (so paths inside them
// resolve), everything else as its text. Its string form is what Where
// compares.
func cellValue(c *column, raw sql.RawBytes) any {
	if raw == nil {
		return nil
	}
	s := string(raw)
	switch {
	case c == nil:
	case c.isNumber() && json.Valid(raw):
		return json.Number(s)
	case c.json && json.Valid(raw):
		return json.RawMessage(s)
	}
	return s
}

// Count counts the subject's rows of one table.
func (h *Handler) Count(ctx context.Context, t driver.Target) (int64, error) {
	tb, w, args, err := h.target(ctx, t)
	if err != nil {
		return 0, err
	}
	tx, err := h.begin(ctx, true)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	n, err := h.count(ctx, tx, tb, w, args)
	if err != nil {
		return 0, smy.WrapError(ctx, "count "+h.store+"/"+t.Asset, err)
	}
	return n, nil
}

func (h *Handler) count(ctx context.Context, tx *sql.Tx, tb *table, w string, args []any) (int64, error) {
	var n int64
	h.stmts.Add(1)
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+tb.quoted+" AS t WHERE "+w, args...).Scan(&n)
	return n, err
}

func (h *Handler) exec(ctx context.Context, tx *sql.Tx, q string, args []any) (int64, error) {
	h.stmts.Add(1)
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// txState is what one store transaction has set up on its connection.
type txState struct {
	maskTables int // piimap_mask_0 … piimap_mask_{n-1} exist
}

type applyFunc func(ctx context.Context, tx *sql.Tx, st *txState, i int, tb *table, t driver.Target, dry bool) (driver.Result, error)

// inTx runs every target in one transaction, children first, and returns
// the results in the order of ts: sqlkit.Txn, with the mask tables the
// targets created dropped before the commit.
func (h *Handler) inTx(ctx context.Context, ts []driver.Target, opt driver.EraseOptions, apply applyFunc) ([]driver.Result, error) {
	st := &txState{}
	x := sqlkit.Txn[*sql.Tx, *table]{
		Kind: Kind, Store: h.store, ReadOnly: h.readOnly,
		Tables:  h.tables,
		Parents: func(tb *table) map[string]bool { return tb.parents },
		Begin:   h.begin,
		Commit: func(ctx context.Context, tx *sql.Tx) error {
			h.stmts.Add(1)
			return smy.WrapError(ctx, h.store+": commit", tx.Commit())
		},
		Rollback: func(_ context.Context, tx *sql.Tx) { _ = tx.Rollback() }, // a no-op after Commit
		Finish: func(ctx context.Context, tx *sql.Tx) error {
			if st.maskTables == 0 {
				return nil
			}
			return smy.WrapError(ctx, h.store+": drop mask tables", h.dropMaskTables(ctx, tx, st))
		},
		Wrap: smy.WrapError,
	}
	return x.Run(ctx, ts, opt.DryRun, func(ctx context.Context, tx *sql.Tx, i int, tb *table, t driver.Target, dry bool) (driver.Result, error) {
		return apply(ctx, tx, st, i, tb, t, dry)
	})
}
