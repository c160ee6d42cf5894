package scanner

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/piimap/piimap"
)

// Join keys that no name relates. Real estates name their keys in their own
// language and abbreviations (auftraege.kd → kunden.knr, orders.cust_ref →
// clients.no): the name rule of joinCandidates cannot pair them. So a
// second, stricter rule pairs by values alone, where a chance inclusion
// would widen an erasure to other people's rows:
//
//   - the parent is a unique key (PRIMARY KEY or UNIQUE) of a table holding
//     PII, a table a subject can have a record in;
//   - the child is not unique (a many-to-one key: uniqueness gives the
//     direction, two unique columns give none), of the same class, in
//     another table, holds no PII findings itself (a column of emails is
//     found by value already) and has no declared or name-given edge;
//   - at least InferMinContainment of its sampled distinct values are in
//     the parent (as for names), on at least 10 values (integers) or 20
//     (text);
//   - and that containment is no coincidence: for integers, the parent's
//     keys may fill the range the child's values span (a serial id 1..N
//     holds every small number, so quantities and counts would be
//     "contained"); the share of the range they fill is measured with a
//     second probe (random integers of the range, or all of it when it is
//     small, on the child's own step, so keys every table draws on one
//     grid fill it), and the chance of the containment seen, were the child's
//     values drawn from the range blindly, must be below
//     InferMaxChance (binomial tail). A dense key (ids 1..N) therefore
//     never pairs by values: it needs a name. Text keys of a PII table
//     (customer numbers, emails) are taken at 20 values; their chance of
//     inclusion is taken as nil.

const (
	// InferMaxValuePairs bounds the value-only pairs probed per store.
	InferMaxValuePairs = 400
	// InferMaxChance is the largest chance, under the parent's key density
	// in the child's value range, of a containment as high as the one seen,
	// that still yields a value-only edge.
	InferMaxChance = 1e-9
	// inferDensityProbes is how many integers of the child's value range are
	// looked up in the parent to measure how densely its keys fill it;
	// a range this size or smaller is looked up whole.
	inferDensityProbes = 400
)

// valueMinValues is the fewest distinct child values a value-only pair of
// class needs.
func valueMinValues(class string) int {
	if class == keyInt {
		return 10
	}
	return 20
}

// valueCandidates lists the value-only pairs (see above) of one store's
// fields, skipping the pairs named already holds; parents are sorted by
// table and field, children likewise, so the probes and the cap are
// deterministic. It asks the store nothing: the child's values are the
// scan's own sample of it (keySample), and a pair is probed only when
// nearly all of them have a shape the parent's sample shows (shapesFit):
// a column of one-digit counts is never probed against six-digit customer
// numbers, nor hex digests against emails.
func valueCandidates(fields []keyField, declared map[piimap.Location]bool, named []candidate) []candidate {
	seen := map[[2]piimap.Location]bool{}
	for _, c := range named {
		seen[[2]piimap.Location{c.child.unit.Loc.WithField(c.child.field), c.parent.unit.Loc.WithField(c.parent.field)}] = true
	}
	var out []candidate
	for _, p := range fields {
		if !p.unique || !p.piiAt || p.class == "" || p.class == keyInt && denseKey(p) {
			continue
		}
		shapes := shapeSet(p.sample, p.class)
		for _, c := range fields {
			if c.unique || c.pii || c.class != p.class || c.unit.Loc.Name == p.unit.Loc.Name ||
				len(c.sample) < valueMinValues(c.class) || declared[bare(c.unit.Loc.WithField(c.field))] ||
				!shapesFit(c.sample, shapes, c.class) {
				continue
			}
			k := [2]piimap.Location{c.unit.Loc.WithField(c.field), p.unit.Loc.WithField(p.field)}
			if seen[k] {
				continue
			}
			out = append(out, candidate{child: c, parent: p, byValue: true})
		}
	}
	slices.SortFunc(out, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.child.unit.Loc.Name, b.child.unit.Loc.Name), cmp.Compare(a.child.field, b.child.field),
			cmp.Compare(a.parent.unit.Loc.Name, b.parent.unit.Loc.Name), cmp.Compare(a.parent.field, b.parent.field))
	})
	return out
}

// valueEvidence decides a value-only pair whose containment passed: it
// returns the edge's evidence and whether the containment (hit of vals)
// is significant (see above). It never names a value.
func (e *engine) valueEvidence(ctx context.Context, pr Prober, c candidate, vals []string, hit int) (string, bool, error) {
	if c.parent.class != keyInt {
		return "a unique text key of a PII table; by values, no name relates them", true, nil
	}
	ints := make([]int64, 0, len(vals))
	for _, v := range vals {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return "", false, nil
		}
		ints = append(ints, n)
	}
	lo, hi := slices.Min(ints), slices.Max(ints)
	step := int64(0)
	for _, v := range ints {
		step = gcd(step, v-lo)
	}
	if step == 0 {
		return "", false, nil
	}
	probe := rangeProbe(lo, hi, step, c)
	pctx, cancel := context.WithTimeout(ctx, inferProbeTimeout)
	in, err := pr.CountIn(pctx, c.parent.unit, c.parent.field, probe)
	cancel()
	if err != nil {
		return "", false, err
	}
	in = min(in, len(probe))
	density := float64(in) / float64(len(probe))
	if uint64(hi-lo)/uint64(step) >= uint64(len(probe)) {
		// Sampled: an upper bound, so a key that happens to look sparse in
		// the probe does not pass on luck.
		density = min(1, float64(in+3)/float64(len(probe)+3))
	}
	chance := binomialTail(len(vals), hit, density)
	if chance > InferMaxChance {
		return "", false, nil
	}
	return fmt.Sprintf("the parent's keys fill %.3f of the values' range (step %d), chance %s; by values, no name relates them",
		density, step, chanceText(chance)), true, nil
}

// chanceText prints a probability for evidence: 3e-10, or "< 1e-99".
func chanceText(p float64) string {
	if p < 1e-99 {
		return "< 1e-99"
	}
	return fmt.Sprintf("%.0e", p)
}

// gcd is the greatest common divisor of |a| and |b| (gcd(0, b) = |b|).
func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// rangeProbe returns the integers looked up to measure the parent's key
// density on the child's lattice {lo, lo+step, …, hi}: all of them when
// there are at most inferDensityProbes, else that many distinct ones drawn
// with a seed from the pair's names (the same probe on every scan). The
// lattice is the child's own (step: the gcd of its values' distances), so
// keys that every table draws on one grid (auto-increment steps of a
// multi-primary cluster, numbers in tens) fill it densely and give no edge.
func rangeProbe(lo, hi, step int64, c candidate) []string {
	points := uint64(hi-lo)/uint64(step) + 1 // ≥ 1; 0 only when the whole int64 range is one lattice of step 1
	if points != 0 && points <= inferDensityProbes {
		out := make([]string, 0, points)
		for k := uint64(0); k < points; k++ {
			out = append(out, strconv.FormatInt(lo+int64(k*uint64(step)), 10))
		}
		return out
	}
	h := fnv.New64a()
	h.Write([]byte(c.child.unit.Loc.Name + "\x00" + c.child.field + "\x00" + c.parent.unit.Loc.Name + "\x00" + c.parent.field))
	r := rand.New(rand.NewPCG(h.Sum64(), 1))
	seen := make(map[int64]bool, inferDensityProbes)
	out := make([]string, 0, inferDensityProbes)
	for len(out) < inferDensityProbes {
		var k uint64
		if points == 0 {
			k = r.Uint64()
		} else {
			k = r.Uint64N(points)
		}
		v := lo + int64(k*uint64(step))
		if !seen[v] {
			seen[v] = true
			out = append(out, strconv.FormatInt(v, 10))
		}
	}
	return out
}

// binomialTail is P(X ≥ k) for X ~ Binomial(n, p).
func binomialTail(n, k int, p float64) float64 {
	switch {
	case k <= 0:
		return 1
	case k > n:
		return 0
	case p <= 0:
		return 0
	case p >= 1:
		return 1
	}
	lp, lq := math.Log(p), math.Log1p(-p)
	ln, _ := math.Lgamma(float64(n + 1))
	sum := 0.0
	for i := k; i <= n; i++ {
		a, _ := math.Lgamma(float64(i + 1))
		b, _ := math.Lgamma(float64(n - i + 1))
		sum += math.Exp(ln - a - b + float64(i)*lp + float64(n-i)*lq)
	}
	return min(sum, 1)
}

// denseKey reports whether an integer key fills at least 0.9 of the range
// its sample spans (rows over max-min+1): a serial id, which every small
// number of a child falls into, so no containment in it is evidence (the
// chance probe would say so at the cost of two queries a pair).
func denseKey(p keyField) bool {
	if len(p.sample) == 0 {
		return true // nothing to judge by: probe nothing
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, v := range p.sample {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return true
		}
		lo, hi = min(lo, n), max(hi, n)
	}
	rows := max(p.rows, int64(len(p.sample)))
	span := uint64(hi-lo) + 1
	return span != 0 && float64(rows) >= 0.9*float64(span)
}

// Kept samples. While a store that can probe is scanned, each field of an
// integer or text type keeps the distinct values of its latest sample, up
// to InferProbeValues of them and none longer than keySampleMaxLen (a field
// holding a longer value is no key and keeps nothing), so inferring join
// keys by value needs no query to learn what a child column holds. They
// are the first values read: a sampled scan's are a seeded random sample,
// a full scan's the head of the table in its read order (a key whose head
// looks dense or shaped unlike its tail is then passed over: a missed
// edge, never a wrong one, since every edge is still probed).

// keySampleMaxLen is the longest value a kept sample takes.
const keySampleMaxLen = 64

// keySample is one field's kept sample; a nil *keySample keeps nothing.
type keySample struct {
	vals []string
	seen map[string]bool
	off  bool // a value too long for a key was seen
}

func (k *keySample) add(vals []string) {
	if k == nil || k.off || len(k.vals) >= InferProbeValues {
		return
	}
	if k.seen == nil {
		k.seen = map[string]bool{}
	}
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" || k.seen[v] {
			continue
		}
		if len(v) > keySampleMaxLen {
			k.off, k.vals, k.seen = true, nil, nil
			return
		}
		k.seen[v] = true
		if k.vals = append(k.vals, v); len(k.vals) == InferProbeValues {
			k.seen = nil // full: no value is looked up again
			return
		}
	}
}

// values returns the kept values (nil for a nil or spoilt sample).
func (k *keySample) values() []string {
	if k == nil || k.off {
		return nil
	}
	return k.vals
}

// keyShape is a value's shape: for integers its digit count (and sign);
// for text its length and its character classes with runs collapsed
// (K-000123 → "a-9/8", ann@example.org → "a@a.a/15").
func keyShape(v, class string) string {
	if class == keyInt {
		return strconv.Itoa(len(strings.TrimLeft(v, "+"))) // "-12" and "12" differ, as they should
	}
	var b strings.Builder
	var last rune = -1
	for _, r := range v {
		switch {
		case unicode.IsLetter(r):
			r = 'a'
		case unicode.IsDigit(r):
			r = '9'
		}
		if r != last {
			b.WriteRune(r)
			last = r
		}
	}
	return b.String() + "/" + strconv.Itoa(len(v))
}

// shapeSet is the set of shapes of vals.
func shapeSet(vals []string, class string) map[string]bool {
	out := make(map[string]bool, len(vals))
	for _, v := range vals {
		out[keyShape(v, class)] = true
	}
	return out
}

// shapesFit reports whether at least InferMinContainment of the child's
// values have a shape in the parent's: without that, containment cannot
// reach the threshold unless the parent's sample missed its shapes.
func shapesFit(child []string, parent map[string]bool, class string) bool {
	if len(child) == 0 || len(parent) == 0 {
		return false
	}
	fit := 0
	for _, v := range child {
		if parent[keyShape(v, class)] {
			fit++
		}
	}
	return float64(fit) >= InferMinContainment*float64(len(child))
}
