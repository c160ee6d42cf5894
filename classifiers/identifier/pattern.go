package identifier

import (
	"slices"
	"strings"
)

// SQL mirrors of TextSpans. Each pattern uses only the syntax RE2 (DuckDB,
// Go regexp), PostgreSQL AREs and PCRE (MariaDB) read alike: (), (?:), |,
// [], [^], ^, $, ?, *, +, {m,n} and backslash-escaped ASCII punctuation; no
// lookaround, \b or \d. Boundaries are therefore matched by consuming the
// byte next to the token (or an edge) rather than by looking at it. A text
// matches a pattern iff TextSpans reports at least one span for it; the
// spans need not coincide.
//
// Notes for the SQL side:
//   - EmailTokenPattern is meant for lower-cased text (lower(col)). Where
//     lower() maps each character by the simple Unicode lower-case mapping
//     (PostgreSQL under a UTF-8 libc or builtin ctype, such as C.UTF-8;
//     MariaDB's LOWER()), SQL and TextSpans agree on non-ASCII case too:
//     both find JÖRG@EXAMPLE.DE and BJÖR+KELVIN SIGN@… for jörg@… and
//     björk@…. They differ only here (TestPatternsInDatabases pins each
//     case per database):
//       - TextSpans also matches case-folding pairs that lower() keeps
//         apart (ſ for s, ς for σ, ϐ for β), so Go finds more;
//       - a KELVIN SIGN or İ next to the token is a boundary to TextSpans
//         but a k or i, a local-part or domain byte, after lower(), so Go
//         finds more ("KELVIN SIGN + jörg@example.de");
//       - inside the token of an ASCII-only value, lower() turns a KELVIN
//         SIGN or İ into k or i and SQL finds the value, which TextSpans,
//         folding ASCII only for such values, does not (doc.go: known
//         limits);
//       - MariaDB's older collations (utf8mb4_general_ci, its default, and
//         utf8mb4_unicode_ci; Unicode 4.0 tables) do not lower-case letters
//         mapped later, such as Ⱥ (U+023A) or ẞ (U+1E9E), so SQL finds
//         ȺNN@… for ⱥnn@… under utf8mb4_unicode_520_ci or a uca1400
//         collation only; a PostgreSQL database with ctype C folds ASCII
//         only, and likewise finds less than TextSpans.
//     Where they differ, TextSpans (the Go handlers and the verification)
//     finds at least what SQL finds, except for the third case. Not
//     checked: a PostgreSQL ICU collation, whose lower() maps a few
//     characters by context or to two (a final Σ to ς, İ to i and a
//     combining dot U+0307), and databases whose Unicode tables are newer
//     than Go's.
//   - Keys compare case-sensitively: run KeyTokenPattern under a
//     case-sensitive (binary) collation. MariaDB's REGEXP follows the
//     column's collation and is case-insensitive under the default ones.
//   - Phones: a cell's whole-value clause is its text with the characters
//     other than [0-9+] removed (regexp_replace, global) compared with
//     PhoneCellForms; PhoneTokenPattern covers the tokens inside it. The
//     two together are MatchCell.
//   - When no value can match anywhere, EmailTokenPattern and
//     PhoneTokenPattern return NeverMatches, a pattern that matches no
//     text, never "": an empty pattern matches every row, which is how a
//     refused value would have become a match-all. KeyTokenPattern returns
//     "" then (non-distinctive keys are compared as whole cells only): the
//     caller must test for it and leave the text clause out.

// NeverMatches is a pattern that matches no text in any of the three
// dialects: an a, then the start of the text.
const NeverMatches = "a^"

const (
	emailBefore = `(?:^|[^A-Za-z0-9._%+-])`
	emailAfter  = `(?:$|[^A-Za-z0-9_%+@.-]|\.(?:$|[^A-Za-z0-9]))`

	keyBefore = `(?:^|[^A-Za-z0-9_])`
	keyAfter  = `(?:$|[^A-Za-z0-9_])`

	sepClass = `[ ()./-]`
	// A run starting with + starts after [^A-Za-z0-9_+] or the start; up
	// to two separators may follow the + before the first digit.
	phonePlusBefore = `(?:^|[^A-Za-z0-9_+])\+` + sepClass + `{0,2}`
	// A run starting with a digit starts after the start, a byte that is
	// neither [A-Za-z0-9_+] nor a separator, one separator not after a
	// digit, + or separator, or two separators not after a digit or +.
	phoneDigitBefore = `(?:^|[^A-Za-z0-9_+ ()./-]|(?:^|[^0-9+ ()./-])` + sepClass +
		`|(?:^|[^0-9+])` + sepClass + `{2})`
	// A run ends before the end, a byte that is neither [A-Za-z0-9_] nor a
	// separator, or one or two separators not followed by a digit.
	phoneAfter = `(?:$|[^A-Za-z0-9_ ()./-]|` + sepClass + `(?:$|[^0-9 ()./-])|` + sepClass + `{2}(?:$|[^0-9]))`
	// Between two digits of a run: up to two separators.
	phoneGap = sepClass + `{0,2}`
	// After a closed value's number: one or two separators holding a
	// space, then a digit (spacedGap).
	phoneSpacedGroup = `(?: [ ()./-]?|[()./-] )[0-9]`
	// Between a country code and the rest of the number, a trunk 0 in
	// brackets: "(0)" with at most one more separator on either side.
	trunkGap = sepClass + `?\(0\)` + sepClass + `?`
)

// EmailTokenPattern returns the pattern of the canonical emails among
// values (refused ones are ignored) as whole tokens, for lower-cased text,
// or NeverMatches when there is none.
func EmailTokenPattern(values []string) string {
	ns := emailNeedles(values)
	if len(ns) == 0 {
		return NeverMatches
	}
	vs := make([]string, len(ns))
	for i, n := range ns {
		vs[i] = n.v
	}
	return literalsPattern(emailBefore, vs, emailAfter)
}

// KeyTokenPattern returns the pattern of the Distinctive canonical key
// values among values as whole tokens, or "" when there is none.
func KeyTokenPattern(values []string) string {
	return literalsPattern(keyBefore, keyNeedles(UserID, values), keyAfter)
}

func literalsPattern(before string, vs []string, after string) string {
	if len(vs) == 0 {
		return ""
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	var b strings.Builder
	b.WriteString(before + "(?:")
	for i, v := range vs {
		if i > 0 {
			b.WriteByte('|')
		}
		quote(&b, v)
	}
	b.WriteString(")" + after)
	return b.String()
}

// quote writes v with every ASCII punctuation character backslash-escaped
// (a literal in all three dialects); other characters stand for themselves.
func quote(b *strings.Builder, v string) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c > ' ' && c < 0x7f && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}

// PhoneTokenPattern returns the pattern of the phone runs that match one
// of the E.164 values (invalid ones are ignored) in region: a run written
// with a leading + whose digits are a value's country code and NSN, or a
// run starting with a digit whose digits are one of its PhoneForms. It is
// NeverMatches when no value is valid.
func PhoneTokenPattern(values []string, region string) string {
	all, intl := appendValueForms(nil, nil, values, region)
	if len(all) == 0 {
		return NeverMatches
	}
	// A closed value's number may also be followed by a digit group
	// across a space (phoneSpans: "+1 213 662 5868 12 items"). When every
	// value is closed (the usual case), one alternation serves both ends.
	call, cintl := appendClosedForms(nil, nil, values, region)
	var b strings.Builder
	b.WriteString("(?:")
	writePhoneRuns(&b, all, intl)
	if len(call) == len(all) && len(cintl) == len(intl) {
		b.WriteString(")(?:" + phoneAfter + "|" + phoneSpacedGroup + ")")
		return b.String()
	}
	b.WriteString(")" + phoneAfter)
	if len(call) > 0 {
		b.WriteString("|(?:")
		writePhoneRuns(&b, call, cintl)
		b.WriteString(")" + phoneSpacedGroup)
	}
	return b.String()
}

// writePhoneRuns writes the alternation of the runs that start a phone
// written with a leading + (its digits an international form, or one with
// its trunk 0 in brackets after the country code) or with a digit (any
// form).
func writePhoneRuns(b *strings.Builder, all, intl []string) {
	slices.Sort(all)
	slices.Sort(intl)
	if len(intl) > 0 {
		b.WriteString(phonePlusBefore)
		writeForms(b, intl, phoneGap)
		b.WriteByte('|')
		// "+44 (0)20 7946 0999": the trunk 0 in brackets right after
		// the country code (dropBracketedTrunk).
		b.WriteString(phonePlusBefore + "(?:")
		for k, f := range intl {
			if k > 0 {
				b.WriteByte('|')
			}
			// intl forms are valid numbers: their calling code is known
			c := max(callingCodeLen([]byte(f)), 1)
			writeForms(b, []string{f[:c]}, phoneGap)
			b.WriteString(trunkGap)
			writeForms(b, []string{f[c:]}, phoneGap)
		}
		b.WriteString(")|")
	}
	b.WriteString(phoneDigitBefore)
	writeForms(b, all, phoneGap)
}

// writeForms writes the alternation of the forms, gap between each byte
// and the next; an upper-case letter matches in either case ([Gg]), for
// the IBAN and NINO forms (digit forms have none).
func writeForms(b *strings.Builder, forms []string, gap string) {
	b.WriteString("(?:")
	for i, f := range forms {
		if i > 0 {
			b.WriteByte('|')
		}
		for j := 0; j < len(f); j++ {
			if j > 0 {
				b.WriteString(gap)
			}
			if c := f[j]; c >= 'A' && c <= 'Z' {
				b.WriteString("[" + string(c) + string(c+'a'-'A') + "]")
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte(')')
}

// Number runs (cards, SSNs): a run's digit groups are joined by single
// ' ' or '-' bytes, and in a card's runs by '.', two spaces or " - " too.
// A sequence starts after the start, a byte that is neither [A-Za-z0-9_]
// nor a hard join ('-', or '.' for cards), or a hard join not after a
// digit; it ends before the end, a byte that is neither [A-Za-z0-9_] nor a
// hard join, or a hard join not followed by a digit (spaces are soft: a
// sequence may leave groups joined by them out).
const (
	cardBefore = `(?:^|[^A-Za-z0-9_.-]|(?:^|[^0-9])[.-])`
	cardAfter  = `(?:$|[^A-Za-z0-9_.-]|[.-](?:$|[^0-9]))`
	cardGap    = `(?:[ .-]|  | - )?`
	ssnBefore  = `(?:^|[^A-Za-z0-9_-]|(?:^|[^0-9])-)`
	ssnAfter   = `(?:$|[^A-Za-z0-9_-]|-(?:$|[^0-9]))`
	ssnGap     = `[ -]?`

	// IBAN and NINO runs: [A-Za-z0-9] groups joined by single spaces, no
	// word byte on either side, letters in either case.
	alnumBefore = `(?:^|[^A-Za-z0-9_])`
	alnumAfter  = `(?:$|[^A-Za-z0-9_])`
	alnumGap    = ` ?`
)

// NumberTokenPattern returns the pattern of the number runs (TextSpans of
// a card, SSN, IBAN or NINO) that hold one of the canonical values among
// values (refused ones are ignored), or NeverMatches when there is none.
// Run it under a case-sensitive collation or not: IBAN and NINO letters
// are matched in either case by the pattern itself.
func NumberTokenPattern(kind string, values []string) string {
	ns := numberNeedles(kind, values)
	if len(ns) == 0 || !IsNumber(kind) {
		return NeverMatches
	}
	ns = slices.Clone(ns)
	slices.Sort(ns)
	before, gap, after := ssnBefore, ssnGap, ssnAfter
	switch {
	case kind == Card:
		before, gap, after = cardBefore, cardGap, cardAfter
	case Alnum(kind):
		before, gap, after = alnumBefore, alnumGap, alnumAfter
	}
	var b strings.Builder
	b.WriteString(before)
	writeForms(&b, ns, gap)
	b.WriteString(after)
	return b.String()
}
