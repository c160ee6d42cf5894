package classifiers

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/classifiers/validate"
)

// TestEveryReportedPhoneIsErasable is the promise between discovery and
// erasure, checked as a property rather than case by case: whenever the
// scanner reports a phone in a text, the request matcher
// (identifier.TextSpans, which erasure and its verification use) finds
// that phone's E.164 value at the same place, in the region the number
// belongs to. Otherwise a scan maps a subject's phone in a log that an
// erasure leaves behind while its receipt says "residual 0".
//
// The texts write libphonenumber's example numbers of every default
// region the ways people write them: international and national formats,
// "+44 (0)20 …" with the trunk 0 in brackets, 00 prefixes, slashes,
// dots, dashes, extensions, two numbers in a row, inside brackets and
// after context words. Failures print the shape and offsets, not the
// number.
func TestEveryReportedPhoneIsErasable(t *testing.T) {
	e := defaultEngine(t)
	checked := 0
	fails, known := map[string]int{}, map[string]int{}
	for _, tc := range writtenPhones(t) {
		text := tc.text
		e.Spans([]byte(text), func(s piimap.Span) {
			if s.Type != piimap.TypePhone {
				return
			}
			e164, ok := validate.PhoneE164(strings.Trim(text[s.Start:s.End], "()"), validate.DefaultRegions)
			if !ok {
				t.Errorf("%s: scanner phone [%d,%d) does not validate on its own", tc.shape, s.Start, s.End)
				return
			}
			checked++
			region := regionOf(e164)
			for _, m := range identifier.TextSpans(identifier.Phone, text, []string{e164}, region) {
				if m.Start < s.End && s.Start < m.End {
					return
				}
			}
			if knownPhoneLimits[tc.shape] && !(tc.shape == "trailing group" && identifier.PhoneClosed(e164)) {
				known[tc.shape]++
				return
			}
			fails[tc.shape]++
			if fails[tc.shape] <= 2 {
				t.Errorf("%s (region %s): scanner reports a phone at [%d,%d) that the request matcher does not find", tc.shape, region, s.Start, s.End)
			}
		})
	}
	if checked < 200 {
		t.Fatalf("only %d reported phones checked; the generator should give far more", checked)
	}
	if len(fails) > 0 {
		var shapes []string
		for s, n := range fails {
			shapes = append(shapes, fmt.Sprintf("%s ×%d", s, n))
		}
		sort.Strings(shapes)
		t.Errorf("%d shapes the matcher misses: %s", len(fails), strings.Join(shapes, "; "))
	}
	for shape := range knownPhoneLimits {
		if known[shape] == 0 {
			t.Errorf("known limit %q no longer shows: take it off knownPhoneLimits", shape)
		}
	}
	t.Logf("%d reported phones checked; known limits: %v", checked, known)
}

// knownPhoneLimits are the shapes the scanner reports and the matcher does
// not find, documented in package identifier's known limits: a number
// after a digit group, or before one when numbers of its country may be
// longer (identifier.PhoneClosed: not for US, GB, FR or ES numbers, which
// the matcher finds there), may be part of a longer number. Erasure of
// text still takes them: executor/driver's second witness adds the spans
// this scanner reads as the subject's number (TestEveryScannedPhoneIsErased
// there checks these shapes).
//
// "area / sub" ("089 / 123 456 78", a German area code and number with a
// slash between spaces) the scanner reads and the matcher does not: three
// SEP bytes end its runs. Erasure of text takes it by the same witness.
var knownPhoneLimits = map[string]bool{"trailing group": true, "leading group": true, "area / sub": true}

type writtenPhone struct{ shape, text string }

func regionOf(e164 string) string {
	n, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return "US"
	}
	if r := phonenumbers.GetRegionCodeForNumber(n); r != "" && r != "ZZ" {
		return r
	}
	return "US"
}

// writtenPhones writes the example numbers of the default regions in the
// shapes people use, inside a few carrier sentences.
func writtenPhones(t *testing.T) []writtenPhone {
	t.Helper()
	carriers := []string{
		"call me at %s today",
		"Tel.: %s",
		"Telefon %s, Fax folgt",
		"(mobile %s)",
		"phone: %s.",
		"ring %s or email",
	}
	var out []writtenPhone
	for _, region := range validate.DefaultRegions {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE} {
			n := phonenumbers.GetExampleNumberForType(region, typ)
			if n == nil || !phonenumbers.IsValidNumber(n) {
				continue
			}
			intl := phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
			national := phonenumbers.Format(n, phonenumbers.NATIONAL)
			e164 := phonenumbers.Format(n, phonenumbers.E164)
			cc := fmt.Sprint(n.GetCountryCode())
			nsnIntl := strings.TrimSpace(strings.TrimPrefix(intl, "+"+cc))
			shapes := map[string]string{
				"e164":              e164,
				"international":     intl,
				"national":          national,
				"00 prefix":         "00" + cc + " " + nsnIntl,
				"dashed intl":       "+" + cc + "-" + strings.ReplaceAll(nsnIntl, " ", "-"),
				"dotted national":   strings.NewReplacer(" ", ".", "-", ".").Replace(national),
				"dashed national":   strings.ReplaceAll(national, " ", "-"),
				"intl with ext":     intl + " ext. 12",
				"e164 with x ext":   e164 + "x123",
				"two in a row":      intl + ", " + intl,
				"national then or":  national + " or " + national,
				"bracketed country": "(+" + cc + ") " + nsnIntl,
				"intl slash":        "+" + cc + " " + strings.Replace(nsnIntl, " ", "/", 1),
				"national no gaps":  strings.NewReplacer(" ", "", "-", "").Replace(national),
				"e164 in brackets":  "[" + e164 + "]",
				"tel: uri":          "tel:" + e164,
				"dashed intl x ext": "+" + cc + "-" + strings.ReplaceAll(nsnIntl, " ", "-") + "x123",
				"national x ext":    national + " x 45",
				"trailing group":    intl + " 12 items",
				"leading group":     "12 " + national,
				"after a bracket":   "(12)" + strings.NewReplacer(" ", "", "-", "").Replace(national),
			}
			if strings.HasPrefix(national, "0") && region != "IT" {
				rest := strings.TrimSpace(strings.TrimPrefix(national, "0"))
				shapes["intl (0)"] = "+" + cc + " (0)" + rest
				shapes["intl(0) glued"] = "+" + cc + "(0)" + rest
				shapes["intl (0) spaced"] = "+" + cc + " (0) " + rest
				shapes["00 (0)"] = "00" + cc + " (0)" + rest
				shapes["intl (0) dashed"] = "+" + cc + " (0)" + strings.ReplaceAll(rest, " ", "-")
				if sp := strings.IndexByte(national, ' '); sp > 0 {
					area, sub := national[:sp], strings.TrimSpace(national[sp+1:])
					shapes["area/sub"] = area + "/" + strings.ReplaceAll(sub, " ", "")
					shapes["area / sub"] = area + " / " + sub
					shapes["(area) sub"] = "(" + area + ") " + sub
				}
			}
			for shape, written := range shapes {
				for _, c := range carriers {
					out = append(out, writtenPhone{shape: shape, text: fmt.Sprintf(c, written)})
				}
			}
		}
	}
	return out
}

// TestEveryReportedNumberIsErasable is TestEveryReportedPhoneIsErasable for
// cards, SSNs, IBANs, NINOs and emails: every one the scanner reports in a
// text, in the shapes people write them, is found at that place by the
// request matcher with its canonical value (identifier.Parse of the
// reported text).
func TestEveryReportedNumberIsErasable(t *testing.T) {
	e := defaultEngine(t)
	kinds := map[string]string{piimap.TypeCreditCard: identifier.Card, piimap.TypeUSSSN: identifier.SSN,
		piimap.TypeIBAN: identifier.IBAN, piimap.TypeUKNINO: identifier.NINO, piimap.TypeEmail: identifier.Email}
	checked := map[string]int{}
	fails := 0
	for _, tc := range writtenNumbers() {
		text := tc.text
		e.Spans([]byte(text), func(s piimap.Span) {
			kind, ok := kinds[s.Type]
			if !ok {
				return
			}
			raw := text[s.Start:s.End]
			if kind == identifier.Card || kind == identifier.SSN {
				raw = identifier.Digits(raw) // "4111.1111.1111.1111": the digits are the value
			}
			canon, err := identifier.Parse(kind, raw, "")
			if err != nil {
				t.Errorf("%s: scanner %s [%d,%d) is refused by identifier.Parse: %v", tc.shape, s.Type, s.Start, s.End, err)
				return
			}
			checked[s.Type]++
			for _, m := range identifier.TextSpans(kind, text, []string{canon}, "") {
				if m.Start < s.End && s.Start < m.End {
					return
				}
			}
			if fails++; fails <= 20 {
				t.Errorf("%s: scanner reports a %s at [%d,%d) that the request matcher does not find", tc.shape, s.Type, s.Start, s.End)
			}
		})
	}
	for typ := range kinds {
		if checked[typ] < 10 {
			t.Errorf("only %d reported %s checked", checked[typ], typ)
		}
	}
	t.Logf("reported and checked: %v", checked)
}

// writtenNumbers writes test cards, SSNs, IBANs, NINOs and emails in the
// shapes people use, inside sentences that name them.
func writtenNumbers() []writtenPhone {
	var out []writtenPhone
	add := func(kind string, carriers []string, shapes map[string]string) {
		for shape, v := range shapes {
			for _, c := range carriers {
				out = append(out, writtenPhone{shape: kind + " " + shape, text: fmt.Sprintf(c, v)})
			}
		}
	}
	group := func(s string, sizes []int, sep string) string {
		var parts []string
		for _, n := range sizes {
			parts = append(parts, s[:n])
			s = s[n:]
		}
		return strings.Join(append(parts, s), sep)
	}
	fours := []int{4, 4, 4, 4, 4, 4, 4, 4}
	cardCarriers := []string{"card %s charged", "paid with %s, thanks", "Kreditkarte: %s.", "(visa %s)", "card no %s exp 12/29", "ref 7 card %s 123"}
	for _, c := range []string{"4111111111111111", "5500005555555559", "6011111111111117", "4012888888881881", "3530111333300000"} {
		add("card", cardCarriers, map[string]string{
			"plain": c, "spaced": group(c, []int{4, 4, 4}, " "), "dashed": group(c, []int{4, 4, 4}, "-"),
			"dotted": group(c, []int{4, 4, 4}, "."), "4-8-4": group(c, []int{4, 8}, " "), "two spaces": group(c, []int{4, 4, 4}, "  "),
			"spaced dash": group(c, []int{4, 4, 4}, " - "), "bracketed": "[" + group(c, []int{4, 4, 4}, " ") + "]",
			"then cvv": group(c, []int{4, 4, 4}, " ") + " 123", "bare then cvv": c + " 123", "wide then cvv": group(c, []int{4, 4, 4}, "  ") + " 123",
			"then digit": group(c, []int{4, 4, 4}, " ") + " 5", "hash": "#" + c,
		})
	}
	amex := "378282246310005"
	add("card", cardCarriers, map[string]string{"amex 4-6-5": group(amex, []int{4, 6}, " "), "amex dashed": group(amex, []int{4, 6}, "-"), "amex plain": amex})
	for _, s := range []string{"536904399", "078051121", "212098765"} {
		add("ssn", []string{"SSN %s on file", "ssn: %s.", "social security number %s", "(SSN %s)"}, map[string]string{
			"dashed": group(s, []int{3, 2}, "-"), "spaced": group(s, []int{3, 2}, " "), "plain": s, "then digits": group(s, []int{3, 2}, "-") + " 12",
		})
	}
	for _, ib := range []string{"GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606"} {
		add("iban", []string{"IBAN: %s", "pay to %s now", "Bankverbindung %s.", "(IBAN %s)"}, map[string]string{
			"compact": ib, "grouped": group(ib, fours[:(len(ib)-1)/4], " "), "lower": strings.ToLower(group(ib, fours[:(len(ib)-1)/4], " ")),
		})
	}
	for _, ni := range []string{"JG103759A", "AB123456C"} {
		add("nino", []string{"NI number %s", "NINO: %s.", "(national insurance %s)"}, map[string]string{
			"compact": ni, "spaced": group(ni, []int{2, 2, 2, 2}, " "), "lower": strings.ToLower(ni),
		})
	}
	for _, em := range []string{"ann.lee@example.com", "Jörg.Müller@Bücher.example", "o'brien+tag@mail.example.co.uk"} {
		add("email", []string{"email %s now", "mail to <%s>.", "contact: %s;", "(%s)", "user=%s ok"}, map[string]string{
			"plain": em, "upper": strings.ToUpper(em), "mailto": "mailto:" + em, "sentence end": em + ".", "quoted": `"` + em + `"`,
		})
	}
	return out
}
