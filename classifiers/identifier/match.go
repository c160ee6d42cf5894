package identifier

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Digits keeps only the ASCII digits of s.
func Digits(s string) string {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return string(AppendDigits(make([]byte, 0, len(s)), s))
		}
	}
	return s
}

// AppendDigits appends the ASCII digits of s: CellKey of a card or SSN
// cell, and of a record its prefilter searches.
func AppendDigits[T ~string | ~[]byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; isDigit(c) {
			dst = append(dst, c)
		}
	}
	return dst
}

// appendPhoneKey appends the ASCII digits and + characters of s.
func appendPhoneKey(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; isDigit(c) || c == '+' {
			dst = append(dst, c)
		}
	}
	return dst
}

// CellKey normalises a stored structured cell for whole-value comparison
// with canonical values: emails trimmed and lower-cased, phones reduced to
// their ASCII digits and + characters ("+1 (213) 662-5868" is
// "+12136625868"; compare it with PhoneCellForms), cards and SSNs reduced
// to their ASCII digits, IBANs and NINOs to their ASCII letters
// (upper-cased) and digits, other kinds trimmed.
func CellKey(kind, cell string) string {
	switch kind {
	case Email:
		return strings.ToLower(strings.TrimSpace(cell))
	case Phone:
		return string(appendPhoneKey(make([]byte, 0, len(cell)), cell))
	case Card, SSN, IBAN, NINO:
		return numberCellKey(kind, cell)
	}
	return strings.TrimSpace(cell)
}

// MatchCell reports whether one structured cell holds one of the
// canonical values (Parse output; values Parse refuses are ignored):
//
//   - email: CellKey equal, or the value occurs as a whole email token
//     inside the cell (TextSpans);
//   - phone: the cell's CellKey (its digits and + characters) is one of
//     PhoneCellForms(values, region), or a phone token inside the cell
//     matches (TextSpans);
//   - card, SSN, IBAN, NINO: the cell's CellKey equals a value, or a
//     number run (an IBAN or NINO run) inside the cell matches (TextSpans);
//   - other kinds: the trimmed cell equals the value exactly (a whole
//     value: "1" never matches "10").
func MatchCell(kind, cell string, values []string, region string) bool {
	switch kind {
	case Email:
		ns := emailNeedles(values)
		if len(ns) == 0 {
			return false
		}
		key := CellKey(Email, cell)
		for _, n := range ns {
			if n.v == key {
				return true
			}
		}
		return emailSpans(cell, ns, true) != nil
	case Phone:
		var buf, ibuf [16]string
		ps, ok := newPhoneSet(values, region, &buf, &ibuf)
		if !ok {
			return false
		}
		var kbuf [64]byte
		if ps.hasKey(appendPhoneKey(kbuf[:0], cell)) {
			return true
		}
		return phoneSpans(cell, &ps, true) != nil
	case Card, SSN, IBAN, NINO:
		return matchNumberCell(kind, cell, values)
	}
	t := strings.TrimSpace(cell)
	for _, v := range values {
		if c, err := parseKey(kind, v); err == nil && c == t {
			return true
		}
	}
	return false
}

// Span is a byte range [Start, End).
type Span struct{ Start, End int }

// TextSpans returns the sorted, merged spans of text where one of the
// canonical values (Parse output; refused values are ignored) occurs as a
// whole token of kind. The package documentation gives the token rules of
// each kind. Overlapping or touching spans are merged.
func TextSpans(kind, text string, values []string, region string) []Span {
	switch kind {
	case Email:
		return mergeSpans(emailSpans(text, emailNeedles(values), false))
	case Phone:
		var buf, ibuf [16]string
		ps, ok := newPhoneSet(values, region, &buf, &ibuf)
		if !ok {
			return nil
		}
		return mergeSpans(phoneSpans(text, &ps, false))
	case Card, SSN, IBAN, NINO:
		return mergeSpans(numberSpans(kind, text, numberNeedles(kind, values), false))
	}
	return mergeSpans(keySpans(text, keyNeedles(kind, values), false))
}

// Distinctive reports whether a key value (user_id and other non-email,
// non-phone kinds) is specific enough to search for in free text: at least
// 6 characters mixing letters and ASCII digits (usr_7f3a9c21, a UUID), or
// all ASCII digits and at least 10 of them. TextSpans ignores key values
// that are not Distinctive.
func Distinctive(key string) bool {
	n := utf8.RuneCountInString(key)
	if n < 6 {
		return false
	}
	letters, digits, allDigits := false, false, true
	for _, r := range key {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case unicode.IsLetter(r):
			letters = true
			allDigits = false
		default:
			allDigits = false
		}
	}
	return letters && digits || allDigits && n >= 10
}

// Byte classes of the token rules.
const (
	cDigit       = 1 << iota // 0-9
	cWord                    // A-Z a-z 0-9 _
	cEmailLocal              // A-Z a-z 0-9 . _ % + -
	cEmailDomain             // A-Z a-z 0-9 _ % + -
	cSep                     // space - . ( ) /
	cAlnum                   // A-Z a-z 0-9
	cStart                   // 0-9 + (where a phone run may start)
)

var class = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		alnum := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
		if alnum {
			t[c] |= cAlnum | cWord | cEmailLocal | cEmailDomain
		}
		if b >= '0' && b <= '9' {
			t[c] |= cDigit | cStart
		}
		if b == '+' {
			t[c] |= cStart
		}
		if b == '_' {
			t[c] |= cWord
		}
		if strings.IndexByte("._%+-", b) >= 0 {
			t[c] |= cEmailLocal
		}
		if strings.IndexByte("_%+-", b) >= 0 {
			t[c] |= cEmailDomain
		}
		if strings.IndexByte(" -.()/", b) >= 0 {
			t[c] |= cSep
		}
	}
	return t
}()

// The byte classes of the token rules, exported so that extractors which
// must over-approximate these rules (scanner/idfilter) read them from here
// rather than keeping their own.

// IsEmailLocalByte reports whether c may stand in an email's local part
// (a token boundary never falls before it): A-Z a-z 0-9 . _ % + -.
func IsEmailLocalByte(c byte) bool { return class[c]&cEmailLocal != 0 }

// IsEmailDomainByte reports whether c may continue an email's domain (a
// token boundary never falls before it): A-Z a-z 0-9 _ % + -.
func IsEmailDomainByte(c byte) bool { return class[c]&cEmailDomain != 0 }

// IsPhoneSep reports whether c joins the digit groups of a phone run:
// space - . ( ) /.
func IsPhoneSep(c byte) bool { return class[c]&cSep != 0 }

// IsWordByte reports whether c is a word byte: A-Z a-z 0-9 _.
func IsWordByte(c byte) bool { return class[c]&cWord != 0 }

func isDigit(c byte) bool { return class[c]&cDigit != 0 }
func isSep(c byte) bool   { return class[c]&cSep != 0 }
func isWord(c byte) bool  { return class[c]&cWord != 0 }

// --- emails ---

// emailNeedle is a canonical email, the index of its @, which the text is
// searched for, and whether it holds non-ASCII bytes (then the text around
// an @ is compared rune by rune, with Unicode case folding).
type emailNeedle struct {
	v       string
	at      int
	unicode bool
}

func emailNeedles(values []string) []emailNeedle {
	var ns []emailNeedle
	for _, v := range values {
		c, err := parseEmail(v)
		if err != nil || slices.ContainsFunc(ns, func(n emailNeedle) bool { return n.v == c }) {
			continue
		}
		ns = append(ns, emailNeedle{v: c, at: strings.IndexByte(c, '@'), unicode: !isASCII(c)})
	}
	return ns
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// emailSpans finds, at each @ of text, the needles occurring there (an
// ASCII-only needle ignoring ASCII case, one holding non-ASCII bytes rune
// by rune with foldRune), with email token boundaries. With first it
// returns at the first span.
func emailSpans(text string, ns []emailNeedle, first bool) []Span {
	if len(ns) == 0 {
		return nil
	}
	var spans []Span
	for off := 0; off < len(text); {
		i := strings.IndexByte(text[off:], '@')
		if i < 0 {
			break
		}
		at := off + i
		off = at + 1
		for _, n := range ns {
			var s, e int
			if n.unicode {
				var ok bool
				if s, e, ok = foldAt(text, at, n); !ok {
					continue
				}
			} else {
				s, e = at-n.at, at-n.at+len(n.v)
				if s < 0 || e > len(text) || !equalLowerASCII(text[s:e], n.v) {
					continue
				}
			}
			if !emailBoundary(text, s, e) {
				continue
			}
			spans = append(spans, Span{s, e})
			if first {
				return spans
			}
		}
	}
	return spans
}

// equalLowerASCII reports whether s, with ASCII letters lower-cased,
// equals lower.
func equalLowerASCII(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// foldAt reports whether the needle occurs in text with its @ at text[at]:
// the runes before the @ (walked backwards) and after it match the
// needle's local part and domain rune by rune (foldRune), and it returns
// the window [s, e), whose byte length may differ from the needle's (a
// KELVIN SIGN, 3 bytes, stands for k). ASCII pairs are compared as bytes.
func foldAt(text string, at int, n emailNeedle) (s, e int, ok bool) {
	v := n.v
	i, k := at, n.at
	for k > 0 {
		if i == 0 {
			return 0, 0, false
		}
		if c, vc := text[i-1], v[k-1]; c < utf8.RuneSelf && vc < utf8.RuneSelf {
			if lowerASCII(c) != vc {
				return 0, 0, false
			}
			i, k = i-1, k-1
			continue
		}
		r, size := utf8.DecodeLastRuneInString(text[:i])
		vr, vsize := utf8.DecodeLastRuneInString(v[:k])
		if !foldRune(r, vr) {
			return 0, 0, false
		}
		i, k = i-size, k-vsize
	}
	j, k := at+1, n.at+1
	for k < len(v) {
		if j >= len(text) {
			return 0, 0, false
		}
		if c, vc := text[j], v[k]; c < utf8.RuneSelf && vc < utf8.RuneSelf {
			if lowerASCII(c) != vc {
				return 0, 0, false
			}
			j, k = j+1, k+1
			continue
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		vr, vsize := utf8.DecodeRuneInString(v[k:])
		if !foldRune(r, vr) {
			return 0, 0, false
		}
		j, k = j+size, k+vsize
	}
	return i, j, true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldRune reports whether the text rune r may stand for the needle rune
// v (a rune of a lower-cased value): they are equal under simple Unicode
// case folding (strings.EqualFold: Ö and ö, KELVIN SIGN and k, ſ and s),
// or r lower-cases to v (unicode.ToLower; only İ U+0130, which lower-cases
// to i without folding to it, needs this). An invalid byte (RuneError)
// matches nothing: canonical values hold no U+FFFD.
func foldRune(r, v rune) bool {
	if r == v {
		return true
	}
	if unicode.ToLower(r) == v {
		return true
	}
	for t := unicode.SimpleFold(r); t != r; t = unicode.SimpleFold(t) {
		if t == v {
			return true
		}
	}
	return false
}

// emailBoundary: the byte before is not an email local-part byte; the byte
// after is not a domain byte nor @, and a dot after is followed by a
// non-alphanumeric byte or the end.
func emailBoundary(s string, start, end int) bool {
	if start > 0 && class[s[start-1]]&cEmailLocal != 0 {
		return false
	}
	if end < len(s) {
		c := s[end]
		if c == '.' {
			return end+1 >= len(s) || class[s[end+1]]&cAlnum == 0
		}
		if class[c]&cEmailDomain != 0 || c == '@' {
			return false
		}
	}
	return true
}

// --- keys ---

func keyNeedles(kind string, values []string) []string {
	var ns []string
	for _, v := range values {
		c, err := parseKey(kind, v)
		if err != nil || !Distinctive(c) || slices.Contains(ns, c) {
			continue
		}
		ns = append(ns, c)
	}
	return ns
}

// keySpans finds the exact occurrences of the needles with a non-word byte
// or an edge on both sides.
func keySpans(text string, ns []string, first bool) []Span {
	var spans []Span
	for _, v := range ns {
		for off := 0; off+len(v) <= len(text); {
			i := strings.Index(text[off:], v)
			if i < 0 {
				break
			}
			s, e := off+i, off+i+len(v)
			off = s + 1
			if (s == 0 || !isWord(text[s-1])) && (e == len(text) || !isWord(text[e])) {
				spans = append(spans, Span{s, e})
				if first {
					return spans
				}
			}
		}
	}
	return spans
}

// --- phones ---

// hasKey reports whether a cell key (digits and + characters) is one of
// the PhoneCellForms: + and an international form, or a form.
func (ps *phoneSet) hasKey(k []byte) bool {
	if len(k) > 0 && k[0] == '+' {
		return ps.intl.has(k[1:]) // a second + makes it no form
	}
	return ps.all.has(k)
}

// phoneSpans walks the phone runs of text (see the package documentation)
// in one pass and returns those whose digits are one of the forms: the
// international forms for a run starting with +, any form for one
// starting with a digit. Only a run with a digit count some form it is
// compared with has, and valid boundaries, has its digits collected and
// compared.
func phoneSpans(text string, ps *phoneSet, first bool) []Span {
	var spans []Span
	var dbuf [64]byte
	n := len(text)
	for i := 0; i < n; {
		for i < n && class[text[i]]&cStart == 0 {
			i++
		}
		if i >= n {
			break
		}
		start, j := i, i
		fs := &ps.all
		if text[i] == '+' {
			// + and up to two separators before the first digit
			k := i + 1
			for k < n && k-i <= 2 && class[text[k]]&cSep != 0 {
				k++
			}
			if k >= n || class[text[k]]&cDigit == 0 {
				i++
				continue
			}
			j = k
			fs = &ps.intl
		}
		// Extend the run over digit groups joined by one or two separators.
		nd := 0
		for {
			g := j
			for j < n && class[text[j]]&cDigit != 0 {
				j++
			}
			nd += j - g
			k := j
			for k < n && k-j < 3 && class[text[k]]&cSep != 0 {
				k++
			}
			if k == j || k-j > 2 || k >= n || class[text[k]]&cDigit == 0 {
				break
			}
			j = k
		}
		// The run is [start, j). No digit inside it can start another.
		i = j
		intl := fs == &ps.intl
		// Cheap tests first: the whole run may be a form, or a closed
		// form may be its first part (it has more digits than the
		// shortest).
		whole := (j >= n || !isWord(text[j])) && fs.mayHave(nd, intl, false)
		head := fs.closedLens != 0 && nd > bits.TrailingZeros64(fs.closedLens)
		if nd >= 64 || !whole && !head || !runStartOK(text, start) {
			continue
		}
		end := -1
		if whole && fs.has(runDigits(text[start:j], dbuf[:0], intl)) {
			end = j
		}
		if end < 0 && head {
			// A closed value's number followed by a digit group across a
			// space: "+1 213 662 5868 12 items". The run's first part up
			// to a group end, shortest first.
			c := 0 // digits in text[start:g]
			for g := start + 1; g < j; g++ {
				if !isDigit(text[g-1]) {
					continue
				}
				c++
				if !isDigit(text[g]) && spacedGap(text, g) && fs.mayHave(c, intl, true) && fs.hasClosed(runDigits(text[start:g], dbuf[:0], intl)) {
					end = g
					break
				}
			}
		}
		if end >= 0 {
			spans = append(spans, Span{start, end})
			if first {
				return spans
			}
		}
	}
	return spans
}

// spacedGap reports whether the separators of a run at g (one or two)
// hold a space: "5868 12", "5868, 12" is no run, "5868-12" or "5868.5"
// is not spaced.
func spacedGap(text string, g int) bool {
	return text[g] == ' ' || g+1 < len(text) && text[g+1] == ' '
}

// runDigits appends the digits of a run, or of its first part, to dst;
// for a run written with a leading + (intl), with the trunk 0 in brackets
// after the country code left out.
func runDigits(run string, dst []byte, intl bool) []byte {
	d := AppendDigits(dst, run)
	if intl {
		// "+44 (0)20 7946 0999"
		d = dropBracketedTrunk(run, d)
	}
	return d
}

// dropBracketedTrunk returns the digits d of a run written with a leading
// + with the trunk 0 left out when the run writes it in brackets right
// after the country code ("+44 (0)20 7946 0999", "+49(0)89 1234567",
// "+31 (0) 20 123 4567"), and d unchanged otherwise. The country code is
// the first one to three digits that are a calling code (calling codes
// are prefix-free); the 0 must be that many digits in, with '(' just
// before it and ')' just after. PhoneTokenPattern mirrors this with
// trunkGap.
func dropBracketedTrunk(run string, d []byte) []byte {
	nd := 0
	for i := 1; i+1 < len(run) && nd <= 3; i++ {
		if !isDigit(run[i]) {
			continue
		}
		if run[i] == '0' && run[i-1] == '(' && run[i+1] == ')' {
			if nd >= 1 && callingCodeLen(d) == nd {
				return append(d[:nd], d[nd+1:]...)
			}
			return d
		}
		nd++
	}
	return d
}

// callingCodeLen is the length of the calling code that digits d start
// with (1 to 3), or 0.
func callingCodeLen(d []byte) int {
	cc := 0
	for k := 0; k < 3 && k < len(d); k++ {
		cc = cc*10 + int(d[k]-'0')
		if cc > 0 && phonenumbers.GetRegionCodeForCountryCode(cc) != phonenumbers.UNKNOWN_REGION {
			return k + 1
		}
	}
	return 0
}

// runStartOK: a run starting with + is not preceded by [A-Za-z0-9_+]; one
// starting with a digit is not either, nor by a digit or a + and one or
// two separators (it would be part of a longer run, or of a + run).
func runStartOK(s string, start int) bool {
	if start == 0 {
		return true
	}
	p := s[start-1]
	if isWord(p) || p == '+' {
		return false
	}
	if s[start] == '+' || !isSep(p) || start < 2 {
		return true
	}
	q := s[start-2]
	if isDigit(q) || q == '+' {
		return false
	}
	if isSep(q) && start >= 3 {
		if r := s[start-3]; isDigit(r) || r == '+' {
			return false
		}
	}
	return true
}

// mergeSpans sorts spans and merges the overlapping or touching ones.
func mergeSpans(spans []Span) []Span {
	if len(spans) < 2 {
		return spans
	}
	slices.SortFunc(spans, func(a, b Span) int { return cmp.Compare(a.Start, b.Start) })
	out := spans[:1]
	for _, sp := range spans[1:] {
		last := &out[len(out)-1]
		if sp.Start <= last.End {
			last.End = max(last.End, sp.End)
			continue
		}
		out = append(out, sp)
	}
	return out
}
