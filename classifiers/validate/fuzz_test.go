package validate

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func FuzzLuhn(f *testing.F) {
	for _, s := range []string{"79927398713", "4111 1111 1111 1111", "", "x", "4111-1111-1111-1112"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := Luhn(s)
		// Separators never change the verdict.
		if b := Luhn(strings.ReplaceAll(s, " ", "")); a != b {
			t.Fatalf("Luhn separator sensitivity")
		}
		if CreditCard(s) && !a {
			t.Fatalf("CreditCard without Luhn")
		}
	})
}

func FuzzIBAN(f *testing.F) {
	for _, s := range []string{"DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "", "ZZ00", "de89 3704 0044 0532 0130 00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := IBAN(s)
		n := NormalizeIBAN(s)
		if ok && (n == "" || !IBAN(n) || len(n) != IBANLength(n[:2])) {
			t.Fatalf("IBAN accepted but normal form inconsistent")
		}
	})
}

func FuzzSSN(f *testing.F) {
	for _, s := range []string{"123-45-6780", "000-12-3456", "536228726", "666 12 3456", "", "12345678901"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !SSN(s) {
			return
		}
		d := strings.NewReplacer("-", "", " ", "").Replace(s)
		if len(d) != 9 || d[:3] == "000" || d[:3] == "666" || d[0] == '9' || d[3:5] == "00" || d[5:] == "0000" {
			t.Fatalf("SSN accepted an invalid number")
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"+1 415-555-2671", "(415) 555-2671", "020 7946 0958", "+44", "", "00000000", "+999999999999999", "021000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := NormalizePhone(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(e, "+") || len(e) < 8 || len(e) > 16 {
			t.Fatalf("not E.164: %d bytes", len(e))
		}
		// E.164 is a fixed point.
		if e2, err := NormalizePhone(e); err != nil || e2 != e {
			t.Fatalf("E.164 form not stable")
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"jane@example.com", "a@b", "@", "x@y.png", " MAILTO:J@Example.Com ", "\xff@x.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeEmail(s)
		if err != nil {
			return
		}
		if !Email(n) || strings.ToLower(n) != n {
			t.Fatalf("normal form invalid")
		}
		if n2, _ := NormalizeEmail(n); n2 != n {
			t.Fatalf("normal form not stable")
		}
	})
}

func FuzzIP(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "2001:db8::1", "256.0.0.1", "", "1.2.3.4.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if (IPv4(s) || IPv6(s)) && !IP(s) && s != "::" {
			t.Fatalf("IP disagrees with IPv4/IPv6")
		}
		_ = VersionLikeQuad(s)
		_ = MAC(s)
	})
}

// FuzzOthers runs every registered check on any string. Each is a pure
// function (same verdict twice) registered under its documented name, and
// what each accepts has the shape its doc comment promises.
func FuzzOthers(f *testing.F) {
	for _, s := range []string{"AB123456C", "ab 12 34 56 c", "1985-03-12", "12 March 1985", "52.52,13.40", "(52.520, 13.405)", "52.52",
		"-179.99", "John SMITH", "221B Baker Street", "eyJa.eyJb.c", "00:1A:2b:3C:4d:5E", "001a.2b3c.4d5e", "ff:ff:ff:ff:ff:ff",
		"123e4567-e89b-12d3-a456-426614174000", "0.000,0.000", "", "\xc3"} {
		f.Add(s)
	}
	named := map[string]Func{"luhn": Luhn, "credit_card": CreditCard, "iban": IBAN, "us_ssn": SSN, "uk_nino": NINO, "phone": Phone,
		"email": Email, "ip": IP, "mac": MAC, "dob": DOB, "geo": Geo, "geo_pair": GeoPair, "latitude": Latitude, "longitude": Longitude,
		"person_name": PersonName, "name_shape": NameShape, "name_cased": NameCased, "postal_address": PostalAddress, "credential": Credential,
		"token": TokenShape, "jwt": JWT, "secret": Secret, "user_id": UserID, "uuid": UUID}
	f.Fuzz(func(t *testing.T, s string) {
		ok := map[string]bool{}
		for _, name := range Names() {
			fn, found := Lookup(name)
			if !found {
				t.Fatalf("Names lists %q but Lookup does not find it", name)
			}
			ok[name] = fn(s)
			if fn(s) != ok[name] {
				t.Fatalf("%s: two verdicts on the same input", name)
			}
			if want, listed := named[name]; listed && want(s) != ok[name] {
				t.Fatalf("%s: the registry disagrees with the exported check", name)
			}
		}
		if _, dateOK := Date(s); ok["date"] != dateOK || ok["dob"] && !dateOK {
			t.Fatalf("date %v / dob %v disagree with Date %v", ok["date"], ok["dob"], dateOK)
		}
		if ok["geo"] != (ok["geo_pair"] || ok["latitude"] || ok["longitude"]) {
			t.Fatalf("geo %v is not geo_pair %v or latitude %v or longitude %v", ok["geo"], ok["geo_pair"], ok["latitude"], ok["longitude"])
		}
		if ok["latitude"] && !ok["longitude"] {
			t.Fatal("a latitude that is not a longitude")
		}
		for name, lim := range map[string]float64{"latitude": 90, "longitude": 180} {
			if ok[name] {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil || v < -lim || v > lim || !hasFraction(s, 2) {
					t.Fatalf("%s accepted a value outside [-%v, %v] or with under two decimals", name, lim, lim)
				}
			}
		}
		if ok["geo_pair"] {
			p := strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
			a, b, _ := strings.Cut(p, ",")
			lat, err1 := strconv.ParseFloat(a, 64)
			lon, err2 := strconv.ParseFloat(strings.TrimPrefix(b, " "), 64)
			if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 || lat == 0 && lon == 0 {
				t.Fatal("geo_pair accepted a pair out of range, unparsable or at 0,0")
			}
		}
		if ok["uk_nino"] {
			n := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
			if !ninoShape.MatchString(n) || strings.Contains("BG GB KN NK NT TN ZZ", n[:2]) {
				t.Fatal("uk_nino accepted a value that is not two allowed letters, six digits and A-D")
			}
		}
		if ok["uuid"] && !uuidShape.MatchString(s) {
			t.Fatal("uuid accepted a value that is not 8-4-4-4-12 hex")
		}
		if ok["mac"] {
			h := strings.ToLower(strings.NewReplacer(":", "", "-", "", ".", "").Replace(s))
			if len(h) != 12 || strings.Trim(h, "0123456789abcdef") != "" || h == "000000000000" || h == "ffffffffffff" {
				t.Fatal("mac accepted a value that is not 12 hex digits, or the zero or broadcast address")
			}
		}
		if ok["jwt"] {
			p := strings.Split(s, ".")
			if len(p) != 3 || !strings.HasPrefix(p[0], "eyJ") || !strings.HasPrefix(p[1], "eyJ") || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != "" {
				t.Fatal("jwt accepted a value that is not three base64url segments starting eyJ.eyJ")
			}
		}
		if ok["credit_card"] && !ok["luhn"] {
			t.Fatal("credit_card accepted a number that fails Luhn")
		}
	})
}

var (
	ninoShape = regexp.MustCompile(`^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$`)
	uuidShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// hasFraction reports whether the decimal s has at least n digits after its point.
func hasFraction(s string, n int) bool {
	_, frac, ok := strings.Cut(s, ".")
	return ok && len(frac) >= n
}
