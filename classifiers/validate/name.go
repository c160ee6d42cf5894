package validate

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed names.txt
var namesTxt string

var nameSet = func() map[string]struct{} {
	m := make(map[string]struct{}, 1024)
	for _, line := range strings.Split(namesTxt, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, w := range strings.Fields(line) {
			m[w] = struct{}{}
		}
	}
	return m
}()

// KnownName reports whether w (any case, ASCII-folded) is in the embedded
// list of common given names and surnames.
func KnownName(w string) bool {
	if len(w) < 2 || len(w) > 40 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			w = foldAccents.Replace(w)
			break
		}
	}
	var buf [32]byte
	b := buf[:0]
	for i := 0; i < len(w); i++ {
		c := w[i]
		if isUpper(c) {
			c += 32
		}
		if c == '\'' || c == '-' { // O'Brien, O'Connor
			continue
		}
		b = append(b, c)
	}
	_, ok := nameSet[string(b)]
	return ok
}

// foldAccents maps common Latin accented letters to ASCII (José → Jose).
var foldAccents = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a", "å", "a", "Á", "a", "À", "a", "Â", "a", "Ä", "a", "Ã", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e", "É", "e", "È", "e", "Ê", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i", "Í", "i",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o", "ø", "o", "Ó", "o", "Ö", "o", "Ø", "o",
	"ú", "u", "ù", "u", "û", "u", "ü", "u", "Ú", "u", "Ü", "u",
	"ñ", "n", "Ñ", "n", "ç", "c", "Ç", "c", "ß", "ss", "ł", "l", "Ł", "l", "ś", "s", "ż", "z", "ź", "z", "ć", "c", "ń", "n",
)

// nameTokens splits a candidate name on spaces and commas ("Smith, John").
func nameTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

// NameShape reports whether s is shaped like a personal name: one to five
// tokens of letters (any script, any case, ALL CAPS included) with inner
// hyphens, apostrophes or a trailing dot for initials; no digits; 2–80 bytes.
func NameShape(s string) bool {
	if len(s) < 2 || len(s) > 80 || !utf8.ValidString(s) {
		return false
	}
	toks := nameTokens(s)
	if len(toks) == 0 || len(toks) > 5 {
		return false
	}
	for _, t := range toks {
		letters := 0
		for i, r := range t {
			switch {
			case unicode.IsLetter(r):
				letters++
			case (r == '-' || r == '\'' || r == '’') && i > 0 && i < len(t)-1:
			case r == '.' && i == len(t)-1:
			default:
				return false
			}
		}
		if letters == 0 {
			return false
		}
	}
	return true
}

// PersonName reports whether s is name-shaped and at least one token is a
// known given name or surname. A single token must itself be known.
func PersonName(s string) bool {
	if !NameShape(s) {
		return false
	}
	for _, t := range nameTokens(s) {
		if KnownName(strings.TrimRight(t, ".")) {
			return true
		}
	}
	return false
}

// NameCased reports whether s is written the way people write personal
// names, whether or not they are in the bundled list: NameShape, one to
// four tokens, each starting with an upper-case letter (Title Case, ALL
// CAPS, or a particle such as "van", "de", "d'" between capitalised tokens),
// at least one token of two letters or more, and not a placeholder
// ("Unknown", "N/A", "Test", "None", "Null"). It is for fields whose name
// already says "person name" (the person_name_field rule): the field name
// carries the evidence the list cannot.
func NameCased(s string) bool {
	if !NameShape(s) {
		return false
	}
	toks := nameTokens(s)
	if len(toks) > 4 {
		return false
	}
	long, capped := false, 0
	for i, t := range toks {
		r, _ := utf8.DecodeRuneInString(t)
		if utf8.RuneCountInString(strings.TrimRight(t, ".")) >= 2 {
			long = true
		}
		if unicode.IsUpper(r) {
			capped++
			continue
		}
		// Lower-case particles sit between capitalised tokens only.
		if i == 0 || i == len(toks)-1 || !nameParticles[strings.ToLower(strings.TrimRight(t, "'’"))] {
			return false
		}
	}
	if !long || capped == 0 {
		return false
	}
	return !namePlaceholders[strings.ToLower(strings.Join(toks, " "))]
}

// nameParticles may appear in lower case inside a name (Ludwig van Beethoven).
var nameParticles = map[string]bool{
	"van": true, "von": true, "de": true, "der": true, "den": true, "da": true, "di": true, "del": true, "della": true,
	"du": true, "des": true, "la": true, "le": true, "y": true, "e": true, "bin": true, "ibn": true, "al": true, "ter": true,
	"ten": true, "zu": true, "d": true, "dos": true, "das": true,
}

// namePlaceholders fill name fields without being anyone's name.
var namePlaceholders = map[string]bool{
	"unknown": true, "n/a": true, "na": true, "none": true, "null": true, "nil": true, "test": true, "tester": true,
	"test user": true, "anonymous": true, "anon": true, "guest": true, "admin": true, "user": true, "customer": true,
	"redacted": true, "deleted": true, "tbd": true, "xxx": true, "dummy": true, "sample": true, "example": true,
}
