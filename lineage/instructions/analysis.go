package instructions

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// analysis runs every check over one view.
type analysis struct {
	v         *view
	reg       *Register
	g         lineage.Graph
	ctx       context.Context
	now       time.Time
	out       []Finding
	unchecked []Unchecked
	into      map[lineage.MapRef][]inEdge // fingerprint copy_of edges by target (in)
}

func (a *analysis) add(f Finding) {
	if f.PII == nil {
		f.PII = []string{}
	}
	if f.Evidence == nil {
		f.Evidence = []string{}
	}
	a.out = append(a.out, f)
}

func (a *analysis) run() {
	for i := range a.v.m.Locations {
		l := &a.v.m.Locations[i]
		types := contentTypes(*l)
		facts := a.v.facts(l.Store)
		tenant := tenantOf(facts)
		regs := a.reg.registrations(l.Store, tenant)
		if len(regs) > 0 && facts.Tenant == "" {
			tenant = regs[0].tenant // a store the config gives no tenant: the one registering it
		}
		if len(types) > 0 {
			if len(regs) == 0 {
				a.add(Finding{Kind: KindUnregistered, Tenant: tenant, Store: l.Store, Asset: l.Asset, Field: l.Field, PII: types,
					Instruction: fmt.Sprintf("no tenant registers store %q (tenants.*.stores)", l.Store),
					Severity:    SeverityHigh, Evidence: piiEvidence(*l, types)})
			} else {
				a.permission(l, types, tenant, regs)
				a.operator(l, types, facts, regs)
			}
		}
		a.prodCopy(l, tenant, facts, regs)
	}
	a.retention()
}

// permission reports the types no registration permits at the location.
func (a *analysis) permission(l *lineage.MapLocation, types []string, tenant string, regs []registration) {
	var bad []string
	var instr string
	for _, t := range types {
		ok := false
		for _, g := range regs {
			if allows(g.permitted(l.Store, l.Asset).types, t) {
				ok = true
				break
			}
		}
		if !ok {
			bad = append(bad, t)
		}
	}
	if len(bad) == 0 {
		return
	}
	instr = regs[0].permitted(l.Store, l.Asset).instruction
	sev := SeverityMedium
	if sensitive(bad) {
		sev = SeverityHigh
	}
	a.add(Finding{Kind: KindNotPermitted, Tenant: tenant, Store: l.Store, Asset: l.Asset, Field: l.Field, PII: bad,
		Instruction: instr, Severity: sev, Evidence: piiEvidence(*l, bad)})
}

// operator checks the store's subprocessor and region against the
// registering tenant's subprocessors and regions.
func (a *analysis) operator(l *lineage.MapLocation, types []string, facts StoreFacts, regs []registration) {
	g := regs[0]
	t := g.t
	base := fmt.Sprintf("tenants.%s.subprocessors", g.tenant)
	ev := func(extra ...string) []string {
		out := append(piiEvidence(*l, types), extra...)
		return append(out, a.copyEvidence(l)...)
	}
	var op Subprocessor
	var hasOp bool
	if facts.Subprocessor != "" {
		sp, listed := t.subprocessor(facts.Subprocessor)
		switch {
		case !listed:
			a.add(Finding{Kind: KindSubprocessor, Tenant: g.tenant, Store: l.Store, Asset: l.Asset, Field: l.Field, PII: types,
				Instruction: fmt.Sprintf("%s: %q is not listed", base, facts.Subprocessor), Severity: SeverityHigh,
				Evidence: ev(fmt.Sprintf("config store %q: subprocessor %s", l.Store, facts.Subprocessor))})
		case len(sp.Stores) > 0 && !slices.Contains(sp.Stores, l.Store):
			a.add(Finding{Kind: KindSubprocessor, Tenant: g.tenant, Store: l.Store, Asset: l.Asset, Field: l.Field, PII: types,
				Instruction: fmt.Sprintf("%s[%s]%s: stores %s", base, sp.Name, at(sp.Line), list(sp.Stores)), Severity: SeverityHigh,
				Evidence: ev(fmt.Sprintf("config store %q: subprocessor %s", l.Store, facts.Subprocessor))})
		default:
			op, hasOp = sp, true
		}
	} else {
		op, hasOp = t.operator(l.Store)
	}
	if facts.Region == "" {
		return
	}
	switch {
	case hasOp && op.Region != "":
		if !strings.EqualFold(op.Region, facts.Region) {
			a.add(Finding{Kind: KindRegion, Tenant: g.tenant, Store: l.Store, Asset: l.Asset, Field: l.Field, PII: types,
				Instruction: fmt.Sprintf("%s[%s]%s: region %s", base, op.Name, at(op.Line), op.Region), Severity: SeverityHigh,
				Evidence: ev(fmt.Sprintf("config store %q: region %s", l.Store, facts.Region))})
		}
	case len(t.Regions) > 0 && !slices.ContainsFunc(t.Regions, func(r string) bool { return strings.EqualFold(r, facts.Region) }):
		a.add(Finding{Kind: KindRegion, Tenant: g.tenant, Store: l.Store, Asset: l.Asset, Field: l.Field, PII: types,
			Instruction: fmt.Sprintf("tenants.%s.regions: %s", g.tenant, list(t.Regions)), Severity: SeverityHigh,
			Evidence: ev(fmt.Sprintf("config store %q: region %s", l.Store, facts.Region))})
	}
}

// copyEvidence describes the location's outgoing copy and derivation
// edges (where its data came from).
func (a *analysis) copyEvidence(l *lineage.MapLocation) []string {
	var out []string
	for _, e := range l.Edges {
		if e.Kind == lineage.EdgeCopyOf || e.Kind == lineage.EdgeDerivedFrom {
			out = append(out, a.edgeLine(l, e))
		}
	}
	return out
}

// edgeLine renders one edge with its provenance and, when the graph holds
// it, its evidence (containment, masking; never values).
func (a *analysis) edgeLine(l *lineage.MapLocation, e lineage.MapEdge) string {
	s := fmt.Sprintf("%s %s (source %s, confidence %.2f", e.Kind, e.To, e.Source, e.Confidence)
	if e.Transform != "" {
		s += ", transform " + e.Transform
	}
	s += ")"
	if ev := a.edgeEvidence(l, e); ev != "" {
		s += ": " + ev
	}
	return s
}

func (a *analysis) edgeEvidence(l *lineage.MapLocation, e lineage.MapEdge) string {
	from := piimap.Location{Store: l.Store, Name: l.Asset, Field: l.Field}
	to := piimap.Location{Store: e.To.Store, Name: e.To.Asset, Field: e.To.Field}
	var ev string
	_ = a.g.Edges(a.ctx, a.v.m.ScanRun, from, lineage.Out, func(x lineage.Edge) error {
		if x.Kind == e.Kind && x.Source == e.Source && x.To.Store == to.Store && x.To.Name == to.Name && x.To.Field == to.Field {
			ev = x.Evidence
		}
		return nil
	})
	return ev
}

// prodCopy reports a field of a non-production store that shares values
// with a field of a production store: its copy_of and derived_from edges
// lead there, directly or through other non-production stores. A copy_of
// edge found by fingerprints the other way round (the prod field taken for
// the copy) counts too: which side is the copy is inferred, the shared
// values are not.
func (a *analysis) prodCopy(l *lineage.MapLocation, tenant string, facts StoreFacts, regs []registration) {
	env, envSrc := environment(regs, l.Store, facts.Environment)
	if !IsNonProd(env) || l.Field == "" {
		return
	}
	type step struct {
		loc  *lineage.MapLocation
		path []string
		mask bool
	}
	self := lineage.MapRef{Store: l.Store, Asset: l.Asset, Field: l.Field}
	seen := map[lineage.MapRef]bool{self: true}
	queue := []step{{loc: l}}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, h := range a.hops(s.loc) {
			if seen[h.to] {
				continue
			}
			seen[h.to] = true
			path := append(slices.Clone(s.path), h.line)
			mask := s.mask || h.transform == lineage.TransformMasked
			toFacts := a.v.facts(h.to.Store)
			toEnv, _ := environment(a.reg.registrations(h.to.Store, tenantOf(toFacts)), h.to.Store, toFacts.Environment)
			next := a.v.locs[h.to]
			switch {
			case toEnv == "prod":
				types := contentTypes(*l)
				if next != nil {
					types = union(types, contentTypes(*next))
				}
				if len(types) == 0 {
					continue // a copy of a field that holds no PII
				}
				sev := SeverityHigh
				if mask {
					sev = SeverityMedium
				}
				ev := append(path, fmt.Sprintf("store %s is %s; the original's store %s is prod", l.Store, env, h.to.Store))
				if next != nil {
					ev = append(ev, piiEvidence(*next, types)...)
				}
				a.add(Finding{Kind: KindProdCopy, Tenant: tenant, Store: l.Store, Asset: l.Asset, Field: l.Field, PII: types,
					Instruction: envSrc + " (production data stays in production stores)", Severity: sev, Evidence: ev})
				return
			case IsNonProd(toEnv) && next != nil && len(path) < 8:
				queue = append(queue, step{loc: next, path: path, mask: mask})
			}
		}
	}
}

// hop is one step from a field to a field it shares values with.
type hop struct {
	to        lineage.MapRef
	transform string
	line      string // the edge as evidence
}

// hops are a field's outgoing copy_of and derived_from edges, then the
// fingerprint copy_of edges into it.
func (a *analysis) hops(l *lineage.MapLocation) []hop {
	var out []hop
	for _, e := range l.Edges {
		if e.Kind == lineage.EdgeCopyOf || e.Kind == lineage.EdgeDerivedFrom {
			out = append(out, hop{to: e.To, transform: e.Transform, line: a.edgeLine(l, e)})
		}
	}
	self := lineage.MapRef{Store: l.Store, Asset: l.Asset, Field: l.Field}
	for _, in := range a.in(self) {
		line := fmt.Sprintf("%s is taken for a copy_of this field (source %s, confidence %.2f", in.from, in.e.Source, in.e.Confidence)
		if in.e.Transform != "" {
			line += ", transform " + in.e.Transform
		}
		line += "): the values are shared whichever side is the copy"
		if ev := a.edgeEvidence(in.loc, in.e); ev != "" {
			line += "; " + ev
		}
		out = append(out, hop{to: in.from, transform: in.e.Transform, line: line})
	}
	return out
}

type inEdge struct {
	from lineage.MapRef
	loc  *lineage.MapLocation
	e    lineage.MapEdge
}

// in returns the fingerprint copy_of edges of the map into ref.
func (a *analysis) in(ref lineage.MapRef) []inEdge {
	if a.into == nil {
		a.into = map[lineage.MapRef][]inEdge{}
		for i := range a.v.m.Locations {
			l := &a.v.m.Locations[i]
			for _, e := range l.Edges {
				if e.Kind == lineage.EdgeCopyOf && e.Source == lineage.SourceFingerprint {
					a.into[e.To] = append(a.into[e.To], inEdge{from: lineage.MapRef{Store: l.Store, Asset: l.Asset, Field: l.Field}, loc: l, e: e})
				}
			}
		}
	}
	return a.into[ref]
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, t := range b {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}
