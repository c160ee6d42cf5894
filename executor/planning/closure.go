package planning

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
)

// The subject closure. From the identifiers given, planning reads the
// subject's rows of entity tables and collects their other identifiers
// (collectors, expandable): the customers row found by email yields the
// user id and the phone, which then find the subject's log lines and the
// child tables that nobody declared. A value collected from an entity
// table is used only when it is held by that one record: a phone shared
// by two customers, a family mailbox, a recycled number would widen the
// request to someone else, so it is left out and the plan says so
// (Plan.Unused).

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
	n := driver.NormalizeValue(s.kind, v)
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
	if via != "" && !slices.Contains(s.via, via) {
		s.via = append(s.via, via)
	}
	return true
}

// canonical is v as an identifier of the set's kind: emails and phones
// parsed (identifier.Parse, phones in region), other kinds trimmed; ok is
// false for a value that is no whole identifier.
func (s *valueSet) canonical(v, region string) (string, bool) {
	if identifier.IsIdentifier(s.kind) {
		c, err := identifier.Parse(s.kind, v, region)
		return c, err == nil
	}
	v = strings.TrimSpace(v)
	return v, v != ""
}

// has reports whether the set holds v (compared normalised).
func (s *valueSet) has(v string) bool { return s.seen[driver.NormalizeValue(s.kind, v)] }

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
				t := driver.Target{Asset: a.name, Format: a.node.Attrs["format"], Gzip: a.node.Attrs["gzip"] == "true", Match: use}
				err = h.Find(ctx, t, func(b driver.Batch) error {
					cols, rows := b.Table()
					for _, row := range rows {
						for i, c := range collect {
							if c.entity != entityOnly {
								continue
							}
							if val, ok := driver.LookupPath(cols, row, c.field); ok && val != nil {
								found[i] = append(found[i], driver.CellString(val))
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
				if errors.Is(err, piimap.ErrUnsupported) && d.pruneUnsupported(ctx, h, a, ms) {
					delete(lastSig, key) // searched again by its other fields
					grew = true
					continue
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

func matchSig(ms []driver.Match) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s|%s|%d;", m.Field, m.Kind, len(m.Values))
	}
	return b.String()
}

type collector struct {
	field     string
	set       *valueSet
	kind      string // the identity kind when set is the subject's identifiers, "" for parent keys
	entity    bool   // read only from rows matched through a unique identity column
	companion bool   // a name or address cell: never an identifier (driver.Target.Companions)
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
				set = newValueSet(driver.KindKey)
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
		// A card, IBAN or national id in a column of the subject's entity
		// record that holds about one value per record becomes a needle
		// (matches.go); a value other records hold too is left out by
		// collect and listed as unused.
		if t := needleType(fv); t != "" && fv.identity == "" && unique && fv.node != nil && mostlyUniqueField(fv) && a.soleOfType(fv, t) {
			out = append(out, collector{field: fname, set: d.kindSet(t), kind: t, entity: true})
		}
		// The names and postal addresses of the subject's entity record
		// go with their identifiers onto the text lines those attribute
		// to them (driver.LineSpans); they never find anything alone.
		if t := companionType(fv); t != "" && fv.identity == "" && unique {
			out = append(out, collector{field: fname, set: d.companionSet(t), kind: t, entity: true, companion: true})
		}
	}
	return out
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

// uniqueMatches keeps the identity matches of ms on a's unique fields.
func (d *deriver) uniqueMatches(a *assetView, ms []driver.Match) []driver.Match {
	var out []driver.Match
	for _, m := range ms {
		if fv := a.fields[m.Field]; fv != nil && fv.identity != "" && m.Kind == fv.identity && fv.node != nil && uniqueField(fv) {
			out = append(out, m)
		}
	}
	return out
}

// Unused is a value the closure found on the subject's record but left out
// because other records hold it too. It names counts and places, never the
// value.
type Unused struct {
	Kind    string `json:"kind"`
	Store   string `json:"store"`
	Asset   string `json:"asset"`
	Field   string `json:"field"`
	Records int64  `json:"records"`
	Masked  string `json:"masked"`
}

// collect adds the values found on the subject's rows of a to the
// collectors' sets. Parent keys are added as they are. Identifier values
// of a kind are added only when they are whole identifiers
// (valueSet.addCell) and no other row of a holds them. It reports whether
// any set grew.
func (d *deriver) collect(ctx context.Context, h driver.Handler, a *assetView, cs []collector, found [][]string) (bool, error) {
	grew := false
	for i, c := range cs {
		via := a.name + "." + c.field
		for _, v := range found[i] {
			if c.kind == "" {
				grew = c.set.addCell(v, via, "") || grew
				continue
			}
			if c.companion {
				// Shared by namesakes or a household is no reason to
				// leave it out: it is used only beside the subject's
				// identifiers. It does not grow the closure either.
				c.set.add(v, via)
				continue
			}
			region := d.region(a, c.field)
			canon, ok := c.set.canonical(v, region)
			if !ok || c.set.has(canon) {
				continue
			}
			t := driver.Target{Asset: a.name, Format: a.node.Attrs["format"], Gzip: a.node.Attrs["gzip"] == "true",
				Match: []driver.Match{{Field: c.field, Kind: c.kind, Values: []string{canon}, Region: region}}}
			n, err := driver.CountRows(ctx, h, t)
			if err != nil {
				return grew, fmt.Errorf("closure: count %s %s values: %w", via, c.kind, err)
			}
			if n > 1 {
				d.unused = append(d.unused, Unused{Kind: c.kind, Store: a.store, Asset: a.name, Field: c.field, Records: n, Masked: dsar.MaskDisplay(canon)})
				continue
			}
			grew = c.set.add(canon, via) || grew
		}
	}
	return grew, nil
}

// dedupeUnused keeps one entry per kind, location and masked value.
func dedupeUnused(us []Unused) []Unused {
	seen := map[string]bool{}
	var out []Unused
	for _, u := range us {
		k := u.Kind + "|" + u.Store + "|" + u.Asset + "|" + u.Field + "|" + u.Masked
		if !seen[k] {
			seen[k] = true
			out = append(out, u)
		}
	}
	return out
}

// companionType is the companion kind of a field's finding types
// (driver.KindPersonName, driver.KindPostalAddress), or "".
func companionType(fv *fieldView) string {
	for _, k := range []string{driver.KindPersonName, driver.KindPostalAddress} {
		if slices.Contains(fv.types, k) {
			return k
		}
	}
	return ""
}
