package sqlkit

import (
	"context"
	"fmt"
	"sync"

	"github.com/piimap/piimap"
)

// Catalog caches a store's catalog entries (T: the kind's table) by asset,
// each read once per handler. It is safe for concurrent use.
type Catalog[T any] struct {
	Kind   string // error prefix: "postgres"
	Store  string
	Naming string // what an asset name must be: "schema.table", "db.table"
	// Split cuts an asset name into its schema (or database) and table.
	Split func(asset string) (schema, table string, ok bool)
	// Load reads the entries of the given relations (schemas[i].tables[i],
	// none cached yet) into cat, in as few statements as the kind can; a
	// relation it does not find stays out of cat. It runs under the
	// cache's lock.
	Load func(ctx context.Context, cat map[string]T, schemas, tables []string) error

	mu  sync.Mutex
	cat map[string]T
}

// Tables returns the entries of the given assets, loading the ones not
// cached yet in one Load. An asset name that does not split is ErrConfig;
// a relation the catalog does not hold is ErrNotFound.
func (c *Catalog[T]) Tables(ctx context.Context, assets ...string) (map[string]T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cat == nil {
		c.cat = map[string]T{}
	}
	var schemas, tables []string
	seen := map[string]bool{}
	for _, a := range assets {
		if _, ok := c.cat[a]; ok || seen[a] {
			continue
		}
		seen[a] = true
		s, t, ok := c.Split(a)
		if !ok {
			return nil, fmt.Errorf("%s: %s/%s: asset is not %s: %w", c.Kind, c.Store, a, c.Naming, piimap.ErrConfig)
		}
		schemas, tables = append(schemas, s), append(tables, t)
	}
	if len(schemas) > 0 {
		if err := c.Load(ctx, c.cat, schemas, tables); err != nil {
			return nil, err
		}
	}
	out := make(map[string]T, len(assets))
	for _, a := range assets {
		t, ok := c.cat[a]
		if !ok {
			return nil, fmt.Errorf("%s: %s/%s: no such table: %w", c.Kind, c.Store, a, piimap.ErrNotFound)
		}
		out[a] = t
	}
	return out, nil
}
