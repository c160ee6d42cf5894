package fingerprint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestSipHashVectors(t *testing.T) {
	// Reference vectors of the SipHash paper (key 00..0f, message 00..n-1).
	k := sipKey{0x0706050403020100, 0x0f0e0d0c0b0a0908}
	msg := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i)
		}
		return string(b)
	}
	for n, want := range map[int]uint64{
		0: 0x726fdb47dd0e0e31, 1: 0x74f839c593dc67fd, 2: 0x0d6c8009d9a94f5a, 3: 0x85676696d7fb7e2d,
		15: 0xa129ca6149be45e5,
	} {
		require.Equalf(t, want, k.sum64(msg(n)), "len %d", n)
	}
}

func TestNormalizers(t *testing.T) {
	for _, c := range []struct {
		typ, in, want string
		ok            bool
	}{
		{piimap.TypeEmail, "  Ann.Smith@Example.COM ", "ann.smith@example.com", true},
		{piimap.TypeEmail, "mailto:<Bob@x.io>", "bob@x.io", true},
		{piimap.TypeEmail, "not an email", "", false},
		{piimap.TypeEmail, "@x.io", "", false},
		{piimap.TypePhone, "+1 (415) 555-0123", "+14155550123", true},
		{piimap.TypePhone, "(415) 555-0123", "+14155550123", true},
		{piimap.TypePhone, "1-415-555-0123 ext. 12", "+14155550123", true},
		{piimap.TypePhone, "0044 20 7946 0958", "+442079460958", true},
		{piimap.TypePhone, "+44 (0)20 7946 0958", "+4402079460958", true}, // the (0) is kept: a known limit of the light normaliser
		{piimap.TypePhone, "555-01", "", false},
		{piimap.TypePhone, "call me", "", false},
		{piimap.TypeUSSSN, "123-45-6789", "123456789", true},
		{piimap.TypeUSSSN, "12345678", "", false},
		{piimap.TypeCreditCard, "4111 1111 1111 1111", "4111111111111111", true},
		{piimap.TypeCreditCard, "4111-1111-1111-111x", "", false},
		{piimap.TypeIBAN, "gb82 west 1234 5698 7654 32", "GB82WEST12345698765432", true},
		{piimap.TypePersonName, "  Ann   B. SMITH\t", "ann b smith", true},
		{piimap.TypePersonName, " . ", "", false},
		{piimap.TypeIPAddress, "::FFFF:10.0.0.1", "10.0.0.1", true},
		{piimap.TypeIPAddress, "2001:DB8::1", "2001:db8::1", true},
		{piimap.TypeMACAddress, "AA:BB:CC:00:11:22", "aabbcc001122", true},
		{piimap.TypeUserID, " 42 ", "42", true},
		{"", strings.ToUpper(hex.EncodeToString(make([]byte, 32))), strings.Repeat("0", 64), true},
		{"", "**** **** **** 4242", "4242", true},
		{"", "XXX-XX-6789", "6789", true},
		{"", "YW5uQGV4YW1wbGUuY29t", "YW5uQGV4YW1wbGUuY29t", true},
		{"", "Ym9iQGV4YW1wbGUub3Jn", "Ym9iQGV4YW1wbGUub3Jn", true},
		{"", "Ym9iQGV4YW1wbGUub3Jn\t", "Ym9iQGV4YW1wbGUub3Jn", true},
		{"", "YW5uQGV4YW1wbGUuY29tCg==", "YW5uQGV4YW1wbGUuY29tCg==", true}, // decodes to a control character: not base64 text
		{"", "Ym9iQGV4YW1wbGUub3JnLg==", "Ym9iQGV4YW1wbGUub3JnLg", true},   // padding dropped
		{"", "hello world", "hello world", true},
		{"", "   ", "", false},
	} {
		got, ok := NormalizerFor(c.typ)(c.in)
		require.Equalf(t, c.ok, ok, "%s %q", c.typ, c.in)
		require.Equalf(t, c.want, got, "%s %q", c.typ, c.in)
	}
}

func TestShape(t *testing.T) {
	s := sha256.Sum256([]byte("x"))
	for v, want := range map[string]string{
		hex.EncodeToString(s[:]):   ShapeHex64,
		hex.EncodeToString(s[:16]): ShapeHex32,
		hex.EncodeToString(s[:20]): ShapeHex40,
		"1234":                     ShapeLast4,
		"YW5uQGV4YW1wbGUuY29t":     ShapeBase64,
		"ann@example.com":          ShapeText,
		"12345":                    ShapeText,
		"password":                 ShapeText, // valid base64 alphabet, decodes to binary
	} {
		require.Equalf(t, want, Shape(v), "%q", v)
	}
}

// emails returns n distinct emails starting at id from.
func emails(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("person%d.x@example%d.com", from+i, (from+i)%13)
	}
	return out
}

func sketchOf(typ string, vals []string, opts ...Option) Sketch {
	b := NewBuilder(testKey, typ, opts...)
	for _, v := range vals {
		b.Add(v)
	}
	return b.Sketch()
}

func TestCardinality(t *testing.T) {
	for _, n := range []int{0, 1, 100, 255, 256, 1000, 20000} {
		s := sketchOf(piimap.TypeEmail, append(emails(0, n), emails(0, n/2)...)) // duplicates don't count
		got := s.Plain.Cardinality()
		if n < KMVSize {
			require.Equal(t, float64(n), got, "exact below KMVSize")
		} else {
			require.InDeltaf(t, float64(n), got, 0.2*float64(n), "n=%d", n)
		}
		require.Equal(t, int64(n+n/2), s.Values)
	}
}

func TestCompareContainment(t *testing.T) {
	for _, c := range []struct {
		name          string
		a, b          []string
		want, reverse float64
		tol           float64
	}{
		{"small exact subset", emails(0, 50), emails(0, 200), 1, 0.25, 0},
		{"small exact 80%", append(emails(0, 80), emails(1000, 20)...), emails(0, 200), 0.8, 0.4, 0},
		{"large subset", emails(0, 5000), emails(0, 20000), 1, 0.25, 0.1},
		{"large 80%", append(emails(0, 4000), emails(100000, 1000)...), emails(0, 20000), 0.8, 0.2, 0.12},
		{"large 50%", append(emails(0, 3000), emails(100000, 3000)...), emails(0, 10000), 0.5, 0.3, 0.12},
		{"disjoint", emails(0, 3000), emails(10000, 3000), 0, 0, 0},
		{"equal sets, reformatted", upper(emails(0, 3000)), emails(0, 3000), 1, 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b := sketchOf(piimap.TypeEmail, c.a), sketchOf(piimap.TypeEmail, c.b)
			e := Compare(&a.Plain, &b.Plain)
			require.InDelta(t, c.want, e.Containment, c.tol+1e-9)
			require.InDelta(t, c.reverse, Compare(&b.Plain, &a.Plain).Containment, c.tol+1e-9)
			require.LessOrEqual(t, e.Lower, e.Adjusted+1e-9)
			if c.want == 1 && c.tol == 0 {
				require.Greater(t, e.Lower, 0.9)
			}
		})
	}
}

func upper(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = "  " + strings.ToUpper(v) + " "
	}
	return out
}

func TestCompareLast4ChanceCorrection(t *testing.T) {
	cards := cardNumbers(1, 30000) // saturates the 10,000 last-four values
	orig := sketchOf(piimap.TypeCreditCard, cards)
	last4 := derivedSig(t, orig, "last4")
	years := make([]string, 0, 80)
	for y := 1940; y < 2020; y++ {
		years = append(years, fmt.Sprint(y))
	}
	ys := sketchOf("", years)
	e := Compare(&ys.Plain, last4)
	require.Greater(t, e.Containment, 0.9, "years look contained in a saturated last-four set")
	require.Zero(t, e.Adjusted, "but not beyond chance")

	mid := sketchOf(piimap.TypeCreditCard, cardNumbers(4, 2000)) // ~1,800 of 10,000 last-four values
	e = Compare(&ys.Plain, derivedSig(t, mid, "last4"))
	require.Less(t, e.Adjusted, 0.3)

	few := cardNumbers(2, 300)
	origFew := sketchOf(piimap.TypeCreditCard, few)
	masked := make([]string, len(few))
	for i, c := range few {
		masked[i] = "**** **** **** " + c[len(c)-4:]
	}
	ms := sketchOf("", masked)
	e = Compare(&ms.Plain, derivedSig(t, origFew, "last4"))
	require.Greater(t, e.Adjusted, 0.95)
}

func derivedSig(t *testing.T, s Sketch, name string) *Signature {
	t.Helper()
	for i := range s.Derived {
		if s.Derived[i].Transform == name {
			return &s.Derived[i]
		}
	}
	t.Fatalf("no derived signature %s", name)
	return nil
}

func TestMarshalRoundTripHoldsNoRawValues(t *testing.T) {
	vals := emails(0, 500)
	s := sketchOf(piimap.TypeEmail, vals)
	data, err := s.MarshalBinary()
	require.NoError(t, err)
	var got Sketch
	require.NoError(t, got.UnmarshalBinary(data))
	require.Equal(t, s, got)
	for _, v := range vals[:50] {
		n, _ := NormalizeEmail(v)
		sum := sha256.Sum256([]byte(n))
		for _, needle := range [][]byte{[]byte(v), []byte(n), []byte(hex.EncodeToString(sum[:])), sum[:8]} {
			require.False(t, bytes.Contains(data, needle), "raw or plainly hashed value in the sketch")
		}
	}
	// Another key: different hashes, different key ID.
	other := NewBuilder([]byte("another installation key........"), piimap.TypeEmail)
	for _, v := range vals {
		other.Add(v)
	}
	o := other.Sketch()
	require.NotEqual(t, s.KeyID, o.KeyID)
	require.Zero(t, Compare(&o.Plain, &s.Plain).Matched)
}

func TestUnmarshalRejects(t *testing.T) {
	s := sketchOf(piimap.TypeEmail, emails(0, 20))
	good, err := s.MarshalBinary()
	require.NoError(t, err)
	for name, data := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("XXXX"), good[4:]...),
		"truncated": good[:len(good)-3],
		"trailing":  append(append([]byte{}, good...), 0),
		"version":   append(append([]byte("PMFS"), 9), good[5:]...),
	} {
		var got Sketch
		err := got.UnmarshalBinary(data)
		require.Errorf(t, err, name)
		require.Truef(t, errors.Is(err, piimap.ErrCorrupt), "%s: %v", name, err)
	}
}

func TestBuilderDerivedForms(t *testing.T) {
	s := sketchOf(piimap.TypeEmail, emails(0, 10))
	var names []string
	for _, d := range s.Derived {
		names = append(names, d.Transform+"/"+d.Domain)
	}
	require.Equal(t, []string{"sha256_hex/hex64", "md5_hex/hex32", "sha1_hex/hex40", "base64/base64"}, names)
	require.Empty(t, sketchOf(piimap.TypeEmail, emails(0, 10), WithoutDerived()).Derived)
	require.Equal(t, ShapeHex64, sketchOf("", hashes(emails(0, 100), sha256Hex)).Plain.Domain)
	require.Equal(t, ShapeText, sketchOf("", emails(0, 100)).Plain.Domain)
	// A custom normaliser replaces the built-in one.
	c := sketchOf(piimap.TypePhone, []string{"020 7946 0958"}, WithPhoneCountry("44"))
	d := sketchOf(piimap.TypePhone, []string{"+44 20 7946 0958"})
	require.Equal(t, 1, Compare(&c.Plain, &d.Plain).Matched)
	e := sketchOf(piimap.TypePhone, []string{"anything"}, WithNormalizer(func(string) (string, bool) { return "+442079460958", true }))
	require.Equal(t, 1, Compare(&e.Plain, &d.Plain).Matched)
	require.False(t, math.IsNaN(Compare(&e.Plain, &Signature{}).Lower))
}

func sha256Hex(v string) string { s := sha256.Sum256([]byte(v)); return hex.EncodeToString(s[:]) }

// hashes applies f to the normalised emails.
func hashes(vs []string, f func(string) string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		n, _ := NormalizeEmail(v)
		out[i] = f(n)
	}
	return out
}
