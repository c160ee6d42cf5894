package scanner

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/idfilter"
)

// forgetRemoved deletes the documents kept for locations a store no longer
// has: the identifier filters (and their parts) and the field sketches of
// assets that this run's complete listing of their store did not name
// (removed, or excluded by the store's selector since). A store whose
// listing failed, or that this run did not scan, keeps all of its
// documents; so does a graph without lineage.DocDeleter. The map stays the
// estate's as it is now, and the documents do not grow with every object
// ever seen.
func (e *engine) forgetRemoved(ctx context.Context, stores []*store) error {
	docs, ok := e.opt.Graph.(lineage.DocStore)
	del, ok2 := e.opt.Graph.(lineage.DocDeleter)
	if !ok || !ok2 {
		return nil
	}
	live := map[string]map[string]bool{} // store → asset names listed
	for _, st := range stores {
		if !st.listed {
			continue
		}
		names := make(map[string]bool, len(st.units))
		for _, u := range st.units {
			names[u.Loc.Name] = true
		}
		live[st.cfg.Name] = names
	}
	gone := func(l piimap.Location) bool {
		names, ok := live[l.Store]
		return ok && !names[l.Name]
	}
	var heads, parts, sketches []string
	goneHeads := map[string]bool{}
	err := docs.ListDocs(ctx, idfilter.DocKind, func(id string, data []byte) error {
		if m, err := idfilter.DecodeMeta(data); err == nil && gone(m.Loc) {
			heads = append(heads, id)
			goneHeads[id] = true
		}
		return nil
	})
	if err == nil && len(heads) > 0 {
		err = docs.ListDocs(ctx, idfilter.PartKind, func(id string, _ []byte) error {
			if goneHeads[idfilter.HeadID(id)] {
				parts = append(parts, id)
			}
			return nil
		})
	}
	if err == nil {
		err = docs.ListDocs(ctx, DocFingerprint, func(id string, data []byte) error {
			var d keptDoc
			if json.Unmarshal(data, &d) == nil && gone(d.Loc) {
				sketches = append(sketches, id)
			}
			return nil
		})
	}
	// Parts before heads: a reader between the two sees a head without
	// parts, a corrupt filter, and searches the location.
	for _, batch := range []struct {
		kind string
		ids  []string
	}{{idfilter.PartKind, parts}, {idfilter.DocKind, heads}, {DocFingerprint, sketches}} {
		if err == nil && len(batch.ids) > 0 {
			err = del.DeleteDocs(ctx, batch.kind, batch.ids)
		}
	}
	if err != nil {
		return graphErr(fmt.Errorf("scanner: forget removed locations: %w", err))
	}
	if len(heads)+len(sketches) > 0 {
		e.log.Info("forgot the documents of removed locations", "filters", len(heads), "sketches", len(sketches))
	}
	return nil
}
