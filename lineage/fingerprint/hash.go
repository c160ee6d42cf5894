package fingerprint

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"unsafe"

	"github.com/dchest/siphash"
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
// The MinHash signature is derived from that one 64-bit hash too, by
// one-permutation hashing (ophash.go): one remix and one compare per value,
// where K separate permutations cost K multiply-adds.

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

// sum64 is SipHash-2-4 of s (Aumasson & Bernstein, 2012), computed by
// github.com/dchest/siphash without copying s.
func (k sipKey) sum64(s string) uint64 {
	return siphash.Hash(k.k0, k.k1, unsafe.Slice(unsafe.StringData(s), len(s)))
}

func (k sipKey) sum64b(b []byte) uint64 { return siphash.Hash(k.k0, k.k1, b) }

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
