package redis

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner"
	rs "github.com/piimap/piimap/scanner/redis"
)

// Kind is the store kind this package handles.
const Kind = rs.Kind

// Tuning.
const (
	findBatch  = 256 // keys fetched per round of a Find
	maxRetries = 16  // WATCH transactions retried after a concurrent write
	probeKeys  = 64  // keys CheckMode looks at
)

var errStreamRewrite = fmt.Errorf("stream entries are immutable: mask and rectify cannot rewrite them (use delete or null): %w", piimap.ErrUnsupported)

func init() { driver.Register(Kind, Open) }

// Handler finds and erases a subject's data in one Redis database. Assets
// are the scanner's key patterns.
type Handler struct {
	c        *goredis.Client
	conf     rs.Config
	store    string
	readOnly bool
	maskKey  []byte
	// restrictTag is StoreConfig.RestrictColumn: the set a restriction
	// adds the subject's keys to (restrict.go).
	restrictTag string
}

var (
	_ driver.Handler     = (*Handler)(nil)
	_ driver.Counter     = (*Handler)(nil)
	_ driver.Rectifier   = (*Handler)(nil)
	_ driver.ModeChecker = (*Handler)(nil)
)

// Open connects to the store's database with the scanner's connection
// helper (same URL, same match glob).
func Open(ctx context.Context, sc scanner.StoreConfig, opt driver.HandlerOptions) (driver.Handler, error) {
	c, conf, err := rs.Open(ctx, sc.URL)
	if err != nil {
		return nil, fmt.Errorf("redis: store %s: %w", sc.Name, err)
	}
	return &Handler{c: c, conf: conf, store: sc.Name, readOnly: opt.ReadOnly, maskKey: opt.MaskKey, restrictTag: sc.RestrictColumn}, nil
}

// Client is the handler's connection (tests hook it).
func (h *Handler) Client() *goredis.Client { return h.c }

// Close closes the connection pool.
func (h *Handler) Close() error { return h.c.Close() }

func (h *Handler) mask(v string) string { return driver.MaskToken(h.maskKey, v) }

// each calls fn with every key of the target's pattern, fetched whole, in
// batches; each key once.
func (h *Handler) each(ctx context.Context, t driver.Target, fn func(vals []rs.Value) error) error {
	if t.Asset == "" {
		return fmt.Errorf("redis: %s: empty key pattern: %w", h.store, piimap.ErrNotFound)
	}
	seen := map[uint64]bool{}
	var batch []string
	flush := func() error {
		vals, err := rs.Fetch(ctx, h.c, batch, rs.Limits{})
		batch = batch[:0]
		if err != nil {
			return err
		}
		return fn(vals)
	}
	err := rs.PatternKeys(ctx, h.c, h.conf, t.Asset, func(k string) error {
		f := fnv.New64a()
		f.Write([]byte(k))
		if s := f.Sum64(); seen[s] {
			return nil
		} else {
			seen[s] = true
		}
		batch = append(batch, k)
		if len(batch) >= findBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return h.err(ctx, t.Asset, "find", err)
	}
	return nil
}

// Find emits the subject's rows of the target's key pattern: one row per
// matching string or hash key (its JSON fields or hash fields as columns,
// plus `_key`), one per matching list element, set/zset member or stream
// entry.
func (h *Handler) Find(ctx context.Context, t driver.Target, emit func(driver.Batch) error) error {
	e := newEditor(t, opFind, h.mask)
	return h.each(ctx, t, func(vals []rs.Value) error {
		var rows []row
		for _, v := range vals {
			rows = append(rows, planKey(e, t.Asset, v).rows...)
		}
		if len(rows) == 0 {
			return nil
		}
		return emit(batchOf(rows))
	})
}

// Count counts the subject's rows without building batches.
func (h *Handler) Count(ctx context.Context, t driver.Target) (int64, error) {
	e := newEditor(t, opFind, h.mask)
	var n int64
	err := h.each(ctx, t, func(vals []rs.Value) error {
		for _, v := range vals {
			n += int64(len(planKey(e, t.Asset, v).rows))
		}
		return nil
	})
	return n, err
}

// Erase removes the subject's data from every target: a key the subject
// owns is DELeted (delete mode, or whenever the key's name identifies
// them); otherwise hash fields are HDELed (null) or rewritten (mask), JSON
// values are rewritten without (or with masked) subject fields and array
// elements, keeping their TTL (SET … KEEPTTL), list/set/zset items are
// removed or replaced, and stream entries are XDELed. Each key is changed
// in a WATCH/MULTI transaction after re-reading it, so a concurrent write
// is never clobbered: the transaction is retried on the new value. Erasing
// again finds and changes nothing.
func (h *Handler) Erase(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	return h.run(ctx, ts, opt, func(t driver.Target) op { return opFor(t.Mode) })
}

// Rectify sets the fields named in Target.Changes (by field path) to their
// new values in every matched value, keeping TTLs.
func (h *Handler) Rectify(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	return h.run(ctx, ts, opt, func(driver.Target) op { return opRectify })
}

func (h *Handler) run(ctx context.Context, ts []driver.Target, opt driver.EraseOptions, opOf func(driver.Target) op) ([]driver.Result, error) {
	if h.readOnly && !opt.DryRun {
		return nil, fmt.Errorf("redis: store %s opened read-only: %w", h.store, piimap.ErrUnsupported)
	}
	out := make([]driver.Result, 0, len(ts))
	for _, t := range ts {
		if err := h.CheckMode(t); err != nil && opOf(t) != opRectify {
			return out, err
		}
		res, err := h.eraseTarget(ctx, t, opOf(t), opt.DryRun)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

func (h *Handler) eraseTarget(ctx context.Context, t driver.Target, o op, dry bool) (driver.Result, error) {
	res := driver.Result{Asset: t.Asset}
	e := newEditor(t, o, h.mask)
	var keys []string
	err := h.each(ctx, t, func(vals []rs.Value) error {
		for _, v := range vals {
			if len(planKey(e, t.Asset, v).rows) > 0 {
				keys = append(keys, v.Key)
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	for _, k := range keys {
		found, changed, err := h.eraseKey(ctx, e, t.Asset, k, dry)
		if err != nil {
			return res, h.err(ctx, t.Asset, "erase", err)
		}
		res.Found += found
		res.Changed += changed
	}
	return res, nil
}

// eraseKey re-reads one key under WATCH, plans its change and applies it
// in MULTI/EXEC, retrying when a concurrent write aborted the transaction.
func (h *Handler) eraseKey(ctx context.Context, e *editor, pattern, key string, dry bool) (found, changed int64, err error) {
	for attempt := range maxRetries {
		err = h.c.Watch(ctx, func(tx *goredis.Tx) error {
			vals, err := rs.Fetch(ctx, tx, []string{key}, rs.Limits{})
			if err != nil {
				return err
			}
			kp := planKey(e, pattern, vals[0])
			if kp.err != nil {
				return kp.err
			}
			found, changed = int64(len(kp.rows)), kp.changed
			if dry || len(kp.cmds) == 0 {
				return nil
			}
			_, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
				for _, c := range kp.cmds {
					c(ctx, p)
				}
				return nil
			})
			return err
		}, key)
		if !errors.Is(err, goredis.TxFailedErr) {
			return found, changed, err
		}
		select { // a hot key: back off a little before re-reading
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		case <-time.After(time.Duration(attempt+1) * time.Millisecond):
		}
	}
	return 0, 0, fmt.Errorf("key kept changing during %d attempts: %w", maxRetries, err)
}

// CheckMode accepts delete, null and mask; mask is refused for patterns
// holding streams (entries cannot be rewritten). It probes a few keys of
// the pattern for their type.
func (h *Handler) CheckMode(t driver.Target) error {
	switch t.Mode {
	case driver.ModeDelete, driver.ModeNull, "":
		return nil
	case driver.ModeMask:
	default:
		return fmt.Errorf("redis: %s/%s: mode %s: %w", h.store, t.Asset, t.Mode, piimap.ErrUnsupported)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var keys []string
	stop := errors.New("enough")
	err := rs.PatternKeys(ctx, h.c, h.conf, t.Asset, func(k string) error {
		keys = append(keys, k)
		if len(keys) >= probeKeys {
			return stop
		}
		return nil
	})
	if err != nil && !errors.Is(err, stop) {
		return h.err(ctx, t.Asset, "check mode", err)
	}
	for _, k := range keys {
		typ, err := h.c.Type(ctx, k).Result()
		if err != nil {
			return h.err(ctx, t.Asset, "check mode", err)
		}
		if typ == rs.TypeStream {
			return fmt.Errorf("redis: %s/%s: %w", h.store, t.Asset, errStreamRewrite)
		}
	}
	return nil
}

// err names the store and pattern (never a key: key names may be personal
// data); context errors pass through.
func (h *Handler) err(ctx context.Context, pattern, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return fmt.Errorf("redis: %s/%s: %s: %w", h.store, pattern, what, err)
}
