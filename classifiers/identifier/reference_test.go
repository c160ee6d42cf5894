package identifier

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// --- the slow reference: the definitions of doc.go, checked literally on
// every substring ---

const (
	refAlnum       = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	refWord        = refAlnum + "_"
	refEmailLocal  = refAlnum + "._%+-"
	refEmailDomain = refAlnum + "_%+-"
	refDigits      = "0123456789"
	refSep         = " -.()/"
)

func in(set string, c byte) bool { return strings.IndexByte(set, c) >= 0 }

func refLowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func refSpans(kind, text string, values []string, region string) []Span {
	n := len(text)
	var spans []Span
	switch kind {
	case Email:
		var vs []string
		for _, v := range values {
			if c, err := Parse(Email, v, ""); err == nil {
				vs = append(vs, c)
			}
		}
		ml := 0 // a window has at most 4 bytes per rune of the value
		for _, v := range vs {
			ml = max(ml, 4*len(v))
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j <= n && j-i <= ml; j++ {
				for _, v := range vs {
					if !refEmailEqual(text[i:j], v) {
						continue
					}
					if i > 0 && in(refEmailLocal, text[i-1]) {
						continue
					}
					if j < n {
						if c := text[j]; c == '.' {
							if j+1 < n && in(refAlnum, text[j+1]) {
								continue
							}
						} else if in(refEmailDomain, c) || c == '@' {
							continue
						}
					}
					spans = append(spans, Span{i, j})
				}
			}
		}
	case Phone:
		forms, intl := refPhoneForms(values, region)
		closed, closedIntl := refClosedForms(values, region)
		for i := 0; i < n; i++ {
			for j := i + 1; j <= n; j++ {
				if j-i > 1 && !in(refDigits+refSep, text[j-1]) {
					break // no run starting at i holds this byte
				}
				fs, is := forms, intl
				if !refRun(text, i, j) {
					// or the first part of a run, a closed value's number
					// and then a digit group across a space
					if !refRunHead(text, i, j) {
						continue
					}
					fs, is = closed, closedIntl
				}
				// a run written with + is an international number
				if d := refDigitsOf(text[i:j]); text[i] == '+' && (is[d] || is[refTrunkDropped(text[i:j])]) || text[i] != '+' && fs[d] {
					spans = append(spans, Span{i, j})
				}
			}
		}
	default:
		vs := map[string]bool{}
		for _, v := range values {
			if c, err := Parse(kind, v, ""); err == nil && Distinctive(c) {
				vs[c] = true
			}
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j <= n && j-i <= maxLen(vs); j++ {
				if vs[text[i:j]] && (i == 0 || !in(refWord, text[i-1])) && (j == n || !in(refWord, text[j])) {
					spans = append(spans, Span{i, j})
				}
			}
		}
	}
	return refMerge(spans)
}

// refPhoneForms returns the PhoneForms of the valid values in region, and
// their international forms: the digits of each valid value's canonical
// (E.164) form, country code and NSN.
func refPhoneForms(values []string, region string) (forms, intl map[string]bool) {
	forms, intl = map[string]bool{}, map[string]bool{}
	for _, v := range values {
		fs := PhoneForms(v, region)
		for _, f := range fs {
			forms[f] = true
		}
		if c, err := Parse(Phone, v, ""); len(fs) > 0 && err == nil {
			if d := refDigitsOf(c); len(d) >= minPhoneDigits {
				intl[d] = true
			}
		}
	}
	return forms, intl
}

// refTrunkDropped returns the digits of a run written with + whose first
// "(0)" comes right after the country code (libphonenumber's reading of
// the digits), with that 0 left out; "" when there is none.
func refTrunkDropped(run string) string {
	at := strings.Index(run, "(0)")
	if at < 0 {
		return ""
	}
	before := refDigitsOf(run[:at])
	num, err := phonenumbers.Parse("+"+refDigitsOf(run), "ZZ")
	if err != nil || before == "" || strconv.Itoa(int(num.GetCountryCode())) != before {
		return ""
	}
	return before + refDigitsOf(run[at+3:])
}

// refClosedForms is refPhoneForms of the values whose NSN is as long as
// any number of their country may be (libphonenumber's possible lengths
// of every region of the country code).
func refClosedForms(values []string, region string) (forms, intl map[string]bool) {
	var closed []string
	for _, v := range values {
		num, err := phonenumbers.Parse(v, "ZZ")
		if err != nil {
			continue
		}
		longest := 0
		for _, r := range phonenumbers.GetRegionCodesForCountryCode(int(num.GetCountryCode())) {
			for _, l := range refPossibleLengths(r, int(num.GetCountryCode())) {
				longest = max(longest, l)
			}
		}
		if longest > 0 && len(phonenumbers.GetNationalSignificantNumber(num)) >= longest {
			closed = append(closed, v)
		}
	}
	return refPhoneForms(closed, region)
}

// refPossibleLengths reads the general possible lengths of a region (or
// of a non-geographic calling code) from libphonenumber's metadata.
func refPossibleLengths(region string, cc int) []int {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil
	}
	var out []int
	for _, md := range coll.GetMetadata() {
		if md.GetId() == region || region == "001" && int(md.GetCountryCode()) == cc {
			for _, l := range md.GetGeneralDesc().GetPossibleLength() {
				out = append(out, int(l))
			}
		}
	}
	return out
}

// refRunHead reports whether text[i:j] is the first part of a phone run
// that goes on after it: text[i:j] obeys the run rules and starts where a
// run may (refRun's left side), ends with a digit, and one or two
// separators holding a space and then a digit follow it.
func refRunHead(text string, i, j int) bool {
	n := len(text)
	if j >= n || !in(refDigits, text[j-1]) {
		return false
	}
	spaced := j+1 < n && text[j] == ' ' && in(refSep+refDigits, text[j+1]) && (in(refDigits, text[j+1]) || j+2 < n && in(refDigits, text[j+2])) ||
		j+2 < n && in(refSep, text[j]) && text[j+1] == ' ' && in(refDigits, text[j+2])
	if !spaced {
		return false
	}
	// refRun's checks with the right side cut off: text[i:j] followed by
	// a "!" (no word byte, no separator) stands in for what follows it.
	return refRun(text[:j]+"!", i, j)
}

// refCellKey is the digits and + characters of a cell.
func refCellKey(cell string) string {
	var b strings.Builder
	for i := 0; i < len(cell); i++ {
		if in(refDigits+"+", cell[i]) {
			b.WriteByte(cell[i])
		}
	}
	return b.String()
}

// refCellWhole reports whether the digits and + of cell are a form of a
// value, or + and an international form.
func refCellWhole(cell string, values []string, region string) bool {
	forms, intl := refPhoneForms(values, region)
	k := refCellKey(cell)
	return forms[k] || k != "" && k[0] == '+' && intl[k[1:]]
}

// refEmailEqual reports whether the text window w spells the canonical
// email v: for an ASCII-only v, w with ASCII letters lower-cased is v; for
// a v holding non-ASCII bytes, w decodes (an invalid byte being U+FFFD) to
// as many runes as v, each equal under simple case folding to v's, or
// lower-casing to it.
func refEmailEqual(w, v string) bool {
	ascii := true
	for i := 0; i < len(v); i++ {
		ascii = ascii && v[i] < 0x80
	}
	if ascii {
		return len(w) == len(v) && refLowerASCII(w) == v
	}
	if utf8.RuneCountInString(w) != utf8.RuneCountInString(v) {
		return false
	}
	wr, vr := []rune(w), []rune(v)
	for k := range wr {
		if !strings.EqualFold(string(wr[k]), string(vr[k])) && unicode.ToLower(wr[k]) != vr[k] {
			return false
		}
	}
	return true
}

func maxLen(vs map[string]bool) int {
	m := 0
	for v := range vs {
		m = max(m, len(v))
	}
	return m
}

func refDigitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if in(refDigits, s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// refRun reports whether text[i:j] is a (maximal) phone run.
func refRun(text string, i, j int) bool {
	s, n := text[i:j], len(text)
	plus := s[0] == '+'
	switch {
	case plus && len(s) < 2:
		return false
	case !plus && !in(refDigits, s[0]):
		return false
	case !in(refDigits, s[len(s)-1]):
		return false
	}
	body := s
	if plus {
		body = s[1:] // up to two separators may follow the +: the count below
	}
	seps := 0
	for k := 0; k < len(body); k++ {
		switch c := body[k]; {
		case in(refDigits, c):
			seps = 0
		case in(refSep, c):
			if seps++; seps > 2 {
				return false
			}
		default:
			return false
		}
	}
	// maximal on the left
	if i > 0 {
		if in(refWord+"+", text[i-1]) {
			return false
		}
		if !plus { // not inside a longer run, nor a + run's first digit
			if i >= 2 && in(refSep, text[i-1]) && in(refDigits+"+", text[i-2]) {
				return false
			}
			if i >= 3 && in(refSep, text[i-1]) && in(refSep, text[i-2]) && in(refDigits+"+", text[i-3]) {
				return false
			}
		}
	}
	// maximal on the right
	if j < n {
		if in(refWord, text[j]) {
			return false
		}
		if j+1 < n && in(refSep, text[j]) && in(refDigits, text[j+1]) {
			return false
		}
		if j+2 < n && in(refSep, text[j]) && in(refSep, text[j+1]) && in(refDigits, text[j+2]) {
			return false
		}
	}
	return true
}

func refMerge(spans []Span) []Span {
	// sort by start (insertion: lists are short), then merge overlapping
	// or touching spans
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].Start < spans[j-1].Start; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	var out []Span
	for _, sp := range spans {
		if len(out) > 0 && sp.Start <= out[len(out)-1].End {
			out[len(out)-1].End = max(out[len(out)-1].End, sp.End)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// matchCellRef is MatchCell's definition on top of the reference matcher.
func matchCellRef(kind, cell string, values []string, region string) bool {
	switch kind {
	case Email:
		for _, v := range values {
			if c, err := Parse(Email, v, ""); err == nil && CellKey(Email, cell) == c {
				return true
			}
		}
	case Phone:
		// PhoneCellForms: the forms, and + and the international forms
		if refCellWhole(cell, values, region) {
			return true
		}
	default:
		for _, v := range values {
			if c, err := Parse(kind, v, ""); err == nil && strings.TrimSpace(cell) == c {
				return true
			}
		}
		return false
	}
	return len(refSpans(kind, cell, values, region)) > 0
}
