package fingerprint

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

func cardNumbers(seed uint64, n int) []string {
	r := rand.New(rand.NewPCG(seed, 7))
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		c := fmt.Sprintf("4%015d", r.Uint64N(1e15))
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

func loc(store, asset, field string) piimap.Location {
	return piimap.Location{Store: store, Name: asset, Field: field}
}

func md5Hex(v string) string { s := md5.Sum([]byte(v)); return hex.EncodeToString(s[:]) }

func TestIndexPairs(t *testing.T) {
	users := emails(0, 5000)
	cards := cardNumbers(3, 2000)
	masked := make([]string, 0, 1000)
	for _, c := range cards[:1000] {
		masked = append(masked, "XXXX-XXXX-XXXX-"+c[12:])
	}
	b64 := make([]string, 0, 300)
	for _, v := range users[:300] {
		n, _ := NormalizeEmail(v)
		b64 = append(b64, base64.StdEncoding.EncodeToString([]byte(n)))
	}
	years := make([]string, 0, 100)
	for y := 1920; y < 2020; y++ {
		years = append(years, fmt.Sprint(y))
	}
	fields := []struct {
		l     piimap.Location
		typ   string
		vals  []string
		hints Hints
	}{
		{loc("app", "public.users", "email"), piimap.TypeEmail, users, Hints{Stage: 1}},
		// 80% of its values from users, 20% its own: a copy at containment 0.8.
		{loc("lake", "exports/users.csv", "Email"), piimap.TypeEmail, append(upper(users[1000:2600]), emails(90000, 400)...), Hints{Stage: 3}},
		// Unrelated customers of another business, same type.
		{loc("crm", "public.leads", "email"), piimap.TypeEmail, emails(200000, 4000), Hints{Stage: 1}},
		// Shares 5% with users: not a copy.
		{loc("crm", "public.contacts", "email"), piimap.TypeEmail, append(emails(300000, 1900), users[:100]...), Hints{Stage: 1}},
		// Same values as users, in a warehouse: near-equal, oriented by store kind.
		{loc("wh", "main.dim_customer", "email"), piimap.TypeEmail, users, Hints{Stage: 2}},
		// Masked copies.
		{loc("wh", "main.dim_customer", "email_sha256"), "", hashes(users[:4000], sha256Hex), Hints{Stage: 2}},
		{loc("cache", "profile:*", "h"), "", hashes(users[2000:2500], md5Hex), Hints{Stage: 4}},
		{loc("lake", "b64.jsonl", "id"), "", b64, Hints{Stage: 3}},
		{loc("app", "public.payments", "card"), piimap.TypeCreditCard, cards, Hints{Stage: 1}},
		{loc("app", "public.receipts", "card_masked"), "", masked, Hints{Stage: 1}},
		// Four-digit numbers unrelated to the cards, and hashes of unrelated emails.
		{loc("app", "public.people", "birth_year"), "", years, Hints{}},
		{loc("crm", "public.leads", "email_hash"), "", hashes(emails(500000, 3000), sha256Hex), Hints{}},
	}
	x := NewIndex(IndexOptions{})
	for _, f := range fields {
		require.NoError(t, x.AddWithHints(f.l, sketchOf(f.typ, f.vals), f.hints))
	}
	ms := x.Pairs(0.7)
	var got []string
	for _, m := range ms {
		got = append(got, fmt.Sprintf("%s -> %s [%s] %s", m.Copy, m.Original, m.Transform, m.Direction))
		require.Greater(t, m.Confidence, 0.5, "%s", got[len(got)-1])
	}
	require.ElementsMatch(t, []string{
		"lake/exports/users.csv#Email -> app/public.users#email [] containment",
		"lake/exports/users.csv#Email -> wh/main.dim_customer#email [] containment",
		"wh/main.dim_customer#email -> app/public.users#email [] store_kind",
		"wh/main.dim_customer#email_sha256 -> app/public.users#email [sha256_hex] masked",
		"wh/main.dim_customer#email_sha256 -> wh/main.dim_customer#email [sha256_hex] masked",
		"cache/profile:*#h -> app/public.users#email [md5_hex] masked",
		"cache/profile:*#h -> wh/main.dim_customer#email [md5_hex] masked",
		// users[2000:2500] lies inside the export's users[1000:2600].
		"cache/profile:*#h -> lake/exports/users.csv#Email [md5_hex] masked",
		"lake/b64.jsonl#id -> app/public.users#email [base64] masked",
		"lake/b64.jsonl#id -> wh/main.dim_customer#email [base64] masked",
		"app/public.receipts#card_masked -> app/public.payments#card [last4] masked",
	}, got)

	for _, m := range ms {
		if m.Copy.Name == "exports/users.csv" {
			require.InDelta(t, 0.8, m.Estimate.Containment, 0.12)
		}
	}

	// Edges: direction, source, transform, evidence without values.
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, e := range Edges(ms, at) {
		require.Equal(t, lineage.EdgeCopyOf, e.Kind)
		require.Equal(t, lineage.SourceFingerprint, e.Source)
		require.Equal(t, at, e.ObservedAt)
		if e.From.Field == "email_sha256" {
			require.Equal(t, lineage.TransformMasked, e.Transform)
			require.Contains(t, e.Evidence, "sha256_hex")
		}
		if e.From.Field == "Email" {
			require.Equal(t, lineage.TransformIdentity, e.Transform)
			require.Contains(t, e.Evidence, "direction: containment")
		}
		require.NotContains(t, e.Evidence, "@")
	}
}

func TestIndexOrientation(t *testing.T) {
	vals := emails(0, 1000)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name       string
		ha, hb     Hints
		copy, dir  string
		confidence float64
	}{
		{"modified later is the copy", Hints{Modified: t0.Add(time.Hour)}, Hints{Modified: t0}, "a", DirModified, 0.8},
		{"pipeline stage", Hints{Stage: 1}, Hints{Stage: 4}, "b", DirStoreKind, 0.8},
		{"fewer rows", Hints{Rows: 10}, Hints{Rows: 2000}, "a", DirRows, 0.8},
		{"undetermined", Hints{}, Hints{}, "b", DirUndetermined, 0.6},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := NewIndex(IndexOptions{})
			require.NoError(t, x.AddWithHints(loc("s", "a", "f"), sketchOf(piimap.TypeEmail, vals), c.ha))
			require.NoError(t, x.AddWithHints(loc("s", "b", "f"), sketchOf(piimap.TypeEmail, vals), c.hb))
			ms := x.Pairs(0.8)
			require.Len(t, ms, 1)
			require.Equal(t, c.copy, ms[0].Copy.Name)
			require.Equal(t, c.dir, ms[0].Direction)
			require.InDelta(t, c.confidence, ms[0].Confidence, 0.05)
		})
	}
}

func TestIndexRefusesOtherKeyAndTinyFields(t *testing.T) {
	x := NewIndex(IndexOptions{})
	require.NoError(t, x.Add(loc("s", "a", "f"), sketchOf(piimap.TypeEmail, emails(0, 100))))
	require.NoError(t, x.Add(loc("s", "tiny", "f"), sketchOf(piimap.TypeEmail, emails(0, 3))))
	require.Equal(t, 1, x.Len(), "fields under MinValues are skipped")
	b := NewBuilder([]byte("other"), piimap.TypeEmail)
	for _, v := range emails(0, 100) {
		b.Add(v)
	}
	err := x.Add(loc("s", "b", "f"), b.Sketch())
	require.ErrorIs(t, err, piimap.ErrConfig)
	require.NotContains(t, err.Error(), "@")
}

func TestIndexSmallCopyOfLargeColumn(t *testing.T) {
	// The copy is 1/25 of the original: the J threshold is ~0.03, so only
	// the 1×128 banding finds it, and the sample is ~15 values.
	big := emails(0, 40000)
	x := NewIndex(IndexOptions{})
	require.NoError(t, x.Add(loc("s", "big", "email"), sketchOf(piimap.TypeEmail, big)))
	require.NoError(t, x.Add(loc("s", "small", "email"), sketchOf(piimap.TypeEmail, big[5000:6600])))
	ms := x.Pairs(0.7)
	require.Len(t, ms, 1)
	require.Equal(t, "small", ms[0].Copy.Name)
	require.True(t, strings.HasPrefix(ms[0].Edge(time.Time{}).Evidence, "containment"))
}
