package lineage_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
)

func TestNearest(t *testing.T) {
	keys := []string{"environment", "exclude", "include", "name", "url"}
	for _, tc := range []struct {
		s    string
		max  int
		want string
	}{
		{"enviroment", 2, "environment"},
		{"urk", 2, "url"},
		{"nme", 2, "name"},
		{"nmae", 2, ""}, // a transposition is two edits, half of four letters
		{"zzzzzz", 2, ""},
		{"ur", 2, ""}, // two letters: one edit is already half of it
		{"", 2, ""},
	} {
		require.Equal(t, tc.want, lineage.Nearest(tc.s, keys, tc.max), tc.s)
	}
	require.Equal(t, 3, lineage.EditDistance("kitten", "sitting"))
	require.Equal(t, 0, lineage.EditDistance("", ""))
}
