package personname

import (
	"unicode"
	"unicode/utf8"
)

// Token kinds.
const (
	TokWord  = iota // letters, with inner apostrophes and hyphens (O'Neill, Jean-Luc)
	TokNum          // digits (and words mixing digits and letters: v2, A380)
	TokPunct        // one punctuation rune
	TokLine         // a line break
)

// Token is one token of a text: its kind and byte offsets [Start, End).
// SpaceBefore says whitespace (or the start of the text) precedes it.
type Token struct {
	Start, End  int
	Kind        uint8
	SpaceBefore bool
}

// maxTokens bounds the tokens of one window; longer inputs are tokenised
// in pieces by Find.
const maxTokens = 256

// Tokenize appends the tokens of text to dst and returns it. Offsets are
// byte offsets into text and always fall on UTF-8 boundaries (invalid bytes
// count as one-byte punctuation). It never panics.
func Tokenize(dst []Token, text []byte) []Token {
	n := len(text)
	space := true
	for i := 0; i < n; {
		c := text[i]
		switch {
		case c == '\n':
			dst = append(dst, Token{Start: i, End: i + 1, Kind: TokLine, SpaceBefore: space})
			space = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			space = true
			i++
			continue
		}
		r, w := rune(c), 1
		if c >= 0x80 {
			r, w = utf8.DecodeRune(text[i:])
			if r == 0xA0 || r == 0x202F || r == 0x2009 { // no-break and thin spaces
				space = true
				i += w
				continue
			}
		}
		start := i
		kind := uint8(TokPunct)
		switch {
		case isLetterRune(r):
			i = wordEnd(text, i)
			kind = TokWord
			for k := start; k < i; k++ {
				if text[k] >= '0' && text[k] <= '9' {
					kind = TokNum
					break
				}
			}
		case r >= '0' && r <= '9':
			i = wordEnd(text, i)
			kind = TokNum
		default:
			i += w
		}
		dst = append(dst, Token{Start: start, End: i, Kind: kind, SpaceBefore: space})
		space = false
	}
	return dst
}

func isLetterRune(r rune) bool {
	if r < 0x80 {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
}

// wordEnd returns the end of the word starting at i: letters, digits and
// '_', joined by one apostrophe (' or ’) or hyphen followed by a letter.
func wordEnd(text []byte, i int) int {
	n := len(text)
	for i < n {
		c := text[i]
		if c < 0x80 {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
				i++
				continue
			}
			if c == '\'' && possessive(text[i+1:]) {
				return i
			}
			if (c == '\'' || c == '-') && i+1 < n && startsLetter(text[i+1:]) {
				i++
				continue
			}
			return i
		}
		r, w := utf8.DecodeRune(text[i:])
		if r == '’' && possessive(text[i+w:]) {
			return i
		}
		if r == '’' && i+w < n && startsLetter(text[i+w:]) {
			i += w
			continue
		}
		if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)) {
			return i
		}
		i += w
	}
	return i
}

func startsLetter(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] < 0x80 {
		return b[0] >= 'a' && b[0] <= 'z' || b[0] >= 'A' && b[0] <= 'Z'
	}
	r, _ := utf8.DecodeRune(b)
	return unicode.IsLetter(r)
}

// possessive reports "s" not followed by a letter (Maria's, Jones’s).
func possessive(b []byte) bool {
	return len(b) > 0 && (b[0] == 's' || b[0] == 'S') && (len(b) == 1 || !startsLetter(b[1:]) && !(b[1] >= '0' && b[1] <= '9'))
}
