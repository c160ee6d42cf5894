package idfilter

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/FastFilter/xorfilter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func testMeta() Meta {
	return Meta{Loc: piimap.Location{Store: "lake", Name: "logs/app.log"}, Format: piimap.FormatText,
		Version: Version{Size: 1234, Modified: "2026-01-02T03:04:05Z", ETag: `"abc"`},
		BuiltAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), RunID: "20260102T030405.000000Z", KeyID: "00ff"}
}

func randomKeys(r *rand.Rand, n int) []uint64 {
	seen := map[uint64]bool{}
	out := make([]uint64, 0, n)
	for len(out) < n {
		k := r.Uint64()
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// TestRoundTripAndFalsePositives builds a filter of 100k keys, round-trips
// it through its encoding, and measures: every key present (no false
// negative), and under 1% of 100k other keys reported present.
func TestRoundTripAndFalsePositives(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	all := randomKeys(r, 200_000)
	in, out := all[:100_000], all[100_000:]
	f, err := Build(testMeta(), append([]uint64(nil), in...))
	require.NoError(t, err)
	assert.Equal(t, 100_000, f.Meta.Keys)
	assert.Equal(t, 1, f.Meta.Parts)

	head, parts := f.Encode()
	assert.Empty(t, parts, "one part is inline")
	bitsPerKey := float64(len(head)*8) / 100_000
	assert.Less(t, bitsPerKey, 10.0)

	g, err := Decode(head, nil)
	require.NoError(t, err)
	assert.Equal(t, f.Meta, g.Meta)
	for _, k := range in {
		require.True(t, g.MayContain(k), "false negative")
	}
	fp := 0
	for _, k := range out {
		if g.MayContain(k) {
			fp++
		}
	}
	rate := float64(fp) / float64(len(out))
	t.Logf("100k keys: %d bytes (%.2f bits/key), false positives %d/100000 = %.3f%%", len(head), bitsPerKey, fp, 100*rate)
	assert.Less(t, rate, 0.01)
}

// TestSixteenBits: 16-bit fingerprints round-trip, split or not, with no
// false negative and (measured on 200k absent keys) almost no false
// positive.
func TestSixteenBits(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	all := randomKeys(r, 300_000)
	in, out := all[:100_000], all[100_000:]
	for _, split := range []bool{false, true} {
		if split {
			maxPartKeys = 30_000
		}
		m := testMeta()
		m.Bits = 16
		f, err := Build(m, append([]uint64(nil), in...))
		maxPartKeys = MaxPartKeys
		require.NoError(t, err)
		head, parts := f.Encode()
		g, err := Decode(head, parts)
		require.NoError(t, err)
		assert.Equal(t, 16, g.Meta.Bits)
		for _, k := range in {
			require.True(t, g.MayContain(k))
		}
		fp := 0
		for _, k := range out {
			if g.MayContain(k) {
				fp++
			}
		}
		size := len(head)
		for _, p := range parts {
			size += len(p)
		}
		t.Logf("16-bit, split %v: %.2f bits/key, false positives %d/200000", split, float64(size*8)/100_000, fp)
		assert.Less(t, fp, 20)
	}
	m := testMeta()
	m.Bits = 12
	_, err := Build(m, in[:10])
	assert.ErrorIs(t, err, piimap.ErrConfig)
}

func TestSmallAndEmpty(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 10, 1000} {
		keys := randomKeys(rand.New(rand.NewPCG(uint64(n), 9)), n)
		f, err := Build(testMeta(), append([]uint64(nil), keys...))
		require.NoError(t, err, n)
		head, parts := f.Encode()
		require.Empty(t, parts)
		g, err := Decode(head, nil)
		require.NoError(t, err, n)
		for _, k := range keys {
			assert.True(t, g.MayContain(k), "n=%d", n)
		}
		if n == 0 {
			assert.False(t, g.MayContain(42), "an empty filter rules everything out")
			assert.Equal(t, 0, g.Meta.Parts)
		}
	}
}

func TestSplitFilter(t *testing.T) {
	maxPartKeys = 1000
	defer func() { maxPartKeys = MaxPartKeys }()
	keys := randomKeys(rand.New(rand.NewPCG(3, 4)), 4500)
	f, err := Build(testMeta(), append([]uint64(nil), keys...))
	require.NoError(t, err)
	require.Equal(t, 5, f.Meta.Parts)
	head, parts := f.Encode()
	require.Len(t, parts, 5)
	g, err := Decode(head, parts)
	require.NoError(t, err)
	for _, k := range keys {
		require.True(t, g.MayContain(k))
	}
	sum := 0
	for _, c := range g.counts {
		sum += c
	}
	assert.Equal(t, 4500, sum)

	_, err = Decode(head, parts[:4])
	assert.ErrorIs(t, err, piimap.ErrCorrupt, "a missing part")
	swapped := append([][]byte{parts[1], parts[0]}, parts[2:]...)
	_, err = Decode(head, swapped)
	assert.ErrorIs(t, err, piimap.ErrCorrupt, "parts out of order")
	other, err := Build(testMeta(), append([]uint64(nil), keys...))
	require.NoError(t, err)
	_, otherParts := other.Encode()
	_, err = Decode(head, append([][]byte{otherParts[0]}, parts[1:]...))
	assert.ErrorIs(t, err, piimap.ErrCorrupt, "a part of another build")
}

// TestCorrupt flips, truncates and extends valid documents: every
// variation is an error wrapping piimap.ErrCorrupt.
func TestCorrupt(t *testing.T) {
	maxPartKeys = 300
	defer func() { maxPartKeys = MaxPartKeys }()
	keys := randomKeys(rand.New(rand.NewPCG(5, 6)), 250)
	f, err := Build(testMeta(), append([]uint64(nil), keys...))
	require.NoError(t, err)
	head, _ := f.Encode()
	big, err := Build(testMeta(), randomKeys(rand.New(rand.NewPCG(7, 8)), 700))
	require.NoError(t, err)
	bigHead, bigParts := big.Encode()
	require.Len(t, bigParts, 3)

	check := func(name string, h []byte, parts [][]byte) {
		t.Helper()
		_, err := Decode(h, parts)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, piimap.ErrCorrupt, name)
	}
	for i := range head {
		b := bytes.Clone(head)
		b[i] ^= 0x5a
		check("head byte flipped", b, nil)
	}
	for n := range len(head) {
		check("head truncated", head[:n], nil)
	}
	check("head extended", append(bytes.Clone(head), 0), nil)
	for i := range bigParts[1] {
		p := bytes.Clone(bigParts[1])
		p[i] ^= 0x01
		check("part byte flipped", bigHead, [][]byte{bigParts[0], p, bigParts[2]})
	}
	check("part given as head", bigParts[0], nil)
	check("empty", nil, nil)
	check("blank part", bigHead, [][]byte{bigParts[0], {}, bigParts[2]})
}

// TestDecodeValidatesFuse re-seals documents whose fuse parameters are
// inconsistent (a valid checksum over bad content): they must be refused,
// not used for out-of-range lookups.
func TestDecodeValidatesFuse(t *testing.T) {
	f, err := Build(testMeta(), randomKeys(rand.New(rand.NewPCG(1, 1)), 5000))
	require.NoError(t, err)
	p := f.parts[0].(*xorfilter.BinaryFuse[uint8])
	for name, mutate := range map[string]func(){
		"segment length not a power of two": func() { p.SegmentLength = 3; p.SegmentLengthMask = 2 },
		"mask":                              func() { p.SegmentLengthMask = 0 },
		"segment count":                     func() { p.SegmentCount++ },
		"segment count length":              func() { p.SegmentCountLength-- },
		"fingerprints short":                func() { p.Fingerprints = p.Fingerprints[:len(p.Fingerprints)-1] },
	} {
		saved := *p
		mutate()
		head, _ := f.Encode()
		*p = saved
		_, err := Decode(head, nil)
		assert.ErrorIs(t, err, piimap.ErrCorrupt, name)
	}
}

func TestVersion(t *testing.T) {
	v := UnitVersion(10, map[string]string{MetaLastModified: "2026-01-01T00:00:00Z", MetaETag: `"e"`})
	assert.Equal(t, Version{Size: 10, Modified: "2026-01-01T00:00:00Z", ETag: `"e"`}, v)
	assert.Equal(t, v, AttrsVersion(map[string]string{"size": "10", MetaLastModified: "2026-01-01T00:00:00Z", MetaETag: `"e"`}))
	assert.Equal(t, Version{}, AttrsVersion(nil))
	assert.Equal(t, "size 10, modified 2026-01-01T00:00:00Z, etag \"e\"", v.String())
}

func TestTooManyKeys(t *testing.T) {
	h, err := NewHasher(testKey)
	require.NoError(t, err)
	s := h.NewSet()
	s.overflow = true
	s.AddText([]byte("ann@example.com"))
	_, err = s.Keys()
	assert.True(t, errors.Is(err, ErrTooManyKeys) && errors.Is(err, piimap.ErrUnsupported))
	_, err = NewHasher([]byte("short"))
	assert.ErrorIs(t, err, piimap.ErrConfig)
}
