package fingerprint

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

func TestMaskedForm(t *testing.T) {
	loc := func(n string) piimap.Location { return piimap.Location{Store: "wh", Name: n, Field: "f"} }
	for _, tr := range allTransforms {
		e := Match{Copy: loc("copy"), Original: loc("orig"), Transform: tr.name, Direction: DirMasked}.Edge(time.Unix(0, 0))
		if got, ok := MaskedForm(e); !ok || got != tr.name {
			t.Errorf("MaskedForm(%s edge) = %q %v", tr.name, got, ok)
		}
	}
	plain := Match{Copy: loc("copy"), Original: loc("orig")}.Edge(time.Unix(0, 0))
	for name, e := range map[string]lineage.Edge{
		"identity": plain,
		"unknown":  {Kind: lineage.EdgeCopyOf, Transform: lineage.TransformMasked, Evidence: "hmac_sha256 (keyed)"},
		"view":     {Kind: lineage.EdgeDerivedFrom, Transform: lineage.TransformMasked, Evidence: "sha256_hex (x)"},
		"empty":    {Kind: lineage.EdgeCopyOf, Transform: lineage.TransformMasked},
	} {
		if got, ok := MaskedForm(e); ok {
			t.Errorf("%s: MaskedForm = %q, want none", name, got)
		}
	}
}

func TestMaskedSpellings(t *testing.T) {
	hexOfSum := func(b []byte) string { return hex.EncodeToString(b) }
	s256 := sha256.Sum256([]byte("ann@example.com"))
	m5 := md5.Sum([]byte("ann@example.com"))
	p256 := sha256.Sum256([]byte("14155550123"))
	cases := []struct {
		typ, form, raw string
		want           []string // first is canonical; nil: none
	}{
		{piimap.TypeEmail, "sha256_hex", " Ann@Example.com ", []string{hexOfSum(s256[:])}},
		{piimap.TypeEmail, "md5_hex", "mailto:ANN@example.com", []string{hexOfSum(m5[:])}},
		{piimap.TypeEmail, "base64", "ann@example.com", []string{"YW5uQGV4YW1wbGUuY29t"}},
		{piimap.TypeEmail, "sha256_hex", "not an email", nil},
		{piimap.TypeEmail, "hmac", "ann@example.com", nil},
		{piimap.TypePhone, "sha256_hex_digits", "+1 (415) 555-0123", []string{hexOfSum(p256[:])}},
		{piimap.TypeCreditCard, "last4", "4111 1111 1111 1234", []string{"1234"}},
	}
	for _, c := range cases {
		got := MaskedSpellings(c.typ, c.form, c.raw)
		if c.want == nil {
			if got != nil {
				t.Errorf("%s/%s: got %d spellings, want none", c.typ, c.form, len(got))
			}
			continue
		}
		if len(got) == 0 || got[0] != c.want[0] {
			t.Errorf("%s/%s: canonical %v, want %s", c.typ, c.form, got, c.want[0])
			continue
		}
		// Every spelling folds back onto the canonical form, as the
		// scanner's normaliser saw the copy's values.
		for _, sp := range got {
			if n, _ := NormalizeOpaque(sp); n != got[0] {
				t.Errorf("%s/%s: spelling %q normalises to %q, not the canonical form", c.typ, c.form, sp, n)
			}
		}
	}
	if !slices.Contains(MaskedForms(piimap.TypeEmail), "sha256_hex") || MaskedForms("") != nil {
		t.Errorf("MaskedForms: email %v, untyped %v", MaskedForms(piimap.TypeEmail), MaskedForms(""))
	}
}
