package validate

// ibanLen is the IBAN length per ISO 3166 country code (SWIFT IBAN registry).
var ibanLen = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
	"JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
	"MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
	"NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
	"SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// IBANLength returns the registered IBAN length for a country code, or 0.
func IBANLength(cc string) int { return ibanLen[cc] }

// NormalizeIBAN removes spaces and upper-cases s; it returns "" when s holds
// anything but ASCII letters, digits and spaces.
func NormalizeIBAN(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
		case c >= 'a' && c <= 'z':
			b = append(b, c-32)
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		default:
			return ""
		}
	}
	return string(b)
}

// IBAN reports whether s (spaces allowed, either case) is an IBAN: a known
// country code, that country's length, two check digits and a passing
// ISO 7064 mod-97-10 check.
func IBAN(s string) bool {
	var buf [40]byte
	b := buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case c >= 'a' && c <= 'z':
			c -= 32
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return false
		}
		if len(b) == len(buf) {
			return false
		}
		b = append(b, c)
	}
	if len(b) < 15 {
		return false
	}
	if !isUpper(b[0]) || !isUpper(b[1]) || !isDigit(b[2]) || !isDigit(b[3]) {
		return false
	}
	if ibanLen[string(b[:2])] != len(b) {
		return false
	}
	// Move the first four characters to the end and compute mod 97,
	// letters counting as 10..35.
	rem := 0
	for i := 0; i < len(b); i++ {
		c := b[(i+4)%len(b)]
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		}
	}
	return rem == 1
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
