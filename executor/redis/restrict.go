package redis

import (
	"context"

	"github.com/piimap/piimap/executor/driver"
	rs "github.com/piimap/piimap/scanner/redis"
)

// Restriction of processing in Redis: with the store's restrict_column
// configured (scanner.StoreConfig.RestrictColumn), it names a set, the
// tag: every key holding the subject's data is added to it (SADD), so
// applications can check membership before processing a key. Idempotent:
// a tagged key is counted as found, not changed.

var _ driver.Restricter = (*Handler)(nil)

// CanRestrict reports whether a tag set is configured.
func (h *Handler) CanRestrict() bool { return h.restrictTag != "" }

// Restrict tags the keys holding the subject's data of each target.
func (h *Handler) Restrict(ctx context.Context, ts []driver.Target) ([]driver.Result, error) {
	if h.restrictTag == "" {
		return nil, nil
	}
	var out []driver.Result
	for _, t := range ts {
		e := newEditor(t, opFind, h.mask)
		r := driver.Result{Asset: t.Asset}
		err := h.each(ctx, t, func(vals []rs.Value) error {
			for _, v := range vals {
				if len(planKey(e, t.Asset, v).rows) == 0 {
					continue
				}
				r.Found++
				n, err := h.c.SAdd(ctx, h.restrictTag, v.Key).Result()
				if err != nil {
					return h.err(ctx, t.Asset, "restrict", err)
				}
				r.Changed += n
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
