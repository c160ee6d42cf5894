package identifier

import (
	"slices"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/validate"
)

// Kinds named after their PII types. Users never give them at intake (the
// executor collects them from the subject's entity row), but Parse accepts
// and canonicalises them, and the matchers compare them as numbers.
const (
	Card = piimap.TypeCreditCard // "credit_card"
	IBAN = piimap.TypeIBAN       // "iban"
	SSN  = piimap.TypeUSSSN      // "national_id.us_ssn"
	NINO = piimap.TypeUKNINO     // "national_id.uk_nino"
)

// Numbers are the number kinds, in the order the executor collects them
// from an entity record as needles: cards, IBANs and national ids.
var Numbers = []string{Card, IBAN, SSN, NINO}

// IsNumber reports whether kind is a number kind (Numbers).
func IsNumber(kind string) bool { return slices.Contains(Numbers, kind) }

// Alnum reports whether a number kind is written in letters and digits
// (IBAN, NINO): its key is its ASCII letters, upper-cased, and digits, and
// in text it is a run of letter-and-digit groups joined by single spaces.
// The other number kinds (Card, SSN) are digit runs.
func Alnum(kind string) bool { return kind == IBAN || kind == NINO }

// IsIdentifier reports whether kind is matched by this package's rules
// (MatchCell, TextSpans): email, phone or a number kind. Other kinds are
// keys, compared as whole trimmed values.
func IsIdentifier(kind string) bool { return kind == Email || kind == Phone || IsNumber(kind) }

// maxNumberLen bounds a written card, IBAN, SSN or NINO, separators included.
const maxNumberLen = 64

// parseCard: 13–19 digits once spaces and '-' are removed, Luhn-valid.
func parseCard(raw string) (string, error) {
	d, err := parseDigitsOnly(Card, raw)
	if err != nil {
		return "", err
	}
	if len(d) < 13 || len(d) > 19 {
		return "", refuse(Card, "not 13 to 19 digits")
	}
	if !validate.Luhn(d) {
		return "", refuse(Card, "fails the Luhn check")
	}
	return d, nil
}

// parseSSN: 9 digits once spaces and '-' are removed, valid under the SSA
// rules (validate.SSN).
func parseSSN(raw string) (string, error) {
	d, err := parseDigitsOnly(SSN, raw)
	if err != nil {
		return "", err
	}
	if len(d) != 9 {
		return "", refuse(SSN, "not 9 digits")
	}
	if !validate.SSN(d) {
		return "", refuse(SSN, "not a valid SSN under the SSA rules")
	}
	return d, nil
}

// parseDigitsOnly returns the digits of raw, refusing anything but ASCII
// digits, spaces and '-'.
func parseDigitsOnly(kind, raw string) (string, error) {
	if len(raw) > maxNumberLen {
		return "", refuse(kind, "longer than 64 bytes")
	}
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case isDigit(c):
			b = append(b, c)
		case c == ' ' || c == '-':
		default:
			return "", refuse(kind, "holds characters other than digits, spaces and -")
		}
	}
	if len(b) == 0 {
		return "", refuse(kind, reasonEmpty)
	}
	return string(b), nil
}

// parseIBAN: ASCII letters and digits once spaces are removed, upper-cased,
// passing validate.IBAN (country, length, mod-97).
func parseIBAN(raw string) (string, error) {
	return parseAlnum(IBAN, raw, validate.IBAN, "not a valid IBAN (country, length or mod-97 check)")
}

// parseNINO: ASCII letters and digits once spaces are removed, upper-cased,
// passing validate.NINO (two prefix letters of the allowed set, six
// digits, a suffix A–D): "AB 12 34 56 C" is "AB123456C".
func parseNINO(raw string) (string, error) {
	return parseAlnum(NINO, raw, validate.NINO, "not a valid UK National Insurance number")
}

// parseAlnum reduces raw to its ASCII letters (upper-cased) and digits,
// refusing anything but those and spaces, and checks the result with
// valid.
func parseAlnum(kind, raw string, valid func(string) bool, invalid string) (string, error) {
	if len(raw) > maxNumberLen {
		return "", refuse(kind, "longer than 64 bytes")
	}
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == ' ':
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case class[c]&cAlnum != 0:
			b = append(b, c)
		default:
			return "", refuse(kind, "holds characters other than letters, digits and spaces")
		}
	}
	if len(b) == 0 {
		return "", refuse(kind, reasonEmpty)
	}
	s := string(b)
	if !valid(s) {
		return "", refuse(kind, invalid)
	}
	return s, nil
}

// AppendAlnumKey appends the ASCII letters (upper-cased) and digits of s:
// CellKey of an IBAN or NINO cell, and of a record its prefilter searches.
func AppendAlnumKey[T ~string | ~[]byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			dst = append(dst, c-'a'+'A')
		case class[c]&cAlnum != 0:
			dst = append(dst, c)
		}
	}
	return dst
}

// numberNeedles parses the values of a number kind, dropping refused ones
// and duplicates.
func numberNeedles(kind string, values []string) []string {
	var ns []string
	for _, v := range values {
		c, err := Parse(kind, v, "")
		if err != nil || slices.Contains(ns, c) {
			continue
		}
		ns = append(ns, c)
	}
	return ns
}

// numberCellKey is CellKey for the number kinds.
func numberCellKey(kind, cell string) string {
	if Alnum(kind) {
		return string(AppendAlnumKey(make([]byte, 0, len(cell)), cell))
	}
	return Digits(cell)
}

func matchNumberCell(kind, cell string, values []string) bool {
	ns := numberNeedles(kind, values)
	if len(ns) == 0 {
		return false
	}
	if slices.Contains(ns, numberCellKey(kind, cell)) {
		return true
	}
	return numberSpans(kind, cell, ns, true) != nil
}

func numberSpans(kind, text string, ns []string, first bool) []Span {
	if len(ns) == 0 {
		return nil
	}
	if Alnum(kind) {
		return ibanSpans(text, ns, first)
	}
	return digitRunSpans(text, ns, first, kind == Card)
}

// isNumSep reports whether c joins the digit groups of a number run: ' '
// and '-', and '.' too in a card's runs when dots is set.
func isNumSep(c byte, dots bool) bool { return c == ' ' || c == '-' || dots && c == '.' }

// cardJoin returns the length of a card's wide join at text[j:], two
// spaces or " - ", when a digit follows it, else 0. People write "4111
// 1111 1111 1111" with a doubled space and "4111 - 1111 - 1111 - 1111";
// both are soft joins, like a single space (a sequence may leave groups
// joined by one out, as the text scanner reports "9 - 4111 1111 1111
// 1111"). SSNs take no wide joins.
func cardJoin(text string, j int) int {
	switch {
	case j+2 < len(text) && text[j] == ' ' && text[j+1] == ' ' && isDigit(text[j+2]):
		return 2
	case j+3 < len(text) && text[j] == ' ' && text[j+1] == '-' && text[j+2] == ' ' && isDigit(text[j+3]):
		return 3
	}
	return 0
}

// needleLens returns the set of the lengths (below 64) of ns as a bit mask,
// and the longest of them.
func needleLens(ns []string) (lens uint64, longest int) {
	for _, v := range ns {
		if len(v) < 64 {
			lens |= 1 << len(v)
			longest = max(longest, len(v))
		}
	}
	return lens, longest
}

// digitRunSpans walks the digit groups of text and returns every sequence
// of whole groups of a number run (digit groups joined by single ' ' or
// '-', and when dots is set, for cards, by '.', two spaces or " - ") whose
// digits are one of ns, that no word byte touches, and that is joined to
// the rest of its run (if any) by spaces on either side. The rule is local
// to the sequence's edges, so no run is collected: each group that may
// start a sequence is extended group by group until its digits outgrow
// the longest value.
func digitRunSpans(text string, ns []string, first, dots bool) []Span {
	lens, longest := needleLens(ns)
	var spans []Span
	var dbuf [64]byte
	n := len(text)
	for i := 0; i < n; {
		for i < n && !isDigit(text[i]) {
			i++
		}
		if i >= n {
			break
		}
		start := i
		for i < n && isDigit(text[i]) {
			i++
		}
		// A sequence starts here unless a word byte precedes the group or a
		// hard join ('-', or a card's '.') joins it to a group before it.
		if start > 0 {
			p := text[start-1]
			if isWord(p) || p != ' ' && isNumSep(p, dots) && start >= 2 && isDigit(text[start-2]) {
				continue
			}
		}
		d := dbuf[:0]
		for j := start; ; {
			g := j
			for j < n && isDigit(text[j]) {
				j++
			}
			if len(d)+j-g > longest {
				break
			}
			d = append(d, text[g:j]...)
			if lens&(1<<len(d)) != 0 && (j == n || !isWord(text[j]) && !(text[j] != ' ' && isNumSep(text[j], dots) && j+1 < n && isDigit(text[j+1]))) &&
				slices.Contains(ns, string(d)) {
				spans = append(spans, Span{start, j})
				if first {
					return spans
				}
			}
			if j+1 < n && isNumSep(text[j], dots) && isDigit(text[j+1]) {
				j++
				continue
			}
			if w := cardJoin(text, j); dots && w > 0 {
				j += w
				continue
			}
			break
		}
	}
	return spans
}

// ibanSpans walks the [A-Za-z0-9] groups of text and returns every
// sequence of whole groups joined by single spaces whose upper-cased
// characters are one of ns and that no word byte touches. Like
// digitRunSpans, each group that may start a sequence is extended group by
// group until its key outgrows the longest value.
func ibanSpans(text string, ns []string, first bool) []Span {
	lens, longest := needleLens(ns)
	var spans []Span
	var kbuf [64]byte
	n := len(text)
	alnum := func(c byte) bool { return class[c]&cAlnum != 0 }
	for i := 0; i < n; {
		for i < n && !alnum(text[i]) {
			i++
		}
		if i >= n {
			break
		}
		start := i
		for i < n && alnum(text[i]) {
			i++
		}
		if start > 0 && isWord(text[start-1]) { // an '_' before the group
			continue
		}
		k := kbuf[:0]
		for j := start; ; {
			g := j
			for j < n && alnum(text[j]) {
				j++
			}
			if len(k)+j-g > longest {
				break
			}
			k = AppendAlnumKey(k, text[g:j])
			if lens&(1<<len(k)) != 0 && (j == n || !isWord(text[j])) && slices.Contains(ns, string(k)) {
				spans = append(spans, Span{start, j})
				if first {
					return spans
				}
			}
			if j+1 < n && text[j] == ' ' && alnum(text[j+1]) {
				j++
				continue
			}
			break
		}
	}
	return spans
}
