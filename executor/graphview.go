package executor

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

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

// ours reports whether store belongs to the view's tenant.
func (v *graphView) ours(store string) bool { return !v.otherTenant[store] }

// identityTypes are the finding types that make a field a subject key, in
// priority order.
var identityTypes = []string{piimap.TypeEmail, piimap.TypeUserID, piimap.TypePhone}

// loadGraph reads the latest scan run into a graphView. stores supplies the
// configured identity hints (subject key → "asset.field").
//
// Only tenant's part of the map is read: assets of stores configured for
// another tenant, or recorded in the graph under another tenant, are not in
// the view, so no match, step, copy edge or gap of a request can reach
// them. Edges into them are dropped with them.
func loadGraph(ctx context.Context, g lineage.Graph, stores map[string]scanner.StoreConfig, tenant string) (*graphView, error) {
	run, err := g.Latest(ctx)
	if err != nil {
		return nil, fmt.Errorf("executor: latest scan run: %w", err)
	}
	v := &graphView{run: run, stores: map[string]lineage.Node{}, assets: map[string]*assetView{}}
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
					if containsStr(fv.types, t) {
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

// expandable reports whether values read from field f of a subject's row may
// be added to the subject's identifiers of f's kind (the subject closure).
// Declared identities always may. An inferred one only when it is the
// asset's sole field of that kind and the asset is an entity table: a
// customers row found by email names the subject's user id and phone, but
// an event or message row may name someone else (an inviter, a recipient),
// so fact tables and logs only consume identifiers. Emails and phones are
// taken only from a table with a unique identity column (entityTable); an
// inferred user id only from a table other tables reference (its key
// space is the map's). A value collected this way is used only when no
// other record of the table holds it (deriver.collect).
func (a *assetView) expandable(f *fieldView, unique, referenced bool) bool {
	if f.identity == "" {
		return false
	}
	if f.explicit {
		return true
	}
	switch f.identity {
	case piimap.KeyUserID:
		// A user id read from a table nobody references may be that
		// table's own surrogate key: not one the rest of the map shares.
		if !referenced {
			return false
		}
	case piimap.KeyEmail, piimap.KeyPhone:
		// Only a table with a unique identity column holds one record per
		// person: a table that is merely referenced (messages, with
		// attachments pointing at them) may hold a recipient's phone.
		if !unique {
			return false
		}
	default:
		return false
	}
	n := 0
	for _, o := range a.fields {
		if o.identity == f.identity {
			n++
		}
	}
	return n == 1
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func fieldKey(l piimap.Location) string { return l.String() }

func asMap(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case json.RawMessage:
		var m map[string]any
		if json.Unmarshal(x, &m) == nil {
			return m, true
		}
	}
	return nil, false
}

// maskedCopyOf reports the source asset when a is a masked copy of it. An
// edge's From is the copy and its To the source, so only the From side
// counts: a table that a view hashes is not itself a masked copy.
func (v *graphView) maskedCopyOf(a *assetView) string {
	for _, e := range v.copies {
		if e.Transform == lineage.TransformMasked && e.From.Store == a.store && e.From.Name == a.name {
			return e.To.Asset().String()
		}
	}
	return ""
}

// lookupPath reads field (a column or a dotted JSON path) from a row.
func lookupPath(cols []Column, row []any, field string) (any, bool) {
	for i, c := range cols {
		if c.Name == field && i < len(row) {
			return row[i], true
		}
	}
	parts := strings.Split(field, ".")
	for i, c := range cols {
		if c.Name != parts[0] || i >= len(row) {
			continue
		}
		cur := row[i]
		for _, p := range parts[1:] {
			m, ok := asMap(cur)
			if !ok {
				return nil, false
			}
			if cur, ok = m[p]; !ok {
				return nil, false
			}
		}
		return cur, true
	}
	return nil, false
}
