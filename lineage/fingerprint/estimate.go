package fingerprint

import (
	"math"
)

// Estimate compares two signatures A and B.
type Estimate struct {
	// Containment estimates |A∩B| / |A|: the share of A's distinct values
	// also in B.
	Containment float64
	// Adjusted is Containment corrected for chance agreement in small value
	// spaces (last4 has only 10,000 values, so a field of any 4-digit
	// numbers is largely "contained" in a big card column's last digits):
	// (C - p0) / (1 - p0) with p0 = |B| / |space|. Equal to Containment for
	// unbounded domains.
	Adjusted float64
	// Jaccard estimates |A∩B| / |A∪B| from the MinHash signatures.
	Jaccard float64
	// Samples is the number of A's values the containment was measured on;
	// Matched how many of them were in B.
	Samples, Matched int
	// SizeA and SizeB estimate the distinct counts.
	SizeA, SizeB float64
	// Lower is the one-sided 95% Wilson lower bound of Containment given
	// Samples, chance-corrected like Adjusted: the confidence an edge
	// reports, low for small evidence.
	Lower float64
}

// spaceOf is the number of possible values of a domain, 0 when unbounded.
func spaceOf(domain string) float64 {
	if domain == ShapeLast4 {
		return 1e4
	}
	return 0
}

// Compare estimates the containment of A in B (and their Jaccard).
//
// Two estimators measure it on samples of A's values, pooled:
//   - KMV (coordinated bottom-k): below τ, the smaller of the two k-th
//     smallest hashes, both sketches hold every hash of their set, so the
//     share of A's hashes below τ that B also holds is an unbiased estimate.
//     When both sets have fewer than KMVSize distinct values it is exact.
//   - MinHash: over the bins where A has a value and A's minimum is not
//     above B's, the minimum of A∪B in the bin is an element of A drawn
//     uniformly, and it lies in B exactly when the two minima are equal
//     (one-permutation bins, ophash.go).
//
// Both need A's values to reach B's sample: the pooled sample is about
// (KMVSize+K)·|A|/|B|, so beyond |B|/|A| ≈ 40 it falls under the Index's
// MinSamples (8) and Lower drops; a copy holding a tiny fraction of a huge
// column is not reliably found by any fixed-size sketch.
func Compare(a, b *Signature) Estimate {
	e := Estimate{SizeA: a.Cardinality(), SizeB: b.Cardinality()}
	if a.Empty() || b.Empty() {
		return e
	}
	// KMV.
	tau := uint64(math.MaxUint64)
	if len(a.KMV) == KMVSize {
		tau = a.KMV[KMVSize-1]
	}
	if len(b.KMV) == KMVSize && b.KMV[KMVSize-1] < tau {
		tau = b.KMV[KMVSize-1]
	}
	nk, mk := 0, 0
	for i, j := 0, 0; i < len(a.KMV) && a.KMV[i] <= tau; i++ {
		nk++
		for j < len(b.KMV) && b.KMV[j] < a.KMV[i] {
			j++
		}
		if j < len(b.KMV) && b.KMV[j] == a.KMV[i] {
			mk++
		}
	}
	// MinHash.
	nm, mm, union := 0, 0, 0
	for i := range K {
		if a.Min[i] == emptyBin {
			if b.Min[i] != emptyBin {
				union++
			}
			continue // no value of A fell in this bin
		}
		union++
		if a.Min[i] <= b.Min[i] {
			nm++
			if a.Min[i] == b.Min[i] {
				mm++
			}
		}
	}
	if union > 0 {
		e.Jaccard = float64(mm) / float64(union)
	}
	e.Samples, e.Matched = nk, mk
	if e.Samples > 0 {
		e.Containment = float64(e.Matched) / float64(e.Samples)
	}
	// Unless the KMV sketches hold both sets whole (then it is exact), the
	// MinHash sample is added: it draws A's elements by another order, so
	// for a small copy of a large column the two nearly add up. It is
	// never counted as more values than A has.
	exact := len(a.KMV) < KMVSize && len(b.KMV) < KMVSize
	if n := min(nm, int(math.Round(e.SizeA))); !exact && n > 0 {
		m := int(math.Round(float64(mm) / float64(nm) * float64(n)))
		e.Samples, e.Matched = nk+n, mk+m
		e.Containment = float64(e.Matched) / float64(e.Samples)
	}
	e.Adjusted, e.Lower = e.Containment, wilsonLower(e.Containment, e.Samples)
	if space := spaceOf(b.Domain); space > 0 {
		// Chance agreement: a random value of the space is in B with
		// probability p0. Past one half the domain is saturated (a card
		// column with more than ~7,000 cards has most last-four values) and
		// containment says nothing.
		p0 := e.SizeB / space
		if p0 > 0.5 {
			e.Adjusted, e.Lower = 0, 0
		} else {
			e.Adjusted = math.Max(0, (e.Containment-p0)/(1-p0))
			e.Lower = math.Max(0, (e.Lower-p0)/(1-p0))
		}
	}
	return e
}

// wilsonLower is the one-sided 95% Wilson score lower bound of a
// proportion p observed on n trials.
func wilsonLower(p float64, n int) float64 {
	if n == 0 {
		return 0
	}
	const z = 1.6449
	nf := float64(n)
	z2 := z * z
	c := p + z2/(2*nf)
	d := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return math.Max(0, (c-d)/(1+z2/nf))
}
