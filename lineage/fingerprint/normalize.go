package fingerprint

import (
	"encoding/base64"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/piimap/piimap"
)

// Normalizer maps one raw value to its canonical form, or reports false
// when the value cannot be a value of the type (empty, wrong shape). Two
// spellings of one identifier ("Ann@Example.com " and "ann@example.com")
// must normalise to the same string, or copies that reformat values are
// missed.
type Normalizer func(raw string) (string, bool)

// Domains of values that are not a typed PII value: the shape a masked copy
// takes. A field whose values are mostly of one shape is compared only with
// derived signatures of the same shape.
const (
	ShapeHex32  = "hex32"  // md5 hex
	ShapeHex40  = "hex40"  // sha1 hex
	ShapeHex64  = "hex64"  // sha256 hex
	ShapeBase64 = "base64" // base64 of a value (canonical: standard alphabet, no padding)
	ShapeLast4  = "last4"  // four digits, or a masked card/SSN ending in four digits
	ShapeText   = "text"   // anything else
)

// NormalizerFor returns the built-in normaliser for a PII type. Types
// without a specific one (and "") get NormalizeOpaque, which canonicalises
// hash, base64 and masked-card shapes so masked copies can be matched.
//
// Phones are reduced to E.164 with a light, table-free normaliser
// (NormalizePhone); a caller holding a full phone library (the scanner has
// classifiers/validate) can pass its own with WithNormalizer. lineage must
// not import classifiers (DESIGN §2), and the libphonenumber metadata is too
// heavy to load here just for canonical forms.
func NormalizerFor(typ string) Normalizer {
	switch typ {
	case piimap.TypeEmail:
		return NormalizeEmail
	case piimap.TypePhone:
		return func(s string) (string, bool) { return NormalizePhone(s, "1") }
	case piimap.TypeUSSSN:
		return digitsOfLen(9, 9)
	case piimap.TypeCreditCard:
		return digitsOfLen(12, 19)
	case piimap.TypeIBAN, piimap.TypeUKNINO, piimap.TypePassport, piimap.TypeDriversLicense:
		return NormalizeAlnumUpper
	case piimap.TypeBankAccount:
		return digitsOfLen(4, 34)
	case piimap.TypePersonName, piimap.TypePostalAddress, piimap.TypeUsername:
		return NormalizeName
	case piimap.TypeIPAddress:
		return NormalizeIP
	case piimap.TypeMACAddress, piimap.TypeDeviceID:
		return NormalizeHexID
	case piimap.TypeUserID:
		return NormalizeTrim
	}
	return NormalizeOpaque
}

// typed reports whether typ has a type-specific normaliser; untyped fields
// are compared by the shape of their values instead.
func typed(typ string) bool {
	switch typ {
	case piimap.TypeEmail, piimap.TypePhone, piimap.TypeUSSSN, piimap.TypeCreditCard, piimap.TypeIBAN,
		piimap.TypeUKNINO, piimap.TypePassport, piimap.TypeDriversLicense, piimap.TypeBankAccount,
		piimap.TypePersonName, piimap.TypePostalAddress, piimap.TypeUsername, piimap.TypeIPAddress,
		piimap.TypeMACAddress, piimap.TypeDeviceID, piimap.TypeUserID:
		return true
	}
	return false
}

// NormalizeEmail trims, drops a mailto: prefix and angle brackets, and
// lowercases the whole address. Lowercasing the local part is technically
// lossy (RFC 5321) but it is what every system that hashes emails for
// matching does, so it is what masked copies were built from.
func NormalizeEmail(s string) (string, bool) {
	s, ok := trimEmail(s)
	if !ok {
		return "", false
	}
	return strings.ToLower(s), true
}

// trimEmail is NormalizeEmail before lowercasing: the address without
// white space, mailto: and angle brackets, and whether it is one.
func trimEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">"))
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n") {
		return "", false
	}
	return s, true
}

// appendNormalizedEmail is NormalizeEmail into dst, for the builder's hot
// path: an ASCII address is lowercased into dst and returned as a string
// over it (valid until dst is reused); anything else goes through
// NormalizeEmail.
func appendNormalizedEmail(dst []byte, s string) ([]byte, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			v, ok := NormalizeEmail(s)
			return dst, v, ok
		}
	}
	s, ok := trimEmail(s)
	if !ok {
		return dst, "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst, unsafe.String(unsafe.SliceData(dst), len(dst)), true
}

// NormalizePhone reduces a phone number to E.164 ("+14155550123") without
// per-country tables: a leading + or 00 marks an international number; a
// national number loses one trunk 0 and gets defaultCC (the country calling
// code, digits only) prepended; for NANP (defaultCC "1") an 11-digit number
// starting with 1 is taken as already international. Extensions (x, ext,
// #) are dropped. Results outside 8..15 digits are refused. It is exact for
// numbers written internationally; national numbers of a country other
// than defaultCC normalise wrongly, which only loses matches.
func NormalizePhone(s, defaultCC string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := asciiLowerIndex(s, "ext"); i > 0 {
		s = s[:i]
	} else if i := strings.IndexAny(s, "xX#;"); i > 0 {
		s = s[:i]
	}
	intl := strings.HasPrefix(s, "+")
	var d []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || (c == '+' && i == 0):
		default:
			return "", false
		}
	}
	digits := string(d)
	switch {
	case intl:
	case strings.HasPrefix(digits, "00"):
		digits = digits[2:]
	case defaultCC == "1" && len(digits) == 11 && digits[0] == '1':
	default:
		digits = defaultCC + strings.TrimPrefix(digits, "0")
	}
	if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return "", false
	}
	return "+" + digits, true
}

// asciiLowerIndex is strings.Index of an ASCII-lowercase needle in s,
// ignoring ASCII case, with byte offsets of s itself.
func asciiLowerIndex(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		j := 0
		for j < len(needle) && s[i+j]|0x20 == needle[j] {
			j++
		}
		if j == len(needle) {
			return i
		}
	}
	return -1
}

// digitsOfLen keeps only the digits of a value (spaces, dashes and dots are
// formatting) and accepts min..max of them.
func digitsOfLen(min, max int) Normalizer {
	return func(s string) (string, bool) {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= '0' && c <= '9':
				b.WriteByte(c)
			case c == ' ' || c == '-' || c == '.' || c == '\t':
			default:
				return "", false
			}
		}
		if b.Len() < min || b.Len() > max {
			return "", false
		}
		return b.String(), true
	}
}

// NormalizeAlnumUpper keeps letters and digits, uppercased (IBANs,
// national insurance numbers, passports).
func NormalizeAlnumUpper(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToUpper(r))
		case r == ' ' || r == '-' || r == '\t':
		default:
			return "", false
		}
	}
	if b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}

// NormalizeName case-folds, drops periods and commas, and collapses runs of
// white space: "  Ann  B. SMITH" → "ann b smith". Word order is kept.
func NormalizeName(s string) (string, bool) {
	f := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '.' || r == ',' })
	if len(f) == 0 {
		return "", false
	}
	for i, w := range f {
		f[i] = strings.ToLower(w)
	}
	return strings.Join(f, " "), true
}

// NormalizeIP canonicalises an IPv4 or IPv6 address (zone and case
// differences, IPv4-mapped IPv6 unmapped).
func NormalizeIP(s string) (string, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return "", false
	}
	return a.Unmap().WithZone("").String(), true
}

// NormalizeHexID lowercases and drops separators of MAC addresses and
// device IDs ("AA:BB-cc" → "aabbcc").
func NormalizeHexID(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c == ':' || c == '-' || c == '.' || c == ' ':
		default:
			return "", false
		}
	}
	if b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}

// NormalizeTrim trims surrounding white space and refuses empty values.
func NormalizeTrim(s string) (string, bool) {
	s = strings.TrimSpace(s)
	return s, s != ""
}

// NormalizeOpaque canonicalises values of untyped fields so masked copies
// compare equal to derived forms: hex digests are lowercased, masked cards
// and SSNs ("**** **** **** 1234", "XXX-XX-1234") reduce to their last four
// digits, base64 is rewritten to the standard alphabet without padding.
// Anything else is only trimmed.
func NormalizeOpaque(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if n := len(s); (n == 32 || n == 40 || n == 64) && isHex(s) {
		return strings.ToLower(s), true
	}
	if l4, ok := maskedLast4(s); ok {
		return l4, true
	}
	if c, ok := canonicalBase64(s); ok {
		return c, true
	}
	return s, true
}

// Shape classifies a normalised opaque value.
func Shape(v string) string {
	n := len(v)
	switch {
	case n == 4 && allDigits(v):
		return ShapeLast4
	case n == 32 && isHex(v):
		return ShapeHex32
	case n == 40 && isHex(v):
		return ShapeHex40
	case n == 64 && isHex(v):
		return ShapeHex64
	}
	if _, ok := canonicalBase64(v); ok {
		return ShapeBase64
	}
	return ShapeText
}

// maskedLast4 recognises a masked card or SSN: mask characters (* X x • #)
// and separators followed by exactly four trailing digits, or four digits
// alone.
func maskedLast4(s string) (string, bool) {
	if len(s) == 4 && allDigits(s) {
		return s, true
	}
	if len(s) < 5 || !allDigits(s[len(s)-4:]) {
		return "", false
	}
	masks := 0
	for _, r := range s[:len(s)-4] {
		switch r {
		case '*', 'X', 'x', '•', '#':
			masks++
		case ' ', '-', '.':
		default:
			return "", false
		}
	}
	if masks < 3 {
		return "", false
	}
	return s[len(s)-4:], true
}

// canonicalBase64 accepts standard or URL-safe base64 with or without
// padding, at least 8 characters, that decodes to printable UTF-8 text
// containing at least one letter and is not itself hex or digits, and
// returns it in the standard alphabet without padding.
func canonicalBase64(s string) (string, bool) {
	if len(s) < 8 || allDigits(s) || isHex(s) {
		return "", false
	}
	t := strings.TrimRight(s, "=")
	if len(s)-len(t) > 2 {
		return "", false
	}
	if strings.ContainsAny(t, "-_") {
		t = urlSafe.Replace(t)
	}
	dec, err := base64.RawStdEncoding.DecodeString(t)
	if err != nil || len(dec) == 0 {
		return "", false
	}
	letter := false
	for _, r := range string(dec) {
		if r == unicode.ReplacementChar || (r < 0x20 && r != '\t') {
			return "", false
		}
		letter = letter || unicode.IsLetter(r)
	}
	if !letter {
		return "", false
	}
	return t, true
}

var urlSafe = strings.NewReplacer("-", "+", "_", "/")

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
