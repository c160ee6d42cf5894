package driver

import (
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
)

func TestPrefilter(t *testing.T) {
	email := Match{Kind: piimap.KeyEmail, Values: []string{" Ann.Lee@Example.org "}}
	phone := Match{Field: "phone", Kind: piimap.KeyPhone, Values: []string{"+12136625868"}}
	id := Match{Field: "user_id", Kind: KindKey, Values: []string{"u-1042"}}
	tests := []struct {
		name string
		ms   []Match
		json bool
		raw  string
		want bool
	}{
		{"email as written", []Match{email}, false, "login ann.lee@example.org ok", true},
		{"email in other case", []Match{email}, false, "login ANN.LEE@EXAMPLE.ORG ok", true},
		{"other email", []Match{email}, false, "login bob@example.org ok", false},
		{"kelvin sign folds to k", []Match{{Kind: piimap.KeyEmail, Values: []string{"kim@x.org"}}}, false, "\u212aim@x.org", true},
		{"dotted capital I folds to i", []Match{{Kind: piimap.KeyEmail, Values: []string{"ida@x.org"}}}, false, "\u0130da@x.org", true},
		{"non-ASCII line without folding letters", []Match{email}, false, "José logged in", false},
		{"phone digits across separators", []Match{phone}, true, `{"phone":"12136625868"}`, true},
		{"phone written otherwise", []Match{phone}, false, "call 1-213-662-5868 now", true},
		{"phone digits elsewhere", []Match{phone}, false, "order 1213662586 total 9", false},
		{"phone in text as written", []Match{{Kind: piimap.KeyPhone, Values: []string{"+12136625868"}}}, false, "sms to +1 213 6625868", true},
		{"phone in text otherwise written", []Match{{Kind: piimap.KeyPhone, Values: []string{"+12136625868"}}}, false, "sms to (213) 662.5868", true},
		{"other region's phone", []Match{{Kind: piimap.KeyPhone, Values: []string{"+442079460999"}}}, false, "sms to 2079460999", false},
		{"phone with its bracketed trunk 0", []Match{{Kind: piimap.KeyPhone, Values: []string{"+442079460999"}}}, false, "sms to +44 (0)20 7946 0999", true},
		{"phone then a group", []Match{{Kind: piimap.KeyPhone, Values: []string{"+442079460999"}}}, false, "sms to +44 20 7946 0999 12 times", true},
		{"short phone matches nowhere", []Match{{Kind: piimap.KeyPhone, Values: []string{"12345"}}}, false, "12345", false},
		{"key exact", []Match{id}, true, `{"user_id":"u-1042"}`, true},
		{"key in other case", []Match{id}, false, "U-1042", false},
		{"json unicode escape", []Match{id}, true, `{"user_id":"u\u002d1042"}`, true},
		{"json solidus escape", []Match{id}, true, `{"path":"a\/b"}`, true},
		{"json escaped backslash then u", []Match{id}, true, `{"path":"a\\u"}`, false},
		{"json quote escape", []Match{id}, true, `{"msg":"say \"hi\""}`, false},
		{"escapes are not decoded in text", []Match{id}, false, `u\u002d1042`, false},
		{"value with a quote turns it off", []Match{{Kind: KindKey, Values: []string{`a"b`}}}, false, "anything", true},
		{"non-ASCII email turns it off", []Match{{Kind: piimap.KeyEmail, Values: []string{"józef@x.org"}}}, false, "anything", true},
		{"no values", nil, false, "anything", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewPrefilter(tt.ms, tt.json).MayMatch([]byte(tt.raw)); got != tt.want {
				t.Fatalf("MayMatch(%q) = %v, want %v", tt.raw, got, tt.want)
			}
		})
	}
	var nilPre *Prefilter
	if !nilPre.MayMatch([]byte("x")) {
		t.Fatal("a nil prefilter must pass everything")
	}
}

// FuzzPrefilter checks soundness against the match rules: whenever
// MatchText matches a line, or MatchValue matches any cell cut from it,
// MayMatch must pass the line.
func FuzzPrefilter(f *testing.F) {
	f.Add("login Ann@X.org ok", "ann@x.org", uint8(0), uint8(6), uint8(15))
	f.Add("tel +1 213 662 5868;", "+12136625868", uint8(1), uint8(4), uint8(20))
	f.Add("tel +44 (0)20 7946 0999 12;", "+442079460999", uint8(1), uint8(4), uint8(20))
	f.Add("user u-1042 did", " u-1042 ", uint8(2), uint8(5), uint8(11))
	f.Add("\u212aim@x.org", "kim@x.org", uint8(0), uint8(0), uint8(12))
	f.Add("card 4111 1111-1111 1111 ok", "4111111111111111", uint8(3), uint8(5), uint8(24))
	f.Add("iban gb82 west 1234 5698 7654 32.", "GB82WEST12345698765432", uint8(4), uint8(0), uint8(40))
	f.Add("ssn 123-45-6780", "123456780", uint8(5), uint8(4), uint8(15))
	f.Add("NI ab 12 34 56 c;", "AB123456C", uint8(6), uint8(3), uint8(17))
	kinds := append([]string{piimap.KeyEmail, piimap.KeyPhone, KindKey}, identifier.Numbers...)
	f.Fuzz(func(t *testing.T, line, value string, kind, from, to uint8) {
		m := Match{Kind: kinds[int(kind)%len(kinds)], Values: []string{value}}
		pre := NewPrefilter([]Match{m}, false)
		if len(MatchText(line, []Match{m})) > 0 && !pre.MayMatch([]byte(line)) {
			t.Fatalf("MatchText matches but MayMatch is false (kind %s)", m.Kind)
		}
		i, j := int(from), int(to)
		if i > len(line) {
			i = len(line)
		}
		if j > len(line) || j < i {
			j = len(line)
		}
		cell := Match{Field: "f", Kind: m.Kind, Values: m.Values}
		if cell.MatchValue(line[i:j]) && !NewPrefilter([]Match{cell}, false).MayMatch([]byte(line)) {
			t.Fatalf("MatchValue matches a cell but MayMatch is false (kind %s)", m.Kind)
		}
	})
}

// FuzzNeedle: a needle searched by its rarest byte finds exactly what
// strings.Contains finds, on the lower-cased text for a folded one.
func FuzzNeedle(f *testing.F) {
	f.Add("2026-01-01 login maria.q@x.org ok", "maria.q@x.org")
	f.Add("aaaa", "aa")
	f.Add("qxq", "xq")
	f.Add("LOGIN Ann.Lee@Example.ORG", "ann.lee@example.org")
	f.Add("ABC abc", "abc")
	f.Add("", "z")
	f.Fuzz(func(t *testing.T, hay, v string) {
		if v == "" {
			return
		}
		if got, want := newNeedle(v, false).in([]byte(hay)), strings.Contains(hay, v); got != want {
			t.Fatalf("needle %q in %q: %v, want %v", v, hay, got, want)
		}
		lv := asciiLower(v)
		if got, want := newNeedle(lv, true).in([]byte(hay)), strings.Contains(asciiLower(hay), lv); got != want {
			t.Fatalf("folded needle %q in %q: %v, want %v", lv, hay, got, want)
		}
	})
}
