package instructions

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Finding kinds of the shadow report.
const (
	// KindNotPermitted: a store or asset holds a PII type its instruction
	// does not permit (card numbers in a debug log).
	KindNotPermitted = "pii_not_permitted"
	// KindProdCopy: a field of a non-production store copies or derives
	// from a field of a production store (copy_of or derived_from edges,
	// followed through other non-production stores).
	KindProdCopy = "prod_copy_in_non_prod"
	// KindUnregistered: PII in a store no tenant registers.
	KindUnregistered = "unregistered_store"
	// KindSubprocessor: PII in a store operated by a subprocessor the
	// tenant does not list for it.
	KindSubprocessor = "unlisted_subprocessor"
	// KindRegion: PII in a store whose region the tenant's instructions do
	// not allow.
	KindRegion = "unlisted_region"
	// KindRetention: data older than its retention's max_age (or kept
	// without an expiry where the store records one).
	KindRetention = "retention_exceeded"
)

// Kinds lists every finding kind.
var Kinds = []string{KindNotPermitted, KindProdCopy, KindUnregistered, KindSubprocessor, KindRegion, KindRetention}

// Severities.
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
	SeverityLow    = "low"
)

// Finding is one piece of processing outside the register. It never holds
// a raw value: evidence is counts, rule reasons, edge provenance and times.
type Finding struct {
	Kind        string   `json:"kind"`
	Tenant      string   `json:"tenant"`
	Store       string   `json:"store"`
	Asset       string   `json:"asset"`
	Field       string   `json:"field"`
	PII         []string `json:"pii"`
	Instruction string   `json:"instruction"`
	Severity    string   `json:"severity"`
	Evidence    []string `json:"evidence"`
}

// Unchecked is a retention instruction piimap could not check for an
// asset holding PII: the scan recorded no age for it.
type Unchecked struct {
	Tenant      string `json:"tenant"`
	Store       string `json:"store"`
	Asset       string `json:"asset"`
	Instruction string `json:"instruction"`
	Reason      string `json:"reason"`
}

// Report is the shadow-processing report of one scan run.
type Report struct {
	ScanRun     string      `json:"scan_run"`
	GeneratedAt time.Time   `json:"generated_at"`
	Register    string      `json:"register,omitempty"`
	Findings    []Finding   `json:"findings"`
	Unchecked   []Unchecked `json:"unchecked"`
}

// Options are what the report needs beyond the graph and the register.
type Options struct {
	// Stores are the configured stores; a store of the run missing here is
	// judged by its node's tenant and environment.
	Stores []StoreFacts
	// Allow rules (config allow:) accept findings: accepted PII types are
	// not judged.
	Allow []lineage.AllowRule
	// Tenant keeps only this tenant's findings ("" for all).
	Tenant string
	// Now is the time ages are measured at (default time.Now).
	Now time.Time
}

// contentTypes are a location's PII types that count as content: not
// accepted by an allow rule, and not user_id (DESIGN §3: a subject key,
// not PII content).
func contentTypes(l lineage.MapLocation) []string {
	var out []string
	for _, p := range l.PII {
		if p.Allowed == "" && p.Type != piimap.TypeUserID && !slices.Contains(out, p.Type) {
			out = append(out, p.Type)
		}
	}
	slices.Sort(out)
	return out
}

// sensitive types raise a finding's severity to high.
func sensitive(types []string) bool {
	for _, t := range types {
		switch {
		case t == piimap.TypeCreditCard, t == piimap.TypeIBAN, t == piimap.TypeBankAccount, t == piimap.TypePassport,
			t == piimap.TypeDriversLicense, t == piimap.TypeCredential, t == piimap.TypeDateOfBirth,
			strings.HasPrefix(t, "national_id"):
			return true
		}
	}
	return false
}

// piiEvidence summarises a location's findings of the given types, with
// counts and the classifier's reasons (never a value, masked or not).
func piiEvidence(l lineage.MapLocation, types []string) []string {
	var out []string
	for _, p := range l.PII {
		if !slices.Contains(types, p.Type) {
			continue
		}
		line := fmt.Sprintf("%s: %d of %d sampled, confidence %.2f", p.Type, p.Hits, p.Sampled, p.Confidence)
		if len(p.Evidence) > 0 {
			ev := p.Evidence
			if len(ev) > 3 {
				ev = ev[:3]
			}
			line += " (" + strings.Join(ev, "; ") + ")"
		}
		out = append(out, line)
	}
	return out
}

// Shadow reads the map of run ("" for the latest) and lists the
// processing it shows outside the register.
func Shadow(ctx context.Context, g lineage.Graph, run string, reg *Register, opt Options) (*Report, error) {
	m, err := lineage.BuildMap(ctx, g, run, lineage.MapFilter{})
	if err != nil {
		return nil, fmt.Errorf("shadow report: %w", err)
	}
	lineage.MarkAllowed(m, opt.Allow)
	v := &view{m: m, stores: map[string]*storeView{}, assets: map[piimap.Location]lineage.Node{},
		fields: map[piimap.Location]lineage.Node{}, locs: map[lineage.MapRef]*lineage.MapLocation{}}
	for _, f := range opt.Stores {
		v.stores[f.Name] = &storeView{facts: f}
	}
	err = g.Nodes(ctx, m.ScanRun, func(n lineage.Node) error {
		k := piimap.Location{Store: n.Loc.Store, Name: n.Loc.Name, Field: n.Loc.Field}
		switch n.Kind {
		case lineage.NodeStore:
			sv := v.stores[k.Store]
			if sv == nil {
				sv = &storeView{facts: StoreFacts{Name: k.Store, Tenant: n.Attrs[lineage.AttrTenant], Environment: n.Attrs[lineage.AttrEnv]}}
				v.stores[k.Store] = sv
			}
			sv.scanned = true
		case lineage.NodeAsset:
			v.assets[k] = n
		case lineage.NodeField:
			v.fields[k] = n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("shadow report: nodes of run %s: %w", m.ScanRun, err)
	}
	for i := range m.Locations {
		l := &m.Locations[i]
		v.locs[lineage.MapRef{Store: l.Store, Asset: l.Asset, Field: l.Field}] = l
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	a := &analysis{v: v, reg: reg, g: g, ctx: ctx, now: now.UTC()}
	a.run()
	rep := &Report{ScanRun: m.ScanRun, GeneratedAt: now.UTC().Truncate(time.Second), Register: reg.Path,
		Findings: []Finding{}, Unchecked: []Unchecked{}}
	for _, f := range a.out {
		if opt.Tenant == "" || f.Tenant == opt.Tenant {
			rep.Findings = append(rep.Findings, f)
		}
	}
	for _, u := range a.unchecked {
		if opt.Tenant == "" || u.Tenant == opt.Tenant {
			rep.Unchecked = append(rep.Unchecked, u)
		}
	}
	slices.SortFunc(rep.Findings, func(x, y Finding) int {
		return cmp.Or(cmp.Compare(x.Store, y.Store), cmp.Compare(x.Asset, y.Asset), cmp.Compare(x.Field, y.Field),
			cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Instruction, y.Instruction))
	})
	slices.SortFunc(rep.Unchecked, func(x, y Unchecked) int {
		return cmp.Or(cmp.Compare(x.Store, y.Store), cmp.Compare(x.Asset, y.Asset), cmp.Compare(x.Instruction, y.Instruction))
	})
	return rep, nil
}

// view is the run's map with the node attributes the report judges by.
type view struct {
	m      *lineage.Map
	stores map[string]*storeView
	assets map[piimap.Location]lineage.Node // by store, asset
	fields map[piimap.Location]lineage.Node // by store, asset, field
	locs   map[lineage.MapRef]*lineage.MapLocation
}

type storeView struct {
	facts   StoreFacts
	scanned bool
}

func (v *view) facts(store string) StoreFacts {
	if sv := v.stores[store]; sv != nil {
		return sv.facts
	}
	return StoreFacts{Name: store}
}

func tenantOf(f StoreFacts) string {
	if f.Tenant == "" {
		return lineage.DefaultTenant
	}
	return f.Tenant
}

func sortLocs(ls []piimap.Location) {
	slices.SortFunc(ls, func(x, y piimap.Location) int {
		return cmp.Or(cmp.Compare(x.Store, y.Store), cmp.Compare(x.Name, y.Name), cmp.Compare(x.Field, y.Field))
	})
}
