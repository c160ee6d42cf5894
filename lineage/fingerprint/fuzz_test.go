package fingerprint

import (
	"testing"

	"github.com/piimap/piimap"
)

func FuzzNormalizers(f *testing.F) {
	for _, s := range []string{"", " ", "Ann@Example.com", "mailto:<a@b>", "+1 (415) 555-0123 ext 9", "0044 20 7946",
		"123-45-6789", "4111 1111 1111 1111", "**** 4242", "XXX-XX-1234", "YW5uQGV4YW1wbGUuY29t", "Ym9i==",
		"::ffff:1.2.3.4%eth0", "AA:bb", "\xff\xfe", "\x92\xfb0AX", "x", "ext", "00", "+", "Ann   B.  Smith", "İstanbul ǅ"} {
		f.Add(s)
	}
	types := []string{"", piimap.TypeEmail, piimap.TypePhone, piimap.TypeUSSSN, piimap.TypeCreditCard, piimap.TypeIBAN,
		piimap.TypePersonName, piimap.TypeIPAddress, piimap.TypeMACAddress, piimap.TypeUserID, piimap.TypeBankAccount}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range types {
			n := NormalizerFor(typ)
			v, ok := n(s)
			if !ok {
				if v != "" {
					t.Fatalf("%s: refused %q but returned %q", typ, s, v)
				}
				continue
			}
			if v == "" {
				t.Fatalf("%s: accepted %q as empty", typ, s)
			}
			// Idempotent: a normalised value normalises to itself.
			if w, ok := n(v); !ok || w != v {
				t.Fatalf("%s: not idempotent on %q: %q → %q (%v)", typ, s, v, w, ok)
			}
			_ = Shape(v)
		}
		// The builder's allocation-free email path is NormalizeEmail.
		want, wok := NormalizeEmail(s)
		_, got, gok := appendNormalizedEmail(nil, s)
		if got != want || gok != wok {
			t.Fatalf("appendNormalizedEmail(%q) = %q %v, NormalizeEmail %q %v", s, got, gok, want, wok)
		}
		b := NewBuilder(testKey, piimap.TypeEmail)
		b.Add(s)
		_ = b.Sketch()
	})
}

func FuzzUnmarshalSketch(f *testing.F) {
	s := NewBuilder(testKey, piimap.TypeCreditCard)
	for _, v := range cardNumbers(9, 40) {
		s.Add(v)
	}
	good, _ := s.Sketch().MarshalBinary()
	empty, _ := NewBuilder(testKey, "").Sketch().MarshalBinary()
	f.Add(good)
	f.Add(empty)
	f.Add([]byte("PMFS\x02"))
	f.Add(good[:100])
	f.Fuzz(func(t *testing.T, data []byte) {
		var sk Sketch
		if err := sk.UnmarshalBinary(data); err != nil {
			return
		}
		out, err := sk.MarshalBinary()
		if err != nil {
			t.Fatalf("re-marshal: %v", err)
		}
		var again Sketch
		if err := again.UnmarshalBinary(out); err != nil {
			t.Fatalf("round trip: %v", err)
		}
		_ = sk.Plain.Cardinality()
		_ = Compare(&sk.Plain, &again.Plain)
		x := NewIndex(IndexOptions{})
		_ = x.Add(piimap.Location{Store: "a"}, sk)
		_ = x.Add(piimap.Location{Store: "b"}, again)
		_ = x.Pairs(0.5)
	})
}
