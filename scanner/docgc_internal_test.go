package scanner

import "testing"

func TestGoneDoc(t *testing.T) {
	live := map[string]map[string]bool{"lake": {"a#b.csv": true, "logs/x.log": true}, "lake/sub": {"y.csv": true}}
	for _, c := range []struct {
		id        string
		withField bool
		gone      bool
	}{
		{"lake/logs/x.log", false, false},
		{"lake/logs/old.log", false, true},
		{"lake/a#b.csv#email", true, false},  // the asset holds '#'
		{"lake/a#b.csv#e#mail", true, false}, // so may the field
		{"lake/gone.csv#email", true, true},
		{"lake/sub/y.csv", false, false}, // the longest store prefix wins
		{"other/z.csv", false, false},    // a store not listed keeps everything
	} {
		if got := goneDoc(live, c.id, c.withField); got != c.gone {
			t.Errorf("%s: gone %v, want %v", c.id, got, c.gone)
		}
	}
}
