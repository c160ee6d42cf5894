package scanner

import (
	"context"
	"fmt"
	"strings"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/idfilter"
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
	var heads, parts, sketches []string
	goneHeads := map[string]bool{}
	err := docs.ListDocs(ctx, idfilter.DocKind, func(id string, _ []byte) error {
		if goneDoc(live, id, false) {
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
		err = docs.ListDocs(ctx, DocFingerprint, func(id string, _ []byte) error {
			if goneDoc(live, id, true) {
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

// goneDoc reports whether the document ID of a location, store/asset
// (idfilter.ID) or store/asset#field (a kept sketch, withField), names an
// asset of a listed store that the listing did not name. It reads the ID
// alone, so nothing is decoded: a store is found by its longest prefix
// (store names may hold '/'), and with a field every '#' is tried as the separator (asset
// names and fields may hold '#'), the document staying if any reading
// names a listed asset.
func goneDoc(live map[string]map[string]bool, id string, withField bool) bool {
	store := "" // the longest listed store the ID starts with
	for s := range live {
		if strings.HasPrefix(id, s+"/") && len(s) > len(store) {
			store = s
		}
	}
	if store == "" {
		return false
	}
	names, rest := live[store], id[len(store)+1:]
	if !withField {
		return !names[rest]
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '#' && names[rest[:i]] {
			return false
		}
	}
	return true
}
