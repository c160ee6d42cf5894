package identifier

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// --- fuzzing ---

var (
	fuzzEmails  = []string{"ann@example.com", "a.b+c@x-y.example.org", "jörg@bücher.example", "björk@kiel.example"}
	fuzzPhones  = []string{"+12136625868", "+442079460999", "+390612345678", "+493012345678"}
	fuzzKeys    = []string{"usr_7f3a9c21", "1234567890", "a1b2c3", "-x1.y2-"}
	fuzzRegions = []string{"US", "GB", "IT", "DE", "CA", "FR"}
)

func FuzzTextSpans(f *testing.F) {
	for _, tc := range textCases {
		f.Add(tc.text, uint8(0), "")
	}
	f.Add("joann@example.com ann@example.com.au a.b+c@X-Y.example.org.", uint8(0), "")
	f.Add("+44 20 7946 0999 / 011 44 20 7946 0999; (213) 662-5868", uint8(1), "")
	f.Add("+213 662 5868, +1 213 662 5868", uint8(1), "")
	f.Add("tel+2079460999 +020 7946 0999 +0044 20 7946 0999", uint8(4), "+213 662 5868")
	f.Add("+(213) 662-5868", uint8(1), "+213 662 5868")
	f.Add("+ 44 20 7946 0999, +(1) 213 662 5868 x+ 1 213 662 5868 +   213 662 5868", uint8(4), "")
	f.Add("JÖRG@BÜCHER.EXAMPLE BJÖR\u212a@\u212aIEL.EXAMPLE \u212ajörg@bücher.example", uint8(0), "ſøſ@example.dk")
	f.Add("İSMAİL@ÖRNEK.COM.TR ȺNN@EXAMPLE.COM", uint8(3), "ⱥnn@example.com")
	f.Add("06 1234 5678 +39 06 1234 5678 0039 06 12345678", uint8(7), "")
	f.Add("id=usr_7f3a9c21,1234567890 a1b2c3--x1.y2-", uint8(2), "a1b2c3d4")
	f.Fuzz(func(t *testing.T, text string, sel uint8, extra string) {
		if len(text) > 200 {
			return
		}
		region := fuzzRegions[int(sel/3)%len(fuzzRegions)]
		var kind string
		var values []string
		switch sel % 3 {
		case 0:
			kind, values = Email, append(fuzzEmails[:len(fuzzEmails):len(fuzzEmails)], extra)
		case 1:
			kind, values = Phone, append(fuzzPhones[:len(fuzzPhones):len(fuzzPhones)], extra)
		default:
			kind, values = UserID, append(fuzzKeys[:len(fuzzKeys):len(fuzzKeys)], extra)
		}
		got := TextSpans(kind, text, values, region)
		if ref := refSpans(kind, text, values, region); fmt.Sprint(ref) != fmt.Sprint(got) {
			t.Fatalf("%s (region %s): spans %v, reference %v", kind, region, got, ref)
		}
		if MatchCell(kind, text, values, region) != matchCellRef(kind, text, values, region) {
			t.Fatalf("%s: MatchCell disagrees with its definition", kind)
		}
		if utf8.ValidString(extra) {
			checkPattern(t, "fuzz", kind, text, values, region)
			if kind == Phone {
				checkSQLCell(t, "fuzz", text, values, region)
			}
		}
	})
}

// parseReasons are every refusal reason Parse gives: fixed texts, so no
// error can carry the value.
var parseReasons = []string{
	reasonEmpty, reasonUTF8, reasonSpace, reasonControl, reasonNotFull, reasonKeyPattern,
	"holds wildcard characters (* ? %)", "longer than 254 bytes", "holds more than one @",
	"local part is not a valid address local part", "domain is longer than 253 bytes", "domain is not a valid host name",
	"longer than 64 bytes", "has an extension (give the number without it)", "holds letters",
	"holds characters other than digits, spaces, - . ( ) / and a leading +", "too short to be a full number",
	"longer than 256 bytes",
}

func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.raw, uint8(0))
	}
	f.Add("+1 (213) 662-5868", uint8(1))
	f.Add("020 7946 0999", uint8(4))
	f.Add("usr_7f3a9c21", uint8(2))
	f.Add("İSTANBUL@ÖRNEK.COM.TR", uint8(0))
	f.Fuzz(func(t *testing.T, raw string, sel uint8) {
		kind := []string{Email, Phone, UserID}[sel%3]
		region := fuzzRegions[int(sel/3)%len(fuzzRegions)]
		c, err := Parse(kind, raw, region)
		if err != nil {
			r, ok := err.(*Refusal)
			if !ok || r.Kind != kind {
				t.Fatalf("%s: error %v is not a Refusal of the kind", kind, err)
			}
			known := false
			for _, reason := range parseReasons {
				known = known || r.Reason == reason || strings.HasPrefix(r.Reason, "not a valid full number for region "+region+" ")
			}
			if !known {
				t.Fatalf("%s: unexpected refusal reason %q", kind, r.Reason)
			}
			if len(raw) >= 8 && strings.Contains(err.Error(), raw) {
				t.Fatalf("%s: the error holds the input", kind)
			}
			return
		}
		again, err := Parse(kind, c, region)
		if err != nil || again != c {
			t.Fatalf("%s: canonical form %s does not re-parse to itself (%s, %v)", kind, mask(c), mask(again), err)
		}
		switch kind {
		case Email:
			if strings.Count(c, "@") != 1 || c != strings.ToLower(c) {
				t.Fatalf("email canonical %s", mask(c))
			}
			if !MatchCell(Email, raw, []string{c}, region) {
				t.Fatalf("an accepted email does not match its own cell")
			}
		case Phone:
			forms := PhoneForms(c, region)
			if len(forms) == 0 {
				t.Fatalf("a valid phone %s has no forms", mask(c))
			}
			if d := Digits(c); len(d) >= minPhoneDigits && !MatchCell(Phone, c, []string{c}, region) {
				t.Fatalf("a valid phone %s does not match itself", mask(c))
			}
		default:
			if !MatchCell(kind, raw, []string{c}, region) {
				t.Fatalf("an accepted key does not match its own cell")
			}
		}
	})
}
