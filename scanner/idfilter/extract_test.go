package idfilter

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func keySet(t testing.TB, s *Set) map[uint64]bool {
	t.Helper()
	keys, err := s.Keys()
	require.NoError(t, err)
	out := map[uint64]bool{}
	for _, k := range keys {
		out[k] = true
	}
	return out
}

type lookup func(h *Hasher, v string) (uint64, bool)

var (
	email  lookup = (*Hasher).EmailKey
	phone  lookup = (*Hasher).PhoneKey
	token  lookup = (*Hasher).TokenKey
	cellAt lookup = (*Hasher).CellEmailKey
	digits lookup = (*Hasher).DigitsKey
	// phoneForm looks a phone form up (Hasher.PhoneFormKey).
	phoneForm lookup = (*Hasher).PhoneFormKey
)

func TestExtractText(t *testing.T) {
	h, err := NewHasher(testKey)
	require.NoError(t, err)
	tests := []struct {
		name    string
		text    string
		in      map[string]lookup // values whose key must be present
		out     map[string]lookup // values whose key must be absent
		noShape []string          // token values with no filterable shape
	}{
		{
			name: "emails in a log line, any case, sentence dot",
			text: "2026-01-01 INFO login ok user=Ann.Lee+x@Example.COM from 10.0.0.1. Reset sent to bob@example.org.\n",
			in:   map[string]lookup{"ann.lee+x@example.com": email, "ANN.LEE+X@EXAMPLE.COM": email, "bob@example.org": email},
			out:  map[string]lookup{"lee+x@example.com": email, "cleo@example.com": email},
		},
		{
			name: "email followed by a dot and a dash still ends there",
			text: "to ann@x.org.-done and mail <cleo@mail.example.net>\n",
			in:   map[string]lookup{"ann@x.org": email, "ann@x.org.-done": email, "cleo@mail.example.net": email},
			out:  map[string]lookup{"cleo@mail.example": email},
		},
		{
			name: "phones written with separators, and plain",
			text: "[sms] code sent to +1 415-555-0100; call (020) 7946 0000 or 4155550199 ext 12\n",
			in: map[string]lookup{
				"+1 415-555-0100": phone, "415-555-0100": phone, "14155550100": digits, "(020) 7946 0000": phone,
				"020 7946 0000": phone, "4155550199": phone, "+1 (415) 555 0100": phone,
			},
			out: map[string]lookup{"+1 415-555-0101": phone, "7946 0000 12": phone},
		},
		{
			name: "ids: distinctive word runs, dash pairs, uuids, long numbers",
			text: "GET /api/users/usr_7f3a9c21?page=2 trace=3f2a1b4c-9d8e-4f00-a1b2-c3d4e5f60718 user u-0001 order ORD-00012345 ts 1700000123\n",
			in: map[string]lookup{
				"usr_7f3a9c21": token, "3f2a1b4c-9d8e-4f00-a1b2-c3d4e5f60718": token, "u-0001": token,
				"ORD-00012345": token, "1700000123": token,
			},
			out:     map[string]lookup{"usr_7f3a9c22": token, "u-0002": token},
			noShape: []string{"42", "u-1", "page"},
		},
		{
			name: "tokens are case-sensitive, emails are not",
			text: "key AbC123def and ANN@EXAMPLE.COM\n",
			in:   map[string]lookup{"AbC123def": token, "ann@example.com": email},
			out:  map[string]lookup{"abc123def": token},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := h.NewSet()
			s.AddText([]byte(tc.text))
			keys := keySet(t, s)
			for v, fn := range tc.in {
				k, ok := fn(h, v)
				require.True(t, ok, "%q has a lookup key", v)
				assert.True(t, keys[k], "%q must be in the set", v)
			}
			for v, fn := range tc.out {
				k, ok := fn(h, v)
				require.True(t, ok, "%q has a lookup key", v)
				assert.False(t, keys[k], "%q must not be in the set", v)
			}
			for _, v := range tc.noShape {
				_, ok := h.TokenKey(v)
				assert.False(t, ok, "%q is not distinctive", v)
			}
		})
	}
}

func TestExtractCells(t *testing.T) {
	h, err := NewHasher(testKey)
	require.NoError(t, err)
	s := h.NewSet()
	s.AddValues("contact.email", []string{" Ann@Example.com ", "\u212Aate@example.com", "not an email", ""})
	s.AddValues("phone", []string{"+44 20 7946 0000", "tel:4155550100", "12"})
	s.AddValues("ref", []string{"u-0001", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"})
	keys := keySet(t, s)
	for v, fn := range map[string]lookup{
		"ann@example.com":  email,
		"kate@example.com": cellAt, // U+212A KELVIN SIGN lower-cases to k: equal for the executor
		"+44 20 7946 0000": phone,
		"442079460000":     digits,
		"4155550100":       digits,
		"u-0001":           token,
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08": token,
	} {
		k, ok := fn(h, v)
		require.True(t, ok, v)
		assert.True(t, keys[k], "%q must be in the set", v)
	}
	_, ok := h.EmailKey("\u212Aate@example.com")
	assert.False(t, ok, "a non-ASCII email has no token lookup key")
}

func TestLookupShapes(t *testing.T) {
	h, err := NewHasher(testKey)
	require.NoError(t, err)
	for _, tc := range []struct {
		fn   lookup
		v    string
		want bool
	}{
		{email, "ann@example.com", true},
		{email, " ann@example.com ", true},
		{email, "ann@@example.com", false},
		{email, "a@b@c", false},
		{email, "jörg@example.de", false},
		{email, "ann lee@example.com", false},
		{email, "@example.com", false},
		{phone, "+1 (415) 555-0100", true},
		{phone, "415.555.0100", true}, // . and / separate digit groups as well
		{phone, "415/555/0100", true},
		{phone, "415_555_0100", false},
		{phone, "123456", false},
		{phone, "1234567890123456", true},     // 16 digits: IDD forms reach 18
		{phone, "1234567890123456789", false}, // 19
		{phoneForm, "01144207946099", true},
		{phoneForm, "011442079460999", true},
		{phoneForm, "123456", false},
		{phoneForm, "0114420794609991234", false},
		{phoneForm, "+442079460999", false}, // digits only
		{phoneForm, "44 20", false},
		{digits, "415.555.0100", true},
		{token, "abc", false},
		{token, "abcdef", false},
		{token, "123456789", false},
		{token, "1234567890", true},
		{token, "a1-b2-c3", false},    // no run is distinctive, no prefixed number
		{token, "ab1-cd2-e3", false},  // likewise
		{token, "x-ab-u-00017", true}, // "u-00017" is a prefixed number
		{token, "cust--0042", true},   // dashes between
		{token, "3f-2a-9c-1d", false}, // hex pairs are not prefixed numbers
		{token, "x1.y2", false},
		{cellAt, "no at", false},
	} {
		_, ok := tc.fn(h, tc.v)
		assert.Equal(t, tc.want, ok, "%q", tc.v)
	}
	k1, _ := h.TokenKey("pre-usr_7f3a9c21-post")
	k2, _ := h.TokenKey("usr_7f3a9c21")
	assert.Equal(t, k1, k2, "a token is keyed by its longest distinctive word run")
	other, err := NewHasher([]byte("another installation key, 32 by"))
	require.NoError(t, err)
	k3, _ := other.TokenKey("usr_7f3a9c21")
	assert.NotEqual(t, k2, k3, "keys depend on the installation key")
	assert.NotEqual(t, h.KeyID(), other.KeyID())
}

// TestSetConcurrentAndCompaction adds many keys from several goroutines:
// the result is the distinct keys, sorted, whatever the interleaving.
func TestSetConcurrentAndCompaction(t *testing.T) {
	h, err := NewHasher(testKey)
	require.NoError(t, err)
	s := h.NewSet()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			var b strings.Builder
			for i := range 50_000 {
				fmt.Fprintf(&b, "user.%d@example.com id usr_%07dx\n", (i+w*1000)%50_000, i%30_000)
				if b.Len() > 64<<10 {
					s.AddText([]byte(b.String()))
					b.Reset()
				}
			}
			s.AddText([]byte(b.String()))
		})
	}
	wg.Wait()
	keys, err := s.Keys()
	require.NoError(t, err)
	assert.True(t, slices.IsSorted(keys))
	assert.Len(t, slices.Compact(slices.Clone(keys)), len(keys), "distinct")
	assert.Len(t, keys, 50_000+30_000)
}

// benchText is 4 MB of log lines shaped like bench/gen's: timestamps,
// emails, phones, trace UUIDs, IPs.
func benchText() []byte {
	r := rand.New(rand.NewPCG(1, 1))
	var sb strings.Builder
	for sb.Len() < 4<<20 {
		switch r.IntN(4) {
		case 0:
			fmt.Fprintf(&sb, "2026-11-%02dT%02d:%02d:%02d.%03dZ INFO [auth] login ok user=user%d@example.com ip=10.%d.%d.%d\n",
				1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000), r.IntN(100000), r.IntN(256), r.IntN(256), r.IntN(256))
		case 1:
			fmt.Fprintf(&sb, "2026-11-%02dT%02d:%02d:%02d.%03dZ INFO [http] GET /api/orders 200 %dms trace=%08x-%04x-4%03x-a%03x-%012x\n",
				1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000), r.IntN(900), r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48))
		case 2:
			fmt.Fprintf(&sb, "2026-11-%02dT%02d:%02d:%02d.%03dZ INFO [sms] code sent to +1 %d-%03d-%04d\n",
				1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000), 201+r.IntN(700), 200+r.IntN(700), r.IntN(10000))
		default:
			fmt.Fprintf(&sb, "2026-11-%02dT%02d:%02d:%02d.%03dZ DEBUG [cache] evicted %d keys in %dms\n",
				1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000), r.IntN(5000), r.IntN(50))
		}
	}
	return []byte(sb.String())
}

// BenchmarkExtract is extraction and hashing alone (one goroutine, 1 MB
// chunks); BenchmarkAddText adds the Set's merging and the final sort.
func BenchmarkExtract(b *testing.B) {
	h, err := NewHasher(testKey)
	require.NoError(b, err)
	text := benchText()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for range b.N {
		for off := 0; off < len(text); off += 1 << 20 {
			x := h.newExtractor()
			x.text(text[off:min(off+1<<20, len(text))])
			x.release()
		}
	}
}

func BenchmarkAddText(b *testing.B) {
	h, err := NewHasher(testKey)
	require.NoError(b, err)
	text := benchText()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	keys := 0
	for range b.N {
		s := h.NewSet()
		for off := 0; off < len(text); off += 1 << 20 {
			s.AddText(text[off:min(off+1<<20, len(text))])
		}
		ks, err := s.Keys()
		if err != nil {
			b.Fatal(err)
		}
		keys = len(ks)
	}
	b.ReportMetric(float64(keys)/float64(len(text))*1e6, "keys/MB")
}

func TestRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, n := range []int{0, 1, 63, 64, 1000, 50_000} {
		a := make([]uint64, n)
		for i := range a {
			a[i] = r.Uint64()&0x00ffffffffffffff | 0x5a<<56 // one bucket's top byte
			if i%7 == 0 && i > 0 {
				a[i] = a[i-1] // duplicates
			}
		}
		want := slices.Clone(a)
		slices.Sort(want)
		radixSort(a, make([]uint64, n))
		assert.Equal(t, want, a, "n=%d", n)
	}
}

func TestSetBuild(t *testing.T) {
	h, err := NewHasher(testKey)
	require.NoError(t, err)
	for range 3 { // pooled memory is reused without leaking keys between sets
		s := h.NewSet()
		s.AddText([]byte("ann@example.com usr_7f3a9c21\n"))
		f, err := s.Build(testMeta())
		require.NoError(t, err)
		assert.Equal(t, 2, f.Meta.Keys)
		k, _ := h.EmailKey("ann@example.com")
		assert.True(t, f.MayContain(k))
		_, err = s.Build(testMeta())
		assert.Error(t, err, "a set builds once")
		s.AddText([]byte("late@example.com")) // ignored after Build
	}
}
