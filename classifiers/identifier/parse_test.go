package identifier

import (
	"errors"
	"strings"
	"testing"

	"github.com/piimap/piimap"
)

// mask shows a fixture value in a failure message without printing it
// whole (fixtures are fake, but messages follow the no-raw-PII rule).
func mask(s string) string {
	if len(s) <= 4 {
		return strings.Repeat("*", len(s))
	}
	return s[:2] + strings.Repeat("*", len(s)-4) + s[len(s)-2:]
}

type parseCase struct {
	kind, raw, region string
	want              string // canonical; "" when refused
	reason            string // part of the refusal reason
}

var parseCases = []parseCase{
	// emails: accepted
	{Email, "ann@example.com", "", "ann@example.com", ""},
	{Email, "  Ann.Lee+tag@Example.COM \n", "", "ann.lee+tag@example.com", ""},
	{Email, "o'brien@mail.example.co.uk", "", "o'brien@mail.example.co.uk", ""},
	{Email, "user_1-x@sub-domain.example.org", "", "user_1-x@sub-domain.example.org", ""},
	{Email, "jörg@bücher.example", "", "jörg@bücher.example", ""}, // IDN, UTF-8
	{Email, "JÖRG@BÜCHER.EXAMPLE", "", "jörg@bücher.example", ""}, // lower-cased whole
	{Email, "ivan@пример.рф", "", "ivan@пример.рф", ""},           // Cyrillic TLD
	{Email, "ann@xn--bcher-kva.xn--p1ai", "", "ann@xn--bcher-kva.xn--p1ai", ""},
	{Email, "a@b.co", "", "a@b.co", ""},
	// emails: refused
	{Email, "example.net", "", "", "not a full address"},
	{Email, "@example.net", "", "", "not a full address"},
	{Email, "*@example.net", "", "", "wildcard"},
	{Email, "ann%@example.net", "", "", "wildcard"},
	{Email, "ann?@example.net", "", "", "wildcard"},
	{Email, "ann@", "", "", "not a full address"},
	{Email, "ann@localhost", "", "", "not a full address"},
	{Email, "ann@example", "", "", "not a full address"},
	{Email, "ann@example.c", "", "", "not a full address"},
	{Email, "ann@example.c0m", "", "", "not a full address"},
	{Email, "ann@10.0.0.1", "", "", "not a full address"},
	{Email, "ann@example.com.", "", "", "valid host name"},
	{Email, "ann@.example.com", "", "", "valid host name"},
	{Email, "ann@exa_mple.com", "", "", "valid host name"},
	{Email, "ann@-example.com", "", "", "valid host name"},
	{Email, "ann@[10.0.0.1]", "", "", "valid host name"},
	{Email, "ann@@example.com", "", "", "more than one @"},
	{Email, "a@b@example.com", "", "", "more than one @"},
	{Email, ".ann@example.com", "", "", "local part"},
	{Email, "ann..lee@example.com", "", "", "local part"},
	{Email, `"ann lee"@example.com`, "", "", "whitespace"},
	{Email, "ann<x>@example.com", "", "", "local part"},
	{Email, "ann lee@example.com", "", "", "whitespace"},
	{Email, "ann\x00@example.com", "", "", "control"},
	{Email, "ann\u200b@example.com", "", "", "control"},
	{Email, "ann\xff@example.com", "", "", "UTF-8"},
	{Email, "", "", "", "empty"},
	{Email, " ", "", "", "empty"},
	{Email, strings.Repeat("a", 65) + "@example.com", "", "", "local part"},
	{Email, "a@" + strings.Repeat("b", 250) + ".com", "", "", "longer than"},

	// phones: accepted
	{Phone, "+1 (213) 662-5868", "", "+12136625868", ""},
	{Phone, "+1 213.662.5868", "US", "+12136625868", ""},
	{Phone, "(213) 662-5868", "US", "+12136625868", ""},
	{Phone, "213-662-5868", "", "+12136625868", ""},
	{Phone, "2136625868", "us", "+12136625868", ""},
	{Phone, "1 213 662 5868", "US", "+12136625868", ""},
	{Phone, "011 44 20 7946 0999", "US", "+442079460999", ""},
	{Phone, "+44 20 7946 0999", "", "+442079460999", ""},
	{Phone, "+44 20 7946 0999", "DE", "+442079460999", ""},
	{Phone, "020 7946 0999", "GB", "+442079460999", ""},
	{Phone, "00 1 213 662 5868", "GB", "+12136625868", ""},
	{Phone, "030 12345678", "DE", "+493012345678", ""},
	{Phone, "01 23 45 67 89", "FR", "+33123456789", ""},
	{Phone, "06 1234 5678", "IT", "+390612345678", ""},
	{Phone, "+39 06 1234 5678", "", "+390612345678", ""},
	{Phone, "(416) 555-0199", "CA", "+14165550199", ""},
	{Phone, "+12136625868", "", "+12136625868", ""},
	// phones: refused
	{Phone, "662-5868", "", "", "not a valid full number"},
	{Phone, "662-5868", "US", "", "not a valid full number"},
	{Phone, "662 58 68", "GB", "", "not a valid full number"},
	{Phone, "020 7946 0999", "US", "", "not a valid full number"},
	{Phone, "12345", "", "", "too short"},
	{Phone, "+1 213 662 5868 ext. 12", "", "", "extension"},
	{Phone, "213-662-5868 x12", "US", "", "extension"},
	{Phone, "213-662-5868;ext=12", "US", "", "extension"},
	{Phone, "1-800-FLOWERS", "US", "", "letters"},
	{Phone, "tel:+12136625868", "", "", "letters"},
	{Phone, "213*662*5868", "", "", "characters other than"},
	{Phone, "213-662-58%", "", "", "characters other than"},
	{Phone, "1+2136625868", "", "", "characters other than"},
	{Phone, "+1 213 662 5868\x00", "", "", "control"},
	{Phone, "+1 999 999 9999", "", "", "not a valid full number"},
	{Phone, "", "", "", "empty"},
	{Phone, " ", "", "", "empty"},
	{Phone, strings.Repeat("1", 80), "", "", "longer than"},

	// keys: accepted
	{UserID, "usr_7f3a9c21", "", "usr_7f3a9c21", ""},
	{UserID, " 42 ", "", "42", ""},
	{UserID, "3f2a1b4c-9d8e-4f00-a1b2-c3d4e5f60718", "", "3f2a1b4c-9d8e-4f00-a1b2-c3d4e5f60718", ""},
	{"customer_ref", "CUST-0042", "", "CUST-0042", ""},
	{"customer_ref", "ann@example.com", "", "ann@example.com", ""}, // a key compares exactly
	{UserID, strings.Repeat("k", 256), "", strings.Repeat("k", 256), ""},
	// keys: refused
	{UserID, "", "", "", "empty"},
	{UserID, " \t", "", "", "empty"},
	{UserID, "usr 7f3a", "", "", "whitespace"},
	{UserID, "usr\t7f3a", "", "", "whitespace"},
	{UserID, "usr\x007f3a", "", "", "control"},
	{UserID, "\x00", "", "", "control"},
	{UserID, "usr_%", "", "", "pattern"},
	{UserID, "usr_*", "", "", "pattern"},
	{UserID, "usr_?", "", "", "pattern"},
	{UserID, "[a-z]+", "", "", "pattern"},
	{UserID, "^usr$", "", "", "pattern"},
	{UserID, `usr\d`, "", "", "pattern"},
	{UserID, "a|b", "", "", "pattern"},
	{UserID, strings.Repeat("k", 300), "", "", "longer than 256"},
	{UserID, "usr\xc3", "", "", "UTF-8"},
}

func TestParse(t *testing.T) {
	for i, tc := range parseCases {
		got, err := Parse(tc.kind, tc.raw, tc.region)
		if tc.want != "" {
			if err != nil || got != tc.want {
				t.Errorf("case %d %s %s (region %q): got %s, err %v; want %s", i, tc.kind, mask(tc.raw), tc.region, mask(got), err, mask(tc.want))
			}
			if again, err := Parse(tc.kind, got, tc.region); err != nil || again != got {
				t.Errorf("case %d %s: the canonical form does not re-parse to itself (err %v)", i, tc.kind, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("case %d %s %s (region %q): accepted as %s, want a refusal", i, tc.kind, mask(tc.raw), tc.region, mask(got))
			continue
		}
		var ref *Refusal
		if !errors.As(err, &ref) || !errors.Is(err, ErrRefused) || ref.Kind != tc.kind {
			t.Errorf("case %d %s: error %v is not a Refusal of this kind", i, tc.kind, err)
		}
		if !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("case %d %s %s: error %q, want it to say %q", i, tc.kind, mask(tc.raw), err, tc.reason)
		}
		if !strings.HasPrefix(err.Error(), tc.kind+": ") {
			t.Errorf("case %d: error %q does not start with the kind", i, err)
		}
		if leaks(err, tc.raw) {
			t.Errorf("case %d %s: the error holds the raw value", i, tc.kind)
		}
	}
}

// leaks reports whether the error text holds the raw value or its trimmed
// form (values shorter than 3 bytes, such as "", cannot be told from the
// reason text).
func leaks(err error, raw string) bool {
	msg := err.Error()
	for _, v := range []string{raw, strings.TrimSpace(raw)} {
		if len(v) >= 3 && strings.Contains(msg, v) {
			return true
		}
	}
	return false
}

func TestParseRegion(t *testing.T) {
	_, err := Parse(Phone, "2136625868", "XX")
	if !errors.Is(err, piimap.ErrConfig) || errors.Is(err, ErrRefused) {
		t.Errorf("unknown region: err %v, want ErrConfig and no refusal", err)
	}
	if leaks(err, "2136625868") {
		t.Error("the region error holds the value")
	}
	for r, want := range map[string]bool{"US": true, "GB": true, "DE": true, "gb": true, " CA ": true, "": false, "XX": false, "UK": false, "001": false} {
		if ValidRegion(r) != want {
			t.Errorf("ValidRegion(%q) = %v, want %v", r, !want, want)
		}
	}
	if got, err := Parse(UserID, "usr_7f3a9c21", "XX"); err != nil || got != "usr_7f3a9c21" {
		t.Errorf("keys ignore the region: got err %v", err)
	}
}

func TestRefusalError(t *testing.T) {
	r := &Refusal{Kind: Email, Reason: reasonNotFull}
	if r.Error() != "email: not a full address (want local@domain.tld)" {
		t.Errorf("Error() = %q", r.Error())
	}
	if !errors.Is(r, ErrRefused) {
		t.Error("a Refusal must wrap ErrRefused")
	}
}

func TestPhoneForms(t *testing.T) {
	for _, tc := range []struct {
		e164, region string
		want         []string
	}{
		{"+12136625868", "US", []string{"0012136625868", "01112136625868", "12136625868", "2136625868"}},
		{"+12136625868", "", []string{"0012136625868", "01112136625868", "12136625868", "2136625868"}},
		{"+12136625868", "CA", []string{"0012136625868", "01112136625868", "12136625868", "2136625868"}}, // NANPA: one country code
		{"+14165550199", "CA", []string{"0014165550199", "01114165550199", "14165550199", "4165550199"}},
		{"+14165550199", "US", []string{"0014165550199", "01114165550199", "14165550199", "4165550199"}},
		{"+12136625868", "GB", []string{"0012136625868", "12136625868"}},
		{"+442079460999", "GB", []string{"00442079460999", "02079460999", "2079460999", "442079460999"}},
		{"+442079460999", "US", []string{"00442079460999", "011442079460999", "442079460999"}},
		{"+493012345678", "DE", []string{"00493012345678", "03012345678", "3012345678", "493012345678"}},
		{"+33123456789", "FR", []string{"0033123456789", "0123456789", "123456789", "33123456789"}},
		{"+390612345678", "IT", []string{"00390612345678", "0612345678", "390612345678"}}, // the leading zero is part of the NSN
		{"+390612345678", "DE", []string{"00390612345678", "390612345678"}},
		{"+442079460999", "XX", []string{"00442079460999", "442079460999"}}, // unknown region: international forms only
		{"2136625868", "US", nil},             // not E.164
		{"+16625868", "US", nil},              // not a valid number
		{"+1 213 662 5868 ext. 1", "US", nil}, // extension
		{"+1-800-FLOWERS", "US", nil},         // letters
		{"", "US", nil},
	} {
		got := PhoneForms(tc.e164, tc.region)
		want := append([]string(nil), tc.want...)
		sortStrings(want)
		if !equalStrings(got, want) {
			t.Errorf("PhoneForms(%s, %q) = %d forms %v, want %v", mask(tc.e164), tc.region, len(got), maskAll(got), maskAll(want))
		}
		for _, f := range got {
			if len(f) < minPhoneDigits || Digits(f) != f {
				t.Errorf("form %s is not 7+ digits", mask(f))
			}
		}
	}
	// the result is the caller's: changing it changes no later result
	f := PhoneForms("+12136625868", "US")
	f[0] = "x"
	if PhoneForms("+12136625868", "US")[0] == "x" {
		t.Error("PhoneForms returned the cached slice")
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func maskAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = mask(v)
	}
	return out
}

func TestDigitsCellKeyDistinctive(t *testing.T) {
	if Digits("+1 (213) 662-5868") != "12136625868" || Digits("") != "" || Digits("١٢٣") != "" || Digits("123") != "123" {
		t.Error("Digits")
	}
	for _, tc := range []struct{ kind, cell, want string }{
		{Email, "  Ann@Example.COM ", "ann@example.com"},
		{Phone, "(213) 662-5868", "2136625868"},
		{UserID, " usr_7f3a9c21\t", "usr_7f3a9c21"},
		{UserID, " Usr ", "Usr"},
	} {
		if got := CellKey(tc.kind, tc.cell); got != tc.want {
			t.Errorf("CellKey(%s) = %s, want %s", tc.kind, mask(got), mask(tc.want))
		}
	}
	for k, want := range map[string]bool{
		"usr_7f3a9c21": true, "3f2a1b4c-9d8e-4f00-a1b2-c3d4e5f60718": true, "1234567890": true, "a1b2c3": true,
		"a1b2c": false, "123456789": false, "abcdefgh": false, "42": false, "": false, "------1a": true, "12345-67890": false,
	} {
		if Distinctive(k) != want {
			t.Errorf("Distinctive(%s) = %v, want %v", mask(k), !want, want)
		}
	}
}
