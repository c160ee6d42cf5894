package planning

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/lineage"
)

// The blast-radius guard. An identifier that looks whole can still belong
// to several people: a shared family mailbox, a recycled phone number, two
// accounts. Before anything is written, the plan counts the entity records
// its identifiers resolve to: the rows of each entity table (an asset whose
// identity column is unique: a UNIQUE or PRIMARY KEY constraint) that the
// subject's identifiers of that column's kind select. An erasure,
// rectification or restriction that resolves to more than one entity
// record of any kind is refused, at approval and again at run time, unless
// the request was filed allowing that many (Request.AllowMultiple), which
// the plan digest covers, so the approvers approve that number.

// ErrBlastRadius is returned when a request's identifiers resolve to more
// entity records than it allows.
var ErrBlastRadius = errors.New("identifiers resolve to more than one person")

// EntityCount is how many records of one entity table the subject's
// identifiers of one kind select, or, with Store empty, how many distinct
// values of a key kind the identifiers resolve to from one source (Field:
// "request", or the asset.field they were read from; each names a record).
type EntityCount struct {
	Kind    string `json:"kind"`
	Store   string `json:"store"`
	Asset   string `json:"asset"`
	Field   string `json:"field"`
	Records int64  `json:"records"`
}

// guarded reports whether requests of type t are subject to the guard.
func guarded(t dsar.Type) bool {
	return t == dsar.Erasure || t == dsar.Rectification || t == dsar.Restriction
}

// allowedRecords is how many entity records the request accepts.
func (r Request) allowedRecords() int64 { return int64(max(1, r.AllowMultiple)) }

// entityCounts counts, per entity table (an asset with an identity field
// under a UNIQUE or PRIMARY KEY constraint) and per identity field of it,
// the records the subject's identifiers of that field's kind select: a
// customers table whose user_id is unique and whose email is not counts
// the customers a given email selects. Tables the handler cannot read are
// left to the gaps steps reports.
func (d *deriver) entityCounts(ctx context.Context) []EntityCount {
	var out []EntityCount
	for _, key := range d.v.order {
		a := d.v.assets[key]
		if a.text() || d.failed[key] || a.skipped() || a.view() != "" || !a.entityTable() {
			continue
		}
		for _, fname := range a.fieldNames() {
			fv := a.fields[fname]
			if fv.identity == "" {
				continue
			}
			set := d.byKind[fv.identity]
			if set == nil || len(set.values) == 0 {
				continue
			}
			h, err := d.handler(ctx, a.store, a.kind)
			if err != nil {
				continue
			}
			t := driver.Target{Asset: a.name, Format: a.node.Attrs["format"], Gzip: a.node.Attrs["gzip"] == "true",
				Match: []driver.Match{{Field: fname, Kind: fv.identity, Values: set.values, Region: d.region(a, fname)}}}
			n, err := driver.CountRows(ctx, h, t)
			if err != nil {
				continue
			}
			out = append(out, EntityCount{Kind: fv.identity, Store: a.store, Asset: a.name, Field: fname, Records: n})
		}
	}
	// Key kinds (user_id and configured key names, not emails or phones,
	// which one person may have several of) name one record per value:
	// two user ids resolved from a mailbox are two people, whether or not
	// a constraint says so.
	// Values are counted per source: those given at intake, and those read
	// from each field (a key space of its own).
	for _, kind := range slices.Sorted(maps.Keys(d.byKind)) {
		set := d.byKind[kind]
		if kind == piimap.KeyEmail || kind == piimap.KeyPhone || len(set.values) < 2 {
			continue
		}
		per := map[string]int64{}
		for _, f := range set.from {
			per[f]++
		}
		for _, src := range slices.Sorted(maps.Keys(per)) {
			if per[src] > 1 {
				out = append(out, EntityCount{Kind: kind, Field: src, Records: per[src]})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Records > out[j].Records })
	return out
}

// entityTable reports whether some identity field of a is unique.
func (a *assetView) entityTable() bool {
	for _, fv := range a.fields {
		if fv.identity != "" && fv.node != nil && uniqueField(fv) {
			return true
		}
	}
	return false
}

// minUniqueSample is the fewest non-empty sampled values whose being all
// distinct makes a field unique-looking.
const minUniqueSample = 20

// uniqueField reports whether f is unique: the scan saw a UNIQUE or
// PRIMARY KEY constraint on it, or its sample (every row on a full scan)
// held at least minUniqueSample non-empty values, all distinct.
func uniqueField(f *fieldView) bool {
	at := f.node.Attrs
	if at[piimap.MetaUnique] == "true" || at[piimap.MetaPrimaryKey] == "true" {
		return true
	}
	d, err1 := strconv.Atoi(at[lineage.AttrDistinct])
	n, err2 := strconv.Atoi(at[lineage.AttrNonEmpty])
	return err1 == nil && err2 == nil && n >= minUniqueSample && d == n
}

// mostlyUniqueField reports whether f holds about one value per record:
// unique (uniqueField), or a full scan saw at least minUniqueSample
// non-empty values of which nine in ten or more are distinct, or fewer
// values than that (too few to judge). A needle
// column (cards, national ids) passes with a few values entered twice;
// those values are left out one by one (deriver.collect), not the column.
func mostlyUniqueField(f *fieldView) bool {
	if uniqueField(f) {
		return true
	}
	d, err1 := strconv.Atoi(f.node.Attrs[lineage.AttrDistinct])
	n, err2 := strconv.Atoi(f.node.Attrs[lineage.AttrNonEmpty])
	if err1 != nil || err2 != nil || n == 0 {
		return false
	}
	// A sparse column (an IBAN only a few customers gave, two of them a
	// joint account) shows too few values to judge by their share: it is
	// taken, since each value is still counted in the table before it is
	// used, and one that other records hold is left out (deriver.collect).
	return n < minUniqueSample || 10*d >= 9*n
}

// CheckBlast refuses a plan whose identifiers resolve to more entity
// records than the request allows. The error names counts and locations,
// never people.
func CheckBlast(req Request, p *Plan) error {
	if !guarded(req.Type) {
		return nil
	}
	for _, e := range p.Entities {
		if e.Records > req.allowedRecords() && e.Store == "" {
			return fmt.Errorf("executor: %s: its identifiers resolve to %d distinct %s values (from %s), the request allows %d; "+
				"check the identifiers, or file the request again with --allow-multiple %d if all %d are the subject's: %w",
				req.ID, e.Records, e.Kind, e.Field, req.allowedRecords(), e.Records, e.Records, ErrBlastRadius)
		}
		if e.Records > req.allowedRecords() {
			return fmt.Errorf("executor: %s: its %s identifiers select %d records of entity table %s/%s (by %s), the request allows %d; "+
				"check the identifiers, or file the request again with --allow-multiple %d if all %d are the subject's: %w",
				req.ID, e.Kind, e.Records, e.Store, e.Asset, e.Field, req.allowedRecords(), e.Records, e.Records, ErrBlastRadius)
		}
	}
	return nil
}

// BlastNote summarises the entity counts for the audit log: counts and
// locations, never identifiers.
func BlastNote(p *Plan) string {
	note := fmt.Sprintf("allowed=%d", p.AllowedRecords)
	for _, e := range p.Entities {
		note += fmt.Sprintf(" %s/%s#%s=%d", e.Store, e.Asset, e.Field, e.Records)
	}
	return note
}
