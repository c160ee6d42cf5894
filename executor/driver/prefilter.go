package driver

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
)

// A Prefilter is a cheap, sound test run on the raw bytes of a line or
// record before it is parsed and matched: when MayMatch is false, neither
// MatchText on those bytes nor MatchValue on any cell decoded from them (a
// CSV field, a JSON string or number) can match. Streaming handlers call
// it first, so that the lines of a large log or the records of a JSON
// Lines object that cannot be the subject's are neither decoded nor
// lower-cased: a lookup then costs about a pass of bytes.Index per value.
//
// Soundness follows the match rules of match.go. Every rule compares a
// value that is, byte for byte, a substring of the raw record, unless the
// record encodes it:
//
//   - other kinds (keys, references, masked forms) compare trimmed values
//     exactly, so the raw bytes hold the trimmed value;
//   - emails compare case-insensitively, so the raw bytes hold the value
//     up to ASCII case; the only non-ASCII characters that strings.ToLower
//     turns into ASCII (KELVIN SIGN to k, LATIN CAPITAL LETTER I WITH DOT
//     ABOVE to i) make MayMatch true for values holding those letters;
//   - phones compare by the digits of a written number, which are one of
//     the value's PhoneForms, in text and in cells, and those digits are a
//     substring of the record's digits.
//
// JSON can encode a character as an escape (\u0040, \/), so for JSON
// formats a record with such an escape may match. CSV's only encoding is a
// doubled quote, and a value that holds a quote, a backslash, a control
// character or U+FFFD (what JSON decoding makes of invalid UTF-8) turns the
// prefilter off: MayMatch is then always true. So is a non-ASCII email,
// which Unicode case folding compares.
//
// A Prefilter reuses scratch buffers and is not safe for concurrent use;
// make one per stream.
type Prefilter struct {
	all    bool     // some value cannot be prefiltered: every record may match
	exact  []needle // trimmed values, compared byte for byte
	folded []needle // lower-cased emails, compared ignoring ASCII case
	foldK  bool     // some folded value holds k (KELVIN SIGN folds to it)
	foldI  bool     // some folded value holds i (CAPITAL I WITH DOT ABOVE)
	digits [][]byte // card, SSN and phone digits, searched in the record's digits
	alnums [][]byte // IBAN and NINO keys, searched in the record's letters (upper-cased) and digits
	json   bool     // records are JSON: escapes may encode a value

	digitBuf, alnumBuf []byte
}

// NewPrefilter returns the prefilter of ms for records of a JSON format
// (JSON, JSON Lines; escapes decoded) when json is true, or of a text or
// delimited format otherwise. Values that can match nowhere (empty, phones
// of fewer than 7 digits) are left out; with none left, MayMatch is
// always false.
func NewPrefilter(ms []Match, json bool) *Prefilter {
	p := &Prefilter{json: json}
	for _, m := range ms {
		switch m.Kind {
		case identifier.Card, identifier.SSN:
			// A number run's digits are a substring of the record's digits.
			for _, v := range m.Values {
				if d := identifier.Digits(v); d != "" {
					p.digits = append(p.digits, []byte(d))
				}
			}
			continue
		case identifier.IBAN, identifier.NINO:
			// A run of letter-and-digit groups, and a cell's key, is its
			// letters (upper-cased) and digits: a substring of the
			// record's.
			for _, v := range m.Values {
				if k := identifier.CellKey(m.Kind, v); k != "" {
					p.alnums = append(p.alnums, []byte(k))
				}
			}
			continue
		}
		if m.Kind == piimap.KeyPhone {
			// Every written form of a phone is a run whose digits hold
			// one of its written digit strings (its forms, or its
			// international form with a bracketed trunk 0), and a run's
			// digits are a substring of the record's digits, in text and
			// in cells alike.
			for _, v := range m.Values {
				for _, f := range identifier.PhoneWrittenDigits(v, m.Region) {
					p.digits = append(p.digits, []byte(f))
				}
			}
			continue
		}
		for _, v := range m.Values {
			p.add(m.Kind, m.Field == "", v)
		}
	}
	p.digits, p.alnums = minimalNeedles(p.digits), minimalNeedles(p.alnums)
	return p
}

// minimalNeedles drops every needle that holds another as a substring:
// where it occurs, so does the shorter one (a phone's international form
// holds its national number), so searching the shorter is enough.
func minimalNeedles(ns [][]byte) [][]byte {
	slices.SortFunc(ns, func(a, b []byte) int { return cmp.Or(cmp.Compare(len(a), len(b)), bytes.Compare(a, b)) })
	var out [][]byte
	for _, n := range ns {
		if !slices.ContainsFunc(out, func(o []byte) bool { return bytes.Contains(n, o) }) {
			out = append(out, n)
		}
	}
	return out
}

// add adds value v of a match of kind, which compares whole lines or
// records by TokenSpans when text is true, or cells by MatchValue.
func (p *Prefilter) add(kind string, text bool, v string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	if encodedInRecords(v) {
		p.all = true
		return
	}
	switch kind {
	case piimap.KeyEmail:
		for i := 0; i < len(v); i++ {
			if v[i] >= utf8.RuneSelf {
				p.all = true // compared with Unicode case folding
				return
			}
		}
		n := newNeedle(asciiLower(v), true)
		p.folded = append(p.folded, n)
		p.foldK = p.foldK || bytes.IndexByte(n.b, 'k') >= 0
		p.foldI = p.foldI || bytes.IndexByte(n.b, 'i') >= 0
	default:
		p.exact = append(p.exact, newNeedle(v, false))
	}
}

// encodedInRecords reports whether v holds a character that a CSV or JSON
// record would encode, or that JSON decoding can produce from bytes that
// are not it (U+FFFD from invalid UTF-8).
func encodedInRecords(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == 0x7f || c == '"' || c == '\\' {
			return true
		}
	}
	return strings.ContainsRune(v, utf8.RuneError)
}

// MayMatch reports whether the record or line raw may match. A nil
// Prefilter passes everything.
func (p *Prefilter) MayMatch(raw []byte) bool {
	if p == nil || p.all {
		return true
	}
	for _, n := range p.exact {
		if n.in(raw) {
			return true
		}
	}
	for _, n := range p.folded {
		if n.in(raw) {
			return true
		}
	}
	if (p.foldK && bytes.Contains(raw, kelvinSign)) || (p.foldI && bytes.Contains(raw, capitalIDot)) {
		return true
	}
	// In a projection every byte is a candidate first byte for the rarest
	// byte search of needle.in; bytes.Index is the faster search there.
	if len(p.digits) > 0 {
		p.digitBuf = identifier.AppendDigits(p.digitBuf[:0], raw)
		for _, n := range p.digits {
			if bytes.Index(p.digitBuf, n) >= 0 {
				return true
			}
		}
	}
	if len(p.alnums) > 0 {
		p.alnumBuf = identifier.AppendAlnumKey(p.alnumBuf[:0], raw)
		for _, n := range p.alnums {
			if bytes.Index(p.alnumBuf, n) >= 0 {
				return true
			}
		}
	}
	return p.json && jsonEscape(raw)
}

// A needle is a value searched for by its least common byte: in a log
// block, bytes.Index's first-byte candidates are often so many that the
// search costs a call per few bytes; a rare byte has few. A folded needle
// (lower-case) matches ignoring ASCII case and is searched by its rarest
// byte that is not a letter (an email always has its @), so records need
// no lower-casing.
type needle struct {
	b    []byte
	at   int // index in b of the byte searched for
	fold bool
}

func newNeedle(v string, fold bool) needle {
	n := needle{b: []byte(v), at: -1, fold: fold}
	for i, c := range n.b {
		if fold && c >= 'a' && c <= 'z' {
			continue
		}
		if n.at < 0 || byteCommonness[c] < byteCommonness[n.b[n.at]] {
			n.at = i
		}
	}
	return n
}

// in reports whether hay holds the needle.
func (n needle) in(hay []byte) bool {
	if n.at < 0 { // folded, letters only (not an email): byte by byte
		for i := 0; i+len(n.b) <= len(hay); i++ {
			if equalFoldLower(hay[i:i+len(n.b)], n.b) {
				return true
			}
		}
		return false
	}
	c, m := n.b[n.at], len(n.b)
	for i, last := n.at, len(hay)-(m-n.at); i <= last; i++ {
		j := bytes.IndexByte(hay[i:last+1], c)
		if j < 0 {
			return false
		}
		i += j
		if w := hay[i-n.at : i-n.at+m]; bytes.Equal(w, n.b) || (n.fold && equalFoldLower(w, n.b)) {
			return true
		}
	}
	return false
}

// equalFoldLower reports whether b equals lower (all lower case) ignoring
// ASCII case.
func equalFoldLower(b, lower []byte) bool {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// commonBytes lists bytes from the most to the least frequent in logs and
// exports, roughly; bytes it leaves out are the rarest. Only speed depends
// on it.
const commonBytes = " e0at1o2insr:-.3l5/d4c6h9u8m7p_g\"=,fyTwbEvkSAIRONCDLPx[]MUGjFqHBzWVKY@J+QZX;"

var byteCommonness = func() (t [256]int) {
	for i := range len(commonBytes) {
		t[commonBytes[i]] = len(commonBytes) - i
	}
	return t
}()

// The two non-ASCII characters strings.ToLower maps to ASCII letters.
var (
	kelvinSign  = []byte("\u212a") // to 'k'
	capitalIDot = []byte("\u0130") // to 'i'
)

// jsonEscape reports whether b holds a JSON escape that can stand for a
// character a value holds: \uXXXX or \/ (the others, \" \\ \b \f \n \r
// \t, stand for characters encodedInRecords rules out).
func jsonEscape(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '\\')
		if i < 0 || i+1 >= len(b) {
			return false
		}
		if c := b[i+1]; c == 'u' || c == '/' {
			return true
		}
		b = b[i+2:] // past the escape (an escaped backslash included)
	}
}
