package ingest

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Store is one configured store as the resolver needs it: its name and
// how its kind names its datasets (scanner.NamingOf its URL: never with
// credentials).
type Store struct {
	Name   string
	Naming lineage.DatasetNaming
}

// storeRef is a store reduced to what names its datasets.
type storeRef struct {
	name string
	lineage.DatasetNaming
}

// Resolver maps the datasets and relations that lineage sources name to the
// locations of configured stores: an OpenLineage dataset by its namespace
// and name; a relation named in SQL or by dbt ("table", "schema.table",
// "db.schema.table") to the one SQL store that can hold it. What a name
// means in a store comes from the store's lineage.DatasetNaming, which its
// kind fills: the namespaces it answers to, the prefix of its dataset
// names, whether names are paths, and how relations become assets. Nothing
// here knows a store kind. When several stores could hold a relation, the assets of
// the latest scan decide; if they cannot, the relation is unresolved, not
// guessed. A Resolver is safe for one goroutine.
type Resolver struct {
	stores []storeRef
	byName map[string]storeRef
	// known[store][lower(asset)] is the asset's name in the latest run;
	// stores absent from it were never scanned.
	known map[string]map[string]string
	// why holds the reason each unresolved name failed.
	why map[string]string
}

// NewResolver builds a resolver over stores. known lists the assets of
// the latest scan run per store (nil when there is none); it is used to
// choose between stores that could each hold a relation.
func NewResolver(stores []Store, known map[string][]string) *Resolver {
	r := &Resolver{byName: map[string]storeRef{}, known: map[string]map[string]string{}, why: map[string]string{}}
	for _, s := range stores {
		ref := storeRef{name: s.Name, DatasetNaming: s.Naming}
		r.stores = append(r.stores, ref)
		r.byName[s.Name] = ref
	}
	for store, assets := range known {
		m := map[string]string{}
		for _, a := range assets {
			m[strings.ToLower(a)] = a
		}
		r.known[store] = m
	}
	return r
}

// GraphResolver builds a resolver over stores, taking the store namespaces
// and known assets from the latest finished run of g, when there is one.
func GraphResolver(ctx context.Context, g lineage.Graph, stores []Store) (*Resolver, error) {
	run, err := g.Latest(ctx)
	if errors.Is(err, piimap.ErrNotFound) {
		return NewResolver(stores, nil), nil
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: resolver: %w", err)
	}
	ns := map[string]string{}
	known := map[string][]string{}
	err = g.Nodes(ctx, run.ID, func(n lineage.Node) error {
		switch n.Kind {
		case lineage.NodeStore:
			ns[n.Loc.Store] = n.Loc.Namespace
		case lineage.NodeAsset:
			known[n.Loc.Store] = append(known[n.Loc.Store], n.Loc.Name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: resolver: nodes of run %s: %w", run.ID, err)
	}
	// The namespace the scanner recorded is authoritative (it saw the
	// real host): locations carry it, and the store answers to it as well.
	withNS := slices.Clone(stores)
	for i, s := range withNS {
		if got := ns[s.Name]; validNamespace(got) && got != s.Naming.Namespace {
			n := s.Naming
			n.Aliases = append(slices.Clone(n.Aliases), n.Namespace)
			n.Namespace = got
			withNS[i].Naming = n
		}
	}
	return NewResolver(withNS, known), nil
}

// validNamespace keeps namespaces shaped like scheme://… (the scanner
// falls back to the redacted URL for stores without one, which must not
// be matched against).
func validNamespace(ns string) bool {
	return strings.Contains(ns, "://") && !strings.Contains(ns, "@") && !strings.Contains(ns, "?")
}

// Has reports whether a store of that name is configured.
func (r *Resolver) Has(store string) bool { _, ok := r.byName[store]; return ok }

// scope is how one source's names are read.
type scope struct {
	pin    string                    // store every name without a matching namespace goes to
	dbHint func(table string) string // database a relation lives in ("" unknown)
}

// resolve maps one name; on failure it records why under key.
func (r *Resolver) resolve(sc scope, namespace, table string) (piimap.Location, bool) {
	loc, why := r.lookup(sc, namespace, table)
	if why != "" {
		key := table
		if namespace != "" {
			key = namespace + "/" + table
		}
		r.why[key] = why
		return piimap.Location{}, false
	}
	return loc, true
}

func (r *Resolver) lookup(sc scope, namespace, table string) (piimap.Location, string) {
	if table == "" {
		return piimap.Location{}, "empty name"
	}
	unpinned := fmt.Sprintf("pinned store %q is not configured", sc.pin)
	if namespace != "" {
		loc, why := r.byNamespace(namespace, table)
		if why == "" || sc.pin == "" {
			return loc, why
		}
		pinned, ok := r.byName[sc.pin]
		switch {
		case !ok:
			return piimap.Location{}, why + "; " + unpinned
		case !pinned.Scheme(namespace):
			return piimap.Location{}, why
		}
		// The namespace names no configured store (a different host name
		// for the same server, say): the pin decides.
		return r.inStore(pinned, table)
	}
	if sc.pin != "" {
		pinned, ok := r.byName[sc.pin]
		if !ok {
			return piimap.Location{}, unpinned
		}
		return r.inStore(pinned, table)
	}
	db := ""
	if sc.dbHint != nil {
		db = sc.dbHint(table)
	}
	return r.bySQLName(table, db)
}

// byNamespace resolves an OpenLineage dataset: the stores that answer to
// the namespace, each naming the dataset as its kind does (a relation, a
// path under its prefix, or the asset under its prefix).
func (r *Resolver) byNamespace(namespace, name string) (piimap.Location, string) {
	var cands []candidate
	paths := false
	for _, s := range r.stores {
		if !s.Answers(namespace) {
			continue
		}
		switch {
		case s.Relations != nil:
			if asset, ok := s.Relation(name); ok {
				cands = append(cands, candidate{s, asset})
			}
		case s.Paths:
			paths = true
			p := name
			// A namespace with a path (file:///dir) and a relative name:
			// the name is under the namespace's directory.
			if _, rest, ok := strings.Cut(namespace, "://"); ok && !strings.HasPrefix(name, "/") {
				if i := strings.IndexByte(rest, '/'); i >= 0 && strings.HasPrefix(s.Prefix, "/") {
					p = path.Join(rest[i:], name)
				}
			}
			if asset, ok := s.PathAsset(p, false); ok {
				cands = append(cands, candidate{s, asset})
			}
		default:
			if asset, ok := strings.CutPrefix(name, s.Prefix); ok && asset != "" {
				cands = append(cands, candidate{s, asset})
			}
		}
	}
	if paths {
		cands = longestPrefix(cands)
	}
	if len(cands) == 0 {
		return piimap.Location{}, "no configured store has this namespace"
	}
	return r.choose(cands)
}

type candidate struct {
	s     storeRef
	asset string
}

func longestPrefix(cands []candidate) []candidate {
	best := -1
	for _, c := range cands {
		best = max(best, len(c.s.Prefix))
	}
	var out []candidate
	for _, c := range cands {
		if len(c.s.Prefix) == best {
			out = append(out, c)
		}
	}
	return out
}

// bySQLName resolves a relation named in SQL or dbt, with no namespace:
// every SQL store that can hold it is a candidate; the database (when the
// source says) narrows them, then the assets of the latest scan.
func (r *Resolver) bySQLName(table, db string) (piimap.Location, string) {
	var all, withDB []candidate
	for _, s := range r.stores {
		asset, ok := s.Relation(table)
		if !ok {
			continue
		}
		c := candidate{s, asset}
		all = append(all, c)
		if db != "" && strings.EqualFold(s.RelationDatabase(table), db) {
			withDB = append(withDB, c)
		}
	}
	if len(withDB) > 0 {
		all = withDB
	}
	if len(all) == 0 {
		return piimap.Location{}, "no configured SQL store can hold it"
	}
	return r.choose(all)
}

// inStore resolves a relation within one store (a pin): a relation of a
// SQL store, or a path under (or relative to) a path store's prefix.
func (r *Resolver) inStore(s storeRef, table string) (piimap.Location, string) {
	asset, ok := s.Relation(table)
	if s.Paths {
		asset, ok = s.PathAsset(table, true)
	}
	if !ok || asset == "" {
		return piimap.Location{}, fmt.Sprintf("not a relation store %s can hold", s.name)
	}
	return r.choose([]candidate{{s, asset}})
}

// choose picks the one candidate, using the latest scan's assets to
// break ties, and names the asset as the scan spelled it.
func (r *Resolver) choose(cands []candidate) (piimap.Location, string) {
	if len(cands) > 1 {
		var seen []candidate
		for _, c := range cands {
			if _, ok := r.known[c.s.name][strings.ToLower(c.asset)]; ok {
				seen = append(seen, c)
			}
		}
		if len(seen) > 0 {
			cands = seen
		}
	}
	if len(cands) > 1 {
		names := make([]string, len(cands))
		for i, c := range cands {
			names[i] = c.s.name
		}
		slices.Sort(names)
		return piimap.Location{}, "ambiguous between stores " + strings.Join(slices.Compact(names), ", ") + " (pin one with --store)"
	}
	c := cands[0]
	asset := c.asset
	if spelled, ok := r.known[c.s.name][strings.ToLower(asset)]; ok {
		asset = spelled
	}
	return piimap.Location{Store: c.s.name, Namespace: c.s.Namespace, Name: asset}, ""
}
