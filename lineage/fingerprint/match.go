package fingerprint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Directions: why a match's copy is the copy.
const (
	DirMasked       = "masked"       // the copy holds a masked form of the original's values
	DirContainment  = "containment"  // the copy's values are in the original, not the reverse
	DirModified     = "modified"     // near-equal sets; the copy was modified later
	DirKey          = "key"          // near-equal sets; the original's field is a declared key, the copy's is not
	DirProjection   = "projection"   // near-equal sets; the copy's asset holds fewer PII fields (a projection)
	DirStoreKind    = "store_kind"   // near-equal sets; the copy sits further down the pipeline
	DirRows         = "rows"         // near-equal sets; the copy has fewer rows
	DirUndetermined = "undetermined" // near-equal sets and no hint; location order
)

// Match is a verified, directed copy: Copy's values (or masked forms of
// them) are contained in Original's.
type Match struct {
	Copy, Original piimap.Location
	// Transform is "" for a plain copy, else the derived form the copy
	// holds ("sha256_hex", "md5_hex", "last4", "base64", ...).
	Transform string
	// Estimate is Copy compared with Original (or with its derived form).
	Estimate Estimate
	// Reverse is Original's containment in Copy (plain copies only).
	Reverse   float64
	Direction string
	// Confidence is Estimate.Lower, scaled by 0.8 when the direction rests
	// on hints only and by 0.6 when it is undetermined.
	Confidence float64
}

// Pairs returns the copies whose containment (chance-adjusted) is at least
// t, ordered by copy then original location. A plain pair yields one match,
// oriented:
//  1. if only one side's containment reaches t, that side is the copy (a
//     subset of a column is its copy: an export, a cache, a filtered view);
//  2. otherwise the sets are near-equal and the hints decide: the later
//     modified, then the one without a declared key (when only the other
//     has one), then the one whose asset holds fewer PII fields (copies
//     are mostly projections), then the one further down the pipeline (operational
//     database → warehouse → files and objects → caches and streams), then
//     the one with fewer rows; failing all, location order with the
//     direction marked undetermined.
//
// The heuristic is wrong for a table that is the copy but has since gained
// rows of its own (an archive holding more than the live table); the
// reverse containment is reported so a reviewer can tell.
func (x *Index) Pairs(t float64) []Match {
	var out []Match
	for _, c := range x.candidates(t) {
		a, b := &x.entries[c.a], &x.entries[c.b]
		if c.d >= 0 {
			d := &a.sk.Derived[c.d]
			e := Compare(&b.sk.Plain, d)
			if !x.enough(e, t) {
				continue
			}
			out = append(out, Match{Copy: b.loc, Original: a.loc, Transform: d.Transform, Estimate: e,
				Direction: DirMasked, Confidence: e.Lower})
			continue
		}
		ab, ba := Compare(&a.sk.Plain, &b.sk.Plain), Compare(&b.sk.Plain, &a.sk.Plain)
		okA, okB := x.enough(ab, t), x.enough(ba, t)
		if !okA && !okB {
			continue
		}
		m := Match{Copy: a.loc, Original: b.loc, Estimate: ab, Reverse: ba.Containment, Direction: DirContainment}
		switch {
		case okA && !okB:
		case okB && !okA:
			m = Match{Copy: b.loc, Original: a.loc, Estimate: ba, Reverse: ab.Containment, Direction: DirContainment}
		default:
			dir, aIsCopy := orient(a, b)
			m.Direction = dir
			if !aIsCopy {
				m = Match{Copy: b.loc, Original: a.loc, Estimate: ba, Reverse: ab.Containment, Direction: dir}
			}
		}
		m.Confidence = directedConfidence(m)
		out = append(out, m)
	}
	sortMatches(out)
	return out
}

// directedConfidence is a plain match's confidence: the estimate's lower
// bound, scaled by 0.8 when the direction rests on hints only and by 0.6
// when it is undetermined.
func directedConfidence(m Match) float64 {
	switch m.Direction {
	case DirModified, DirKey, DirProjection, DirStoreKind, DirRows:
		return m.Estimate.Lower * 0.8
	case DirUndetermined:
		return m.Estimate.Lower * 0.6
	}
	return m.Estimate.Lower
}

// sortMatches orders matches by copy, original and transform.
func sortMatches(ms []Match) {
	slices.SortFunc(ms, func(p, q Match) int {
		return cmp.Or(cmpLoc(p.Copy, q.Copy), cmpLoc(p.Original, q.Original), cmp.Compare(p.Transform, q.Transform))
	})
}

// enough reports whether an estimate supports a copy at threshold t.
func (x *Index) enough(e Estimate, t float64) bool {
	return e.Adjusted >= t && e.Matched >= x.opts.MinMatched && e.Samples >= x.opts.MinSamples
}

func cmpLoc(a, b piimap.Location) int {
	return cmp.Or(cmp.Compare(a.Store, b.Store), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Field, b.Field))
}

// Orient decides which of two near-equal fields (at a and b, with their
// hints) is the copy, as Pairs and Probe do: it returns how it decided and
// whether a is the copy.
func Orient(a, b piimap.Location, ha, hb Hints) (string, bool) {
	return orient(&entry{loc: a, hints: ha}, &entry{loc: b, hints: hb})
}

// orient decides which of two near-equal fields is the copy.
func orient(a, b *entry) (string, bool) {
	ha, hb := a.hints, b.hints
	if !ha.Modified.IsZero() && !hb.Modified.IsZero() && !ha.Modified.Equal(hb.Modified) {
		return DirModified, ha.Modified.After(hb.Modified)
	}
	if ha.Key != hb.Key {
		return DirKey, hb.Key
	}
	if ha.PIIFields > 0 && hb.PIIFields > 0 && ha.PIIFields != hb.PIIFields {
		return DirProjection, ha.PIIFields < hb.PIIFields
	}
	if ha.Stage > 0 && hb.Stage > 0 && ha.Stage != hb.Stage {
		return DirStoreKind, ha.Stage > hb.Stage
	}
	if ha.Rows > 0 && hb.Rows > 0 && ha.Rows != hb.Rows {
		return DirRows, ha.Rows < hb.Rows
	}
	return DirUndetermined, cmpLoc(a.loc, b.loc) > 0
}

// Edge renders a match as a copy_of edge from the copy to the original,
// with source fingerprint and transform identity or masked. Its evidence
// names the masked form, the measured containment and the sample size, and
// how the direction was decided; never a value.
func (m Match) Edge(observed time.Time) lineage.Edge {
	e := lineage.Edge{Kind: lineage.EdgeCopyOf, From: m.Copy, To: m.Original, Source: lineage.SourceFingerprint,
		Confidence: m.Confidence, Transform: lineage.TransformIdentity, ObservedAt: observed}
	var b strings.Builder
	if m.Transform != "" {
		e.Transform = lineage.TransformMasked
		fmt.Fprintf(&b, "%s (%s); ", m.Transform, transformEvidence(m.Transform))
	}
	fmt.Fprintf(&b, "containment %.3f", m.Estimate.Containment)
	if m.Estimate.Adjusted != m.Estimate.Containment {
		fmt.Fprintf(&b, " (%.3f beyond chance)", m.Estimate.Adjusted)
	}
	fmt.Fprintf(&b, " on %d sampled values, ~%.0f vs ~%.0f distinct", m.Estimate.Samples, m.Estimate.SizeA, m.Estimate.SizeB)
	if m.Transform == "" {
		fmt.Fprintf(&b, ", reverse %.3f", m.Reverse)
	}
	fmt.Fprintf(&b, "; direction: %s", m.Direction)
	e.Evidence = b.String()
	return e
}

// Edges renders matches as copy_of edges.
func Edges(ms []Match, observed time.Time) []lineage.Edge {
	out := make([]lineage.Edge, len(ms))
	for i, m := range ms {
		out[i] = m.Edge(observed)
	}
	return out
}
