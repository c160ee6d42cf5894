package idfilter

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/piimap/piimap"
)

// FuzzDecode feeds arbitrary bytes to the head and part decoders: they
// must never panic, must fail with piimap.ErrCorrupt, and whatever decodes
// must answer lookups without going out of range.
func FuzzDecode(f *testing.F) {
	maxPartKeys = 40
	defer func() { maxPartKeys = MaxPartKeys }()
	for _, n := range []int{0, 1, 30, 100} {
		m := testMeta()
		m.Bits = 8 << (n % 2) // 8 and 16 bits
		flt, err := Build(m, randomKeys(rand.New(rand.NewPCG(uint64(n), 1)), n))
		if err != nil {
			f.Fatal(err)
		}
		head, parts := flt.Encode()
		f.Add(head, []byte(nil))
		for _, p := range parts {
			f.Add(head, p)
		}
	}
	f.Add([]byte("PIIF\x01H"), []byte("PIIF\x01P"))
	f.Fuzz(func(t *testing.T, head, part []byte) {
		m, in, err := decodeHead(head)
		if err != nil {
			if !errors.Is(err, piimap.ErrCorrupt) && !errors.Is(err, ErrOutdated) {
				t.Fatalf("head error %v wraps neither ErrCorrupt nor ErrOutdated", err)
			}
			m = testMeta()
		}
		for _, p := range in.parts {
			mayContain(p, 12345)
			mayContain(p, ^uint64(0))
		}
		p, _, err := decodePart(part, m, 0)
		if err != nil {
			if !errors.Is(err, piimap.ErrCorrupt) && !errors.Is(err, ErrOutdated) {
				t.Fatalf("part error %v wraps neither ErrCorrupt nor ErrOutdated", err)
			}
			return
		}
		for k := range uint64(64) {
			mayContain(p, k*0x9e3779b97f4a7c15)
		}
	})
}

// FuzzExtract checks extraction never panics and that every email the
// text literally holds in the simplest form is found.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{"a@b.c", "+1 415-555-0100", "usr_7f3a9c21 u-0001", "@@@", "a@.", "---", "(((", "x@y.z.-w"} {
		f.Add(s)
	}
	h, err := NewHasher(testKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set := h.NewSet()
		set.AddText([]byte(s))
		set.AddValues(s, []string{s})
		keys, err := set.Keys()
		if err != nil {
			t.Fatal(err)
		}
		have := map[uint64]bool{}
		for _, k := range keys {
			have[k] = true
		}
		if k, ok := h.TokenKey(s); ok && !have[k] {
			t.Fatalf("token key of the whole text missing")
		}
		if k, ok := h.CellEmailKey(s); ok && !have[k] {
			t.Fatalf("cell email key missing")
		}
		if k, ok := h.DigitsKey(s); ok && !have[k] {
			t.Fatalf("cell digits key missing")
		}
		if k, ok := h.EmailKey(s); ok && !have[k] {
			t.Fatalf("email key of a whole-text email missing")
		}
		if k, ok := h.PhoneKey(s); ok && !have[k] {
			t.Fatalf("phone key of a whole-text phone missing")
		}
	})
}
