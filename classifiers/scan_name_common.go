package classifiers

import (
	"bytes"
	"unicode"
)

// Capitalised words that are no names. German writes every noun with a
// capital, and any language capitalises the first word of a sentence and
// of a greeting, so the name tagger's cue "a capital the word list does
// not know" fires on "Mein Name", "Damen und Herren", "Lastschrift" or
// "Bestellung": its common-word list is English. The lexicon's commons
// (personname.Lexicon.Common) are such words of German, French and
// Spanish correspondence, never a listed given name or surname. The
// tagger itself is unchanged: a name span all of whose words are commons
// is dropped (addName), and the comma form never takes one for the given
// name ("Kowalski, Tel").

// allCommonWords reports whether every word (a run of letters) of the
// name candidate v is one of the lexicon's commons.
func allCommonWords(v []byte) bool {
	words := 0
	for len(v) > 0 {
		i := bytes.IndexFunc(v, unicode.IsLetter)
		if i < 0 {
			break
		}
		v = v[i:]
		j := bytes.IndexFunc(v, func(r rune) bool { return !unicode.IsLetter(r) })
		if j < 0 {
			j = len(v)
		}
		if !nameLex.Common(v[:j]) {
			return false
		}
		words++
		v = v[j:]
	}
	return words > 0
}
