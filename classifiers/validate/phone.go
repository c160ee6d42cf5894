package validate

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegions are the regions national-format phone numbers are tried
// against, in order. Numbers written with a leading + or 00 are validated
// against the region their country code names.
var DefaultRegions = []string{"US", "GB", "DE", "FR", "IN", "BR", "ES", "IT", "NL", "AU", "CA", "MX"}

// trunkZero are regions whose national format starts with a 0 trunk prefix.
var trunkZero = map[string]bool{"GB": true, "DE": true, "FR": true, "IN": true, "BR": true, "IT": true, "NL": true, "AU": true}

// ErrPhone is returned by NormalizePhone for a string that is not a valid
// phone number in any of the regions tried.
var ErrPhone = errors.New("not a valid phone number")

// PhoneShape is the cheap syntactic pre-check every phone candidate passes
// before libphonenumber sees it: only digits and the separators "+-. ()/",
// a + only in front, 7–15 digits, and not the ddd-dd-dddd grouping of a US
// SSN nor a yyyy-mm-dd date.
func PhoneShape(s string) bool {
	if len(s) < 7 || len(s) > 24 {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			digits++
		case c == '+':
			if i != 0 {
				return false
			}
		case c == '-' || c == '.' || c == ' ' || c == '(' || c == ')' || c == '/':
		default:
			return false
		}
	}
	if strings.HasPrefix(s, "00") {
		digits -= 2 // the international prefix, as "+"
	}
	if digits < 7 || digits > 15 {
		return false
	}
	if len(s) == 11 && (s[3] == '-' || s[3] == ' ') && s[6] == s[3] && s[7] != s[3] {
		return false // 123-45-6789: SSN grouping
	}
	if len(s) == 10 && (s[4] == '-' || s[4] == '/' || s[4] == '.') && s[7] == s[4] {
		return false // 2024-01-31: date
	}
	return true
}

// PhoneE164 returns the E.164 form of s when it is a valid number: written
// internationally (+CC… or 00CC…) it is checked against its own country;
// written nationally it must be valid in one of regions (DefaultRegions
// when empty), with the trunk 0 where that region's national format has one.
func PhoneE164(s string, regions []string) (string, bool) {
	if !PhoneShape(s) {
		return "", false
	}
	if len(regions) == 0 {
		regions = DefaultRegions
	}
	t := strings.TrimSpace(s)
	intl := false
	switch {
	case strings.HasPrefix(t, "+"):
		intl = true
	case strings.HasPrefix(t, "00"):
		t = "+" + t[2:]
		intl = true
	}
	var dbuf [16]byte
	digits := dbuf[:0]
	for i := 0; i < len(t); i++ {
		if isDigit(t[i]) {
			digits = append(digits, t[i])
		}
	}
	if intl {
		// +CC NSN: calling codes are prefix-free, so the first 1-, 2- or
		// 3-digit prefix with regions decides.
		for ccLen := 1; ccLen <= 3 && ccLen < len(digits); ccLen++ {
			cc := numBytes(digits[:ccLen])
			rs := rulesForCC(cc)
			if len(rs) == 0 {
				continue
			}
			nsn := digits[ccLen:]
			if len(nsn) < 4 || len(digits) > 17 {
				return "", false
			}
			v, ok, complex := validIn(rs, string(nsn))
			if ok {
				return "+" + string(digits[:ccLen]) + v, true
			}
			if complex {
				n, err := phonenumbers.Parse("+"+string(digits), "ZZ")
				if err == nil && phonenumbers.IsValidNumber(n) {
					return phonenumbers.Format(n, phonenumbers.E164), true
				}
			}
			return "", false
		}
		return "", false
	}
	lead0 := len(digits) > 0 && digits[0] == '0'
	for _, r := range regions {
		if lead0 != trunkZero[r] {
			continue
		}
		cc := phonenumbers.GetCountryCodeForRegion(r)
		if cc == 0 {
			continue
		}
		nsn := digits
		switch {
		case r == "IT":
		case lead0:
			nsn = digits[1:]
		case cc == 1 && len(digits) == 11 && digits[0] == '1':
			nsn = digits[1:]
		}
		if len(nsn) < 4 || len(itoa(cc))+len(nsn) > 15 { // E.164: at most 15 digits
			continue
		}
		if validNSN(r, string(nsn)) {
			return "+" + itoa(cc) + string(nsn), true
		}
	}
	return "", false
}

func numBytes(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

func itoa(n int) string {
	var b [12]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

func firstDigit(s string) byte {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return s[i]
		}
	}
	return 0
}

// Phone reports whether s is a valid phone number (see PhoneE164) in the
// default regions.
func Phone(s string) bool {
	_, ok := PhoneE164(s, nil)
	return ok
}

// NormalizePhone returns s in E.164 (+4420794609580 style) for lookups.
func NormalizePhone(s string, regions ...string) (string, error) {
	e, ok := PhoneE164(s, regions)
	if !ok {
		return "", ErrPhone
	}
	return e, nil
}

// BareDigits reports whether s is only decimal digits (no formatting at all),
// the form that needs a field-name hint before it counts as a phone or SSN.
func BareDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
