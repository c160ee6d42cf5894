package executor

import (
	"cmp"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Plans follow lineage. A copy_of or derived_from edge says a location holds
// (a form of) another location's values. The plan uses such edges three
// ways:
//
//   - an identity edge (a view column, a copy found by fingerprints, a dbt
//     model column) lets the copy be matched with the original's known
//     values, even where the copy's own field is not a subject key;
//   - a masked edge lets the copy be matched by the hashed form (masked.go);
//   - every edge out of a location in the request's scope is listed in
//     Plan.Lineage with the action taken for it: delete (the copy is
//     erased), recompute (a view, which follows its base), expires (the copy
//     is left to a TTL or retention the scan measured, quoted as evidence),
//     export (access requests), or gap.

// Edge actions in Plan.Lineage.
const (
	EdgeDelete    = "delete"
	EdgeRecompute = "recompute"
	EdgeExpires   = "expires"
	EdgeExport    = "export"
	EdgeHeld      = "held" // an exception other than expiry keeps the copy
	EdgeSkipped   = "skipped"
	EdgeGap       = "gap"
)

// EdgeAction is one lineage edge out of a location in the request's scope
// and what the plan does about the copy.
type EdgeAction struct {
	Kind       string          `json:"kind"` // copy_of | derived_from
	Source     string          `json:"source"`
	Transform  string          `json:"transform,omitempty"`
	Confidence float64         `json:"confidence"`
	Copy       piimap.Location `json:"copy"`     // the edge's From: the derived location
	Original   piimap.Location `json:"original"` // the edge's To
	Action     string          `json:"action"`
	Evidence   string          `json:"evidence"`
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

// lineageMatches lists, for structured asset a, one match per identity
// copy_of or derived_from edge out of one of its fields whose original has
// known values, unless the field is already matched on.
func (d *deriver) lineageMatches(a *assetView, have []Match) []Match {
	matched := map[string]bool{}
	for _, m := range have {
		matched[m.Field] = true
	}
	var ms []Match
	for _, e := range d.v.copies {
		if e.From.Store != a.store || e.From.Name != a.name || e.From.Field == "" || matched[e.From.Field] {
			continue
		}
		if e.Transform != lineage.TransformIdentity {
			continue
		}
		// A copy of a subject key is matched as that key (emails case-
		// insensitively, phones as E.164); a copy of another key by value.
		kind, vals := KindKey, d.parentValues(e.To)
		if id := d.v.identityOf(e.To); id != "" && d.byKind[id] != nil && len(d.byKind[id].values) > 0 {
			kind, vals = id, d.byKind[id].values
		}
		if len(vals) == 0 {
			continue
		}
		matched[e.From.Field] = true
		ms = append(ms, Match{Field: e.From.Field, Kind: kind, Via: e.Kind + " " + e.To.String(), Values: vals})
	}
	return ms
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

// expiry decides whether asset a may be left to expire: every probed Redis
// key has a TTL, or the stream has a max_age. It returns the exception to
// record, or the reason it may not.
func expiry(a *assetView, req string, now time.Time) (Exception, string) {
	attrs := a.node.Attrs
	exc := Exception{ID: "expire-" + a.store + "-" + a.name, Kind: ExceptionRetention, Request: req,
		Store: a.store, Asset: a.name, CreatedAt: now.UTC()}
	if probed, _ := strconv.Atoi(attrs[attrTTLProbed]); probed > 0 {
		if none, err := strconv.Atoi(attrs[attrTTLNone]); err != nil || none > 0 {
			return Exception{}, fmt.Sprintf("mode expire: %s of %d probed keys never expire", cmp.Or(attrs[attrTTLNone], "an unknown number"), probed)
		}
		maxS, err := strconv.ParseInt(attrs[attrTTLMax], 10, 64)
		if err != nil {
			return Exception{}, "mode expire: the scan recorded no longest TTL"
		}
		at := now.Add(time.Duration(maxS) * time.Second).UTC()
		exc.ExpiresAt = &at
		exc.Reason = fmt.Sprintf("expires by TTL: all %d probed keys have a TTL (median %ss, longest %ds at the scan); keys rewritten since may carry a new TTL",
			probed, attrs[attrTTLMedian], maxS)
		return exc, ""
	}
	if age, err := time.ParseDuration(attrs[attrMaxAge]); err == nil && age > 0 {
		at := now.Add(age).UTC()
		exc.ExpiresAt = &at
		exc.Reason = fmt.Sprintf("expires by retention: stream %s, retention %s, max_age %s", a.name, attrs[attrRetention], age)
		return exc, ""
	}
	return Exception{}, "mode expire: the scan measured no TTL or retention for this location"
}

// edgeActions lists every copy_of and derived_from edge out of a location
// the plan covers, skips or reports, with the action for the copy.
func (d *deriver) edgeActions(p *Plan) []EdgeAction {
	steps := map[string]Step{}
	for _, st := range p.Steps() {
		steps[assetKey(st.Store, st.Asset)] = st
	}
	excs := map[string]Exception{}
	for _, e := range p.Exceptions {
		if e.Asset != "" {
			excs[assetKey(e.Store, e.Asset)] = e
		}
	}
	skips := map[string]Skip{}
	for _, s := range p.Skipped {
		skips[assetKey(s.Store, s.Asset)] = s
	}
	gaps := map[string]Gap{}
	for _, g := range d.gaps {
		if g.Asset != "" {
			if _, ok := gaps[assetKey(g.Store, g.Asset)]; !ok {
				gaps[assetKey(g.Store, g.Asset)] = g
			}
		}
	}
	var out []EdgeAction
	for _, e := range d.v.copies {
		k := assetKey(e.From.Store, e.From.Name)
		ea := EdgeAction{Kind: e.Kind, Source: e.Source, Transform: e.Transform, Confidence: e.Confidence,
			Copy: e.From, Original: e.To}
		var why []string
		if st, ok := steps[k]; ok {
			ea.Action, why = stepEdgeAction(d.v.assets[k], st)
		} else if exc, ok := excs[k]; ok {
			ea.Action = EdgeHeld
			if exc.Kind == ExceptionRetention && exc.ExpiresAt != nil {
				ea.Action = EdgeExpires
			}
			why = []string{exc.Kind + ": " + exc.Reason}
		} else if sk, ok := skips[k]; ok {
			ea.Action, why = EdgeSkipped, []string{sk.Reason}
		} else if g, ok := gaps[k]; ok {
			ea.Action, why = EdgeGap, []string{g.Kind + ": " + g.Reason}
		} else {
			continue // the copy holds nothing of this subject, or no PII
		}
		if e.Evidence != "" {
			why = append(why, e.Source+": "+e.Evidence)
		} else {
			why = append(why, fmt.Sprintf("%s edge, confidence %.2f", e.Source, e.Confidence))
		}
		ea.Evidence = strings.Join(why, "; ")
		out = append(out, ea)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].Copy.String(), out[j].Copy.String(); a != b {
			return a < b
		}
		return out[i].Original.String() < out[j].Original.String()
	})
	return out
}

// stepEdgeAction names what a step does to a copy, with the evidence.
func stepEdgeAction(a *assetView, st Step) (string, []string) {
	switch st.Action {
	case ActionRecompute:
		if a != nil && a.view() == "materialized_view" {
			return EdgeRecompute, []string{"materialized view: refreshed after its store's other steps, then verified"}
		}
		return EdgeRecompute, []string{"view: computed from its base tables, verified after their steps"}
	case ActionExport, ActionFind:
		return EdgeExport, []string{fmt.Sprintf("%d matching rows exported", st.Expected)}
	case ActionRectify:
		return ActionRectify, []string{fmt.Sprintf("%d matching rows corrected", st.Expected)}
	}
	why := []string{fmt.Sprintf("mode %s, %d matching rows", st.Target.Mode, st.Expected)}
	if a != nil {
		if probed := a.node.Attrs[attrTTLProbed]; probed != "" && a.node.Attrs[attrTTLNone] == "0" {
			why = append(why, fmt.Sprintf("its keys would also expire by TTL (longest %ss of %s probed)", a.node.Attrs[attrTTLMax], probed))
		}
	}
	return EdgeDelete, why
}
