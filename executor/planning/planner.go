package planning

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Planner derives plans from the latest scan run of the map. The request
// flow (package executor) makes one for each derivation and hands it the
// ways to reach what the Service keeps: its handlers, its exceptions
// register and its installation key.
type Planner struct {
	Graph lineage.Graph
	// Docs holds the identifier filters when Graph is no lineage.DocStore.
	Docs   lineage.DocStore
	Stores map[string]scanner.StoreConfig
	// Concurrency bounds how many assets are read at once (identifier
	// filters, step counts).
	Concurrency int
	// Open opens the read-only handler of a store of tenant; it refuses a
	// store of any other tenant.
	Open func(ctx context.Context, tenant, store, kind string) (driver.Handler, error)
	// Exceptions lists the exceptions register as it applies to a request.
	Exceptions func(ctx context.Context, request string) ([]Exception, error)
	// FilterHasher makes the identifier-filter hasher under the
	// installation key.
	FilterHasher func(ctx context.Context) (*idfilter.Hasher, error)
	// IdentifierHMAC is the keyed hash by which the digest covers an
	// identifier (see Digest).
	IdentifierHMAC func(kind, value string) string
	// Manual, when set, says why a store's work is left to people (a
	// store marked manual, a kind without a handler), "" when piimap does
	// it; such locations become Plan.Tasks instead of steps or gaps.
	Manual func(store, kind string) string
	// Views, when set, keeps the graph views of the latest run between
	// derivations (viewcache.go); nil reads the view for each one.
	Views *ViewCache
}

// Request is what planning reads of a data-subject request. Subject and
// Changes are raw: they reach the plan only as Match.Values (never in
// JSON) and, as HMACs, its digest.
type Request struct {
	ID      string
	Type    dsar.Type
	Tenant  string         // only this tenant's part of the map is planned
	Subject piimap.Subject // the identifiers given, canonical
	Changes map[string]string
	// AllowMultiple is how many entity records the identifiers may
	// resolve to; 0 means one (blast.go).
	AllowMultiple int
}

// Derive builds the request's plan from the latest scan run. It opens
// handlers read-only and runs Finds to resolve identifiers and count rows;
// nothing is written anywhere. modes override the erasure mode by
// "store/asset", "store" or "*". With count false every step's Expected is
// left at 0 and the Finds that count are skipped (the digest does not
// cover counts).
//
// The derivation, in order: the graph view of the tenant's part of the map
// (graph.go); the subject closure grown from the identifiers given
// (closure.go, matching by matches.go); the steps, gaps, exceptions and
// skipped locations (steps.go, gaps.go, exception.go, filters.go); the
// lineage actions (lineage.go); the entity counts (blast.go); the digest
// (digest.go).
func (pl *Planner) Derive(ctx context.Context, req Request, modes map[string]driver.Mode, count bool) (*Plan, error) {
	v, err := pl.view(ctx, req.Tenant)
	if err != nil {
		return nil, err
	}
	d := &deriver{pl: pl, req: req, modes: modes, v: v, count: count, byKind: map[string]*valueSet{}, byField: map[string]*valueSet{}, companions: map[string]*valueSet{},
		parents: map[string]bool{}, handlers: map[string]driver.Handler{}, hErr: map[string]error{}, failed: map[string]bool{}, unsupported: map[string]bool{}}
	defer d.close()
	for _, kind := range slices.Sorted(maps.Keys(req.Subject)) {
		for _, v := range req.Subject[kind] {
			d.kindSet(kind).add(v, "request")
		}
	}
	for _, e := range v.refs {
		d.parents[fieldKey(e.To)] = true
	}
	if err := d.resolve(ctx); err != nil {
		return nil, err
	}
	p := &Plan{Request: req.ID, Type: req.Type, ScanRun: v.run.ID, CreatedAt: time.Now().UTC(),
		Gaps: []Gap{}, Exceptions: []Exception{}}
	if err := d.steps(ctx, p); err != nil {
		return nil, err
	}
	if err := d.unitErrorGaps(ctx); err != nil {
		return nil, err
	}
	p.Lineage = d.edgeActions(p)
	p.Unused = dedupeUnused(d.unused)
	if guarded(req.Type) {
		p.AllowedRecords = req.allowedRecords()
		if count {
			p.Entities = d.entityCounts(ctx)
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(d.byKind)) {
		set := d.byKind[kind]
		if len(set.values) == 0 && !set.full {
			continue // a kind the closure looked for and did not find
		}
		id := Identifier{Kind: kind, Count: len(set.values), Via: set.via}
		for _, val := range set.values {
			id.Masked = append(id.Masked, dsar.MaskDisplay(val))
		}
		p.Identifiers = append(p.Identifiers, id)
		p.Resolved = append(p.Resolved, ResolvedSet{Kind: kind, Values: set.values, Via: set.via})
		if set.full {
			d.gaps = append(d.gaps, Gap{Kind: GapLimit, Store: "*", Reason: fmt.Sprintf("more than %d %s values resolved; resolution stopped", maxKeyValues, kind)})
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(d.companions)) {
		set := d.companions[kind]
		if len(set.values) == 0 {
			continue
		}
		c := Identifier{Kind: kind, Count: len(set.values), Via: set.via}
		for _, val := range set.values {
			c.Masked = append(c.Masked, dsar.MaskDisplay(val))
		}
		p.Companions = append(p.Companions, c)
	}
	sort.SliceStable(d.gaps, func(i, j int) bool {
		a, b := d.gaps[i], d.gaps[j]
		if a.Store != b.Store {
			return a.Store < b.Store
		}
		if a.Asset != b.Asset {
			return a.Asset < b.Asset
		}
		return a.Kind+a.Field < b.Kind+b.Field
	})
	p.Gaps = append(p.Gaps, d.gaps...)
	p.Digest = Digest(p, req.Changes, pl.IdentifierHMAC)
	return p, nil
}

// deriver holds one plan derivation's state.
type deriver struct {
	pl      *Planner
	req     Request
	modes   map[string]driver.Mode
	v       *graphView
	byKind  map[string]*valueSet // subject identifiers by kind
	byField map[string]*valueSet // parent key values by field location
	// companions are the subject's names and postal addresses read from
	// their entity rows, by kind: redacted only on text lines their
	// identifiers attribute to them (driver.Target.Companions).
	companions map[string]*valueSet
	parents    map[string]bool // fields that are the target of a references edge
	handlers   map[string]driver.Handler
	hErr       map[string]error
	gaps       []Gap
	failed     map[string]bool // asset keys whose find failed
	// unsupported are the fields (fieldKey) a handler cannot match (a SQL
	// list path): left out of matches, each a gap (unsupported.go).
	unsupported map[string]bool
	unused      []Unused         // closure values left out: other records hold them (closure.go)
	count       bool             // count each step's rows (Expected)
	hasher      *idfilter.Hasher // identifier-filter keys, made once per derivation (filters.go)
}

// kindSet is the set of the subject's identifiers of kind, made on first
// use.
func (d *deriver) kindSet(kind string) *valueSet {
	if d.byKind[kind] == nil {
		d.byKind[kind] = newValueSet(kind)
	}
	return d.byKind[kind]
}

// companionSet is the set of the subject's companion values of kind, made
// on first use.
func (d *deriver) companionSet(kind string) *valueSet {
	if d.companions[kind] == nil {
		d.companions[kind] = newValueSet(kind)
	}
	return d.companions[kind]
}

// close closes every handler the derivation opened.
func (d *deriver) close() {
	for _, h := range d.handlers {
		_ = h.Close()
	}
}

// handler opens (once) the read-only handler of a store.
func (d *deriver) handler(ctx context.Context, store, kind string) (driver.Handler, error) {
	if h, ok := d.handlers[store]; ok {
		return h, nil
	}
	if err, ok := d.hErr[store]; ok {
		return nil, err
	}
	h, err := d.pl.Open(ctx, d.req.Tenant, store, kind)
	if err != nil {
		d.hErr[store] = err
		return nil, err
	}
	d.handlers[store] = h
	return h, nil
}

// region is the phone region of a field of a ("" for a text asset's lines).
func (d *deriver) region(a *assetView, field string) string {
	return d.pl.Stores[a.store].RegionOf(a.name, field)
}
