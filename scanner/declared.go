package scanner

import (
	"context"
	"time"
)

// writeDeclared writes the edges of Options.Declared: lineage learnt
// outside the stores (dbt manifests, OpenLineage events, query logs). Each
// run writes them afresh, because the snapshot of a scanned store replaces
// that store's edges. An edge is written only when both ends can be in this
// run's map: an end in a scanned store must be one of its selected units,
// an end in an unscanned store must be in a configured store (its nodes are
// carried forward). Declared field pairs are also kept out of the
// fingerprint copies, like foreign keys and views.
func (e *engine) writeDeclared(ctx context.Context, stores []*store) error {
	if len(e.opt.Declared) == 0 {
		return nil
	}
	units := map[string]map[string]bool{}
	for _, st := range stores {
		seen := map[string]bool{}
		for _, u := range st.units {
			seen[u.Loc.Name] = true
		}
		units[st.cfg.Name] = seen
	}
	configured := map[string]bool{}
	for _, s := range e.opt.Configured {
		configured[s] = true
	}
	known := func(store, asset string) bool {
		if seen, ok := units[store]; ok {
			return seen[asset]
		}
		return configured[store] || len(configured) == 0
	}
	now := time.Now().UTC()
	n := 0
	for _, ed := range e.opt.Declared {
		if !known(ed.From.Store, ed.From.Name) || !known(ed.To.Store, ed.To.Name) {
			continue
		}
		if ed.ObservedAt.IsZero() {
			ed.ObservedAt = now
		}
		if err := e.w.PutEdge(ctx, ed); err != nil {
			return graphErr(err)
		}
		e.declare(ed)
		n++
	}
	e.log.Info("declared lineage written", "edges", n, "given", len(e.opt.Declared))
	return nil
}
