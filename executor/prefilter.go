package executor

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/piimap/piimap"
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
//   - emails compare case-insensitively, so the ASCII-lower-cased raw bytes
//     hold the lower-cased value; the only non-ASCII characters that
//     strings.ToLower turns into ASCII (KELVIN SIGN, LATIN CAPITAL LETTER I
//     WITH DOT ABOVE) make MayMatch true;
//   - phones compare as written in text (TokenSpans), by their digits in
//     cells, and a cell's digits are a substring of the record's digits.
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
	exact  [][]byte // trimmed values, compared byte for byte
	folded [][]byte // lower-cased emails, compared with the lower-cased record
	digits [][]byte // phone digits, compared with the record's digits
	json   bool     // records are JSON: escapes may encode a value

	lower, digitBuf []byte
}

// NewPrefilter returns the prefilter of ms for records of a JSON format
// (JSON, JSON Lines; escapes decoded) when json is true, or of a text or
// delimited format otherwise. Values that can match nowhere (empty, phones
// of fewer than 7 digits) are left out; with none left, MayMatch is
// always false.
func NewPrefilter(ms []Match, json bool) *Prefilter {
	p := &Prefilter{json: json}
	for _, m := range ms {
		for _, v := range m.Values {
			p.add(m.Kind, m.Field == "", v)
		}
	}
	return p
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
		p.folded = append(p.folded, []byte(asciiLower(v)))
	case piimap.KeyPhone:
		d := PhoneDigits(v)
		switch {
		case len(d) < minPhoneDigits:
			return // matches nowhere
		case text:
			p.exact = append(p.exact, []byte(v)) // TokenSpans: as written
		default:
			p.digits = append(p.digits, []byte(d))
		}
	default:
		p.exact = append(p.exact, []byte(v))
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

// All reports whether the prefilter passes every record (some value could
// not be prefiltered).
func (p *Prefilter) All() bool { return p == nil || p.all }

// MayMatch reports whether the record or line raw may match. A nil
// Prefilter passes everything.
func (p *Prefilter) MayMatch(raw []byte) bool {
	if p == nil || p.all {
		return true
	}
	for _, n := range p.exact {
		if bytes.Contains(raw, n) {
			return true
		}
	}
	if len(p.folded) > 0 {
		var high bool
		p.lower, high = appendASCIILower(p.lower[:0], raw)
		for _, n := range p.folded {
			if bytes.Contains(p.lower, n) {
				return true
			}
		}
		if high && (bytes.Contains(raw, kelvinSign) || bytes.Contains(raw, capitalIDot)) {
			return true
		}
	}
	if len(p.digits) > 0 {
		p.digitBuf = appendDigits(p.digitBuf[:0], raw)
		for _, n := range p.digits {
			if bytes.Contains(p.digitBuf, n) {
				return true
			}
		}
	}
	return p.json && jsonEscape(raw)
}

// The two non-ASCII characters strings.ToLower maps to ASCII letters.
var (
	kelvinSign  = []byte("\u212a") // to 'k'
	capitalIDot = []byte("\u0130") // to 'i'
)

// appendASCIILower appends b lower-cased (ASCII only) to dst and reports
// whether b holds any non-ASCII byte. It works on eight bytes at a time.
func appendASCIILower(dst, b []byte) ([]byte, bool) {
	n := len(dst)
	dst = slices.Grow(dst, len(b))[:n+len(b)]
	out := dst[n:]
	var or uint64
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		or |= x
		binary.LittleEndian.PutUint64(out[i:], lower8(x))
	}
	for ; i < len(b); i++ {
		c := b[i]
		or |= uint64(c)
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return dst, or&0x8080808080808080 != 0
}

// lower8 lower-cases the ASCII capitals among the eight bytes of x. Per
// byte h (x without its high bits), h+0x3f carries into bit 7 when
// h >= 'A' and h+0x25 when h > 'Z'; neither sum leaves its byte.
func lower8(x uint64) uint64 {
	const high = 0x8080808080808080
	h := x &^ high
	ge := h + 0x3f3f3f3f3f3f3f3f
	gt := h + 0x2525252525252525
	upper := ge &^ gt &^ x & high
	return x | upper>>2
}

func appendDigits(dst, b []byte) []byte {
	for _, c := range b {
		if c >= '0' && c <= '9' {
			dst = append(dst, c)
		}
	}
	return dst
}

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
