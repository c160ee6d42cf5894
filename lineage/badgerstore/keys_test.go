package badgerstore

import (
	"bytes"
	"testing"

	"github.com/piimap/piimap"
)

func FuzzLocKey(f *testing.F) {
	for _, s := range [][3]string{
		{"app", "main.users", "email"}, {"a\x00", "\x01", "\x01\x02\x00"}, {"", "", ""}, {"s3", "dir/obj.csv", "a.b[0].c"},
	} {
		f.Add(s[0], s[1], s[2], "x", "y", "z")
	}
	f.Fuzz(func(t *testing.T, s1, n1, f1, s2, n2, f2 string) {
		a := piimap.Location{Store: s1, Name: n1, Field: f1}
		b := piimap.Location{Store: s2, Name: n2, Field: f2}
		ka, kb := appendLoc(nil, a), appendLoc(nil, b)
		got, rest, err := readLoc(ka)
		if err != nil || got != a || len(rest) != 0 {
			t.Fatalf("round trip %q: %v %q %q", a, err, got, rest)
		}
		if (a == b) != bytes.Equal(ka, kb) {
			t.Fatalf("keys of %q and %q collide or differ wrongly", a, b)
		}
		// A prefix of whole components never matches another location's key.
		if a != b && bytes.HasPrefix(kb, ka) {
			t.Fatalf("key of %q is a prefix of %q's", a, b)
		}
		// An edge key decodes back to its parts.
		at, kind, source, other, err := parseEdgeKey(edgeKey("r", secOut, a, "copy_of", "fk", b)[len(sectionPrefix("r", secOut)):])
		if err != nil || at != a || other != b || kind != "copy_of" || source != "fk" {
			t.Fatalf("edge key round trip: %v %q %q", err, at, other)
		}
	})
}

func FuzzReadComp(f *testing.F) {
	for _, s := range []string{"", "\x00", "a\x01", "a\x01\x03\x00", "ab\x00cd\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, _, err := readComp(b)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to a prefix-consistent form.
		if _, _, err := readComp(appendComp(nil, s)); err != nil {
			t.Fatalf("re-encode of %q: %v", s, err)
		}
	})
}
