package badgerstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/piimap/piimap/lineage"
)

// DefaultLockWait is how long SharedDocs retries a directory another
// process holds.
const DefaultLockWait = 3 * time.Second

// SharedDocs is a lineage.DocStore over a graph directory that opens the
// directory for each operation and closes it again, so a long-running
// process that only now and then stores a document (`piimap lineage
// serve`) does not hold the directory's lock between operations, and
// scans run beside it. While another process holds the directory, an
// operation retries every 200 ms for up to Wait, then fails with
// ErrLocked. Operations of one SharedDocs run one at a time.
type SharedDocs struct {
	dir  string
	opts []Option
	// Wait is how long an operation retries a locked directory;
	// NewSharedDocs sets DefaultLockWait.
	Wait time.Duration
	mu   sync.Mutex
}

// NewSharedDocs returns a SharedDocs for the graph directory dir, opened
// with opts each time.
func NewSharedDocs(dir string, opts ...Option) *SharedDocs {
	return &SharedDocs{dir: dir, opts: opts, Wait: DefaultLockWait}
}

var (
	_ lineage.DocStore   = (*SharedDocs)(nil)
	_ lineage.DocBatcher = (*SharedDocs)(nil)
)

func (d *SharedDocs) with(ctx context.Context, fn func(*Store) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	deadline := time.Now().Add(d.Wait)
	for {
		g, err := Open(d.dir, d.opts...)
		if errors.Is(err, ErrLocked) && time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return err
		}
		err = fn(g)
		if cerr := g.Close(); err == nil {
			err = cerr
		}
		return err
	}
}

// PutDoc stores a document (lineage.DocStore).
func (d *SharedDocs) PutDoc(ctx context.Context, kind, id string, data []byte) error {
	return d.with(ctx, func(g *Store) error { return g.PutDoc(ctx, kind, id, data) })
}

// PutDocs stores documents of one kind in one write (lineage.DocBatcher).
func (d *SharedDocs) PutDocs(ctx context.Context, kind string, docs []lineage.Doc) error {
	return d.with(ctx, func(g *Store) error { return g.PutDocs(ctx, kind, docs) })
}

// GetDoc reads a document (lineage.DocStore); piimap.ErrNotFound when
// there is none.
func (d *SharedDocs) GetDoc(ctx context.Context, kind, id string) ([]byte, error) {
	var out []byte
	err := d.with(ctx, func(g *Store) error {
		var err error
		out, err = g.GetDoc(ctx, kind, id)
		return err
	})
	return out, err
}

// ListDocs visits the documents of a kind in key order
// (lineage.DocStore). The directory stays open, and locked, until fn has
// seen the last one.
func (d *SharedDocs) ListDocs(ctx context.Context, kind string, fn func(id string, data []byte) error) error {
	return d.with(ctx, func(g *Store) error { return g.ListDocs(ctx, kind, fn) })
}
