package executor

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Resolution limits: they stop a runaway join (a key shared by millions of
// rows) from turning one request into a table scan of the estate; hitting
// one is reported as a gap.
const (
	maxResolveRounds = 6
	maxKeyValues     = 10000
)

// valueSet is an insertion-ordered set of identifier values compared after
// normalisation for their kind.
type valueSet struct {
	kind   string
	values []string
	from   []string // per value: where it came from ("request", "asset.field")
	seen   map[string]bool
	via    []string
	full   bool
}

func newValueSet(kind string) *valueSet { return &valueSet{kind: kind, seen: map[string]bool{}} }

func (s *valueSet) add(v, via string) bool {
	n := NormalizeValue(s.kind, v)
	if n == "" || s.seen[n] {
		return false
	}
	if len(s.values) >= maxKeyValues {
		s.full = true
		return false
	}
	s.seen[n] = true
	s.values = append(s.values, strings.TrimSpace(v))
	s.from = append(s.from, via)
	if via != "" && !containsStr(s.via, via) {
		s.via = append(s.via, via)
	}
	return true
}

// canonical is v as an identifier of the set's kind: emails and phones
// parsed (identifier.Parse, phones in region), other kinds trimmed; ok is
// false for a value that is no whole identifier.
func (s *valueSet) canonical(v, region string) (string, bool) {
	switch s.kind {
	case piimap.KeyEmail, piimap.KeyPhone, identifier.Card, identifier.IBAN, identifier.SSN:
		c, err := identifier.Parse(s.kind, v, region)
		return c, err == nil
	}
	v = strings.TrimSpace(v)
	return v, v != ""
}

// has reports whether the set holds v (compared normalised).
func (s *valueSet) has(v string) bool { return s.seen[NormalizeValue(s.kind, v)] }

// addCell adds a value read from a subject's row. Emails and phones read
// from a store become identifiers only when they are whole, valid values
// (identifier.Parse, phones read in the field's region and kept in E.164);
// a malformed cell never widens the search.
func (s *valueSet) addCell(v, via, region string) bool {
	switch s.kind {
	case piimap.KeyEmail, piimap.KeyPhone:
		c, err := identifier.Parse(s.kind, v, region)
		if err != nil {
			return false
		}
		v = c
	}
	return s.add(v, via)
}

// deriver holds one plan derivation's state.
type deriver struct {
	s        *Service
	req      *Request
	modes    map[string]Mode
	v        *graphView
	byKind   map[string]*valueSet // subject identifiers by kind
	byField  map[string]*valueSet // parent key values by field location
	parents  map[string]bool      // fields that are the target of a references edge
	handlers map[string]Handler
	hErr     map[string]error
	gaps     []Gap
	failed   map[string]bool  // asset keys whose find failed
	unused   []Unused         // closure values left out: other records hold them (closure.go)
	count    bool             // count each step's rows (Expected)
	hasher   *idfilter.Hasher // identifier-filter keys, made once per derivation (idfilter.go)
}

// derivePlan builds the request's plan from the latest scan run. It opens
// handlers read-only and runs Finds to resolve identifiers and count rows;
// nothing is written anywhere.
func (s *Service) derivePlan(ctx context.Context, req *Request, modes map[string]Mode) (*Plan, error) {
	return s.derive(ctx, req, modes, true)
}

// derive is derivePlan; count false leaves every step's Expected at 0 and
// skips the Finds that count (the digest does not cover counts).
func (s *Service) derive(ctx context.Context, req *Request, modes map[string]Mode, count bool) (*Plan, error) {
	v, err := loadGraph(ctx, s.g, s.stores, req.tenant())
	if err != nil {
		return nil, err
	}
	d := &deriver{s: s, req: req, modes: modes, v: v, count: count, byKind: map[string]*valueSet{}, byField: map[string]*valueSet{},
		parents: map[string]bool{}, handlers: map[string]Handler{}, hErr: map[string]error{}, failed: map[string]bool{}}
	defer d.close()
	for _, kind := range identifierKinds(req.subject) {
		for _, v := range req.subject[kind] {
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
	if req.Type.guarded() {
		p.AllowedRecords = req.allowedRecords()
		if count {
			p.Entities = d.entityCounts(ctx)
		}
	}
	for _, kind := range sortedKeys(d.byKind) {
		set := d.byKind[kind]
		if len(set.values) == 0 && !set.full {
			continue // a kind the closure looked for and did not find
		}
		id := Identifier{Kind: kind, Count: len(set.values), Via: set.via}
		for _, val := range set.values {
			id.Masked = append(id.Masked, MaskDisplay(val))
		}
		p.Identifiers = append(p.Identifiers, id)
		p.resolved = append(p.resolved, resolvedSet{kind: kind, values: set.values, via: set.via})
		if set.full {
			d.gaps = append(d.gaps, Gap{Kind: GapLimit, Store: "*", Reason: fmt.Sprintf("more than %d %s values resolved; resolution stopped", maxKeyValues, kind)})
		}
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
	p.Digest = s.digest(p, req.changes)
	return p, nil
}

func (d *deriver) kindSet(kind string) *valueSet {
	if d.byKind[kind] == nil {
		d.byKind[kind] = newValueSet(kind)
	}
	return d.byKind[kind]
}

func (d *deriver) close() {
	for _, h := range d.handlers {
		_ = h.Close()
	}
}

// handler opens (once) the read-only handler of a store.
func (d *deriver) handler(ctx context.Context, store, kind string) (Handler, error) {
	if h, ok := d.handlers[store]; ok {
		return h, nil
	}
	if err, ok := d.hErr[store]; ok {
		return nil, err
	}
	h, err := d.s.openHandler(ctx, d.req, store, kind, true)
	if err != nil {
		d.hErr[store] = err
		return nil, err
	}
	d.handlers[store] = h
	return h, nil
}

// matches lists how rows of asset a are recognised as the subject's, given
// what is known so far.
func (d *deriver) matches(a *assetView) []Match {
	var ms []Match
	if a.text() {
		for _, kind := range sortedKeys(d.byKind) {
			set := d.byKind[kind]
			if len(set.values) == 0 {
				continue
			}
			vals := set.values
			if kind != piimap.KeyEmail && kind != piimap.KeyPhone && !isNeedleKind(kind) {
				// A bare id such as 42 matches too much free text; an id
				// shaped like usr_7f3a9c21 or a long number is specific
				// enough to find as a whole token (identifier.Distinctive).
				vals = distinctiveTokens(vals)
			}
			if len(vals) == 0 {
				continue
			}
			ms = append(ms, Match{Kind: kind, Via: "text " + kind, Values: vals, Region: d.region(a, "")})
		}
		return ms
	}
	for _, fname := range a.fieldNames() {
		fv := a.fields[fname]
		loc := piimap.Location{Store: a.store, Name: a.name, Field: fname}
		if fv.identity != "" {
			if set := d.byKind[fv.identity]; set != nil && len(set.values) > 0 {
				ms = append(ms, Match{Field: fname, Kind: fv.identity, Via: "identity " + fv.identity, Values: set.values, Region: d.region(a, fname)})
			}
		}
		if set := d.byField[fieldKey(loc)]; set != nil && len(set.values) > 0 {
			ms = append(ms, Match{Field: fname, Kind: KindKey, Via: "key " + a.name + "." + fname, Values: set.values})
		}
		for _, e := range d.v.refs {
			if e.From.Store != a.store || e.From.Name != a.name || e.From.Field != fname {
				continue
			}
			vals := d.parentValues(e.To)
			if len(vals) > 0 {
				ms = append(ms, Match{Field: fname, Kind: KindRef, Via: "references " + e.To.Name + "." + e.To.Field, Values: vals})
			}
		}
	}
	ms = append(ms, d.needleMatches(a)...)
	ms = append(ms, d.lineageMatches(a, ms)...)
	return append(ms, d.maskedMatches(a)...)
}

// parentValues are the known values of a parent key: resolved key values of
// that field, plus the subject's identifiers when the parent is an identity.
func (d *deriver) parentValues(parent piimap.Location) []string {
	set := newValueSet(KindKey)
	if pv := d.byField[fieldKey(parent)]; pv != nil {
		for _, v := range pv.values {
			set.add(v, "")
		}
	}
	if pa := d.v.assets[assetKey(parent.Store, parent.Name)]; pa != nil {
		if pf := pa.fields[parent.Field]; pf != nil && pf.identity != "" {
			if ks := d.byKind[pf.identity]; ks != nil {
				for _, v := range ks.values {
					set.add(v, "")
				}
			}
		}
	}
	return set.values
}

// resolve grows the identifier and key sets to a fixpoint: read the
// subject's rows of every structured asset reachable so far, and collect
// their parent keys and declared identities.
func (d *deriver) resolve(ctx context.Context) error {
	lastSig := map[string]string{}
	for round := 0; round < maxResolveRounds; round++ {
		grew := false
		for _, key := range d.v.order {
			a := d.v.assets[key]
			if a.text() || d.failed[key] || a.skipped() {
				continue
			}
			ms := d.matches(a)
			if len(ms) == 0 {
				continue
			}
			sig := matchSig(ms)
			if lastSig[key] == sig {
				continue
			}
			lastSig[key] = sig
			h, err := d.handler(ctx, a.store, a.kind)
			if err != nil {
				continue // reported as a gap by steps
			}
			collect := d.collectors(a)
			if len(collect) == 0 {
				continue
			}
			found := make([][]string, len(collect))
			// Rows found by any match yield parent keys and declared or
			// referenced identities; only rows found through a unique
			// identity column (the subject's entity record) yield the
			// emails and phones the closure adds (collector.entity).
			for _, entityOnly := range []bool{false, true} {
				use := ms
				if entityOnly {
					use = d.uniqueMatches(a, ms)
				}
				if len(use) == 0 || err != nil {
					continue
				}
				t := Target{Asset: a.name, Format: a.node.Attrs["format"], Gzip: a.node.Attrs["gzip"] == "true", Match: use}
				err = h.Find(ctx, t, func(b Batch) error {
					cols, rows := b.Table()
					for _, row := range rows {
						for i, c := range collect {
							if c.entity != entityOnly {
								continue
							}
							if val, ok := lookupPath(cols, row, c.field); ok && val != nil {
								found[i] = append(found[i], CellString(val))
							}
						}
					}
					return nil
				})
			}
			if err == nil {
				var g bool
				g, err = d.collect(ctx, h, a, collect, found)
				grew = grew || g
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				d.failed[key] = true
				kind := GapFindFailed
				if errors.Is(err, piimap.ErrOutsideRoot) {
					kind = GapOutsideRoot
				}
				d.gaps = append(d.gaps, Gap{Kind: kind, Store: a.store, Asset: a.name, Reason: "find failed: " + err.Error()})
			}
		}
		if !grew {
			return nil
		}
	}
	return nil
}

type collector struct {
	field  string
	set    *valueSet
	kind   string // the identity kind when set is the subject's identifiers, "" for parent keys
	entity bool   // read only from rows matched through a unique identity column
}

// uniqueMatches keeps the identity matches of ms on a's unique fields.
func (d *deriver) uniqueMatches(a *assetView, ms []Match) []Match {
	var out []Match
	for _, m := range ms {
		if fv := a.fields[m.Field]; fv != nil && fv.identity != "" && m.Kind == fv.identity && fv.node != nil && uniqueField(fv) {
			out = append(out, m)
		}
	}
	return out
}

// collectors lists the fields of a whose values, in the subject's rows, grow
// a set: parent keys (for children) and expandable identities.
func (d *deriver) collectors(a *assetView) []collector {
	var out []collector
	// An entity table: other tables reference it (user ids), or one of its
	// identity columns is unique (emails, phones; entityTable).
	referenced := false
	for _, fname := range a.fieldNames() {
		if d.parents[fieldKey(piimap.Location{Store: a.store, Name: a.name, Field: fname})] {
			referenced = true
		}
	}
	unique := a.entityTable()
	for _, fname := range a.fieldNames() {
		fv := a.fields[fname]
		loc := piimap.Location{Store: a.store, Name: a.name, Field: fname}
		if d.parents[fieldKey(loc)] {
			set := d.byField[fieldKey(loc)]
			if set == nil {
				set = newValueSet(KindKey)
				d.byField[fieldKey(loc)] = set
			}
			out = append(out, collector{field: fname, set: set})
		}
		if a.expandable(fv, unique, referenced) {
			// An inferred email or phone comes from the entity record
			// only, and only when the column is itself one value per
			// record (unique): a messages row found by its unique
			// recipient phone does not name the recipient's sender.
			byEntity := !fv.explicit && (fv.identity == piimap.KeyEmail || fv.identity == piimap.KeyPhone)
			if byEntity && (fv.node == nil || !uniqueField(fv)) {
				continue
			}
			out = append(out, collector{field: fname, set: d.kindSet(fv.identity), kind: fv.identity, entity: byEntity})
		}
		// A card, IBAN or SSN in a unique column of the subject's entity
		// record becomes a needle (needles.go).
		if t := needleType(fv); t != "" && fv.identity == "" && unique && fv.node != nil && uniqueField(fv) && a.soleOfType(fv, t) {
			out = append(out, collector{field: fname, set: d.kindSet(t), kind: t, entity: true})
		}
	}
	return out
}

func matchSig(ms []Match) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s|%s|%d;", m.Field, m.Kind, len(m.Values))
	}
	return b.String()
}

// ErrOtherTenant is returned when a request would touch a store of another
// tenant. Planning never lists such a store; this is the last guard.
var ErrOtherTenant = errors.New("store belongs to another tenant")

// openHandler opens the handler of a configured store of the request's
// tenant; a store of any other tenant is refused whatever the plan says.
func (s *Service) openHandler(ctx context.Context, req *Request, store, kind string, readOnly bool) (Handler, error) {
	sc, ok := s.stores[store]
	if !ok {
		return nil, fmt.Errorf("executor: store %s is not configured: %w", store, piimap.ErrConfig)
	}
	if sc.TenantName() != req.tenant() {
		return nil, fmt.Errorf("executor: store %s is not tenant %s's: %w", store, req.tenant(), ErrOtherTenant)
	}
	open, err := s.opener(kind)
	if err != nil {
		return nil, err
	}
	h, err := open(ctx, sc, HandlerOptions{ReadOnly: readOnly, MaskKey: s.keys.maskKey})
	if err != nil {
		return nil, fmt.Errorf("executor: open store %s: %w", store, err)
	}
	return h, nil
}

// storeGap classifies a handler-open failure as a gap.
func storeGap(store, asset string, err error) Gap {
	kind := GapFindFailed
	switch {
	case errors.Is(err, piimap.ErrOutsideRoot):
		kind = GapOutsideRoot
	case errors.Is(err, piimap.ErrUnsupported):
		kind = GapUnsupported
	case errors.Is(err, piimap.ErrConfig):
		kind = GapUnconfigued
	}
	return Gap{Kind: kind, Store: store, Asset: asset, Reason: err.Error()}
}

// unitErrorGaps lists the scan run's unit errors as gaps: a unit the scan
// could not read may hold the subject's data.
func (d *deriver) unitErrorGaps(ctx context.Context) error {
	errs := d.v.run.Errors
	if l, ok := d.s.g.(lineage.UnitErrorLister); ok {
		errs = nil
		err := l.UnitErrors(ctx, d.v.run.ID, func(ue lineage.UnitError) error {
			errs = append(errs, ue)
			return nil
		})
		if err != nil {
			return fmt.Errorf("executor: unit errors of run %s: %w", d.v.run.ID, err)
		}
	}
	for _, ue := range errs {
		if !d.v.ours(ue.Store) {
			continue // another tenant's store: not this request's concern
		}
		d.gaps = append(d.gaps, Gap{Kind: GapUnitError, Store: ue.Store, Asset: ue.Unit, Reason: "scan error: " + ue.Err})
	}
	return nil
}

// distinctiveTokens keeps the identifier values specific enough to match as
// whole tokens in free text (identifier.Distinctive).
func distinctiveTokens(vals []string) []string {
	var out []string
	for _, v := range vals {
		if identifier.Distinctive(v) {
			out = append(out, v)
		}
	}
	return out
}

// region is the phone region of a field of a ("" for a text asset's lines).
func (d *deriver) region(a *assetView, field string) string {
	return d.s.stores[a.store].RegionOf(a.name, field)
}
