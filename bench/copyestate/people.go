package copyestate

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
)

// person is one generated data subject; its email and phone are unique
// across the whole estate (the serial number is global).
type person struct {
	Email string
	Phone string
	Name  string
}

var (
	firstNames = []string{"Ann", "Bob", "Carla", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
		"Kemal", "Lena", "Marta", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
		"Ursula", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Chloe", "Dmitri"}
	lastNames = []string{"Lee", "Smith", "Garcia", "Muller", "Rossi", "Kowalski", "Nguyen", "Okafor", "Silva", "Jensen",
		"Novak", "Haddad", "Tanaka", "Dubois", "Fischer", "Moreau", "Ivanova", "Khan", "Larsen", "Costa",
		"Weber", "Santos", "Brennan", "Petrov", "Yilmaz", "Sato", "Lindqvist", "Horvat", "Varga", "Schmidt"}
	domains = []string{"Example.com", "Mail.Example.org", "Inbox.net", "Corp.io", "Web.de", "Post.co.uk",
		"Example.fr", "Hey.Example.com"}
	areaCodes = []string{"212", "213", "312", "415", "617", "646", "702", "718", "805", "917"}
)

// people generates n people whose serial numbers start at base; the mix of
// spellings (case, separators, phone format) is drawn from r.
func people(r *rand.Rand, base, n int, intl bool) []person {
	out := make([]person, n)
	for i := range out {
		serial := base + i
		f, l := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		d := domains[r.IntN(len(domains))]
		var local string
		switch r.IntN(4) {
		case 0:
			local = fmt.Sprintf("%s.%s%d", f, l, serial)
		case 1:
			local = fmt.Sprintf("%s%s.%d", f[:1], l, serial)
		case 2:
			local = fmt.Sprintf("%s_%s%d", strings.ToUpper(f), l, serial)
		default:
			local = fmt.Sprintf("%s.%s.%d", l, f, serial)
		}
		// A bijection of the serial onto (exchange, line) keeps phones
		// unique; 7919 is prime and does not divide 7,000,000.
		p := (serial*7919 + 12345) % 7_000_000
		area := areaCodes[serial%len(areaCodes)]
		exch, line := 200+p/10000, p%10000
		phone := fmt.Sprintf("(%s) %03d-%04d", area, exch, line)
		if intl {
			phone = fmt.Sprintf("+1 %s-%03d-%04d", area, exch, line)
		}
		out[i] = person{Email: local + "@" + d, Phone: phone, Name: f + " " + l}
	}
	return out
}

// Transforms of an original's email a planted copy holds.
const (
	Identity = "identity" // the values unchanged
	Lower    = "lower"    // lower(email)
	Subset   = "subset"   // 20–60% of the rows, values unchanged
	SHA256   = "sha256"   // hex sha256(lower(trim(email)))
	MD5      = "md5"      // hex md5(lower(trim(email)))
	SHA1     = "sha1"     // hex sha1(lower(trim(email)))
	// PhoneIdentity and PhoneSubset are phone columns carried beside an
	// identity or subset email copy.
	PhoneIdentity = "phone-identity"
	PhoneSubset   = "phone-subset"
)

// Transforms lists the email transforms planted CopiesPerTransform times.
var Transforms = []string{Identity, Lower, Subset, SHA256, MD5, SHA1}

// AllTransforms is every transform label of a planted copy, in report order.
var AllTransforms = []string{Identity, Lower, Subset, SHA256, MD5, SHA1, PhoneIdentity, PhoneSubset}

// Masked reports whether piimap should call a copy of this transform
// "masked" rather than "identity".
func Masked(transform string) bool {
	return transform == SHA256 || transform == MD5 || transform == SHA1
}

// apply returns the copy's value of an original email.
func apply(transform, email string) string {
	norm := strings.ToLower(strings.TrimSpace(email))
	switch transform {
	case Lower:
		return norm
	case SHA256:
		s := sha256.Sum256([]byte(norm))
		return hex.EncodeToString(s[:])
	case MD5:
		s := md5.Sum([]byte(norm))
		return hex.EncodeToString(s[:])
	case SHA1:
		s := sha1.Sum([]byte(norm))
		return hex.EncodeToString(s[:])
	}
	return email
}

// randomHex is a random lowercase hex string of n bytes.
func randomHex(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return hex.EncodeToString(b)
}

// pick returns k distinct indexes of [0, n) in random order.
func pick(r *rand.Rand, n, k int) []int {
	k = max(1, min(k, n))
	return r.Perm(n)[:k]
}

var segments = []string{"gold", "silver", "bronze", "trial", "churned"}

// date is a plausible ISO date for row i.
func date(r *rand.Rand) string {
	return fmt.Sprintf("2026-%02d-%02d", 1+r.IntN(11), 1+r.IntN(28))
}
