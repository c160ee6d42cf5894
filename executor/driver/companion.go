package driver

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Companion values. A log line such as
//
//	2026-03-01 ticket 4411 opened by Maria Okonkwo <maria.o@example.net>
//
// is the subject's because it holds their email; redacting the email alone
// would leave their name beside "[REDACTED]". A name cannot find the
// subject by itself (namesakes share it), so it is no identifier the plan
// searches for; but on a line an identifier already attributes to the
// subject it is theirs. Target.Companions carries such values (the
// person_name and postal_address cells of the subject's entity record) and
// LineSpans adds their spans to a line only when Match spans were found on
// it: a namesake's line, or a line holding the name alone, is never
// touched. Addresses match only whole (two words or more).
//
// A companion value matches as a sequence of whole words compared without
// regard to case ("maria okonkwo", "MARIA OKONKWO"), words being runs of
// letters, digits, apostrophes and inner hyphens, and any run of spaces or
// punctuation between them. Each word of a name of two or more letters
// also matches alone when it is written with a capital ("Ms Okonkwo",
// "Maria"), so a common word that is also a given name ("will", "may")
// is left alone in lower case.

// LineSpans returns the spans of line to rewrite for the subject: the
// spans of ms (MatchText) and, only when there are any, the spans of the
// companions (CompanionSpans), merged.
func LineSpans(line string, ms, companions []Match) []Span {
	spans := MatchText(line, ms)
	if len(spans) == 0 || len(companions) == 0 {
		return spans
	}
	return mergeSpans(append(spans, CompanionSpans(line, companions)...))
}

// CompanionSpans returns the spans of line where a companion value occurs
// as whole words (see the package comment above). It does not check that
// the line is the subject's; LineSpans does.
func CompanionSpans(line string, companions []Match) []Span {
	words := lineWords(line)
	if len(words) == 0 {
		return nil
	}
	var out []Span
	for _, m := range companions {
		for _, v := range m.Values {
			vw := valueWords(v)
			if len(vw) == 0 || len(vw) > maxCompanionWords {
				continue // a cell of prose is no name or address
			}
			if m.Kind != KindPersonName {
				if len(vw) > 1 { // a one-word address is no address
					out = append(out, phraseSpans(line, words, vw)...)
				}
				continue
			}
			if len(vw) > 1 {
				out = append(out, phraseSpans(line, words, vw)...)
			}
			for _, w := range vw {
				if utf8.RuneCountInString(w) >= 2 {
					out = append(out, capitalSpans(line, words, w)...)
				}
			}
		}
	}
	return mergeSpans(out)
}

// maxCompanionWords bounds a companion value: a "name" cell holding a
// sentence would otherwise redact every capitalised word of the line.
const maxCompanionWords = 12

// KindPersonName and KindPostalAddress are the companion kinds (the PII
// types of the entity record's cells they come from).
const (
	KindPersonName    = "person_name"
	KindPostalAddress = "postal_address"
)

// phraseSpans finds vw as consecutive words of line.
func phraseSpans(line string, words []Span, vw []string) []Span {
	var out []Span
	for i := 0; i+len(vw) <= len(words); i++ {
		ok := true
		for j, w := range vw {
			sp := words[i+j]
			if !strings.EqualFold(line[sp.Start:sp.End], w) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, Span{words[i].Start, words[i+len(vw)-1].End})
		}
	}
	return out
}

// capitalSpans finds the single word w in line where it is written with an
// upper-case first letter.
func capitalSpans(line string, words []Span, w string) []Span {
	var out []Span
	for _, sp := range words {
		word := line[sp.Start:sp.End]
		if r, _ := utf8.DecodeRuneInString(word); unicode.IsUpper(r) && strings.EqualFold(word, w) {
			out = append(out, sp)
		}
	}
	return out
}

// lineWords returns the word spans of s: runs of letters and digits, with
// apostrophes and hyphens inside a run ("O'Brien", "Jean-Luc") kept.
func lineWords(s string) []Span {
	var out []Span
	start := -1
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '’' || r == '-') && start >= 0 && i+n < len(s) && wordRune(s[i+n:]):
			// inside a word
		default:
			if start >= 0 {
				out = append(out, Span{start, i})
				start = -1
			}
		}
		i += n
	}
	if start >= 0 {
		out = append(out, Span{start, len(s)})
	}
	return out
}

func wordRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// valueWords splits a companion value into its words.
func valueWords(v string) []string {
	sps := lineWords(v)
	out := make([]string, len(sps))
	for i, sp := range sps {
		out[i] = v[sp.Start:sp.End]
	}
	return out
}
