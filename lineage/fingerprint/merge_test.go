package fingerprint

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
)

// TestMergeEqualsUnion: merging the sketches of two halves gives exactly the
// sketch of the whole (MinHash and KMV are both mergeable summaries), in
// either order and with overlap between the halves.
func TestMergeEqualsUnion(t *testing.T) {
	key := []byte("merge-test-installation-key-0001")
	whole := NewBuilder(key, piimap.TypeEmail)
	a := NewBuilder(key, piimap.TypeEmail)
	b := NewBuilder(key, piimap.TypeEmail)
	for i := range 3000 {
		v := fmt.Sprintf("user%d@example.org", i)
		whole.Add(v)
		if i < 2000 {
			a.Add(v)
		}
		if i >= 1500 {
			b.Add(v)
		}
	}
	for _, order := range [][2]*Builder{{a, b}, {b, a}} {
		m, err := order[0].Sketch().Merge(order[1].Sketch())
		require.NoError(t, err)
		w := whole.Sketch()
		require.Equal(t, w.Plain.Min, m.Plain.Min)
		require.Equal(t, w.Plain.KMV, m.Plain.KMV)
		require.Len(t, m.Derived, len(w.Derived))
		for i := range w.Derived {
			require.Equal(t, w.Derived[i].Transform, m.Derived[i].Transform)
			require.Equal(t, w.Derived[i].KMV, m.Derived[i].KMV, w.Derived[i].Transform)
		}
	}
}

// TestMergeSampleIntoFull: a sample merged into the full sketch changes
// nothing, and the containment of a copy in the merged field stays high.
func TestMergeSampleIntoFull(t *testing.T) {
	key := []byte("merge-test-installation-key-0002")
	full, sample := NewBuilder(key, piimap.TypeEmail), NewBuilder(key, piimap.TypeEmail)
	for i := range 5000 {
		v := fmt.Sprintf("person%d@example.net", i)
		full.Add(v)
		if i%7 == 0 {
			sample.Add(v)
		}
	}
	m, err := full.Sketch().Merge(sample.Sketch())
	require.NoError(t, err)
	require.Equal(t, full.Sketch().Plain.KMV, m.Plain.KMV)
}

func TestMergeRefusesMismatch(t *testing.T) {
	a := NewBuilder([]byte("key-one-key-one-key-one-key-one!"), piimap.TypeEmail).Sketch()
	b := NewBuilder([]byte("key-two-key-two-key-two-key-two!"), piimap.TypeEmail).Sketch()
	_, err := a.Merge(b)
	require.ErrorIs(t, err, piimap.ErrConfig)
	c := NewBuilder([]byte("key-one-key-one-key-one-key-one!"), piimap.TypePhone).Sketch()
	_, err = a.Merge(c)
	require.ErrorIs(t, err, piimap.ErrUnsupported)
}

// TestSipHashVector pins the keyed hash to SipHash-2-4's published test
// vector (key 00..0f, message 00..0e), so stored sketches stay comparable
// across versions.
func TestSipHashVector(t *testing.T) {
	k := sipKey{k0: 0x0706050403020100, k1: 0x0f0e0d0c0b0a0908}
	msg := make([]byte, 15)
	for i := range msg {
		msg[i] = byte(i)
	}
	require.Equal(t, uint64(0xa129ca6149be45e5), k.sum64(string(msg)))
}
