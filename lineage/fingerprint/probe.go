package fingerprint

import (
	"maps"
	"math"
	"slices"

	"github.com/piimap/piimap"
)

// Probes: a sampled copy against an original read in full.
//
// A fixed-size sketch measures containment only when the copy holds a fair
// share of the original (Compare: beyond a size ratio of about 40 the
// coordinated samples no longer meet), and two row samples of one column
// share almost nothing. A probe needs neither: the copy's KMV hashes are a
// uniform sample of its distinct values (all of them for a sampled field of
// up to KMVSize values), and each is looked up in the original's
// Membership. The share found is the containment, measured on up to
// KMVSize values whatever the two sizes are, so a sampled 200-row read of
// a copy finds its original even when the copy holds a thousandth of it.

// ProbeField is one field offered to Probe: its sketch (the copy side: a
// sample is enough), its hints, and its Members when it was read in full
// (the original side).
type ProbeField struct {
	Loc     piimap.Location
	Sketch  Sketch
	Hints   Hints
	Members *Members
}

// ProbeOptions tune Probe; zero values take the defaults.
type ProbeOptions struct {
	// MinValues is the fewest distinct sampled values a copy needs (default
	// 16): on fewer, containment is noise.
	MinValues int
	// MinMatched is the fewest values found a match needs (default 8).
	MinMatched int
}

func (o ProbeOptions) withDefaults() ProbeOptions {
	if o.MinValues <= 0 {
		o.MinValues = 16
	}
	if o.MinMatched <= 0 {
		o.MinMatched = 8
	}
	return o
}

// probeEarly is how many of a copy's hashes are looked up before a pair far
// below the threshold is given up.
const probeEarly = 32

// ProbeEstimate measures the containment of a's sampled values in m: the
// share of a's KMV hashes m holds, corrected for the filter's false
// positives and, in small value spaces (last4), for chance like Compare.
// With early set it stops after probeEarly lookups when fewer than half
// were found. Samples and Matched count the lookups made.
func ProbeEstimate(a *Signature, m Membership, domain string, early bool) Estimate {
	e := Estimate{SizeA: a.Cardinality(), SizeB: float64(m.Len())}
	if a.Empty() || m.Len() == 0 {
		return e
	}
	ak, _ := m.(asker)
	for _, h := range a.KMV {
		if ak != nil && !ak.Asked(h) {
			continue // an in-store probe was not asked about h
		}
		e.Samples++
		if m.MayContain(h) {
			e.Matched++
		}
		if early && e.Samples == probeEarly && 2*e.Matched < e.Samples {
			break
		}
	}
	if e.Samples == 0 {
		return e
	}
	e.Containment = float64(e.Matched) / float64(e.Samples)
	e.Lower = wilsonLower(e.Containment, e.Samples)
	// A random absent value passes the filter with probability fp, and in
	// a small space is present with probability p0: both are chance.
	p0 := m.FalsePositive()
	if space := spaceOf(domain); space > 0 {
		p := float64(m.Len()) / space
		if p > 0.5 { // saturated: most of the space is in m
			e.Adjusted, e.Lower = 0, 0
			return e
		}
		p0 = p0 + p - p0*p
	}
	e.Adjusted = math.Max(0, (e.Containment-p0)/(1-p0))
	e.Lower = math.Max(0, (e.Lower-p0)/(1-p0))
	return e
}

// probeable reports whether a field's own values may be a copy probed
// against other fields: an identifier type (ProbeType), or untyped values
// of a masked shape, with enough distinct sampled values.
func probeable(f *ProbeField, o ProbeOptions) bool {
	p := &f.Sketch.Plain
	if len(p.KMV) < o.MinValues {
		return false
	}
	if f.Sketch.Type == "" {
		return MaskedShape(p.Domain)
	}
	return ProbeType(f.Sketch.Type)
}

// Probe finds the copies among fields by probing: each field that may be a
// copy (probeable) is looked up in every other field's Members of its
// type, and, when it is untyped with a masked shape, in their masked forms
// of that shape. A copy needs chance-adjusted containment of at least t on
// at least MinMatched values found.
//
// Plain pairs are oriented as Index.Pairs orients them: when only one side
// reaches t it is the copy; when both do (near-equal sets) the hints
// decide. When only one side could be probed (the other was only
// sampled), a copy whose rows (Hints.Rows) are at least 0.8 of the
// original's distinct values is treated as near-equal too.
//
// Probed returns, for every pair it measured, true: callers merging Probe
// with Index.Pairs keep the probe's verdict for those pairs.
func Probe(fields []ProbeField, t float64, o ProbeOptions) (matches []Match, probed map[[2]piimap.Location]bool) {
	o = o.withDefaults()
	probed = map[[2]piimap.Location]bool{}
	type plainKey struct{ a, b int }
	plain := map[plainKey]Estimate{}
	enough := func(e Estimate) bool { return e.Adjusted >= t && e.Matched >= o.MinMatched }
	for i := range fields {
		a := &fields[i]
		if !probeable(a, o) {
			continue
		}
		for j := range fields {
			b := &fields[j]
			if i == j || b.Members == nil || b.Members.KeyID != a.Sketch.KeyID || cmpLoc(a.Loc, b.Loc) == 0 {
				continue
			}
			if a.Sketch.Type != "" {
				m := b.Members.Forms[FormPlain]
				if b.Members.Type != a.Sketch.Type || m == nil {
					continue
				}
				probed[[2]piimap.Location{a.Loc, b.Loc}] = true
				plain[plainKey{i, j}] = ProbeEstimate(&a.Sketch.Plain, m, a.Sketch.Type, true)
				continue
			}
			for _, form := range slices.Sorted(maps.Keys(b.Members.Forms)) {
				if form == FormPlain || FormShape(form) != a.Sketch.Plain.Domain {
					continue
				}
				probed[[2]piimap.Location{a.Loc, b.Loc}] = true
				e := ProbeEstimate(&a.Sketch.Plain, b.Members.Forms[form], a.Sketch.Plain.Domain, true)
				if enough(e) {
					matches = append(matches, Match{Copy: a.Loc, Original: b.Loc, Transform: form, Estimate: e,
						Direction: DirMasked, Confidence: e.Lower})
				}
			}
		}
	}
	done := map[plainKey]bool{}
	for k, ab := range plain {
		i, j := min(k.a, k.b), max(k.a, k.b)
		if done[plainKey{i, j}] {
			continue
		}
		done[plainKey{i, j}] = true
		a, b := &fields[k.a], &fields[k.b]
		ba, known := plain[plainKey{k.b, k.a}]
		okA, okB := enough(ab), known && enough(ba)
		if !known && okA && max(ab.SizeA, float64(a.Hints.Rows)) >= 0.8*ab.SizeB {
			// Reverse unmeasured (a was only sampled) but a holds about as
			// many rows as b has values: near-equal, the hints decide.
			okB = true
		}
		if !okA && !okB {
			continue
		}
		m := Match{Copy: a.Loc, Original: b.Loc, Estimate: ab, Reverse: ba.Containment, Direction: DirContainment}
		flip := func() {
			m = Match{Copy: b.Loc, Original: a.Loc, Estimate: ba, Reverse: ab.Containment, Direction: m.Direction}
		}
		switch {
		case okA && !okB:
		case okB && !okA:
			flip()
		default:
			dir, aIsCopy := orient(&entry{loc: a.Loc, hints: a.Hints}, &entry{loc: b.Loc, hints: b.Hints})
			m.Direction = dir
			if !aIsCopy {
				if !known { // a ⊂ b measured, sizes near-equal: b ⊂ a follows
					ba = ab
				}
				flip()
				m.Direction = dir
			}
		}
		m.Confidence = directedConfidence(m)
		matches = append(matches, m)
	}
	sortMatches(matches)
	return matches, probed
}
