package validate

import (
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

func FuzzOthers(f *testing.F) {
	for _, s := range []string{"AB123456C", "1985-03-12", "52.52,13.40", "John SMITH", "221B Baker Street", "eyJa.eyJb.c", "", "\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, name := range Names() {
			fn, _ := Lookup(name)
			_ = fn(s)
		}
	})
}
