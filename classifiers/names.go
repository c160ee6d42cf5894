package classifiers

import (
	"sort"
	"strings"
)

// splitWords splits a field name, JSON path or phrase into lower-case
// words: on any non-alphanumeric byte (., _, -, space, [0]), and at
// camelCase boundaries ("payload.user.emailAddress" → payload user email
// address; "SSNNumber" → ssn number). Digits stay with their word.
func splitWords(s string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			out = append(out, strings.ToLower(s[start:end]))
		}
		start = -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
		if !alnum {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		if isUpperB(c) {
			prev := s[i-1]
			// fooBar → foo|Bar ; SSNNumber → SSN|Number (split before the last
			// upper of a run when a lower follows).
			if isLowerB(prev) || isDigitB(prev) || isUpperB(prev) && i+1 < len(s) && isLowerB(s[i+1]) {
				flush(i)
				start = i
			}
		}
	}
	flush(len(s))
	return out
}

func isUpperB(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLowerB(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigitB(c byte) bool { return c >= '0' && c <= '9' }

// hint is a field-name hint: its words, and the words joined without and
// with '_' (for matching compounds and for evidence).
type hint struct {
	words  []string
	joined string
	name   string
}

func mkHints(ps [][]string) []hint {
	out := make([]hint, len(ps))
	for i, p := range ps {
		out[i] = hint{p, strings.Join(p, ""), strings.Join(p, "_")}
	}
	return out
}

// hintMatch reports the first hint that occurs in words: as a contiguous
// word sequence, or with its words joined equal to a joined run of field
// words (e_mail ~ email, emailaddress ~ email_address).
func hintMatch(hints []hint, words []string) (string, bool) {
	for _, h := range hints {
		if seqIn(h.words, words) {
			return h.name, true
		}
		for i := range words {
			n := 0
			for j := i; j < len(words) && n < len(h.joined); j++ {
				w := words[j]
				if n+len(w) > len(h.joined) || h.joined[n:n+len(w)] != w {
					break
				}
				n += len(w)
				if n == len(h.joined) {
					return h.name, true
				}
			}
		}
	}
	return "", false
}

func seqIn(h, words []string) bool {
	for i := 0; i+len(h) <= len(words); i++ {
		ok := true
		for j := range h {
			if words[i+j] != h[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// subjectEntities are asset words naming data subjects; weak hints (a bare
// "name" or "id" column) only count on such assets.
var subjectEntities = map[string]bool{
	"customer": true, "user": true, "person": true, "people": true, "member": true, "employee": true,
	"contact": true, "patient": true, "client": true, "account": true, "subscriber": true, "profile": true,
	"student": true, "guest": true, "passenger": true, "author": true, "applicant": true, "candidate": true,
	"buyer": true, "shopper": true, "lead": true, "staff": true, "citizen": true, "player": true, "owner": true,
}

// subjectAsset reports whether an asset name ("main.customers",
// "exports/dim_customer.csv") names a table of data subjects.
func subjectAsset(asset string) bool {
	for _, w := range splitWords(asset) {
		if subjectEntities[w] || len(w) > 3 && strings.HasSuffix(w, "s") && subjectEntities[w[:len(w)-1]] {
			return true
		}
	}
	return false
}

func sortStrings(s []string) []string { sort.Strings(s); return s }
