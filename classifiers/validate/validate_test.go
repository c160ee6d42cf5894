package validate

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
	"google.golang.org/protobuf/proto"
)

func TestChecks(t *testing.T) {
	now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	defer func() { now = time.Now }()
	cases := []struct {
		check string
		in    string
		want  bool
	}{
		{"luhn", "79927398713", true},
		{"luhn", "79927398710", false},
		{"luhn", "", false},
		{"credit_card", "4111 1111 1111 1111", true},
		{"credit_card", "4111-1111-1111-1111", true},
		{"credit_card", "5500005555555559", true},
		{"credit_card", "378282246310005", true},
		{"credit_card", "6011111111111117", true},
		{"credit_card", "3530111333300000", true},
		{"credit_card", "4111111111111112", false},    // Luhn fails
		{"credit_card", "1234567812345670", false},    // Luhn ok, no issuer
		{"credit_card", "0000000000000000", false},    // degenerate
		{"credit_card", "4111 1111 1111 111x", false}, // junk
		{"iban", "DE89370400440532013000", true},
		{"iban", "GB82 WEST 1234 5698 7654 32", true},
		{"iban", "fr1420041010050500013m02606", true},
		{"iban", "NL91ABNA0417164300", true},
		{"iban", "DE89370400440532013001", false}, // mod-97
		{"iban", "DE8937040044053201300", false},  // length
		{"iban", "XX89370400440532013000", false}, // country
		{"us_ssn", "123-45-6780", true},
		{"us_ssn", "536 22 8726", true},
		{"us_ssn", "536228726", true},
		{"us_ssn", "000-12-3456", false},
		{"us_ssn", "666-12-3456", false},
		{"us_ssn", "912-34-5678", false},
		{"us_ssn", "123-00-4567", false},
		{"us_ssn", "123-45-0000", false},
		{"us_ssn", "078-05-1120", false},
		{"us_ssn", "219-09-9999", false},
		{"us_ssn", "111-11-1111", false},
		{"us_ssn", "123-45 6780", false},
		{"uk_nino", "AB123456C", true},
		{"uk_nino", "ab 12 34 56 c", true},
		{"uk_nino", "QQ123456C", false},
		{"uk_nino", "GB123456A", false},
		{"uk_nino", "AB123456E", false},
		{"uk_nino", "AO123456A", false},
		{"phone", "+1 415-555-2671", true},
		{"phone", "+44 20 7946 0958", true},
		{"phone", "+49 30 901820", true},
		{"phone", "+33 1 42 68 53 00", true},
		{"phone", "+91 98765 43210", true},
		{"phone", "+55 11 98765-4321", true},
		{"phone", "(415) 555-2671", true},
		{"phone", "020 7946 0958", true},
		{"phone", "0044 20 7946 0958", true},
		{"phone", "123-45-6789", false},
		{"phone", "2024-01-31", false},
		{"phone", "+1 000 000 0000", false},
		{"phone", "1700000000", false},
		{"phone", "555-1234", false},
		{"email", "jane.doe@example.com", true},
		{"email", "J.O'Hara+news@mail.example.co.uk", true},
		{"email", "logo@2x.png", false},
		{"email", "a@b", false},
		{"email", "user@-bad.com", false},
		{"email", ".x@example.com", false},
		{"email", "x..y@example.com", false},
		{"ip", "192.168.1.20", true},
		{"ip", "2001:db8::1", true},
		{"ip", "fe80::1%eth0", false},
		{"ip", "256.1.1.1", false},
		{"ip", "01.2.3.4", false},
		{"ip", "0.0.0.0", false},
		{"mac", "00:1A:2B:3C:4D:5E", true},
		{"mac", "00-1a-2b-3c-4d-5e", true},
		{"mac", "001a.2b3c.4d5e", true},
		{"mac", "00:1A-2B:3C:4D:5E", false},
		{"mac", "ff:ff:ff:ff:ff:ff", false},
		{"mac", "00:00:00:00:00:00", false},
		{"dob", "1985-03-12", true},
		{"dob", "12/03/1985", true},
		{"dob", "1985-03-12T00:00:00Z", true},
		{"dob", "12 March 1985", true},
		{"dob", "March 12, 1985", true},
		{"dob", "2031-03-12", false},
		{"dob", "1850-03-12", false},
		{"dob", "1985-02-30", false},
		{"geo_pair", "52.520008, 13.404954", true},
		{"geo_pair", "-33.8688,151.2093", true},
		{"geo_pair", "95.1234,13.4049", false},
		{"geo_pair", "0.000,0.000", false},
		{"geo_pair", "1.5,2.5", false},
		{"latitude", "48.8566", true},
		{"latitude", "123.45", false},
		{"person_name", "John Smith", true},
		{"person_name", "MARIA GARCIA", true},
		{"person_name", "Smith, John", true},
		{"person_name", "O'Brien", true},
		{"person_name", "Blue Widget", false},
		{"person_name", "R2D2", false},
		{"person_name", "Zzyzx Qwerty", false},
		{"postal_address", "221B Baker Street, London", true},
		{"postal_address", "1600 Pennsylvania Ave NW, Washington, DC 20500", true},
		{"postal_address", "Hauptstraße 5, 10115 Berlin", true},
		{"postal_address", "PO Box 1234", true},
		{"postal_address", "12 rue de Rivoli, Paris", true},
		{"postal_address", "Order 12 shipped", false},
		{"postal_address", "version 2", false},
		{"token", "AKIAIOSFODNN7EXAMPLE", true},
		{"token", "ghp_1234567890abcdefghijklmnopqrstuvwxyz0000", false}, // 40 body chars
		{"token", "ghp_123456789012345678901234567890abcdef", true},
		{"token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", true},
		{"token", "AKIA-not-a-key-at-all", false},
		{"secret", "hunter2!x", true},
		{"secret", "********", false},
		{"secret", "changeme", false},
		{"secret", "two words", false},
		{"user_id", "18423", true},
		{"user_id", "USR-000123", true},
		{"user_id", "550e8400-e29b-41d4-a716-446655440000", true},
		{"user_id", "john smith", false},
		{"user_id", "abc", false},
	}
	for _, c := range cases {
		f, ok := Lookup(c.check)
		if !ok {
			t.Fatalf("no check %q", c.check)
		}
		if got := f(c.in); got != c.want {
			t.Errorf("%s(%q) = %v, want %v", c.check, c.in, got, c.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	if got, err := NormalizePhone("(415) 555-2671"); err != nil || got != "+14155552671" {
		t.Errorf("NormalizePhone = %q, %v", got, err)
	}
	if got, err := NormalizePhone("020 7946 0958", "GB"); err != nil || got != "+442079460958" {
		t.Errorf("NormalizePhone GB = %q, %v", got, err)
	}
	if _, err := NormalizePhone("12"); err == nil {
		t.Error("NormalizePhone(12) succeeded")
	}
	if got, err := NormalizeEmail(" Jane.Doe@Example.COM "); err != nil || got != "jane.doe@example.com" {
		t.Errorf("NormalizeEmail = %q, %v", got, err)
	}
	if got := NormalizeIBAN("gb82 west 1234 5698 7654 32"); got != "GB82WEST12345698765432" {
		t.Errorf("NormalizeIBAN = %q", got)
	}
	if !VersionLikeQuad("1.2.3.4") || VersionLikeQuad("192.168.1.4") || VersionLikeQuad("1.2.3") {
		t.Error("VersionLikeQuad")
	}
	if len(Names()) < 20 {
		t.Error("registry too small")
	}
}

// TestPhoneMetaAgrees cross-checks the compiled-metadata validity check
// against phonenumbers.IsValidNumberForRegion on random national numbers.
func TestPhoneMetaAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, region := range []string{"US", "GB", "DE", "FR", "IN", "BR", "ES", "IT", "NL", "AU", "CA", "MX", "JP"} {
		cc := phonenumbers.GetCountryCodeForRegion(region)
		agree := 0
		for i := 0; i < 20000; i++ {
			n := 6 + r.IntN(7)
			b := make([]byte, n)
			for k := range b {
				b[k] = byte('0' + r.IntN(10))
			}
			b[0] = byte('1' + r.IntN(9))
			nsn := string(b)
			pn := &phonenumbers.PhoneNumber{CountryCode: proto.Int32(int32(cc)), NationalNumber: proto.Uint64(uint64(num(nsn)))}
			want := phonenumbers.IsValidNumberForRegion(pn, region)
			if got := validNSN(region, nsn); got != want {
				t.Fatalf("%s %s: validNSN=%v phonenumbers=%v", region, nsn, got, want)
			}
			if want {
				agree++
			}
		}
		if agree == 0 {
			t.Errorf("%s: no valid random numbers; test is vacuous", region)
		}
	}
}

// TestPhoneE164AgreesWithParse: the international path agrees with
// phonenumbers.Parse + IsValidNumber, E.164 form included.
func TestPhoneE164AgreesWithParse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	ccs := []string{"1", "44", "49", "33", "91", "55", "34", "39", "31", "61", "52", "81", "7", "353"}
	valid := 0
	for i := 0; i < 8000; i++ {
		n := 7 + r.IntN(6)
		b := make([]byte, n)
		for k := range b {
			b[k] = byte('0' + r.IntN(10))
		}
		if r.IntN(3) > 0 {
			b[0] = byte('1' + r.IntN(9))
		}
		s := "+" + ccs[r.IntN(len(ccs))] + " " + string(b)
		pn, err := phonenumbers.Parse(s, "ZZ")
		want := err == nil && phonenumbers.IsValidNumber(pn)
		got, ok := PhoneE164(s, nil)
		if ok != want {
			t.Fatalf("%s: PhoneE164 ok=%v, phonenumbers valid=%v", s, ok, want)
		}
		if ok {
			valid++
			if e := phonenumbers.Format(pn, phonenumbers.E164); e != got {
				t.Fatalf("%s: E.164 %s, phonenumbers %s", s, got, e)
			}
		}
	}
	if valid < 30 {
		t.Fatalf("only %d valid numbers: test is vacuous", valid)
	}
}
