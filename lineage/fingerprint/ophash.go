package fingerprint

// One-permutation MinHash.
//
// A classic MinHash signature applies K hash functions to every value and
// keeps each one's minimum: K multiply-adds a value, which was about 90 ns
// of every value a full read sketches (a tenth of an email's sketching,
// more of an untyped value's). One-permutation hashing (Li, Owen & Zhang,
// NIPS 2012) hashes a value once, sends it to one of K bins by the top
// bits of the hash and keeps each bin's minimum: one mix and one compare.
//
// Each non-empty bin is a min-wise sample of the set restricted to a
// disjoint slice of the hash space, so Compare's estimators read it as
// they read a permutation's minimum: over the bins where A has a value and
// A's minimum is not above B's, the minimum of A∪B in that bin is a value
// of A drawn uniformly, and it is in B exactly when the two are equal.
// Bins A left empty say nothing about A and are skipped. The samples are
// drawn without replacement (the bins are disjoint), which is better than
// K permutations drawing the same few values of a small set again.
//
// LSH needs every bin filled: two unrelated small sets both empty in a bin
// would collide there. Bands are made of the densified signature
// (Shrivastava, ICML 2017, "optimal densification"): an empty bin takes
// the value of the first non-empty bin of a fixed pseudo-random sequence
// of bins, the same sequence for every set, which keeps the probability
// that two densified bins agree equal to the sets' Jaccard similarity.
// Densification is done when bands are computed and never stored: stored
// bins stay raw, so Merge (a bin-wise minimum) stays exact.
//
// The bins use a remix of the keyed hash, not the hash itself: KMV keeps
// the smallest hashes, and bins over the same order would mostly sample
// the values KMV already holds.

// ophShift takes a remixed hash's top ophBits bits as its bin.
const (
	ophBits  = 7
	ophShift = 64 - ophBits
)

// K must be 2^ophBits: both array lengths are non-negative only then.
var (
	_ [K - 1<<ophBits]struct{}
	_ [1<<ophBits - K]struct{}
)

// ophMix remixes a keyed hash for binning (a bijection: distinct hashes
// stay distinct).
func ophMix(h uint64) uint64 { return mix64(h ^ 0x6a09e667f3bcc909) }

// emptyBin marks a bin no value fell in.
const emptyBin = ^uint64(0)

// densify returns the signature's bins with every empty bin filled by
// optimal densification; a signature with no value comes back as it is.
func densify(m *[K]uint64) [K]uint64 {
	out := *m
	filled := 0
	for _, v := range m {
		if v != emptyBin {
			filled++
		}
	}
	if filled == 0 || filled == K {
		return out
	}
	for j, v := range m {
		if v != emptyBin {
			continue
		}
		for t := uint64(1); ; t++ {
			k := mix64(uint64(j)<<32|t) & (K - 1)
			if m[k] != emptyBin {
				out[j] = m[k]
				break
			}
		}
	}
	return out
}
