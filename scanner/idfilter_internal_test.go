package scanner

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/scanner/idfilter"
)

// TestSeam cuts a long line inside an email, a phone and a token, and
// across three chunks: every identifier is still extracted.
func TestSeam(t *testing.T) {
	h, err := idfilter.NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	line := strings.Repeat("x", 500) + " mail ann.lee@example.com call +44 20 7946 0000 id usr_7f3a9c21 " +
		strings.Repeat("y", 10) + " tiny cleo@example.org\n"
	tests := []struct {
		name string
		cuts []int // chunk ends
	}{
		{"email", []int{510}},
		{"phone", []int{539}},
		{"phone at a space", []int{537}},
		{"token", []int{556}},
		{"three chunks", []int{505, 512, 520, 540, 558, 574, 590}},
		{"no cut", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids := &unitIDs{h: h, set: h.NewSet()}
			prev := 0
			for _, c := range append(tc.cuts, len(line)) {
				chunk := []byte(line[prev:c])
				ids.seam(chunk)
				ids.addText(chunk)
				prev = c
			}
			keys, err := ids.set.Keys()
			require.NoError(t, err)
			have := map[uint64]bool{}
			for _, k := range keys {
				have[k] = true
			}
			for v, key := range map[string]func(string) (uint64, bool){
				"ann.lee@example.com": h.EmailKey, "cleo@example.org": h.EmailKey,
				"+44 20 7946 0000": h.PhoneKey, "usr_7f3a9c21": h.TokenKey,
			} {
				k, ok := key(v)
				require.True(t, ok)
				assert.True(t, have[k], "%s found", v)
			}
		})
	}
}
