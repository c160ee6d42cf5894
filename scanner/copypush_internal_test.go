package scanner

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/fingerprint"
)

// TestNeedlesAreDigestsAndStayWithTheirTenant: what an in-store probe
// sends holds no value in clear (a typed needle, and a base64 copy's
// needle, which gives its value back, travel as their sha256 hex), and a
// store of one tenant is sent only that tenant's needles.
func TestNeedlesAreDigestsAndStayWithTheirTenant(t *testing.T) {
	key := []byte("needle test key, thirty-two byte")
	sketch := func(store, typ string, vals ...string) fieldSketch {
		b := fingerprint.NewBuilder(key, typ, fingerprint.WithNeedles(PushNeedles))
		for _, v := range vals {
			b.Add(v)
		}
		return fieldSketch{loc: piimap.Location{Store: store, Name: "t", Field: "f"}, sketch: b.Sketch(), needles: b.Needles()}
	}
	var a, b []string
	for i := range 40 {
		a = append(a, "ann"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.com")
		b = append(b, "bob"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.org")
	}
	tenants := map[string]string{"sa": "t1", "sb": "t2"}
	var b64 []string
	for _, v := range a {
		e, _ := fingerprint.AppendForm(nil, "base64", v)
		b64 = append(b64, string(e))
	}
	ns := collectNeedles([]fieldSketch{sketch("sa", piimap.TypeEmail, a...), sketch("sb", piimap.TypeEmail, b...), sketch("sa", "", b64...)},
		func(s string) string { return tenants[s] })
	q1, _ := ns.query("t1", piimap.TypeEmail)
	q2, _ := ns.query("t2", piimap.TypeEmail)
	q3, _ := ns.query("t3", piimap.TypeEmail)
	require.Len(t, q1.Needles[fingerprint.FormPlain], 40)
	require.Len(t, q2.Needles[fingerprint.FormPlain], 40)
	assert.Empty(t, q3.Needles, "a tenant with no candidate copy is sent nothing")
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, v := range append(q1.Needles[fingerprint.FormPlain], q2.Needles[fingerprint.FormPlain]...) {
		assert.Regexp(t, hex64, v, "a typed needle travels as its digest")
	}
	require.Len(t, q1.Needles["base64"], 40, "the base64 copy's needles go to its tenant's email fields")
	for _, v := range q1.Needles["base64"] {
		assert.Regexp(t, hex64, v, "a base64 needle travels as its digest")
		assert.NotContains(t, b64, v)
	}
	want, _ := fingerprint.AppendForm(nil, "sha256_hex", "ann"+"aa"+"@example.com")
	assert.Contains(t, q1.Needles[fingerprint.FormPlain], string(want))
	assert.NotContains(t, q2.Needles[fingerprint.FormPlain], string(want), "t1's value is not sent to t2")
}
