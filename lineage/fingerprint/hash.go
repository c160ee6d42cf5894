package fingerprint

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
)

// Keyed hashing.
//
// Every value is hashed once with SipHash-2-4 under a 128-bit key derived
// from the installation key: k = HMAC-SHA256(installation key,
// "piimap/fingerprint/v1")[:16]. SipHash is a PRF designed for short
// inputs, so without the installation key a stored signature cannot be
// tested against guessed emails or phones, which is the property HMAC would
// give; but it costs about a tenth of an HMAC-SHA256 (two SHA-256
// compressions plus padding per value) and it runs for every value of every
// sketched field, several times per value for the derived forms. The HMAC
// step makes the SipHash key independent of every other use of the
// installation key (identifier filters, sealed subjects).
//
// The K MinHash "permutations" are derived from that one 64-bit hash: π_i(h)
// = xorshift(a_i·h + b_i) with a_i odd, a bijection of the 64-bit space. The
// input is already a PRF output, so these cheap bijections are as good as
// independent hash functions for min-wise sampling, at 3 operations each.

const fingerprintLabel = "piimap/fingerprint/v1"

// sipKey is a derived SipHash key.
type sipKey struct{ k0, k1 uint64 }

// deriveKey returns the SipHash key and the key ID (the first 8 bytes of a
// second HMAC) stored in sketches so that sketches made under different
// installation keys are never compared.
func deriveKey(key []byte) (sipKey, uint64) {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(fingerprintLabel))
	sum := m.Sum(nil)
	m.Reset()
	m.Write([]byte(fingerprintLabel + "/key-id"))
	id := m.Sum(nil)
	return sipKey{binary.LittleEndian.Uint64(sum[:8]), binary.LittleEndian.Uint64(sum[8:16])}, binary.BigEndian.Uint64(id[:8])
}

// sum64 is SipHash-2-4 of s (Aumasson & Bernstein, 2012).
func (k sipKey) sum64(s string) uint64 {
	v0 := k.k0 ^ 0x736f6d6570736575
	v1 := k.k1 ^ 0x646f72616e646f6d
	v2 := k.k0 ^ 0x6c7967656e657261
	v3 := k.k1 ^ 0x7465646279746573
	n := len(s)
	for len(s) >= 8 {
		m := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		v3 ^= m
		v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
		v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
		v0 ^= m
		s = s[8:]
	}
	b := uint64(n) << 56
	for i := len(s) - 1; i >= 0; i-- {
		b |= uint64(s[i]) << (8 * uint(i))
	}
	v3 ^= b
	v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
	v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
	v0 ^= b
	v2 ^= 0xff
	for range 4 {
		v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
	}
	return v0 ^ v1 ^ v2 ^ v3
}

func sipRound(v0, v1, v2, v3 uint64) (uint64, uint64, uint64, uint64) {
	v0 += v1
	v1 = bits.RotateLeft64(v1, 13)
	v1 ^= v0
	v0 = bits.RotateLeft64(v0, 32)
	v2 += v3
	v3 = bits.RotateLeft64(v3, 16)
	v3 ^= v2
	v0 += v3
	v3 = bits.RotateLeft64(v3, 21)
	v3 ^= v0
	v2 += v1
	v1 = bits.RotateLeft64(v1, 17)
	v1 ^= v2
	v2 = bits.RotateLeft64(v2, 32)
	return v0, v1, v2, v3
}

// perms holds the fixed permutation parameters (the input is keyed, so
// the parameters need not be).
var permA, permB = func() (a, b [K]uint64) {
	x := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 { // splitmix64
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	for i := range K {
		a[i], b[i] = next()|1, next()
	}
	return a, b
}()

// mix64 is a 64-bit finaliser (murmur3 fmix64) used to fold band rows
// into one bucket key.
func mix64(z uint64) uint64 {
	z ^= z >> 33
	z *= 0xff51afd7ed558ccd
	z ^= z >> 33
	z *= 0xc4ceb9fe1a85ec53
	z ^= z >> 33
	return z
}
