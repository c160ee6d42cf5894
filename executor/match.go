package executor

import (
	"strings"

	"github.com/piimap/piimap"
)

// The matching rules below are the one definition every handler follows, so
// that a Find, an Erase and a Verify agree on which rows are the subject's.
// SQL handlers translate them into SQL (see MatchSQL helpers in their
// packages); streaming handlers call these functions directly.

// NormalizeValue canonicalises an identifier value of a kind for
// comparison: emails are trimmed and lower-cased, phones reduced to their
// digits, everything else trimmed.
func NormalizeValue(kind, v string) string {
	v = strings.TrimSpace(v)
	switch kind {
	case piimap.KeyEmail:
		return strings.ToLower(v)
	case piimap.KeyPhone:
		return PhoneDigits(v)
	}
	return v
}

// PhoneDigits keeps only the digits of a phone number.
func PhoneDigits(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// minPhoneDigits is the shortest digit string compared as a phone number;
// shorter ones would match unrelated numbers.
const minPhoneDigits = 7

// MatchValue reports whether one cell value v matches m: equal after
// normalisation, or, for emails and phones, containing one of the values as
// a whole token (so "login by ann@x.org failed" matches ann@x.org).
func (m Match) MatchValue(v string) bool {
	if v == "" {
		return false
	}
	nv := NormalizeValue(m.Kind, v)
	for _, want := range m.Values {
		w := NormalizeValue(m.Kind, want)
		if w == "" {
			continue
		}
		if m.Kind == piimap.KeyPhone && len(w) < minPhoneDigits {
			continue
		}
		if nv == w {
			return true
		}
	}
	if m.Kind == piimap.KeyEmail || m.Kind == piimap.KeyPhone {
		return len(TokenSpans(m.Kind, v, m.Values)) > 0
	}
	return false
}

// Span is a byte range [Start, End) inside a line or value.
type Span struct{ Start, End int }

// TokenSpans returns the non-overlapping byte ranges of s where one of
// values occurs as a whole token of the given kind, in order. Emails compare
// case-insensitively (ASCII) and a token ends at a character that cannot
// continue an email (a trailing sentence dot does not). Other kinds compare
// exactly and need non-word characters (or the edges) on both sides.
func TokenSpans(kind, s string, values []string) []Span {
	var spans []Span
	hay := s
	if kind == piimap.KeyEmail {
		hay = asciiLower(s)
	}
	for _, raw := range values {
		v := strings.TrimSpace(raw)
		if kind == piimap.KeyEmail {
			v = asciiLower(v)
		}
		if v == "" || (kind == piimap.KeyPhone && len(PhoneDigits(v)) < minPhoneDigits) {
			continue
		}
		for from := 0; from <= len(hay)-len(v); {
			i := strings.Index(hay[from:], v)
			if i < 0 {
				break
			}
			start, end := from+i, from+i+len(v)
			if tokenBoundary(kind, hay, start, end) {
				spans = append(spans, Span{start, end})
				from = end
			} else {
				from = start + 1
			}
		}
	}
	return mergeSpans(spans)
}

func tokenBoundary(kind, s string, start, end int) bool {
	if kind == piimap.KeyEmail {
		if start > 0 && emailLocalByte(s[start-1]) {
			return false
		}
		if end < len(s) {
			c := s[end]
			if c == '.' {
				return end+1 >= len(s) || !alnum(s[end+1])
			}
			if emailDomainByte(c) || c == '@' {
				return false
			}
		}
		return true
	}
	if start > 0 && (wordByte(s[start-1]) || (kind == piimap.KeyPhone && s[start-1] == '+')) {
		return false
	}
	if end < len(s) && wordByte(s[end]) {
		return false
	}
	return true
}

func mergeSpans(spans []Span) []Span {
	if len(spans) < 2 {
		return spans
	}
	// insertion sort: span lists are tiny
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].Start < spans[j-1].Start; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	out := spans[:1]
	for _, sp := range spans[1:] {
		last := &out[len(out)-1]
		if sp.Start < last.End {
			if sp.End > last.End {
				last.End = sp.End
			}
			continue
		}
		out = append(out, sp)
	}
	return out
}

// MatchText returns the spans of line matched by any of ms (ms of any
// kind; Field is ignored).
func MatchText(line string, ms []Match) []Span {
	var all []Span
	for _, m := range ms {
		all = append(all, TokenSpans(m.Kind, line, m.Values)...)
	}
	return mergeSpans(all)
}

func alnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
func wordByte(c byte) bool        { return alnum(c) || c == '_' }
func emailLocalByte(c byte) bool  { return alnum(c) || strings.IndexByte("._%+-", c) >= 0 }
func emailDomainByte(c byte) bool { return alnum(c) || c == '-' || c == '_' || c == '%' || c == '+' }

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
