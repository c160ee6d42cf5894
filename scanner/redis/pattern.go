package redis

import (
	"strings"
)

// Delims separate the segments of a key name: `user:42:profile`,
// `tenant/7/cart`, `a|b`.
const Delims = ":/|"

// subDelims separate the sub-tokens of a segment: `usr_7f3a9c21`,
// `order-123`, `cache.v2`.
const subDelims = "-_."

// Generalize turns a key name into its key pattern by replacing variable
// segments with `*`: numbers, UUIDs, hex ids, ULIDs, emails, IPv4
// addresses, dates and random tokens (`session:3f2a…` → `session:*`,
// `user:42:profile` → `user:*:profile`). A segment that is not variable as a
// whole keeps its words and loses its variable sub-tokens (`usr_7f3a9c21`
// → `usr_*`, `order-123` → `order-*`). The result never holds the variable
// parts of the key, which are where personal data hides.
func Generalize(key string) string {
	var b strings.Builder
	b.Grow(len(key))
	start := 0
	for i := 0; i <= len(key); i++ {
		if i < len(key) && strings.IndexByte(Delims, key[i]) < 0 {
			continue
		}
		b.WriteString(generalizeSegment(key[start:i]))
		if i < len(key) {
			b.WriteByte(key[i])
		}
		start = i + 1
	}
	return b.String()
}

func generalizeSegment(s string) string {
	if s == "" || s == "*" {
		return s
	}
	if variable(s) && !prefixedID(s) {
		return "*"
	}
	var b strings.Builder
	start, words := 0, false
	for i := 0; i <= len(s); i++ {
		if i < len(s) && strings.IndexByte(subDelims, s[i]) < 0 {
			continue
		}
		tok := s[start:i]
		if tok != "" && (numeric(tok) || hexID(tok) || token(tok)) {
			b.WriteByte('*')
		} else {
			b.WriteString(tok)
			if hasLetter(tok) {
				words = true
			}
		}
		if i < len(s) {
			b.WriteByte(s[i])
		}
		start = i + 1
	}
	if !words { // `123-456`, `1.2.3`: nothing but variable parts
		return "*"
	}
	return b.String()
}

// prefixedID reports whether s is a word, a sub-delimiter and an id
// (`usr_7f3a9c21`, `order-123`): the word is kept, the id generalised.
// Keys whose timestamps hold ':' (`03:04:05`) split into segments; the
// digits still generalise, the `Z` suffix does not.
func prefixedID(s string) bool {
	i := strings.IndexAny(s, subDelims)
	if i <= 0 || i == len(s)-1 {
		return false
	}
	for j := 0; j < i; j++ { // a lowercase word: random tokens mix cases
		if s[j] < 'a' || s[j] > 'z' {
			return false
		}
	}
	return !emailLike(s) && !uuidLike(s)
}

// variable reports whether a whole segment is an identifier-like value.
func variable(s string) bool {
	return numeric(s) || uuidLike(s) || hexID(s) || ulid(s) || emailLike(s) || ipv4(s) || dateLike(s) || token(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }
func isLetter(c byte) bool {
	return (c|0x20) >= 'a' && (c|0x20) <= 'z'
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if isLetter(s[i]) || s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// numeric: an optionally signed integer or decimal.
func numeric(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	dot := false
	for i := 0; i < len(s); i++ {
		switch {
		case isDigit(s[i]):
		case s[i] == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return true
}

// uuidLike: 8-4-4-4-12 hex, or 32 hex digits.
func uuidLike(s string) bool {
	if len(s) == 32 {
		return allHex(s)
	}
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
		} else if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return s != ""
}

// hexID: at least 8 hex digits with a digit among them (`7f3a9c21`), or at
// least 16 of any hex (a digest); `deadbeef`-like words stay.
func hexID(s string) bool {
	if len(s) < 8 || !allHex(s) {
		return false
	}
	if len(s) >= 16 {
		return true
	}
	return strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0
}

// ulid: 26 characters of Crockford base32 with digits and letters.
func ulid(s string) bool {
	if len(s) != 26 {
		return false
	}
	var digits, letters int
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			digits++
		case c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U':
			letters++
		default:
			return false
		}
	}
	return digits > 0 && letters > 0
}

func emailLike(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	dom := s[at+1:]
	dot := strings.IndexByte(dom, '.')
	return dot > 0 && dot < len(dom)-1 && !strings.ContainsAny(s, " \t")
}

func ipv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 {
			return false
		}
		n := 0
		for i := 0; i < len(p); i++ {
			if !isDigit(p[i]) {
				return false
			}
			n = n*10 + int(p[i]-'0')
		}
		if n > 255 {
			return false
		}
	}
	return true
}

// dateLike: YYYY-MM-DD, optionally followed by a time (`2026-01-02T03:04Z`).
func dateLike(s string) bool {
	if len(s) < 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		if i == 4 || i == 7 {
			if s[i] != '-' {
				return false
			}
		} else if !isDigit(s[i]) {
			return false
		}
	}
	if len(s) == 10 {
		return true
	}
	if s[10] != 'T' && s[10] != 't' && s[10] != ' ' && s[10] != '_' {
		return false
	}
	for i := 11; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && !strings.ContainsRune("-+.ZzT", rune(c)) {
			return false
		}
	}
	return true
}

// token: a random-looking string of at least 12 characters mixing letters
// and digits with at least three letter/digit switches (session ids,
// API tokens): `AbC9dE2fG7hJ`, but not `user_profile_v2`.
func token(s string) bool {
	if len(s) < 12 {
		return false
	}
	var digits, letters, switches int
	prev := byte(0) // 'd' digit, 'l' letter
	for i := 0; i < len(s); i++ {
		c := s[i]
		var cls byte
		switch {
		case isDigit(c):
			digits++
			cls = 'd'
		case isLetter(c):
			letters++
			cls = 'l'
		case strings.IndexByte("-_+=/.~", c) >= 0:
			cls = 0
		default:
			return false
		}
		if cls != 0 && prev != 0 && cls != prev {
			switches++
		}
		if cls != 0 {
			prev = cls
		}
	}
	return digits >= 2 && letters >= 2 && switches >= 3
}

// splitKey splits a key name or pattern into segments and the delimiters
// between them (len(delims) == len(segs)-1).
func splitKey(s string) (segs []string, delims []byte) {
	start := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(Delims, s[i]) >= 0 {
			segs = append(segs, s[start:i])
			delims = append(delims, s[i])
			start = i + 1
		}
	}
	return append(segs, s[start:]), delims
}

func joinKey(segs []string, delims []byte) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 {
			b.WriteByte(delims[i-1])
		}
		b.WriteString(s)
	}
	return b.String()
}

// Fits reports whether a key belongs to a key pattern: the same segments
// and delimiters, each pattern segment equal to the key's or a glob over it
// (`*` within one segment; it never crosses a delimiter).
func Fits(key, pattern string) bool {
	ks, kd := splitKey(key)
	ps, pd := splitKey(pattern)
	if len(ks) != len(ps) || string(kd) != string(pd) {
		return false
	}
	for i := range ps {
		if !segGlob(ps[i], ks[i]) {
			return false
		}
	}
	return true
}

// covers reports whether pattern q includes every key pattern p does.
func covers(q, p string) bool {
	qs, qd := splitKey(q)
	ps, pd := splitKey(p)
	if len(qs) != len(ps) || string(qd) != string(pd) {
		return false
	}
	for i := range qs {
		if qs[i] == ps[i] || qs[i] == "*" {
			continue
		}
		if strings.Contains(ps[i], "*") || !segGlob(qs[i], ps[i]) {
			return false
		}
	}
	return true
}

// segGlob matches s against a glob whose only metacharacter is `*`.
func segGlob(glob, s string) bool {
	gi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case gi < len(glob) && glob[gi] == '*':
			star, mark = gi, si
			gi++
		case gi < len(glob) && glob[gi] == s[si]:
			gi++
			si++
		case star >= 0:
			gi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for gi < len(glob) && glob[gi] == '*' {
		gi++
	}
	return gi == len(glob)
}

// MatchGlob is the SCAN MATCH glob for a key pattern: Redis glob
// metacharacters other than `*` are escaped. It may select more keys than
// the pattern (its `*` crosses delimiters); filter them with Fits.
func MatchGlob(pattern string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		if c := pattern[i]; c == '?' || c == '[' || c == ']' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(pattern[i])
	}
	return b.String()
}

// GlobMatch reports whether s matches a Redis glob (`*`, `?`, `[abc]`,
// `[^a-z]`, `\x`), as SCAN MATCH does; it filters keys client-side with a
// store's match option.
func GlobMatch(glob, s string) bool {
	for len(glob) > 0 {
		switch glob[0] {
		case '*':
			for len(glob) > 0 && glob[0] == '*' {
				glob = glob[1:]
			}
			if glob == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if GlobMatch(glob, s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			glob, s = glob[1:], s[1:]
		case '[':
			if s == "" {
				return false
			}
			end, ok := classMatch(glob, s[0])
			if !ok {
				return false
			}
			glob, s = glob[end:], s[1:]
		case '\\':
			if len(glob) >= 2 {
				glob = glob[1:]
			}
			fallthrough
		default:
			if s == "" || s[0] != glob[0] {
				return false
			}
			glob, s = glob[1:], s[1:]
		}
	}
	return s == ""
}

// classMatch matches c against the class at the start of glob ("[...]")
// and returns the class's length.
func classMatch(glob string, c byte) (int, bool) {
	i := 1
	not := i < len(glob) && glob[i] == '^'
	if not {
		i++
	}
	match := false
	for ; i < len(glob) && glob[i] != ']'; i++ {
		switch {
		case glob[i] == '\\' && i+1 < len(glob):
			i++
			match = match || glob[i] == c
		case i+2 < len(glob) && glob[i+1] == '-' && glob[i+2] != ']':
			lo, hi := glob[i], glob[i+2]
			if lo > hi {
				lo, hi = hi, lo
			}
			match = match || (c >= lo && c <= hi)
			i += 2
		default:
			match = match || glob[i] == c
		}
	}
	if i < len(glob) {
		i++ // the closing ']'
	}
	return i, match != not
}
