package sqlkit

import (
	"context"
	"fmt"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// CheckMode is the opening of a SQL kind's CheckMode: delete (or no mode)
// needs nothing; null and mask rewrite columns, so check decides them
// against the catalog, within timeout; any other mode is ErrUnsupported.
func CheckMode(kind, store string, t driver.Target, timeout time.Duration, check func(ctx context.Context) error) error {
	switch t.Mode {
	case driver.ModeDelete, "":
		return nil
	case driver.ModeNull, driver.ModeMask:
	default:
		return ModeError(kind, store, t, piimap.ErrUnsupported)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return check(ctx)
}

// ModeError names a target's refused mode: "kind: store/asset: mode m: err".
func ModeError(kind, store string, t driver.Target, err error) error {
	return fmt.Errorf("%s: %s/%s: mode %s: %w", kind, store, t.Asset, t.Mode, err)
}

// CheckAll is the opening of Erase: one catalog read for every target
// (load, if set), then each target's mode, so that a mode the catalog
// shows cannot work is refused before anything is written.
func CheckAll(ctx context.Context, ts []driver.Target, load func(ctx context.Context, assets ...string) error, check func(driver.Target) error) error {
	if load != nil {
		if err := load(ctx, Assets(ts)...); err != nil {
			return err
		}
	}
	for _, t := range ts {
		if err := check(t); err != nil {
			return err
		}
	}
	return nil
}

// NeedMaskKey refuses the mask mode without a mask key.
func NeedMaskKey(key []byte) error {
	if len(key) == 0 {
		return fmt.Errorf("mask mode needs a mask key: %w", piimap.ErrConfig)
	}
	return nil
}

// CheckCatalog is the check of CheckMode for a kind whose catalog decides
// the null and mask modes: the target's table is read (tables), a view
// passes (nothing is written through one: its base tables are), and the
// kind's clear plan (plan) refuses what cannot work, named by ModeError.
func CheckCatalog[T any](ctx context.Context, kind, store string, t driver.Target,
	tables func(ctx context.Context, assets ...string) (map[string]T, error), view func(T) bool, plan func(T, driver.Target) error) error {
	cat, err := tables(ctx, t.Asset)
	if err != nil {
		return err
	}
	tb := cat[t.Asset]
	if view(tb) {
		return nil
	}
	if err := plan(tb, t); err != nil {
		return ModeError(kind, store, t, err)
	}
	return nil
}
