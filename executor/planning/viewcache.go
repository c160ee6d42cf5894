package planning

import (
	"context"
	"fmt"
	"sync"
)

// ViewCache keeps the graph views (graph.go) of the latest scan run, one
// per tenant, for a Planner that derives many plans: a long-running
// Service plans and then runs each request, and many requests plan against
// one run. A finished run does not change and a derivation only reads its
// view, so a view is read from the graph once per run and tenant; a newer
// run replaces the lot. The zero value is ready to use and safe for
// concurrent use.
type ViewCache struct {
	mu    sync.Mutex
	run   string                // the run the views are of
	views map[string]*graphView // by tenant
}

// view returns the tenant's view of the latest run, from the cache when
// the Planner has one.
func (pl *Planner) view(ctx context.Context, tenant string) (*graphView, error) {
	run, err := pl.Graph.Latest(ctx)
	if err != nil {
		return nil, fmt.Errorf("executor: latest scan run: %w", err)
	}
	c := pl.Views
	if c == nil {
		return loadRun(ctx, pl.Graph, run, pl.Stores, tenant)
	}
	c.mu.Lock()
	if c.run == run.ID {
		if v := c.views[tenant]; v != nil {
			c.mu.Unlock()
			return v, nil
		}
	}
	c.mu.Unlock()
	v, err := loadRun(ctx, pl.Graph, run, pl.Stores, tenant)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run != run.ID {
		c.run, c.views = run.ID, map[string]*graphView{}
	}
	c.views[tenant] = v
	return v, nil
}
