package executor

import (
	"context"
	"fmt"
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
func (d *deriver) collect(ctx context.Context, h Handler, a *assetView, cs []collector, found [][]string) (bool, error) {
	grew := false
	for i, c := range cs {
		via := a.name + "." + c.field
		for _, v := range found[i] {
			if c.kind == "" {
				grew = c.set.addCell(v, via, "") || grew
				continue
			}
			region := d.region(a, c.field)
			canon, ok := c.set.canonical(v, region)
			if !ok || c.set.has(canon) {
				continue
			}
			t := Target{Asset: a.name, Format: a.node.Attrs["format"], Gzip: a.node.Attrs["gzip"] == "true",
				Match: []Match{{Field: c.field, Kind: c.kind, Values: []string{canon}, Region: region}}}
			n, err := countRows(ctx, h, t)
			if err != nil {
				return grew, fmt.Errorf("closure: count %s %s values: %w", via, c.kind, err)
			}
			if n > 1 {
				d.unused = append(d.unused, Unused{Kind: c.kind, Store: a.store, Asset: a.name, Field: c.field, Records: n, Masked: MaskDisplay(canon)})
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
