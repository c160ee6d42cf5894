package scanner

import (
	"context"
	"time"

	"github.com/piimap/piimap"
)

// writeDeclared writes the edges of Options.Declared: lineage learnt
// outside the stores (dbt manifests, OpenLineage events, query logs). Each
// run writes them afresh, because the snapshot of a scanned store replaces
// that store's edges. An edge is written only when both ends can be in this
// run's map: an end in a scanned store must be one of its selected units
// and, when the unit was read without error, one of its fields; an end in
// an unscanned store must be in a configured store (its nodes are carried
// forward). It runs after the units are scanned, so fields are known.
// Declared field pairs are also kept out of the fingerprint copies, like
// foreign keys and views.
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
	failed := map[[2]string]bool{}
	e.mu.Lock()
	for _, ue := range e.errs {
		failed[[2]string{ue.Store, ue.Unit}] = true
	}
	e.mu.Unlock()
	known := func(l piimap.Location) bool {
		seen, ok := units[l.Store]
		if !ok {
			return configured[l.Store] || len(configured) == 0
		}
		if !seen[l.Name] {
			return false
		}
		if l.Field == "" || failed[[2]string{l.Store, l.Name}] {
			return true
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.fields[bare(l)]
	}
	now := time.Now().UTC()
	n := 0
	for _, ed := range e.opt.Declared {
		if !known(ed.From) || !known(ed.To) {
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

// sawFields records the fields of a unit read without error.
func (e *engine) sawFields(st *store, u piimap.Unit, us *unitScan) {
	if len(e.opt.Declared) == 0 || us == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fields == nil {
		e.fields = map[piimap.Location]bool{}
	}
	for name := range us.fields {
		if name != "" {
			e.fields[bare(u.Loc.WithField(name))] = true
		}
	}
}
