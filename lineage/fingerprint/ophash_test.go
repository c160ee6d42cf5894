package fingerprint

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
)

// TestDensifyFillsEveryBinTheSameWay: densification fills every empty bin
// from the set's own bins, leaves filled bins and the stored signature as
// they are, and gives equal sets equal bands whatever order they came in.
func TestDensifyFillsEveryBinTheSameWay(t *testing.T) {
	for _, n := range []int{1, 3, 10, 60, 127, 500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			vals := emails(0, n)
			a := sketchOf(piimap.TypeEmail, vals).Plain
			rev := make([]string, n)
			for i, v := range vals {
				rev[n-1-i] = v
			}
			b := sketchOf(piimap.TypeEmail, rev).Plain
			require.Equal(t, a.Min, b.Min)
			raw := a.Min
			own := map[uint64]bool{}
			filled := 0
			for _, v := range raw {
				if v != emptyBin {
					own[v] = true
					filled++
				}
			}
			require.LessOrEqual(t, filled, n)
			d := densify(&a.Min)
			assert.Equal(t, raw, a.Min, "densify changed the stored bins")
			assert.Equal(t, d, densify(&b.Min))
			for i, v := range d {
				require.True(t, own[v], "bin %d holds a value of no bin", i)
				if raw[i] != emptyBin {
					require.Equal(t, raw[i], v, "bin %d was filled and changed", i)
				}
			}
		})
	}
	var none [K]uint64
	for i := range none {
		none[i] = emptyBin
	}
	assert.Equal(t, none, densify(&none), "a signature with no value stays empty")
}

// TestDensifiedBinsAgreeAtJaccard: the share of densified bins two sets
// agree on estimates their Jaccard similarity, for small sets that leave
// most bins empty as well as for large ones (the LSH bands' collision
// probability rests on it).
func TestDensifiedBinsAgreeAtJaccard(t *testing.T) {
	for _, tc := range []struct{ size, shared int }{{12, 6}, {40, 10}, {40, 30}, {100, 50}, {2000, 1000}} {
		t.Run(fmt.Sprintf("%d_%d", tc.size, tc.shared), func(t *testing.T) {
			want := float64(tc.shared) / float64(2*tc.size-tc.shared)
			const trials = 60
			agree := 0
			for tr := range trials {
				base := tr * 1_000_000
				a := emails(base, tc.size)
				b := emails(base+tc.size-tc.shared, tc.size)
				sa, sb := sketchOf(piimap.TypeEmail, a).Plain, sketchOf(piimap.TypeEmail, b).Plain
				da, db := densify(&sa.Min), densify(&sb.Min)
				for i := range K {
					if da[i] == db[i] {
						agree++
					}
				}
			}
			got := float64(agree) / (trials * K)
			// 60×128 bins, correlated within a trial: a generous band.
			assert.InDelta(t, want, got, 0.05+0.15*want, "densified agreement %.3f, Jaccard %.3f", got, want)
		})
	}
}

// TestCompareSkipsEmptyBins: bins a set left empty are no evidence. A
// tenth of a 600-value column, which leaves most bins empty, measures
// containment 1 on its KMV and bin samples together; an unrelated set of
// the same size measures none; and two small disjoint sets, empty in the
// same bins, have Jaccard 0, not the share of bins both left empty.
func TestCompareSkipsEmptyBins(t *testing.T) {
	big := sketchOf(piimap.TypeEmail, emails(0, 600)).Plain
	small := sketchOf(piimap.TypeEmail, emails(100, 60)).Plain
	other := sketchOf(piimap.TypeEmail, emails(900_000, 60)).Plain
	e := Compare(&small, &big)
	assert.Equal(t, 1.0, e.Containment)
	assert.GreaterOrEqual(t, e.Samples, 20)
	assert.Less(t, e.Jaccard, 0.25)
	o := Compare(&other, &big)
	assert.Zero(t, o.Matched)
	assert.Positive(t, o.Samples)
	assert.Zero(t, Compare(&small, &other).Jaccard)
	assert.Equal(t, 1.0, Compare(&big, &big).Jaccard)
	assert.Equal(t, 1.0, Compare(&small, &small).Jaccard)
}
