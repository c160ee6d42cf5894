package identifier

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/piimap/piimap"
)

// Kind names: the same strings as piimap.KeyEmail, KeyPhone and KeyUserID.
// Every other kind (user_id and the key names a configuration declares)
// follows the key rules.
const (
	Email  = piimap.KeyEmail
	Phone  = piimap.KeyPhone
	UserID = piimap.KeyUserID
)

// ErrRefused is wrapped by every intake refusal.
var ErrRefused = errors.New("identifier refused")

// Refusal is an intake refusal: it names the kind and why, never the value.
type Refusal struct{ Kind, Reason string }

// Error renders "<kind>: <reason>", e.g.
// "email: not a full address (want local@domain.tld)".
func (r *Refusal) Error() string {
	k := r.Kind
	if k == "" {
		k = "identifier"
	}
	return k + ": " + r.Reason
}

// Unwrap returns ErrRefused.
func (r *Refusal) Unwrap() error { return ErrRefused }

// MaxValuesPerKind is how many distinct values of one kind a request may
// carry.
const MaxValuesPerKind = 20

// DefaultRegion is used when a store or field sets no phone region.
const DefaultRegion = "US"

// Length limits.
const (
	maxEmailLen  = 254 // RFC 5321 path
	maxLocalLen  = 64  // RFC 5321 local part
	maxDomainLen = 253
	maxLabelLen  = 63
	maxKeyLen    = 256
	maxPhoneLen  = 64 // a written number, separators included
)

// Refusal reasons shared by several kinds.
const (
	reasonEmpty      = "empty"
	reasonUTF8       = "not valid UTF-8"
	reasonSpace      = "holds whitespace"
	reasonControl    = "holds control or invisible formatting characters"
	reasonNotFull    = "not a full address (want local@domain.tld)"
	reasonKeyPattern = `holds wildcard or pattern characters (* ? % [ ] ^ $ \ |)`
)

// keyPatternChars are refused in keys: SQL LIKE and glob wildcards and
// regular-expression metacharacters, the marks of a pattern given where a
// value is expected.
const keyPatternChars = `*?%[]^$\|`

// Parse validates one value given at intake and returns its canonical form
// (see the package documentation for the rules of each kind). region is
// the phone region national numbers are read in (DefaultRegion when "");
// other kinds ignore it. A refusal is a *Refusal wrapping ErrRefused; an
// unknown region is an error wrapping piimap.ErrConfig. No error holds the
// value.
func Parse(kind, raw, region string) (string, error) {
	switch kind {
	case Email:
		return parseEmail(raw)
	case Phone:
		return parsePhone(raw, region)
	case Card:
		return parseCard(raw)
	case IBAN:
		return parseIBAN(raw)
	case SSN:
		return parseSSN(raw)
	case NINO:
		return parseNINO(raw)
	}
	return parseKey(kind, raw)
}

func refuse(kind, reason string) error { return &Refusal{Kind: kind, Reason: reason} }

// screen refuses what no kind accepts: an empty value, invalid UTF-8 (or
// U+FFFD, what decoding makes of it), whitespace, control and format
// characters (NUL, zero-width spaces, byte-order marks).
func screen(kind, s string) error {
	if s == "" {
		return refuse(kind, reasonEmpty)
	}
	if !utf8.ValidString(s) {
		return refuse(kind, reasonUTF8)
	}
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return refuse(kind, reasonUTF8)
		case unicode.IsSpace(r):
			return refuse(kind, reasonSpace)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return refuse(kind, reasonControl)
		}
	}
	return nil
}

// parseKey: a trimmed value without whitespace, control characters or
// pattern characters, at most maxKeyLen bytes.
func parseKey(kind, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := screen(kind, s); err != nil {
		return "", err
	}
	if strings.ContainsAny(s, keyPatternChars) {
		return "", refuse(kind, reasonKeyPattern)
	}
	if len(s) > maxKeyLen {
		return "", refuse(kind, fmt.Sprintf("longer than %d bytes", maxKeyLen))
	}
	return s, nil
}

// parseEmail: a full address, lower-cased whole.
func parseEmail(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := screen(Email, s); err != nil {
		return "", err
	}
	if strings.ContainsAny(s, "*?%") {
		return "", refuse(Email, "holds wildcard characters (* ? %)")
	}
	c := strings.ToLower(s)
	if len(c) > maxEmailLen {
		return "", refuse(Email, fmt.Sprintf("longer than %d bytes", maxEmailLen))
	}
	at := strings.IndexByte(c, '@')
	switch {
	case at < 0:
		return "", refuse(Email, reasonNotFull)
	case strings.IndexByte(c[at+1:], '@') >= 0:
		return "", refuse(Email, "holds more than one @")
	case at == 0 || at == len(c)-1:
		return "", refuse(Email, reasonNotFull)
	}
	if !validLocal(c[:at]) {
		return "", refuse(Email, "local part is not a valid address local part")
	}
	if reason := checkDomain(c[at+1:]); reason != "" {
		return "", refuse(Email, reason)
	}
	return c, nil
}

// localSpecials are the ASCII characters besides letters, digits and dots
// an unquoted (dot-atom) local part may hold (RFC 5322 atext), less the
// wildcards * ? % refused before.
const localSpecials = "!#$&'+-/=^_`{|}~"

// validLocal reports whether l is a dot-atom local part: atext runs
// separated by single dots, ASCII or UTF-8 letters, marks and digits
// (RFC 6531).
func validLocal(l string) bool {
	if len(l) > maxLocalLen || l[0] == '.' || l[len(l)-1] == '.' || strings.Contains(l, "..") {
		return false
	}
	for _, r := range l {
		switch {
		case r == '.', isASCIIAlnum(r), r < utf8.RuneSelf && strings.ContainsRune(localSpecials, r):
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)):
		default:
			return false
		}
	}
	return true
}

// checkDomain returns why d is not a host name of at least two labels
// ending in a top-level domain of letters (or an IDNA "xn--" label), or "".
func checkDomain(d string) string {
	if len(d) > maxDomainLen {
		return "domain is longer than 253 bytes"
	}
	dot := strings.LastIndexByte(d, '.')
	if dot < 0 {
		return reasonNotFull
	}
	for l := range strings.SplitSeq(d, ".") {
		if !validLabel(l) {
			return "domain is not a valid host name"
		}
	}
	if !validTLD(d[dot+1:]) {
		return reasonNotFull
	}
	return ""
}

// validLabel: 1 to 63 bytes of letters, digits and hyphens (UTF-8 letters,
// marks and digits allowed), not starting or ending with a hyphen.
func validLabel(l string) bool {
	if l == "" || len(l) > maxLabelLen || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		switch {
		case r == '-', isASCIIAlnum(r):
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)):
		default:
			return false
		}
	}
	return true
}

// validTLD: at least two letters (ASCII or UTF-8, with their marks), or an
// IDNA ASCII label (xn--…).
func validTLD(t string) bool {
	if strings.HasPrefix(t, "xn--") && len(t) > len("xn--") {
		return true
	}
	n := 0
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsMark(r))) {
			return false
		}
		n++
	}
	return n >= 2
}

func isASCIIAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// parsePhone: a valid full number (libphonenumber), in E.164.
func parsePhone(raw, region string) (canon string, err error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", refuse(Phone, reasonEmpty)
	}
	if !utf8.ValidString(s) {
		return "", refuse(Phone, reasonUTF8)
	}
	if len(s) > maxPhoneLen {
		return "", refuse(Phone, fmt.Sprintf("longer than %d bytes", maxPhoneLen))
	}
	reg, ok := normRegion(region)
	if !ok {
		return "", fmt.Errorf("identifier: unknown phone region %q: %w", strings.TrimSpace(region), piimap.ErrConfig)
	}
	num, perr := safeParse(s, reg)
	if perr == nil && num.GetExtension() != "" {
		return "", refuse(Phone, "has an extension (give the number without it)")
	}
	if reason := phoneChars(s); reason != "" {
		return "", refuse(Phone, reason)
	}
	if perr != nil || !phonenumbers.IsValidNumber(num) {
		if len(Digits(s)) < minPhoneDigits {
			return "", refuse(Phone, "too short to be a full number")
		}
		return "", refuse(Phone, "not a valid full number for region "+reg+" (want +country code and number, or a national number with its area code)")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// phoneChars returns why s is not written with digits, the separators
// space - . ( ) / and a leading +, or "".
func phoneChars(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c), isSep(c), c == '+' && i == 0:
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			return "holds letters"
		case c < 0x20 || c == 0x7f:
			return reasonControl
		default:
			return "holds characters other than digits, spaces, - . ( ) / and a leading +"
		}
	}
	return ""
}

// safeParse is phonenumbers.Parse, turning a panic of the library on odd
// input into an error.
func safeParse(s, region string) (num *phonenumbers.PhoneNumber, err error) {
	defer func() {
		if recover() != nil {
			num, err = nil, errors.New("phonenumbers: parse failed")
		}
	}()
	return phonenumbers.Parse(s, region)
}
