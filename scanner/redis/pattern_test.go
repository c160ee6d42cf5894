package redis

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestGeneralize(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"session:3f2a9c1e-8b7d-4c6e-9f00-1a2b3c4d5e6f", "session:*"},
		{"user:42:profile", "user:*:profile"},
		{"user:42", "user:*"},
		{"cache:user:ann@example.com", "cache:user:*"},
		{"rl:login:10.0.12.7", "rl:login:*"},
		{"usr_7f3a9c21:cart", "usr_*:cart"},
		{"order-123", "order-*"},
		{"feed:2026-01-02", "feed:*"},
		{"evt:2026-01-02T030405Z", "evt:*"},
		{"tok:Ab-C9dE2fG7hJx", "tok:*"},
		{"tok:AbC9dE2fG7hJ", "tok:*"},
		{"job:01ARZ3NDEKTSV4RRFFQ69G5FAV", "job:*"},
		{"digest:d41d8cd98f00b204e9800998ecf8427e", "digest:*"},
		{"tenant/7/cart|v2", "tenant/*/cart|v2"},
		{"config", "config"},
		{"user_profile_v2_cache", "user_profile_v2_cache"},
		{"deadbeef:flags", "deadbeef:flags"},
		{"a::b", "a::b"},
		{"1.2.3", "*"},
		{"", ""},
	} {
		assert.Equal(t, tc.want, Generalize(tc.key), "key %q", tc.key)
		assert.True(t, Fits(tc.key, Generalize(tc.key)), "key %q does not fit its own pattern", tc.key)
	}
}

// TestGroupingGolden groups a mixed keyspace and compares the patterns and
// counts with testdata/groups.golden (go test -update rewrites it).
func TestGroupingGolden(t *testing.T) {
	g := NewGrouper(1)
	var keys []string
	for i := range 300 {
		keys = append(keys,
			fmt.Sprintf("session:%08x-1111-2222-3333-%012x", i*7919, i),
			fmt.Sprintf("user:%d:profile", 1000+i),
			fmt.Sprintf("user:%d:cart", 1000+i),
		)
		if i < 40 {
			keys = append(keys, fmt.Sprintf("user:name%c%c:prefs", 'a'+i%26, 'a'+i/26)) // letters only: merged by cardinality
			keys = append(keys, fmt.Sprintf("email:person%d@example.test", i))
		}
		if i < 5 {
			keys = append(keys, fmt.Sprintf("flag:%s", []string{"dark", "beta", "promo", "legacy", "ads"}[i]))
		}
	}
	keys = append(keys, "user:admin:profile", "config", "stats:daily", "order-17", "order-18")
	for _, k := range keys {
		g.Add(k)
		g.Add(k) // SCAN may repeat keys: counts repeat, probes do not
	}
	var b strings.Builder
	for _, gr := range g.Groups() {
		fmt.Fprintf(&b, "%-28s keys=%d probe=%d\n", gr.Pattern, gr.Keys, len(gr.Probe))
		for _, k := range gr.Probe {
			require.True(t, Fits(k, gr.Pattern), "probe key of %s does not fit", gr.Pattern)
		}
	}
	golden := filepath.Join("testdata", "groups.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())
}

func TestGrouperBounded(t *testing.T) {
	g := NewGrouper(1)
	g.maxPatterns = 10
	for i := range 1000 {
		// Distinct literal shapes that never reach the merge threshold.
		g.Add(fmt.Sprintf("k%c%c:x%d", 'a'+i%26, 'a'+(i/26)%26, i%3))
	}
	groups := g.Groups()
	assert.LessOrEqual(t, len(groups), 10+1)
	var kept int64
	for _, gr := range groups {
		kept += gr.Keys
	}
	assert.Equal(t, int64(1000), kept+g.Dropped)
}

func TestBottomKReproducible(t *testing.T) {
	keys := make([]string, 500)
	for i := range keys {
		keys[i] = fmt.Sprintf("k:%d", i)
	}
	a, b, c := NewBottomK(20, 42, "u"), NewBottomK(20, 42, "u"), NewBottomK(20, 43, "u")
	for i := range keys {
		a.Offer(keys[i])
		b.Offer(keys[len(keys)-1-i]) // another SCAN order
		b.Offer(keys[i%7])           // and duplicates
		c.Offer(keys[i])
	}
	assert.Equal(t, a.Keys(), b.Keys(), "order and duplicates must not change the sample")
	assert.NotEqual(t, a.Keys(), c.Keys(), "another seed draws another sample")
	assert.Len(t, a.Keys(), 20)
}

func TestFitsAndCovers(t *testing.T) {
	assert.True(t, Fits("user:42:profile", "user:*:profile"))
	assert.False(t, Fits("user:42:x:profile", "user:*:profile"), "* never crosses a delimiter")
	assert.False(t, Fits("user/42:profile", "user:*:profile"))
	assert.True(t, Fits("usr_7f3a:cart", "usr_*:cart"))
	assert.False(t, Fits("ord_7f3a:cart", "usr_*:cart"))
	assert.True(t, covers("user:*:profile", "user:admin:profile"))
	assert.False(t, covers("user:admin:profile", "user:*:profile"))
	assert.True(t, covers("usr_*:cart", "usr_x:cart"))
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		glob, s string
		want    bool
	}{
		{"app:*", "app:user:1", true},
		{"app:*", "ap:user", false},
		{"a?c", "abc", true},
		{"a[bx]c", "axc", true},
		{"a[^bx]c", "abc", false},
		{"a[a-c]z", "abz", true},
		{`a\*b`, "a*b", true},
		{`a\*b`, "axb", false},
		{"*", "", true},
		{"*:1", "x:y:1", true},
	} {
		assert.Equal(t, tc.want, GlobMatch(tc.glob, tc.s), "%q ~ %q", tc.glob, tc.s)
	}
	assert.True(t, GlobMatch(MatchGlob("a[1]?:*"), "a[1]?:x"), "MatchGlob escapes metacharacters but *")
}

func TestTTLStats(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		name string
		in   []time.Duration
		want map[string]string
	}{
		{"empty", nil, map[string]string{MetaTTLProbed: "0"}},
		{"no expiry", []time.Duration{-1, -1}, map[string]string{MetaTTLProbed: "2", MetaTTLNoneShare: "1.00", MetaTTLNone: "2"}},
		{"gone keys ignored", []time.Duration{-2, 10 * s}, map[string]string{MetaTTLProbed: "1", MetaTTLNoneShare: "0.00", MetaTTLNone: "0",
			MetaTTLMin: "10", MetaTTLMedian: "10", MetaTTLMax: "10"}},
		{"mixed, even median, rounded up", []time.Duration{-1, 1500 * time.Millisecond, 30 * s, 60 * s, 3600 * s},
			map[string]string{MetaTTLProbed: "5", MetaTTLNoneShare: "0.20", MetaTTLNone: "1", MetaTTLMin: "2", MetaTTLMedian: "45", MetaTTLMax: "3600"}},
		{"odd median", []time.Duration{5 * s, 1 * s, 9 * s}, map[string]string{MetaTTLProbed: "3", MetaTTLNoneShare: "0.00", MetaTTLNone: "0",
			MetaTTLMin: "1", MetaTTLMedian: "5", MetaTTLMax: "9"}},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, TTLStats(tc.in)) })
	}
}

func FuzzGeneralize(f *testing.F) {
	for _, s := range []string{"user:42:profile", "session:3f2a9c1e-8b7d-4c6e-9f00-1a2b3c4d5e6f", "a::b", "x@y.z", "usr_7f3a9c21",
		"1.2.3.4", "*:*", "tenant/7|x", "\xff:\x00", "2026-01-02T03:04Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		p := Generalize(key)
		if !strings.Contains(key, "*") && !Fits(key, p) {
			t.Fatalf("key does not fit its pattern %q", p)
		}
		if Generalize(p) != p {
			t.Fatalf("not idempotent: %q → %q", p, Generalize(p))
		}
		if !GlobMatch(MatchGlob(p), key) && !strings.ContainsAny(key, "*") {
			t.Fatalf("SCAN glob of %q misses the key", p)
		}
		ks, _ := splitKey(key)
		ps, _ := splitKey(p)
		if len(ks) != len(ps) {
			t.Fatalf("segment count changed")
		}
	})
}

func FuzzGlobMatch(f *testing.F) {
	f.Add("app:*", "app:1")
	f.Add("a[^b-d]?", "axy")
	f.Add(`\[x`, "[x")
	f.Fuzz(func(t *testing.T, glob, s string) {
		if len(glob) > 64 || len(s) > 64 {
			return
		}
		GlobMatch(glob, s) // must not panic
		if !GlobMatch(escapeAll(s), s) {
			t.Fatalf("escaped literal does not match itself")
		}
	})
}

func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte('\\')
		b.WriteByte(s[i])
	}
	return b.String()
}
