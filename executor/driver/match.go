package driver

import (
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
)

// The matching rules are classifiers/identifier's: the one definition that
// request intake, plan matching, text matching, identifier filters and
// verification share, so a Find, an Erase and a Verify agree on which rows
// are the subject's. SQL handlers translate them into SQL with the
// identifier package's pattern mirrors; streaming handlers call the
// functions below.

// NormalizeValue canonicalises a cell value of a kind for whole-value
// comparison (identifier.CellKey): emails trimmed and lower-cased, phones
// reduced to their digits and plus signs, everything else trimmed.
func NormalizeValue(kind, v string) string { return identifier.CellKey(kind, v) }

// SQLValues returns m's values normalised for a whole-cell comparison in
// SQL, without duplicates: emails that identifier.Parse accepts (a value it
// refuses matches nowhere in Go, so it must match nowhere in SQL), and
// every other kind's non-empty trimmed values. Phones compare through
// identifier.PhoneCellForms instead.
func (m Match) SQLValues() []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range m.Values {
		n := NormalizeValue(m.Kind, v)
		if m.Kind == piimap.KeyEmail {
			if c, err := identifier.Parse(m.Kind, v, ""); err != nil || c != n {
				continue
			}
		}
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

// PhoneDigits keeps only the digits of a phone number.
func PhoneDigits(v string) string { return identifier.Digits(v) }

// MatchValue reports whether one cell value v matches m. Emails and phones
// follow identifier.MatchCell (a whole normalised value, or a whole token
// inside the cell; phones in E.164 under the match's region); every other
// kind (keys, references, masked forms) compares the trimmed cell with the
// value exactly, so `1` never matches `10`.
func (m Match) MatchValue(v string) bool {
	if v == "" {
		return false
	}
	if identifier.IsIdentifier(m.Kind) {
		return identifier.MatchCell(m.Kind, v, m.Values, m.Region)
	}
	tv := strings.TrimSpace(v)
	for _, want := range m.Values {
		if w := strings.TrimSpace(want); w != "" && tv == w {
			return true
		}
	}
	return false
}

// Span is a byte range [Start, End) inside a line or value.
type Span struct{ Start, End int }

// Spans returns the sorted, merged byte ranges of s where one of m's values
// occurs as a whole token (identifier.TextSpans): emails case-insensitively
// at email boundaries, phones as a whole written number that is one of the
// values in E.164 under m.Region, other kinds only when distinctive
// (identifier.Distinctive) and between non-word bytes. To those it adds
// the spans the scanner's classifier reads as one of the values where the
// matcher's stricter token rules do not (WitnessSpans, witness.go).
func (m Match) Spans(s string) []Span {
	spans := toSpans(identifier.TextSpans(m.Kind, s, m.Values, m.Region))
	if w := m.WitnessSpans(s); len(w) > 0 {
		spans = mergeSpans(append(spans, w...))
	}
	return spans
}

// TokenSpans is Match{Kind: kind, Values: values}.Spans(s), in the default
// phone region; handlers holding a Match call its Spans method instead.
func TokenSpans(kind, s string, values []string) []Span {
	return Match{Kind: kind, Values: values}.Spans(s)
}

func toSpans(in []identifier.Span) []Span {
	if len(in) == 0 {
		return nil
	}
	out := make([]Span, len(in))
	for i, sp := range in {
		out[i] = Span{sp.Start, sp.End}
	}
	return out
}

// MatchText returns the spans of line matched by any of ms (ms of any
// kind; Field is ignored).
func MatchText(line string, ms []Match) []Span {
	var all []Span
	for _, m := range ms {
		all = append(all, m.Spans(line)...)
	}
	return mergeSpans(all)
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
