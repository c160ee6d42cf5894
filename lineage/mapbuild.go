package lineage

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/piimap/piimap"
)

// Map is the PII location map of one scan run: the DESIGN §7 output
// contract. Fields beyond the contract are additions only.
type Map struct {
	ScanRun     string        `json:"scan_run"`
	GeneratedAt time.Time     `json:"generated_at"`
	RunStatus   string        `json:"run_status,omitempty"`
	Locations   []MapLocation `json:"locations"`
	// Errors are the unit errors of the run's snapshot (carried-forward
	// stores included): the gaps in this map.
	Errors []UnitError `json:"errors"`
	// Coverage lists structured PII that no subject key reaches along
	// references, views or copies: a data-subject request cannot find it.
	// Text assets are not listed: requests search them for the subject's
	// identifiers token by token.
	Coverage []CoverageGap `json:"coverage_gaps"`
}

// CoverageGap is one orphan PII field and why it is one.
type CoverageGap struct {
	Store  string   `json:"store"`
	Asset  string   `json:"asset"`
	Field  string   `json:"field"`
	Types  []string `json:"types"`
	Reason string   `json:"reason"`
}

// orphanReason is the CoverageGap reason for a field no subject key reaches.
const orphanReason = "no subject key in this asset and no references, view or copy path from one"

// MapLocation is one field (or text asset, Field "") that holds PII, is a
// subject key, or is a join key on a subject's path.
type MapLocation struct {
	Store  string   `json:"store"`
	Kind   string   `json:"kind"` // store kind: duckdb, files, postgres, ...
	Asset  string   `json:"asset"`
	Field  string   `json:"field"`
	Format string   `json:"format,omitempty"` // object format for file assets
	Rows   int64    `json:"rows,omitempty"`   // asset row estimate
	PII    []MapPII `json:"pii"`
	// SubjectKey marks a field that identifies a data subject; Identity
	// names the key kind (email, user_id, phone, or a configured one).
	SubjectKey bool   `json:"subject_key"`
	Identity   string `json:"identity,omitempty"`
	// JoinKey marks a field at either end of a references edge on a
	// subject's path (orders.customer_id → customers.id).
	JoinKey bool `json:"join_key,omitempty"`
	// DerivedCopy marks a field listed because it is derived from or copies
	// a listed location (a view column, a hashed copy) without PII findings
	// of its own.
	DerivedCopy bool      `json:"derived_copy,omitempty"`
	Edges       []MapEdge `json:"edges"`
}

// MapPII is one PII type found at a location. Masked is the classifier's
// masked example; the map never holds raw values.
type MapPII struct {
	Type       string   `json:"type"`
	Confidence float64  `json:"confidence"`
	Hits       int      `json:"hits"`
	Sampled    int      `json:"sampled"`
	Evidence   []string `json:"evidence"`
	Rule       string   `json:"rule,omitempty"`
	Masked     string   `json:"masked,omitempty"`
	// Allowed is the reason an allow rule (config allow:) gives for
	// accepting this finding; the finding stays in the map.
	Allowed string `json:"allowed,omitempty"`
}

// MapEdge is one outgoing edge of a location (every kind but contains).
type MapEdge struct {
	Kind       string  `json:"kind"`
	To         MapRef  `json:"to"`
	Source     string  `json:"source"`
	Confidence float64 `json:"confidence"`
	Transform  string  `json:"transform,omitempty"`
}

// MapRef names an edge's target.
type MapRef struct {
	Store string `json:"store"`
	Asset string `json:"asset"`
	Field string `json:"field"`
}

// String renders store/asset[#field] like piimap.Location.
func (r MapRef) String() string {
	return piimap.Location{Store: r.Store, Name: r.Asset, Field: r.Field}.String()
}

// MapFilter narrows a map. Empty slices mean no restriction.
type MapFilter struct {
	// Types keeps only locations holding PII of one of these types, and
	// only those types in their pii lists; subject and join keys without
	// such PII drop out.
	Types []string
	// Stores keeps only locations in these stores (edges may still point
	// elsewhere); errors are narrowed the same way.
	Stores []string
	// Tenant keeps only the stores the scan recorded for this tenant (a
	// store naming none belongs to DefaultTenant), and drops edges into
	// any other tenant's store, so a tenant's map names nothing of others.
	Tenant string
}

// DefaultTenant is the tenant of a store whose configuration names none.
const DefaultTenant = "default"

// TenantOf is a store node's tenant.
func TenantOf(n Node) string {
	if t := n.Attrs[AttrTenant]; t != "" {
		return t
	}
	return DefaultTenant
}

// BuildMap builds the PII location map of run ("" for the latest finished
// run): every field and text asset holding PII, every subject key, every
// join key on a subject's path, and fields derived from or copying any of
// those, each with its outgoing edges. Ordering is by (store, asset,
// field), edges by (kind, target, source), PII by confidence then type.
func BuildMap(ctx context.Context, g Graph, run string, f MapFilter) (*Map, error) {
	s, err := loadSnapshot(ctx, g, run)
	if err != nil {
		return nil, fmt.Errorf("lineage: map: %w", err)
	}
	w := s.walk(s.subjectKeys())
	joins := map[piimap.Location]bool{}
	for _, e := range w.refs {
		joins[key(e.From)], joins[key(e.To)] = true, true
	}

	listed := map[piimap.Location]bool{}
	for k := range s.findings {
		listed[k] = true
	}
	for _, k := range s.subjectKeys() {
		listed[k] = true
	}
	for k := range joins {
		listed[k] = true
	}
	// Copies of listed locations, transitively (a view of a view).
	copies := map[piimap.Location]bool{}
	for changed := true; changed; {
		changed = false
		for to, es := range s.in {
			if !listed[to] {
				continue
			}
			for _, e := range es {
				if from := key(e.From); isCopy(e.Kind) && !listed[from] && from.Field != "" {
					listed[from], copies[from], changed = true, true, true
				}
			}
		}
	}

	types, stores := setOf(f.Types), setOf(f.Stores)
	var tenantStores map[string]bool
	if f.Tenant != "" {
		tenantStores = map[string]bool{}
		for loc, n := range s.nodes {
			if n.Kind == NodeStore && TenantOf(n) == f.Tenant && (len(stores) == 0 || stores[loc.Store]) {
				tenantStores[loc.Store] = true
			}
		}
		stores = tenantStores
		if len(stores) == 0 {
			stores = map[string]bool{"\x00": true} // the tenant holds no store: nothing is shown
		}
	}
	m := &Map{ScanRun: s.run.ID, GeneratedAt: time.Now().UTC().Truncate(time.Second), RunStatus: s.run.Status,
		Locations: []MapLocation{}, Errors: []UnitError{}}
	for k := range listed {
		if len(stores) > 0 && !stores[k.Store] {
			continue
		}
		loc := s.location(k)
		loc.JoinKey, loc.DerivedCopy = joins[k], copies[k]
		if len(types) > 0 {
			loc.PII = slices.DeleteFunc(loc.PII, func(p MapPII) bool { return !types[p.Type] })
			if len(loc.PII) == 0 {
				continue
			}
		}
		if tenantStores != nil {
			loc.Edges = slices.DeleteFunc(loc.Edges, func(e MapEdge) bool { return !tenantStores[e.To.Store] })
		}
		m.Locations = append(m.Locations, loc)
	}
	slices.SortFunc(m.Locations, func(a, b MapLocation) int {
		return cmp.Or(cmp.Compare(a.Store, b.Store), cmp.Compare(a.Asset, b.Asset), cmp.Compare(a.Field, b.Field))
	})
	m.Coverage = coverage(s, stores, types)
	for _, ue := range s.errs {
		if len(stores) == 0 || stores[ue.Store] {
			m.Errors = append(m.Errors, ue)
		}
	}
	return m, nil
}

// location renders one map entry from the snapshot.
func (s *snapshot) location(k piimap.Location) MapLocation {
	loc := MapLocation{Store: k.Store, Asset: k.Name, Field: k.Field, PII: []MapPII{}, Edges: []MapEdge{}}
	for _, at := range []piimap.Location{k, k.Asset(), {Store: k.Store}} {
		if n, ok := s.nodes[at]; ok && n.StoreKind != "" {
			loc.Kind = n.StoreKind
			break
		}
	}
	if a, ok := s.nodes[k.Asset()]; ok {
		loc.Format = a.Attrs[AttrFormat]
		loc.Rows, _ = strconv.ParseInt(a.Attrs[AttrRows], 10, 64)
	}
	loc.Identity = s.identity(k)
	loc.SubjectKey = loc.Identity != ""

	best := map[string]piimap.Finding{}
	for _, f := range s.findings[k] {
		if b, ok := best[f.Type]; !ok || f.Confidence > b.Confidence {
			best[f.Type] = f
		}
	}
	for _, f := range best {
		ev := f.Evidence
		if ev == nil {
			ev = []string{}
		}
		loc.PII = append(loc.PII, MapPII{Type: f.Type, Confidence: round3(f.Confidence), Hits: f.Hits,
			Sampled: f.Sampled, Evidence: ev, Rule: f.RuleID, Masked: f.Masked})
	}
	slices.SortFunc(loc.PII, func(a, b MapPII) int {
		return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), cmp.Compare(a.Type, b.Type))
	})

	for _, e := range s.out[k] {
		loc.Edges = append(loc.Edges, MapEdge{Kind: e.Kind, To: MapRef{Store: e.To.Store, Asset: e.To.Name, Field: e.To.Field},
			Source: e.Source, Confidence: round3(e.Confidence), Transform: e.Transform})
	}
	slices.SortFunc(loc.Edges, func(a, b MapEdge) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.To.Store, b.To.Store), cmp.Compare(a.To.Asset, b.To.Asset),
			cmp.Compare(a.To.Field, b.To.Field), cmp.Compare(a.Source, b.Source))
	})
	return loc
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func setOf(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// coverage lists the structured PII fields no subject path reaches.
func coverage(s *snapshot, stores, types map[string]bool) []CoverageGap {
	reached := map[piimap.Location]bool{}
	for _, p := range s.subjectPaths(nil) {
		reached[key(p.To)] = true
	}
	out := []CoverageGap{}
	for k, fs := range s.findings {
		if reached[k] || k.Field == "" || len(stores) > 0 && !stores[k.Store] {
			continue
		}
		var ts []string
		for _, f := range fs {
			if len(types) == 0 || types[f.Type] {
				ts = append(ts, f.Type)
			}
		}
		if len(ts) == 0 {
			continue
		}
		slices.Sort(ts)
		out = append(out, CoverageGap{Store: k.Store, Asset: k.Name, Field: k.Field, Types: slices.Compact(ts), Reason: orphanReason})
	}
	slices.SortFunc(out, func(a, b CoverageGap) int {
		return cmp.Or(cmp.Compare(a.Store, b.Store), cmp.Compare(a.Asset, b.Asset), cmp.Compare(a.Field, b.Field))
	})
	return out
}
