package sqlkit_test

import (
	"strings"
	"testing"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
)

func TestChildrenFirst(t *testing.T) {
	// a ← b ← c (c references b, b references a); d stands alone; e and f
	// reference each other; s references itself; x → y → z → x is a
	// three-table cycle.
	parents := map[string]string{"b": "a", "c": "b", "e": "f", "f": "e", "s": "s", "x": "y", "y": "z", "z": "x"}
	refs := func(child, parent string) bool { return parents[child] == parent }
	cases := []struct{ in, want string }{
		{"c b a", "c b a"},     // already children first: unchanged
		{"a b c", "c b a"},     // parents first: fixed
		{"d c a b", "d c b a"}, // unrelated tables keep their place
		{"b d c", "d c b"},     // b waits for c only
		{"a s", "a s"},         // a self-reference orders nothing
		{"s a s", "s a s"},     // nor does the same asset twice
		{"e f d", "e f d"},     // a two-table cycle keeps the given order
		{"f e", "f e"},
		{"x y z", "x y z"},         // a longer cycle too
		{"z a y x b", "b a z x y"}, // free tables first; a cycle starts where the given order does
		{"a d", "a d"},             // no links
		{"", ""},                   // nothing
		{"b a c d", "c b a d"},
	}
	for _, c := range cases {
		var ts []driver.Target
		for _, a := range strings.Fields(c.in) {
			ts = append(ts, driver.Target{Asset: a})
		}
		var got []string
		for _, t := range sqlkit.ChildrenFirst(ts, refs) {
			got = append(got, t.Asset)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("ChildrenFirst(%s) = %s, want %s", c.in, strings.Join(got, " "), c.want)
		}
	}
}

func TestEachAsset(t *testing.T) {
	ts := []driver.Target{{Asset: "a"}, {Asset: "b"}, {Asset: "a"}}
	got := sqlkit.EachAsset(ts, driver.PurgeGone, "why")
	if len(got) != 2 || got[0].Asset != "a" || got[1].Asset != "b" || got[1].State != driver.PurgeGone || got[1].Detail != "why" {
		t.Fatalf("EachAsset = %+v", got)
	}
}

func TestSortedKeys(t *testing.T) {
	got := sqlkit.SortedKeys(map[string]string{"b": "1", "a": "2", "c": "3"})
	if strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("SortedKeys = %v", got)
	}
}
