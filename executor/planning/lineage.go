package planning

import (
	"fmt"
	"sort"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// Plans follow lineage. A copy_of or derived_from edge says a location holds
// (a form of) another location's values. The plan uses such edges three
// ways:
//
//   - an identity edge (a view column, a copy found by fingerprints, a dbt
//     model column) lets the copy be matched with the original's known
//     values, even where the copy's own field is not a subject key;
//   - a masked edge lets the copy be matched by the hashed form (maskedMatches);
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
			if exc.Kind == driver.ExceptionRetention && exc.ExpiresAt != nil {
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
