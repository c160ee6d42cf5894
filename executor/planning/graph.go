package planning

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

// graphView is one scan run of the graph, indexed for planning: stores,
// assets with their fields and findings, and the references and copy edges.
type graphView struct {
	run    lineage.ScanRun
	stores map[string]lineage.Node
	assets map[string]*assetView // key: store "/" asset
	order  []string              // asset keys, sorted
	refs   []lineage.Edge        // child field → parent field
	copies []lineage.Edge        // derived_from / copy_of
	// otherTenant holds the stores of other tenants, left out of the view.
	otherTenant map[string]bool
}

type assetView struct {
	key      string
	store    string
	name     string
	kind     string // store kind
	node     lineage.Node
	fields   map[string]*fieldView
	findings []piimap.Finding // asset-level findings (text assets)
}

type fieldView struct {
	name     string
	node     *lineage.Node
	types    []string // distinct finding types
	identity string   // subject key kind held by this field, "" if none
	explicit bool     // identity declared (node attr or config), not inferred
}

func assetKey(store, asset string) string { return store + "/" + asset }

func fieldKey(l piimap.Location) string { return l.String() }

func (a *assetView) fieldNames() []string {
	out := make([]string, 0, len(a.fields))
	for n := range a.fields {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// text reports whether the asset is matched line by line.
// skipped reports whether the scan listed the asset but never read it (a
// symlink out of the store root, an unsafe name): its unit error is the
// plan's gap, and nothing is searched or written under its name.
func (a *assetView) skipped() bool { return a.node.Attrs[piimap.MetaSkipped] != "" }

func (a *assetView) text() bool {
	if a.node.Attrs[lineage.AttrFormat] == piimap.FormatText {
		return true
	}
	return len(a.fields) == 0 && len(a.findings) > 0
}

// Unit meta the scanner records, read here from asset node attributes.
const (
	attrRelation  = "relation"     // scanner/postgres, mysql, duckdb: table | view | materialized_view
	attrTTLProbed = "ttl_probed"   // scanner/redis: keys whose TTL was probed
	attrTTLNone   = "ttl_none"     // scanner/redis: probed keys without a TTL
	attrTTLMedian = "ttl_median_s" // scanner/redis
	attrTTLMax    = "ttl_max_s"    // scanner/redis: longest remaining TTL, seconds
	attrMaxAge    = "max_age"      // scanner/nats: stream max_age (Go duration)
	attrRetention = "retention"    // scanner/nats: limits | interest | workqueue
)

// view reports whether the asset is a view the store computes ("view" or
// "materialized_view").
func (a *assetView) view() string {
	switch r := a.node.Attrs[attrRelation]; r {
	case "view", "materialized_view":
		return r
	}
	return ""
}

// piiFields are the fields with at least one PII finding, sorted.
func (a *assetView) piiFields() []string {
	var out []string
	for _, n := range a.fieldNames() {
		if len(a.fields[n].types) > 0 {
			out = append(out, n)
		}
	}
	return out
}

func (a *assetView) hasPII() bool { return len(a.findings) > 0 || len(a.piiFields()) > 0 }

func (a *assetView) hasType(t string) bool {
	for _, f := range a.findings {
		if f.Type == t {
			return true
		}
	}
	for _, fv := range a.fields {
		for _, ft := range fv.types {
			if ft == t {
				return true
			}
		}
	}
	return false
}

func (a *assetView) field(name string) *fieldView {
	fv := a.fields[name]
	if fv == nil {
		fv = &fieldView{name: name}
		a.fields[name] = fv
	}
	return fv
}

// fieldOf returns the view of a field location, nil when unknown.
func (v *graphView) fieldOf(l piimap.Location) *fieldView {
	if a := v.assets[assetKey(l.Store, l.Name)]; a != nil {
		return a.fields[l.Field]
	}
	return nil
}

// identityOf is the subject key kind a field holds, "" if none or unknown.
func (v *graphView) identityOf(l piimap.Location) string {
	if a := v.assets[assetKey(l.Store, l.Name)]; a != nil {
		if f := a.fields[l.Field]; f != nil {
			return f.identity
		}
	}
	return ""
}

// ours reports whether store belongs to the view's tenant.
func (v *graphView) ours(store string) bool { return !v.otherTenant[store] }

// identityTypes are the finding types that make a field a subject key, in
// priority order.
var identityTypes = []string{piimap.TypeEmail, piimap.TypeUserID, piimap.TypePhone}

// loadRun reads a scan run into a graphView (the latest one, through
// Planner.view and its ViewCache). stores supplies the
// configured identity hints (subject key → "asset.field").
//
// Only tenant's part of the map is read: assets of stores configured for
// another tenant, or recorded in the graph under another tenant, are not in
// the view, so no match, step, copy edge or gap of a request can reach
// them. Edges into them are dropped with them.
func loadRun(ctx context.Context, g lineage.Graph, run lineage.ScanRun, stores map[string]scanner.StoreConfig, tenant string) (*graphView, error) {
	v := &graphView{run: run, stores: map[string]lineage.Node{}, assets: map[string]*assetView{}}
	var err error
	otherTenant := map[string]bool{}
	for name, sc := range stores {
		if sc.TenantName() != tenant {
			otherTenant[name] = true
		}
	}
	err = g.Nodes(ctx, run.ID, func(n lineage.Node) error {
		if n.Kind != lineage.NodeStore {
			return nil
		}
		if _, configured := stores[n.Loc.Store]; configured {
			return nil
		}
		if lineage.TenantOf(n) != tenant {
			otherTenant[n.Loc.Store] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("executor: graph stores of run %s: %w", run.ID, err)
	}
	v.otherTenant = otherTenant
	ours := func(l piimap.Location) bool { return v.ours(l.Store) }
	asset := func(store, name, kind string) *assetView {
		k := assetKey(store, name)
		a := v.assets[k]
		if a == nil {
			a = &assetView{key: k, store: store, name: name, kind: kind, fields: map[string]*fieldView{}}
			v.assets[k] = a
		}
		if a.kind == "" {
			a.kind = kind
		}
		return a
	}
	var fieldNodes []lineage.Node
	err = g.Nodes(ctx, run.ID, func(n lineage.Node) error {
		if !ours(n.Loc) {
			return nil
		}
		switch n.Kind {
		case lineage.NodeStore:
			v.stores[n.Loc.Store] = n
		case lineage.NodeAsset:
			a := asset(n.Loc.Store, n.Loc.Name, n.StoreKind)
			a.node = n
		case lineage.NodeField:
			fieldNodes = append(fieldNodes, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("executor: graph nodes of run %s: %w", run.ID, err)
	}
	for i := range fieldNodes {
		n := fieldNodes[i]
		fv := asset(n.Loc.Store, n.Loc.Name, n.StoreKind).field(n.Loc.Field)
		fv.node = &fieldNodes[i]
		if id := n.Attrs[lineage.AttrIdentity]; id != "" {
			fv.identity, fv.explicit = id, true
		}
	}
	err = g.Findings(ctx, run.ID, func(f piimap.Finding) error {
		if !ours(f.Loc) {
			return nil
		}
		a := asset(f.Loc.Store, f.Loc.Name, "")
		if f.Loc.Field == "" {
			a.findings = append(a.findings, f)
			return nil
		}
		fv := a.field(f.Loc.Field)
		for _, t := range fv.types {
			if t == f.Type {
				return nil
			}
		}
		fv.types = append(fv.types, f.Type)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("executor: graph findings of run %s: %w", run.ID, err)
	}
	for _, a := range v.assets {
		if a.kind == "" {
			a.kind = v.stores[a.store].StoreKind
		}
		hints := stores[a.store].Identity
		var claims []lineage.IdentityClaim
		for _, fname := range a.fieldNames() {
			fv := a.fields[fname]
			for kind, path := range hints {
				if path == a.name+"."+fname {
					fv.identity, fv.explicit = kind, true
				}
			}
			if fv.identity == "" {
				for _, t := range identityTypes {
					if slices.Contains(fv.types, t) {
						fv.identity = t
						break
					}
				}
			}
			claims = append(claims, lineage.IdentityClaim{Field: fname, Kind: fv.identity, Explicit: fv.explicit})
		}
		// The map's binding rule: a declared key, or a field named after
		// its kind, unbinds inferred look-alikes beside it.
		bound := lineage.BindIdentities(claims)
		for fname, fv := range a.fields {
			if bound[fname] == "" {
				fv.identity, fv.explicit = "", false
			}
		}
		v.order = append(v.order, a.key)
	}
	sort.Strings(v.order)
	// Edges hang off field and asset nodes; walk each once.
	seen := map[string]bool{}
	visit := func(loc piimap.Location) error {
		return g.Edges(ctx, run.ID, loc, lineage.Out, func(e lineage.Edge) error {
			k := e.Kind + "|" + e.From.String() + "|" + e.To.String()
			if seen[k] {
				return nil
			}
			seen[k] = true
			if !ours(e.From) || !ours(e.To) {
				return nil
			}
			switch e.Kind {
			case lineage.EdgeReferences:
				v.refs = append(v.refs, e)
			case lineage.EdgeDerivedFrom, lineage.EdgeCopyOf:
				v.copies = append(v.copies, e)
			}
			return nil
		})
	}
	for _, k := range v.order {
		a := v.assets[k]
		if err := visit(piimap.Location{Store: a.store, Name: a.name}); err != nil {
			return nil, fmt.Errorf("executor: edges of %s: %w", k, err)
		}
		for _, f := range a.fieldNames() {
			if err := visit(piimap.Location{Store: a.store, Name: a.name, Field: f}); err != nil {
				return nil, fmt.Errorf("executor: edges of %s#%s: %w", k, f, err)
			}
		}
	}
	sort.Slice(v.refs, func(i, j int) bool { return v.refs[i].From.String() < v.refs[j].From.String() })
	// A join key follows its parent (as in the map): an inferred identity
	// on a field referencing a field that is no key of that kind is a
	// surrogate join key, matched through the reference only.
	for _, e := range v.refs {
		child := v.fieldOf(e.From)
		if child == nil || child.explicit || child.identity == "" {
			continue
		}
		if parent := v.fieldOf(e.To); parent == nil || parent.identity != child.identity {
			child.identity = ""
		}
	}
	return v, nil
}
