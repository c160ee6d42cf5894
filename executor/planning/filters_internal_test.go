package planning

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Soundness of identifier filters: whenever a Find would match value v of a
// match in a line or a cell, lookupKeys must give a key the scanner's
// extraction put in the filter (or say v has no key, never that v cannot
// match). Checked on generated lines (TestFilterSound) and by fuzzing
// (FuzzFilterSound), against the real match functions.

var soundKinds = []string{piimap.KeyEmail, piimap.KeyPhone, piimap.KeyUserID, driver.KindKey}

// checkSound fails if value v of kind matches text (as a line, and as one
// cell of field f) while its lookup key is missing from the extracted keys.
// It returns how many matches had a key and were checked.
func checkSound(t testing.TB, h *idfilter.Hasher, kind, text, v string) (checked int) {
	if kind == piimap.KeyPhone || kind == piimap.KeyEmail {
		// Requests carry canonical identifiers (identifier.Parse).
		c, err := identifier.Parse(kind, v, "")
		if err != nil {
			return 0
		}
		v = c
	}
	line := driver.Match{Kind: kind, Values: []string{v}}
	cell := driver.Match{Field: "f", Kind: kind, Values: []string{v}}
	for _, c := range []struct {
		m       driver.Match
		matched bool
		add     func(*idfilter.Set)
	}{
		{line, len(driver.MatchText(text, []driver.Match{line})) > 0, func(s *idfilter.Set) { s.AddText([]byte(text)) }},
		{cell, cell.MatchValue(text), func(s *idfilter.Set) { s.AddValues("f", []string{text}) }},
	} {
		if !c.matched {
			continue
		}
		ks, ok, never := lookupKeys(h, c.m, v)
		if never {
			t.Fatalf("%s %q matches %q (field %q) but lookupKeys says it never can", kind, v, text, c.m.Field)
		}
		if !ok {
			continue
		}
		s := h.NewSet()
		c.add(s)
		keys, err := s.Keys()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, x := range keys {
			for _, k := range ks {
				found = found || x == k
			}
		}
		if !found {
			t.Fatalf("%s %q matches %q (field %q) but its key is not extracted", kind, v, text, c.m.Field)
		}
		checked++
	}
	return checked
}

func TestFilterSound(t *testing.T) {
	h, err := idfilter.NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(4, 4))
	values := func() []string {
		return []string{
			fmt.Sprintf("user.%d@Example.com", r.IntN(100)),
			fmt.Sprintf("+1 %d-%03d-%04d", 201+r.IntN(700), r.IntN(1000), r.IntN(10000)),
			fmt.Sprintf("(020) 7946 %04d", r.IntN(10000)),
			fmt.Sprintf("usr_%x", r.Uint32()),
			fmt.Sprintf("u-%04d", r.IntN(10000)),
			fmt.Sprintf("%08x-%04x-4%03x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12)),
			fmt.Sprint(1_000_000_000 + r.IntN(1e9)),
			"ann@x.org",
		}
	}
	seps := []string{" ", ", ", "=", "(", ")", ".", ". ", "-", "/", "<", ">", "\"", "'", ":", "@", "_", "+", "x", "\t", ""}
	checked, pairs := 0, 0
	for range 3000 {
		vals := values()
		var b strings.Builder
		for range 1 + r.IntN(4) {
			b.WriteString(seps[r.IntN(len(seps))])
			b.WriteString(vals[r.IntN(len(vals))])
		}
		b.WriteString(seps[r.IntN(len(seps))])
		text := b.String()
		for _, kind := range soundKinds {
			for _, v := range vals {
				checked += checkSound(t, h, kind, text, v)
				pairs++
			}
		}
	}
	t.Logf("%d value/line pairs, %d matches with a key checked", pairs, checked)
	if checked < 5000 {
		t.Fatalf("only %d matches checked: the generator no longer exercises the property", checked)
	}
}

func FuzzFilterSound(f *testing.F) {
	h, err := idfilter.NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][2]string{
		{"login ann@example.com.", "ann@example.com"},
		{"call +1 415-555-0100 now", "415-555-0100"},
		{"id=usr_7f3a9c21&x", "usr_7f3a9c21"},
		{"u-0001-x", "u-0001"},
		{"ORD-00012345", "ORD-00012345"},
		{" Ann@Example.com ", "ann@example.com"},
		{"tel:4155550100", "415 555 0100"},
	} {
		for k := range soundKinds {
			f.Add(s[0], s[1], uint8(k))
		}
	}
	f.Fuzz(func(t *testing.T, text, v string, kind uint8) {
		checkSound(t, h, soundKinds[int(kind)%len(soundKinds)], text, v)
	})
}
