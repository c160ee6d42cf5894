package driver

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/classifiers/validate"
)

// TestWitnessCases pins the second witness on the shapes the matcher
// alone leaves (classifiers' knownPhoneLimits) and on what it must leave.
func TestWitnessCases(t *testing.T) {
	de := Match{Kind: identifier.Phone, Values: []string{"+49 89 1234567"}, Region: "DE"}
	us := Match{Kind: identifier.Phone, Values: []string{"+1 201-555-0123"}, Region: "US"}
	mobile := Match{Kind: identifier.Phone, Values: []string{"+49 171 1234567"}, Region: "DE"}
	cases := []struct {
		name string
		m    Match
		text string
		want string // the text with the spans replaced by #; "" for none
	}{
		{"closed number before a group", us, "Rückruf (201) 555-0123 12 mal", "Rückruf # 12 mal"},
		{"the scanner reads one longer number", de, "Rückruf 089 1234567 12 mal versucht", ""},
		{"open number after a group", mobile, "Ticket 2. 0171 1234567 bitte", "Ticket 2. # bitte"},
		{"matcher's own span kept", de, "Tel.: +49 89 1234567", "Tel.: #"},
		{"a bare group before it: neither reads it", mobile, "Versuch 2 0171 1234567", ""},
		{"another number before a group", de, "Rückruf 089 7654321 12 mal", ""},
		{"another subject's number", mobile, "Ticket 2. 0171 7654321 bitte", ""},
		{"digits glued to a group", de, "ref 12-089-1234567-12", ""},
		{"email: the matcher's rules only", Match{Kind: identifier.Email, Values: []string{"ann@x.org"}}, "id usr_1a2b3c4d@ann@x.org@ and ann@x.org", "id usr_1a2b3c4d@ann@x.org@ and #"},
		{"key kinds have no witness", Match{Kind: piimap.KeyUserID, Values: []string{"usr_7f3a9c21"}}, "user usr_7f3a9c21 ok", "user # ok"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if spans := tc.m.Spans(tc.text); len(spans) > 0 {
				got = replaceSpans(tc.text, spans)
			}
			if got != tc.want {
				t.Errorf("Spans rewrite %q, want %q", got, tc.want)
			}
		})
	}
}

func replaceSpans(s string, spans []Span) string {
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		b.WriteString(s[at:sp.Start])
		b.WriteString("#")
		at = sp.End
	}
	return b.String() + s[at:]
}

// TestEveryScannedPhoneIsErased is the property behind the witness, at
// the level erasure works at: for the example numbers of every default
// region, written in the shapes the matcher alone does not find (a number
// before or after another digit group) and a few it does, every phone the
// scanner reports in the text is covered by Match.Spans of that number,
// under the number's own region. Without the witness 37 of the 78 fail
// (numbered lines such as "2. 0171 1234567" in every region, and national
// US numbers before a group), as shown when it was written. It also checks
// that no other word of the text is touched.
func TestEveryScannedPhoneIsErased(t *testing.T) {
	eng := witness()
	if eng == nil {
		t.Fatal("the built-in rules do not compile")
	}
	checked, fails := 0, 0
	for _, region := range validate.DefaultRegions {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE} {
			n := phonenumbers.GetExampleNumberForType(region, typ)
			if n == nil || !phonenumbers.IsValidNumber(n) {
				continue
			}
			intl := phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
			national := phonenumbers.Format(n, phonenumbers.NATIONAL)
			e164 := phonenumbers.Format(n, phonenumbers.E164)
			m := Match{Kind: identifier.Phone, Values: []string{e164}, Region: region}
			for shape, text := range map[string]string{
				"trailing group": "call " + intl + " 12 items",
				"national group": "Rückruf " + national + " 12 mal",
				"leading group":  "order 12 " + national + " today",
				"numbered":       "2. " + national,
				"international":  "phone: " + intl + ".",
				"area / sub":     "Tel. " + areaSlash(national) + " bitte",
			} {
				if strings.HasSuffix(text, " bitte") && !strings.Contains(text, " / ") {
					continue // no area code to write so
				}
				spans := m.Spans(text)
				eng.Spans([]byte(text), func(s piimap.Span) {
					if s.Type != piimap.TypePhone {
						return
					}
					got, ok := validate.PhoneE164(strings.Trim(text[s.Start:s.End], "()"), phoneRegions(region))
					if !ok || got != e164 {
						return
					}
					checked++
					for _, sp := range spans {
						if sp.Start <= s.Start && s.End <= sp.End {
							return
						}
					}
					if fails++; fails <= 10 {
						t.Errorf("%s, region %s: the scanner reads the subject's phone at [%d,%d), Spans does not cover it", shape, region, s.Start, s.End)
					}
				})
				// Nothing but the number is touched: the rewritten text
				// keeps every other word and digit group.
				rest := replaceSpans(text, spans)
				for _, w := range strings.Fields(strings.Replace(text, strings.TrimSpace(pickWritten(text, shape, intl, national)), "", 1)) {
					if !strings.Contains(rest, w) {
						t.Errorf("%s, region %s: rewriting also took a word of %d bytes", shape, region, len(w))
					}
				}
			}
		}
	}
	if fails > 0 {
		t.Errorf("%d scanner phones not covered", fails)
	}
	if checked < 60 {
		t.Fatalf("only %d scanner phones checked", checked)
	}
	t.Logf("%d scanner phones checked", checked)
}

func pickWritten(text, shape, intl, national string) string {
	switch {
	case shape == "area / sub":
		return areaSlash(national)
	case strings.Contains(text, intl) && (shape == "trailing group" || shape == "international"):
		return intl
	}
	return national
}

// areaSlash writes a national number with a trunk 0 as "089 / 123 456 78"
// (its area code, a slash between spaces, the rest), or "" when it has no
// trunk 0 and area code group.
func areaSlash(national string) string {
	sp := strings.IndexByte(national, ' ')
	if !strings.HasPrefix(national, "0") || sp < 0 {
		return ""
	}
	return national[:sp] + " / " + strings.TrimSpace(national[sp+1:])
}

// TestWitnessLeavesBystanders writes, for every default region's example
// number, texts that hold other numbers of that region next to digit
// groups, and checks that the subject's Match finds nothing in them.
func TestWitnessLeavesBystanders(t *testing.T) {
	checked := 0
	for _, region := range validate.DefaultRegions {
		n := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE)
		if n == nil || !phonenumbers.IsValidNumber(n) {
			continue
		}
		m := Match{Kind: identifier.Phone, Values: []string{phonenumbers.Format(n, phonenumbers.E164)}, Region: region}
		// Another valid number of the region: the example with its last
		// digit changed, when that is still valid.
		other, err := phonenumbers.Parse(fmt.Sprintf("+%d%d", n.GetCountryCode(), n.GetNationalNumber()^1), "ZZ")
		if err != nil || !phonenumbers.IsValidNumber(other) {
			continue
		}
		for _, text := range []string{
			"call " + phonenumbers.Format(other, phonenumbers.INTERNATIONAL) + " 12 items",
			"order 12 " + phonenumbers.Format(other, phonenumbers.NATIONAL) + " today",
			fmt.Sprintf("ref %s%s", phonenumbers.Format(other, phonenumbers.E164), "12"),
		} {
			checked++
			if spans := m.Spans(text); len(spans) > 0 {
				t.Errorf("region %s: a bystander's number matched (%d spans)", region, len(spans))
			}
		}
	}
	if checked < 30 {
		t.Fatalf("only %d bystander texts checked", checked)
	}
}

// BenchmarkPhoneSpans is the cost of a phone Match on a log line that
// passed the prefilter, the matcher with the second witness.
func BenchmarkPhoneSpans(b *testing.B) {
	m := Match{Kind: identifier.Phone, Values: []string{"+491711234567"}, Region: "DE"}
	line := "2026-03-01T10:22:31Z INFO sms gateway: verification code sent to 0171 1234567 (attempt 2, route eu-1)"
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if len(m.Spans(line)) == 0 {
			b.Fatal("no span")
		}
	}
}
