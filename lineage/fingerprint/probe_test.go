package fingerprint

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
)

// membersOf builds a full-read field with its Members.
func membersOf(t *testing.T, loc piimap.Location, typ string, values []string) ProbeField {
	t.Helper()
	b := NewBuilder(testKey, typ, WithMembers(1<<22))
	for _, v := range values {
		b.Add(v)
	}
	keys, ok := b.MemberKeys()
	require.True(t, ok)
	m := &Members{Type: typ, KeyID: b.keyID, Forms: map[string]Membership{}}
	for form, ks := range keys {
		m.Forms[form] = SetMembership(ks)
	}
	return ProbeField{Loc: loc, Sketch: b.Sketch(), Members: m}
}

// sampled builds a copy read by a 200-row sample.
func sampled(loc piimap.Location, typ string, values []string, rows int, rnd *rand.Rand) ProbeField {
	b := NewBuilder(testKey, typ)
	for range rows {
		b.Add(values[rnd.IntN(len(values))])
	}
	return ProbeField{Loc: loc, Sketch: b.Sketch()}
}

func personEmails(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s.Person%d@Example.com", prefix, i)
	}
	return out
}

func TestProbeFindsSampledCopiesOfLargeOriginals(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	orig := personEmails("ann", 50000)
	other := personEmails("zed", 50000)
	loc := func(store, name, field string) piimap.Location {
		return piimap.Location{Store: store, Name: name, Field: field}
	}
	hexes := func(vs []string, sum func(string) string) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = sum(strings.ToLower(v))
		}
		return out
	}
	sha := func(v string) string { s := sha256.Sum256([]byte(v)); return hex.EncodeToString(s[:]) }
	md := func(v string) string { s := md5.Sum([]byte(v)); return strings.ToUpper(hex.EncodeToString(s[:])) }
	lower := make([]string, 2000)
	for i := range lower {
		lower[i] = strings.ToLower(orig[i*7])
	}
	mixed := append(append([]string{}, orig[:800]...), other[:1200]...) // 40% of one, 60% of another: no copy

	fields := []ProbeField{
		membersOf(t, loc("pg", "public.customers", "email"), piimap.TypeEmail, orig),
		membersOf(t, loc("pg", "public.leads", "email"), piimap.TypeEmail, other),
		sampled(loc("files", "export.csv", "email"), piimap.TypeEmail, lower, 200, rnd),           // 4% subset, lower-cased
		sampled(loc("duck", "main.h", "h"), "", hexes(orig[:900], sha), 200, rnd),                 // sha256 of 1.8%
		sampled(loc("mysql", "db.m", "m"), "", hexes(orig[10000:30000], md), 200, rnd),            // md5, upper-case hex
		sampled(loc("files", "decoy.csv", "email"), piimap.TypeEmail, mixed, 200, rnd),            // mostly others
		sampled(loc("duck", "main.tok", "tok"), "", hexes(personEmails("q", 500), sha), 200, rnd), // unrelated digests
	}
	ms, probed := Probe(fields, 0.8, ProbeOptions{})
	got := map[string]string{}
	for _, m := range ms {
		got[m.Copy.String()] = m.Original.String() + " " + m.Transform + " " + m.Direction
		require.Greater(t, m.Confidence, 0.8, "%s", m.Copy)
	}
	require.Equal(t, map[string]string{
		fields[2].Loc.String(): fields[0].Loc.String() + "  containment",
		fields[3].Loc.String(): fields[0].Loc.String() + " sha256_hex masked",
		fields[4].Loc.String(): fields[0].Loc.String() + " md5_hex masked",
	}, got)
	require.True(t, probed[[2]piimap.Location{fields[5].Loc, fields[0].Loc}], "the decoy was measured, not skipped")
}

func TestProbeOrientsNearEqualFields(t *testing.T) {
	vs := personEmails("ann", 3000)
	a := membersOf(t, piimap.Location{Store: "pg", Name: "public.users", Field: "email"}, piimap.TypeEmail, vs)
	b := membersOf(t, piimap.Location{Store: "lake", Name: "users.csv", Field: "email"}, piimap.TypeEmail, vs)
	a.Hints, b.Hints = Hints{Stage: 1}, Hints{Stage: 3}
	ms, _ := Probe([]ProbeField{a, b}, 0.8, ProbeOptions{})
	require.Len(t, ms, 1)
	require.Equal(t, b.Loc, ms[0].Copy)
	require.Equal(t, DirStoreKind, ms[0].Direction)
}

func TestProbeSaturatedLast4IsNoMatch(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	cards := make([]string, 20000)
	for i := range cards {
		cards[i] = fmt.Sprintf("4%015d", rnd.Int64N(1e15))
	}
	orig := membersOf(t, piimap.Location{Store: "pg", Name: "public.cards", Field: "pan"}, piimap.TypeCreditCard, cards)
	four := make([]string, 500)
	for i := range four {
		four[i] = fmt.Sprintf("%04d", rnd.IntN(10000))
	}
	ms, _ := Probe([]ProbeField{orig, sampled(piimap.Location{Store: "r", Name: "k", Field: "pin"}, "", four, 200, rnd)}, 0.8, ProbeOptions{})
	require.Empty(t, ms, "random four-digit values are in a saturated last-four space by chance")
}

func TestMembersLimit(t *testing.T) {
	b := NewBuilder(testKey, piimap.TypeEmail, WithMembers(100))
	for _, v := range personEmails("a", 30) {
		b.Add(v)
	}
	_, ok := b.MemberKeys()
	require.False(t, ok, "30 emails × 5 forms pass a limit of 100 hashes")
	b = NewBuilder(testKey, piimap.TypePersonName, WithMembers(100))
	b.Add("Ann Lee")
	_, ok = b.MemberKeys()
	require.False(t, ok, "names take no probes")
}

func TestRadixSort(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 1000, 1024, 5000, 70000} {
		a := make([]uint64, n)
		for i := range a {
			a[i] = rnd.Uint64()
			if i%7 == 0 && i > 0 {
				a[i] = a[i-1] // repeats
			}
		}
		want := slices.Clone(a)
		slices.Sort(want)
		radixSort(a)
		require.Equal(t, want, a, "n=%d", n)
	}
}

// TestDerivedMembersOnlyPastTheLimit: a builder that keeps masked forms as
// members only and passes its limit sketches them after all, exactly as a
// builder that sketched them from the start, whichever form's hash hits
// the limit.
func TestDerivedMembersOnlyPastTheLimit(t *testing.T) {
	// Fewer distinct values than KMVSize: every hash is in the sketch, so
	// one lost anywhere shows.
	var vals []string
	for i := range 240 {
		vals = append(vals, fmt.Sprintf("user%d@example.com", i%200))
	}
	ref := NewBuilder(testKey, piimap.TypeEmail)
	for _, v := range vals {
		ref.Add(v)
	}
	want := ref.Sketch()
	for limit := 1; limit < 1000; limit++ {
		b := NewBuilder(testKey, piimap.TypeEmail, WithMembers(limit), WithDerivedMembersOnly())
		for _, v := range vals {
			b.Add(v)
		}
		_, ok := b.MemberKeys()
		require.False(t, ok, "limit %d: over", limit)
		got := b.Sketch()
		require.Equal(t, len(want.Derived), len(got.Derived), "limit %d", limit)
		for i := range want.Derived {
			assert.Equal(t, want.Derived[i].Min, got.Derived[i].Min, "limit %d, form %s", limit, want.Derived[i].Transform)
			assert.Equal(t, want.Derived[i].KMV, got.Derived[i].KMV, "limit %d, form %s", limit, want.Derived[i].Transform)
		}
	}
	b := NewBuilder(testKey, piimap.TypeEmail, WithMembers(1<<20), WithDerivedMembersOnly())
	for _, v := range vals {
		b.Add(v)
	}
	assert.Empty(t, b.Sketch().Derived, "within the limit the masked forms are members only")
}
