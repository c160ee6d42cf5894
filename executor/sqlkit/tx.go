package sqlkit

import (
	"context"
	"fmt"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// Txn is the transaction skeleton of one store's writes: X is the kind's
// transaction (pgx.Tx, *sql.Tx), T its catalog entry for a table.
type Txn[X, T any] struct {
	Kind     string // error prefix: "postgres"
	Store    string
	ReadOnly bool // the handler was opened read-only: only dry runs start

	// Tables reads the catalog entries of the given assets, in one read,
	// before the transaction starts; Parents names the assets an entry
	// references through a foreign key. With Tables nil the targets run in
	// the order given and the apply step gets T's zero value.
	Tables  func(ctx context.Context, assets ...string) (map[string]T, error)
	Parents func(T) map[string]bool

	// Begin opens the transaction (read-only for a dry run, where the
	// driver allows it); Commit commits it. Both return the kind's own
	// error, named and classified.
	Begin    func(ctx context.Context, dry bool) (X, error)
	Commit   func(ctx context.Context, tx X) error
	Rollback func(ctx context.Context, tx X) // deferred; a no-op after Commit
	// Finish, if set, runs after the last target, before the commit.
	Finish func(ctx context.Context, tx X) error
	// Wrap, if set, names a target's error as the kind does
	// (what is "store/asset"); without it the error is returned as is.
	Wrap func(ctx context.Context, what string, err error) error
}

// Apply writes one target inside the transaction (a dry run only counts);
// i is its place in the order the targets run.
type Apply[X, T any] func(ctx context.Context, tx X, i int, tb T, t driver.Target, dry bool) (driver.Result, error)

// Writable refuses a write on a read-only handler.
func (x Txn[X, T]) Writable(dry bool) error {
	if !dry && x.ReadOnly {
		return fmt.Errorf("%s: %s: handler opened read-only: %w", x.Kind, x.Store, piimap.ErrInvalidState)
	}
	return nil
}

// Run runs every target in one transaction, children first, and returns
// the results in the order of ts (one per target, the result of its
// asset). A dry run does not commit: the deferred Rollback undoes it.
func (x Txn[X, T]) Run(ctx context.Context, ts []driver.Target, dry bool, apply Apply[X, T]) ([]driver.Result, error) {
	if err := x.Writable(dry); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return []driver.Result{}, nil
	}
	var cat map[string]T
	order := ts
	if x.Tables != nil {
		var err error
		if cat, err = x.Tables(ctx, Assets(ts)...); err != nil {
			return nil, err
		}
		order = ChildrenFirst(ts, func(child, parent string) bool { return x.Parents(cat[child])[parent] })
	}
	tx, err := x.Begin(ctx, dry)
	if err != nil {
		return nil, err
	}
	defer x.Rollback(ctx, tx)
	byAsset := make(map[string]driver.Result, len(ts))
	for i, t := range order {
		r, err := apply(ctx, tx, i, cat[t.Asset], t, dry)
		if err != nil {
			if x.Wrap != nil {
				err = x.Wrap(ctx, x.Store+"/"+t.Asset, err)
			}
			return nil, err
		}
		r.Asset = t.Asset
		byAsset[t.Asset] = r
	}
	if x.Finish != nil {
		if err := x.Finish(ctx, tx); err != nil {
			return nil, err
		}
	}
	if !dry {
		if err := x.Commit(ctx, tx); err != nil {
			return nil, err
		}
	}
	out := make([]driver.Result, len(ts))
	for i, t := range ts {
		out[i] = byAsset[t.Asset]
	}
	return out, nil
}
