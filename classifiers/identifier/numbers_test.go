package identifier

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// Fixtures: well-known test numbers (fake).
const (
	tVisa   = "4111111111111111" // Luhn-valid, 16 digits
	tVisa13 = "4222222222222"    // Luhn-valid, 13 digits
	tAmex   = "378282246310005"  // Luhn-valid, 15 digits
	tIBAN   = "GB82WEST12345698765432"
	tIBANDE = "DE89370400440532013000"
	tSSN    = "123456780"
	tSSN2   = "536221234"
	tNINO   = "AB123456C" // the format's documentation example (fake)
	tNINO2  = "JG103759A"
)

var numberParseCases = []parseCase{
	// cards
	{Card, tVisa, "", tVisa, ""},
	{Card, "4111 1111 1111 1111", "", tVisa, ""},
	{Card, "4111-1111-1111-1111", "", tVisa, ""},
	{Card, " 4111-1111 1111-1111 ", "", tVisa, ""},
	{Card, "3782 822463 10005", "", tAmex, ""},
	{Card, tVisa13, "", tVisa13, ""},
	{Card, "4111111111111112", "", "", "Luhn"},
	{Card, "411111111111", "", "", "13 to 19 digits"},         // 12 digits
	{Card, "41111111111111111111", "", "", "13 to 19 digits"}, // 20 digits
	{Card, "4111.1111.1111.1111", "", "", "other than digits"},
	{Card, "4111_1111_1111_1111", "", "", "other than digits"},
	{Card, "4111\t1111 1111 1111", "", "", "other than digits"},
	{Card, "", "", "", "empty"},
	{Card, " - ", "", "", "empty"},
	{Card, strings.Repeat("4", 65), "", "", "longer than 64"},
	// IBANs
	{IBAN, tIBAN, "", tIBAN, ""},
	{IBAN, "GB82 WEST 1234 5698 7654 32", "", tIBAN, ""},
	{IBAN, "gb82 west 1234 5698 7654 32", "", tIBAN, ""},
	{IBAN, "  de89 3704 0044 0532 0130 00 ", "", tIBANDE, ""},
	{IBAN, "GB82WEST12345698765433", "", "", "not a valid IBAN"},
	{IBAN, "GB82WEST1234569876543", "", "", "not a valid IBAN"}, // short
	{IBAN, "GB82-WEST-1234-5698-7654-32", "", "", "other than letters"},
	{IBAN, "GB82WEST12345698765432é", "", "", "other than letters"},
	{IBAN, "", "", "", "empty"},
	// SSNs
	{SSN, tSSN, "", tSSN, ""},
	{SSN, "123-45-6780", "", tSSN, ""},
	{SSN, "123 45 6780", "", tSSN, ""},
	{SSN, "536-22-1234", "", tSSN2, ""},
	{SSN, "12-345-6780", "", tSSN, ""}, // separators are removed wherever they are
	{SSN, "000-12-3456", "", "", "SSA rules"},
	{SSN, "666-12-3456", "", "", "SSA rules"},
	{SSN, "900-12-3456", "", "", "SSA rules"},
	{SSN, "123-00-4567", "", "", "SSA rules"},
	{SSN, "123-45-0000", "", "", "SSA rules"},
	{SSN, "078-05-1120", "", "", "SSA rules"}, // voided (Woolworth)
	{SSN, "111-11-1111", "", "", "SSA rules"},
	{SSN, "123-45-678", "", "", "not 9 digits"},
	{SSN, "123-45-67801", "", "", "not 9 digits"},
	{SSN, "123.45.6780", "", "", "other than digits"},
	{SSN, "", "", "", "empty"},
}

func TestParseNumbers(t *testing.T) {
	for i, tc := range numberParseCases {
		got, err := Parse(tc.kind, tc.raw, tc.region)
		if tc.want != "" {
			if err != nil || got != tc.want {
				t.Errorf("case %d %s %s: got %s, err %v; want %s", i, tc.kind, mask(tc.raw), mask(got), err, mask(tc.want))
			}
			if again, err := Parse(tc.kind, got, ""); err != nil || again != got {
				t.Errorf("case %d %s: the canonical form does not re-parse to itself (err %v)", i, tc.kind, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("case %d %s %s: accepted as %s, want a refusal", i, tc.kind, mask(tc.raw), mask(got))
			continue
		}
		var ref *Refusal
		if !errors.As(err, &ref) || !errors.Is(err, ErrRefused) || ref.Kind != tc.kind {
			t.Errorf("case %d %s: error %v is not a Refusal of this kind", i, tc.kind, err)
		}
		if !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("case %d %s %s: error %q, want it to say %q", i, tc.kind, mask(tc.raw), err, tc.reason)
		}
		if leaks(err, tc.raw) || (len(Digits(tc.raw)) >= 4 && strings.Contains(err.Error(), Digits(tc.raw))) {
			t.Errorf("case %d %s: the error holds the raw value", i, tc.kind)
		}
	}
}

type numberTextCase struct {
	kind, text string
	values     []string
	want       bool
}

var numberTextCases = []numberTextCase{
	// cards
	{Card, "4111 1111 1111 1111", []string{tVisa}, true},
	{Card, "4111-1111-1111-1111", []string{tVisa}, true},
	{Card, "4111111111111111", []string{tVisa}, true},
	{Card, "card: 4111 1111-1111 1111.", []string{tVisa}, true},
	{Card, "paid with 4111111111111111, thanks", []string{tVisa}, true},
	{Card, "(4111-1111-1111-1111)", []string{tVisa}, true},
	{Card, "a/4111 1111 1111 1111/b", []string{tVisa}, true},
	{Card, "4111  1111 1111 1111", []string{tVisa}, true},               // two spaces: a wide join
	{Card, "card 4111 - 1111 - 1111 - 1111 exp", []string{tVisa}, true}, // " - " joins
	{Card, "4111  1111  1111  1111", []string{tVisa}, true},
	{Card, "9 - 4111 1111 1111 1111", []string{tVisa}, true}, // " - " is soft, like a space
	{Card, "4111 1111 1111 1111 - 12", []string{tVisa}, true},
	{Card, "9-4111 1111 1111 1111", []string{tVisa}, false},     // '-' is hard
	{Card, "4111 1111 1111 1111  12/29", []string{tVisa}, true}, // two spaces are soft
	{Card, "1  4111 1111 1111 1111", []string{tVisa}, true},
	{Card, "4111   1111 1111 1111", []string{tVisa}, false}, // three spaces split the run
	{Card, "4111 -1111 1111 1111", []string{tVisa}, false},
	{Card, "4111- 1111 1111 1111", []string{tVisa}, false},
	{SSN, "123  45  6780", []string{tSSN}, false}, // SSNs take no wide joins
	{SSN, "123 - 45 - 6780", []string{tSSN}, false},
	{Card, "4111 -1111 1111 1111", []string{tVisa}, false},
	{Card, "4111.1111.1111.1111", []string{tVisa}, true}, // dots join a card's groups
	{Card, "visa 4111.1111.1111.1111 exp 12/29", []string{tVisa}, true},
	{Card, "card 4111.1111.1111.1111.", []string{tVisa}, true}, // a sentence dot
	{Card, "4111.1111.1111.1111.5", []string{tVisa}, false},    // a dot joins the 5
	{Card, "1.4111.1111.1111.1111", []string{tVisa}, false},
	{Card, "4111..1111.1111.1111", []string{tVisa}, false},
	{Card, "4111 1111.1111 1111", []string{tVisa}, true},
	{Card, "4111 11111111 1111", []string{tVisa}, true}, // odd grouping
	{Card, "4111-11111111-1111", []string{tVisa}, true},
	{Card, "card 4111 11111111 1111 exp", []string{tVisa}, true},
	{SSN, "123.45.6780", []string{tSSN}, false}, // dots join only a card's groups
	{Card, "14111 1111 1111 1111", []string{tVisa}, false},
	{Card, "4111 1111 1111 11112", []string{tVisa}, false},
	{Card, "1 4111 1111 1111 1111", []string{tVisa}, true},  // the 1 is left out, joined by a space
	{Card, "1-4111 1111 1111 1111", []string{tVisa}, false}, // ... but not by a '-'
	{Card, "4111 1111 1111 1111-2", []string{tVisa}, false},
	{Card, "x4111111111111111", []string{tVisa}, false},
	{Card, "4111111111111111x", []string{tVisa}, false},
	{Card, "_4111111111111111", []string{tVisa}, false},
	{Card, "41111111111111112", []string{tVisa}, false},
	{Card, "1-  4111 1111 1111 1111", []string{tVisa}, true},
	{Card, "card 4111 1111 1111 1111", []string{tVisa}, true},
	{Card, "4111 1111 1111 1111 12/29", []string{tVisa}, true}, // the 12 is left out, joined by a space
	{Card, "card 4111 1111 1111 1111 12/29", []string{tVisa}, true},
	{Card, "4111-1111-1111-1111-12", []string{tVisa}, false}, // the 12 is joined by a '-'
	{Card, "4111-1111-1111-1111 12", []string{tVisa}, true},
	{Card, "94111111111111111", []string{tVisa}, false}, // one group: no sub-part
	{Card, "4111111111111111 12", []string{tVisa}, true},
	{Card, "4111 1111 1111 1111 12x", []string{tVisa}, true}, // the word byte touches the left-out group only
	{Card, "x4111 1111 1111 1111", []string{tVisa}, false},
	{Card, "x4111 4111 1111 1111 1111", []string{tVisa}, true},
	{Card, "4111 1111 1111 1111 4111-1111-1111-1111", []string{tVisa}, true},
	{Card, "4111 1111 1111 1111 / 3782 822463 10005", []string{tVisa, tAmex}, true},
	{Card, "4111111111111112", []string{"4111111111111112"}, false},   // Luhn-invalid value ignored
	{Card, "4111111111111111", []string{"4111 1111 1111 1111"}, true}, // value canonicalised
	// SSNs
	{SSN, "123-45-6780", []string{tSSN}, true},
	{SSN, "123 45 6780", []string{tSSN}, true},
	{SSN, "ssn=123456780;", []string{tSSN}, true}, // '=' is not a word byte
	{SSN, "SSN: 123456780;", []string{tSSN}, true},
	{SSN, "1123-45-6780", []string{tSSN}, false},
	{SSN, "123-45-67801", []string{tSSN}, false},
	{SSN, "9 123-45-6780", []string{tSSN}, true}, // the 9 is left out, joined by a space
	{SSN, "123-45-6780 1", []string{tSSN}, true},
	{SSN, "9-123-45-6780", []string{tSSN}, false},
	{SSN, "123-45-6780-1", []string{tSSN}, false},
	{SSN, "536-22-1234", []string{"536221234"}, true},  // grouped like 078-05-1120: matches whole
	{SSN, "5 36-22-1234", []string{"536221234"}, true}, // the whole run: separators anywhere
	{SSN, "4111 123 45 6780 2029", []string{tSSN}, true},
	{SSN, "123-45 6780", []string{tSSN}, true},
	{SSN, "45 6780 123 45 6780", []string{tSSN}, true},
	{SSN, "123-45-6780, 1", []string{tSSN}, true},
	{SSN, "123--45-6780", []string{tSSN}, false},
	{SSN, "078-05-1120", []string{"078051120"}, false}, // voided: refused, ignored
	// IBANs
	{IBAN, "GB82 WEST 1234 5698 7654 32", []string{tIBAN}, true},
	{IBAN, "gb82 west 1234 5698 7654 32", []string{tIBAN}, true},
	{IBAN, "GB82WEST12345698765432", []string{tIBAN}, true},
	{IBAN, "IBAN: gb82west12345698765432.", []string{tIBAN}, true},
	{IBAN, "(GB82 WEST 1234 5698 7654 32)", []string{"gb82 west 1234 5698 7654 32"}, true},
	{IBAN, "iban GB82 WEST 1234 5698 7654 32", []string{tIBAN}, true}, // the word is left out
	{IBAN, "IBAN GB82 WEST 1234 5698 7654 32", []string{tIBAN}, true},
	{IBAN, "pay to GB82WEST12345698765432 now", []string{tIBAN}, true},
	{IBAN, "GB82 WEST 1234 5698 7654 32 x", []string{tIBAN}, true},
	{IBAN, "GB82 WEST 1234 5698 7654 321", []string{tIBAN}, false}, // the last group is longer
	{IBAN, "xGB82 WEST 1234 5698 7654 32", []string{tIBAN}, false},
	{IBAN, "x_y GB82 WEST 1234 5698 7654 32", []string{tIBAN}, true},
	{IBAN, "_GB82 WEST 1234 5698 7654 32", []string{tIBAN}, false},
	{IBAN, "G B82WEST 12345698765432", []string{tIBAN}, true}, // any grouping
	{IBAN, "GB82 WEST 1234 5698 7654 32_", []string{tIBAN}, false},
	{IBAN, "XGB82WEST12345698765432", []string{tIBAN}, false},
	{IBAN, "GB82-WEST-1234-5698-7654-32", []string{tIBAN}, false},
	{IBAN, "GB82  WEST 1234 5698 7654 32", []string{tIBAN}, false},
	{IBAN, "GB82WEST12345698765433", []string{"GB82WEST12345698765433"}, false},
	{IBAN, "to GB82 WEST 1234 5698 7654 32; DE89 3704 0044 0532 0130 00", []string{tIBANDE}, true},
	// NINOs: IBAN runs of their own
	{NINO, "NI number AB 12 34 56 C on file", []string{tNINO}, true},
	{NINO, "nino=ab123456c;", []string{tNINO}, true},
	{NINO, "AB123456C", []string{"ab 12 34 56 c"}, true},
	{NINO, "AB 123456 C", []string{tNINO}, true},
	{NINO, "XAB123456C", []string{tNINO}, false},
	{NINO, "AB123456CD", []string{tNINO}, false},
	{NINO, "AB 12 34 56 CX", []string{tNINO}, false},
	{NINO, "AB_123456C", []string{tNINO}, false},
	{NINO, "AB-12-34-56-C", []string{tNINO}, false},
	{NINO, "AB  12 34 56 C", []string{tNINO}, false},
	{NINO, "JG 10 37 59 A and AB 12 34 56 C", []string{tNINO2}, true},
	{NINO, "AB123456E", []string{"AB123456E"}, false}, // invalid value ignored
}

func TestNumberTextSpans(t *testing.T) {
	for i, tc := range numberTextCases {
		checkNumberText(t, tc.kind, tc.text, tc.values)
		got := TextSpans(tc.kind, tc.text, tc.values, "")
		if (len(got) > 0) != tc.want {
			t.Errorf("case %d %s %q: spans %v, want match %v", i, tc.kind, tc.text, got, tc.want)
		}
		if ref := refNumberSpans(tc.kind, tc.text, tc.values); fmt.Sprint(ref) != fmt.Sprint(got) {
			t.Errorf("case %d %s %q: spans %v, reference %v", i, tc.kind, tc.text, got, ref)
		}
		if tc.want && !MatchCell(tc.kind, tc.text, tc.values, "") {
			t.Errorf("case %d %s %q: MatchCell false for a text match", i, tc.kind, tc.text)
		}
	}
}

func TestNumberSpanOffsets(t *testing.T) {
	text := "a 4111-1111-1111-1111 b 3782 822463 10005, 4111111111111111"
	got := TextSpans(Card, text, []string{tVisa, tAmex}, "")
	want := []Span{{2, 21}, {24, 41}, {43, 59}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	text = "x: gb82 west 1234 5698 7654 32\tok"
	if got := TextSpans(IBAN, text, []string{tIBAN}, ""); fmt.Sprint(got) != "[{3 30}]" {
		t.Fatalf("IBAN spans %v", got)
	}
	text = "IBAN GB82 WEST 1234 5698 7654 32 or DE89370400440532013000 ok"
	if got := TextSpans(IBAN, text, []string{tIBAN, tIBANDE}, ""); fmt.Sprint(got) != "[{5 32} {36 58}]" {
		t.Fatalf("IBAN spans %v", got)
	}
	text = "card 4111 1111 1111 1111 12/29, ssn 9 123-45-6780 1"
	if got := TextSpans(Card, text, []string{tVisa}, ""); fmt.Sprint(got) != "[{5 24}]" {
		t.Fatalf("card spans %v", got)
	}
	if got := TextSpans(SSN, text, []string{tSSN}, ""); fmt.Sprint(got) != "[{38 49}]" {
		t.Fatalf("SSN spans %v", got)
	}
}

func TestNumberCellKeyAndMatchCell(t *testing.T) {
	keys := []struct{ kind, cell, want string }{
		{Card, " 4111-1111 1111 1111 ", tVisa},
		{SSN, "123-45-6780", tSSN},
		{IBAN, "gb82 west-1234.5698 7654 32", tIBAN},
		{IBAN, "  ", ""},
	}
	for _, k := range keys {
		if got := CellKey(k.kind, k.cell); got != k.want {
			t.Errorf("CellKey(%s, %q) = %q, want %q", k.kind, k.cell, got, k.want)
		}
	}
	cells := []struct {
		kind, cell string
		values     []string
		want       bool
	}{
		{Card, "4111.1111.1111.1111", []string{tVisa}, true}, // key equal
		{Card, "4111111111111111", []string{tVisa}, true},
		{Card, "4111111111111111 (visa)", []string{tVisa}, true}, // a whole run in the cell
		{Card, "card 4111 1111 1111 1111 exp 12/29", []string{tVisa}, true},
		{Card, "card 4111 1111 1111 1111 12/29", []string{tVisa}, true},
		{Card, "4111-1111-1111-1111-12", []string{tVisa}, false},
		{Card, "41111111111111110", []string{tVisa}, false},
		{Card, tVisa, []string{"4111111111111112"}, false},
		{Card, tVisa, nil, false},
		{Card, "", []string{tVisa}, false},
		{SSN, "123.45.6780", []string{tSSN}, true},
		{SSN, "ssn 123-45-6780 (verified 2024)", []string{tSSN}, true},
		{SSN, "1234567800", []string{tSSN}, false},
		{IBAN, "GB82-WEST-1234-5698-7654-32", []string{tIBAN}, true},
		{IBAN, "gb82 west 1234 5698 7654 32", []string{tIBAN}, true},
		{IBAN, "IBAN: GB82 WEST 1234 5698 7654 32", []string{tIBAN}, true},
		{IBAN, "IBAN GB82 WEST 1234 5698 7654 32", []string{tIBAN}, true}, // key IBANGB82…, a text match
		{IBAN, "XGB82WEST12345698765432", []string{tIBAN}, false},
		{IBAN, "GB82WEST123456987654321", []string{tIBAN}, false},
	}
	for i, c := range cells {
		if got := MatchCell(c.kind, c.cell, c.values, ""); got != c.want {
			t.Errorf("case %d MatchCell(%s, %q) = %v, want %v", i, c.kind, c.cell, got, c.want)
		}
		if ref := matchNumberCellRef(c.kind, c.cell, c.values); ref != c.want {
			t.Errorf("case %d reference MatchCell(%s, %q) = %v, want %v", i, c.kind, c.cell, ref, c.want)
		}
	}
}

func TestNumberKindsKeepKeyBehaviour(t *testing.T) {
	// The number kinds are not keys: Distinctive and the key pattern are
	// untouched, and a key kind still compares trimmed cells exactly.
	if !MatchCell(UserID, " 4111111111111111 ", []string{tVisa}, "") || MatchCell(UserID, "4111-1111-1111-1111", []string{tVisa}, "") {
		t.Fatal("user_id cell matching changed")
	}
	if p := KeyTokenPattern([]string{tVisa}); p == "" {
		t.Fatal("KeyTokenPattern changed")
	}
}

// --- the slow reference for the number kinds, literally over every
// substring ---

func refNumberSpans(kind, text string, values []string) []Span {
	var vs []string
	for _, v := range values {
		if c, err := Parse(kind, v, ""); err == nil {
			vs = append(vs, c)
		}
	}
	n := len(text)
	var spans []Span
	for i := 0; i < n; i++ {
		for j := i + 1; j <= n; j++ {
			var ok bool
			var key string
			if kind == IBAN || kind == NINO {
				ok, key = refIBANRun(text, i, j), strings.ToUpper(text[i:j])
				key = strings.ReplaceAll(key, " ", "")
			} else {
				ok, key = refNumberRun(text, i, j, kind == Card), refDigitsOf(text[i:j])
			}
			if !ok {
				continue
			}
			for _, v := range vs {
				if v == key {
					spans = append(spans, Span{i, j})
					break
				}
			}
		}
	}
	return refMerge(spans)
}

// refGroupsSeq: text[i:j] is a sequence of whole groups of a run: it is
// groups of bytes in member joined by single separators in sep; no word
// byte touches it (so its first and last groups are whole); and where the
// run goes on past it (a separator, then a member byte), the separator is
// a single space: the groups it leaves out are joined to it by a space.
func refGroupsSeq(text string, i, j int, member, sep string) bool {
	s := text[i:j]
	if !in(member, s[0]) || !in(member, s[len(s)-1]) {
		return false
	}
	for k := 0; k < len(s); k++ {
		switch {
		case in(member, s[k]):
		case in(sep, s[k]):
			if in(sep, s[k-1]) {
				return false
			}
		default:
			return false
		}
	}
	n := len(text)
	if i > 0 && in(refWord, text[i-1]) || i >= 2 && in(sep, text[i-1]) && text[i-1] != ' ' && in(member, text[i-2]) {
		return false
	}
	if j < n && in(refWord, text[j]) || j+1 < n && in(sep, text[j]) && text[j] != ' ' && in(member, text[j+1]) {
		return false
	}
	return true
}

func refNumberRun(text string, i, j int, card bool) bool {
	if card {
		return refCardSeq(text, i, j)
	}
	return refGroupsSeq(text, i, j, refDigits, " -")
}

// refCardSeq: text[i:j] is a sequence of whole digit groups of a card run:
// every stretch of non-digits inside it is a join (" ", "-", ".", or the
// wide "  " and " - "); no word byte touches it; and no hard join ("-",
// ".") ties it to a digit outside it.
func refCardSeq(text string, i, j int) bool {
	s := text[i:j]
	isD := func(c byte) bool { return c >= '0' && c <= '9' }
	if !isD(s[0]) || !isD(s[len(s)-1]) {
		return false
	}
	for k := 0; k < len(s); {
		if isD(s[k]) {
			k++
			continue
		}
		m := k
		for m < len(s) && !isD(s[m]) {
			m++
		}
		switch s[k:m] {
		case " ", "-", ".", "  ", " - ":
		default:
			return false
		}
		k = m
	}
	n := len(text)
	if i > 0 && in(refWord, text[i-1]) || j < n && in(refWord, text[j]) {
		return false
	}
	for _, h := range []string{"-", "."} {
		if strings.HasSuffix(text[:i], h) && i > len(h) && isD(text[i-len(h)-1]) {
			return false
		}
		if strings.HasPrefix(text[j:], h) && j+len(h) < n && isD(text[j+len(h)]) {
			return false
		}
	}
	return true
}
func refIBANRun(text string, i, j int) bool { return refGroupsSeq(text, i, j, refAlnum, " ") }

func matchNumberCellRef(kind, cell string, values []string) bool {
	for _, v := range values {
		c, err := Parse(kind, v, "")
		if err != nil {
			continue
		}
		var key string
		if kind == IBAN || kind == NINO {
			for _, r := range strings.ToUpper(cell) {
				if r < 128 && in(refAlnum, byte(r)) {
					key += string(r)
				}
			}
		} else {
			key = refDigitsOf(cell)
		}
		if key == c {
			return true
		}
	}
	return len(refNumberSpans(kind, cell, values)) > 0
}

var numberPieces = []string{
	"4111", "1111", "4111 1111 1111 1111", "4111-1111-1111-1111", tVisa, tAmex, "3782 822463 10005",
	"123-45-6780", tSSN, "123 45 6780", "1", "0", "45", "6780", "AB 12 34 56 C", tNINO, "ab", "C", "jg103759a",
	"GB82", "WEST", "gb82 west 1234 5698 7654 32", tIBAN, "DE89 3704 0044 0532 0130 00",
	"12/29", "IBAN", "pay to", "32", "9",
	" ", " ", "-", "--", "  ", ".", ",", "x", "_", "\t", "é", " - ", "   ", " -", "- ",
	"4111  1111  1111  1111", "4111 - 1111 - 1111 - 1111",
}

func checkNumberText(t *testing.T, kind, text string, values []string) {
	t.Helper()
	got := TextSpans(kind, text, values, "")
	if ref := refNumberSpans(kind, text, values); fmt.Sprint(ref) != fmt.Sprint(got) {
		t.Fatalf("%s %q: spans %v, reference %v", kind, text, got, ref)
	}
	if m, ref := MatchCell(kind, text, values, ""), matchNumberCellRef(kind, text, values); m != ref {
		t.Fatalf("%s %q: MatchCell %v, reference %v", kind, text, m, ref)
	}
	// The SQL mirror (RE2 here; TestPatternsInDatabases runs it in the
	// databases) matches iff TextSpans finds a span.
	re, err := compiled(NumberTokenPattern(kind, values))
	if err != nil {
		t.Fatalf("%s: pattern does not compile: %v", kind, err)
	}
	if got, want := re.MatchString(text), len(got) > 0; got != want {
		t.Fatalf("%s %q: NumberTokenPattern matches %v, TextSpans %v", kind, text, got, want)
	}
}

var numberKindValues = []struct {
	kind   string
	values []string
}{
	{Card, []string{tVisa, tAmex, "4111111111111112"}},
	{SSN, []string{tSSN, "078051120"}},
	{IBAN, []string{tIBAN, "de89 3704 0044 0532 0130 00"}},
	{NINO, []string{tNINO, "jg 10 37 59 a", "AB123456E"}},
}

func TestRandomNumberTexts(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for range 3000 {
		var b strings.Builder
		for range 1 + r.Intn(6) {
			b.WriteString(numberPieces[r.Intn(len(numberPieces))])
		}
		kv := numberKindValues[r.Intn(len(numberKindValues))]
		checkNumberText(t, kv.kind, b.String(), kv.values)
	}
}

func FuzzNumberSpans(f *testing.F) {
	for _, tc := range numberTextCases {
		f.Add(tc.text, uint8(0))
	}
	f.Add("14111 1111 1111 1111 4111-1111-1111-1111", uint8(0))
	f.Add("1078-05-1120 123-45-6780", uint8(1))
	f.Add("x gb82 west 1234 5698 7654 32, GB82WEST12345698765432_", uint8(2))
	f.Add("card 4111 1111 1111 1111 12/29 4111-1111-1111-1111-12 94111111111111111", uint8(0))
	f.Add("9 123-45-6780 1 9-123-45-6780 123 45 6780-1", uint8(1))
	f.Add("IBAN GB82 WEST 1234 5698 7654 32 x GB82 WEST 1234 5698 7654 321 XGB82WEST12345698765432", uint8(2))
	f.Add("NI AB 12 34 56 C, ab123456c; XAB123456C AB 12 34 56 CX", uint8(3))
	f.Fuzz(func(t *testing.T, text string, sel uint8) {
		if len(text) > 200 {
			return
		}
		kv := numberKindValues[int(sel)%len(numberKindValues)]
		checkNumberText(t, kv.kind, text, kv.values)
	})
}

func FuzzParseNumbers(f *testing.F) {
	for _, tc := range numberParseCases {
		f.Add(tc.raw, uint8(0))
	}
	f.Fuzz(func(t *testing.T, raw string, sel uint8) {
		kind := Numbers[int(sel)%len(Numbers)]
		c, err := Parse(kind, raw, "")
		if err != nil {
			var r *Refusal
			if !errors.As(err, &r) || r.Kind != kind {
				t.Fatalf("%s: error %v is not a Refusal of the kind", kind, err)
			}
			if len(raw) >= 8 && strings.Contains(err.Error(), raw) {
				t.Fatalf("%s: the error holds the input", kind)
			}
			return
		}
		if again, err := Parse(kind, c, ""); err != nil || again != c {
			t.Fatalf("%s: canonical form does not re-parse to itself", kind)
		}
		if CellKey(kind, raw) != c || !MatchCell(kind, raw, []string{c}, "") {
			t.Fatalf("%s: an accepted value does not match its own cell", kind)
		}
	})
}
