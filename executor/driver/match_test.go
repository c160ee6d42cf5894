package driver_test

import (
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

func TestMatchValue(t *testing.T) {
	cases := []struct {
		kind, value, cell string
		want              bool
	}{
		{piimap.KeyEmail, "ann@example.com", "ann@example.com", true},
		{piimap.KeyEmail, "ann@example.com", " ANN@Example.COM ", true},
		{piimap.KeyEmail, "ann@example.com", "login by ann@example.com failed", true},
		{piimap.KeyEmail, "ann@example.com", "mail <Ann@Example.com>.", true},
		{piimap.KeyEmail, "ann@example.com", "sent to ann@example.com.", true},
		{piimap.KeyEmail, "ann@example.com", "xann@example.com", false},
		{piimap.KeyEmail, "ann@example.com", "ann@example.com.au", false},
		{piimap.KeyEmail, "ann@example.com", "ann@example.company", false},
		{piimap.KeyEmail, "ann@example.com", "jo.ann@example.com", false},
		{piimap.KeyEmail, "ann@example.com", "ann@example.com-old", false},
		{piimap.KeyEmail, "ann@example.com", "", false},
		{piimap.KeyPhone, "+44 20 7946 0000", "+442079460000", true},
		{piimap.KeyPhone, "+44 20 7946 0000", "(+44) 20-7946-0000", true},
		{piimap.KeyPhone, "+44 20 7946 0000", "call +44 20 7946 0000 now", true},
		{piimap.KeyPhone, "+44 20 7946 0000", "+44 20 7946 00001", false},
		{piimap.KeyPhone, "+44 20 7946 0000", "call +44 (0)20 7946 0000 now", true}, // the bracketed trunk 0
		{piimap.KeyPhone, "+44 20 7946 0000", "+44(0) 20 7946 0000", true},
		{piimap.KeyPhone, "+44 20 7946 0000", "call +44 20 7946 0000 12 times", true}, // no UK number is longer: the group does not continue it
		{piimap.KeyPhone, "+49 89 1234567", "call +49 89 1234567 12 times", false},    // a German number may be longer
		{piimap.KeyPhone, "12345", "12345", false},                                    // too short to be a phone
		{piimap.KeyUserID, "42", "42", true},
		{piimap.KeyUserID, "42", " 42 ", true},
		{piimap.KeyUserID, "42", "420", false},
		{piimap.KeyUserID, "42", "user 42", false}, // ids compare exactly, never as tokens
		{driver.KindKey, "u-1", "U-1", false},
	}
	for _, c := range cases {
		m := driver.Match{Kind: c.kind, Values: []string{c.value}}
		if got := m.MatchValue(c.cell); got != c.want {
			t.Errorf("%s %q in %q: got %v, want %v", c.kind, c.value, c.cell, got, c.want)
		}
	}
}

func TestMatchText(t *testing.T) {
	line := "a ann@example.com b ANN@EXAMPLE.COM c bob@example.com ann@example.com."
	ms := []driver.Match{{Kind: piimap.KeyEmail, Values: []string{"ann@example.com", "bob@example.com"}}}
	spans := driver.MatchText(line, ms)
	var got []string
	for _, sp := range spans {
		got = append(got, line[sp.Start:sp.End])
	}
	want := "ann@example.com|ANN@EXAMPLE.COM|bob@example.com|ann@example.com"
	if strings.Join(got, "|") != want {
		t.Errorf("spans %v, want %s", got, want)
	}
}

func TestMaskToken(t *testing.T) {
	k := []byte("key")
	a, b := driver.MaskToken(k, "ann@example.com"), driver.MaskToken(k, "ann@example.com")
	if a != b || !strings.HasSuffix(a, "@redacted.invalid") || strings.Contains(a, "ann") {
		t.Errorf("token %q", a)
	}
	if driver.MaskToken([]byte("other"), "ann@example.com") == a {
		t.Error("token does not depend on the key")
	}
}

// FuzzTokenSpans checks the span invariants: in bounds, ordered, disjoint,
// each covering one of the values (case-insensitively for emails).
func FuzzTokenSpans(f *testing.F) {
	f.Add("email", "x ann@example.com y", "ann@example.com")
	f.Add("email", "ANN@EXAMPLE.COM.", "ann@example.com")
	f.Add("phone", "+1 555 0100 and 5550100", "+1 555 0100")
	f.Add("user_id", "id=42;42", "42")
	f.Add("email", "a@b.ca@b.c", "a@b.c")
	f.Fuzz(func(t *testing.T, kind, s, v string) {
		spans := driver.TokenSpans(kind, s, []string{v})
		last := -1
		for _, sp := range spans {
			if sp.Start < 0 || sp.End > len(s) || sp.Start >= sp.End || sp.Start < last {
				t.Fatalf("bad span %+v in %q (last end %d)", sp, s, last)
			}
			last = sp.End
			if got := s[sp.Start:sp.End]; !strings.EqualFold(got, strings.TrimSpace(v)) && kind == piimap.KeyEmail {
				t.Fatalf("span %q does not equal %q", got, v)
			}
		}
	})
}

// FuzzMatchValue: a value always matches itself, and a cell that matches
// still matches when surrounded by spaces.
func FuzzMatchValue(f *testing.F) {
	f.Add("email", "ann@example.com")
	f.Add("phone", "+44 20 7946 0000")
	f.Add("user_id", "u-0001")
	f.Fuzz(func(t *testing.T, kind, v string) {
		m := driver.Match{Kind: kind, Values: []string{v}}
		n := driver.NormalizeValue(kind, v)
		if n == "" || (kind == piimap.KeyPhone && len(n) < 7) {
			return
		}
		if !m.MatchValue(v) {
			t.Fatalf("%s %q does not match itself", kind, v)
		}
		if !m.MatchValue(" " + v + " ") {
			t.Fatalf("%s %q does not match padded", kind, v)
		}
	})
}
