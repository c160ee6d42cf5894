package lineage

import (
	"strings"
	"unicode/utf8"
)

// TermSafe makes a string that came from outside (a store, asset or field
// name, an error text, evidence, a masked value, a request's requester or
// reason, a path) safe to print for a human: in a terminal, a table, a
// plan or a receipt. It replaces, with a visible Go-style escape and
// without adding quotes:
//
//   - C0 control bytes 0x00–0x1F and DEL 0x7F: \a \b \t \n \v \f \r for
//     those that have one, \x1b style otherwise;
//   - C1 controls U+0080–U+009F: \u009b style (a terminal may take U+009B
//     for CSI, U+009D for OSC);
//   - bytes that are not valid UTF-8: \xff style;
//   - invisible format characters that can reorder or hide text: the bidi
//     embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069,
//     the bidi marks U+200E, U+200F and U+061C, the zero-width characters
//     U+200B–U+200D, U+2060–U+2064 and U+FEFF, the deprecated format
//     characters U+206A–U+206F, the line and paragraph separators U+2028
//     and U+2029, and the interlinear annotation marks U+FFF9–U+FFFB:
//     \u202e style.
//
// Everything else, printable ASCII (backslashes and quotes included) and
// printable non-ASCII text such as "Müller" or "😀", is kept as it is. So
// the result holds no byte below 0x20, no 0x7F, no C1 control and none of
// the characters above, and is valid UTF-8: a value can neither drive the
// terminal (ESC sequences, OSC window titles, CR overwrites) nor add a
// column (tab) or a row (newline, vertical tab, form feed) to a table.
//
// Backslashes are not doubled, so the escaping is not reversible: a name
// holding the four characters `\x1b` prints like one holding ESC. Machine
// formats that must round-trip (JSON) keep the exact name instead. An
// emoji joined by U+200D (ZWJ) shows its parts with \u200d between them.
//
// When nothing needs escaping, s is returned as it is, without allocating.
func TermSafe(s string) string {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return termEscape(s, i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || needsTermEscape(r) {
			return termEscape(s, i)
		}
		i += size
	}
	return s
}

// needsTermEscape reports whether TermSafe escapes the valid rune r.
func needsTermEscape(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f:
		return true // C0 controls and DEL
	case r < 0x80:
		return false
	case r <= 0x9f:
		return true // C1 controls
	case r < 0x061c:
		return false
	case r == 0x061c: // ARABIC LETTER MARK (bidi)
		return true
	case r < 0x200b:
		return false
	case r <= 0x200f: // zero width space, non-joiner, joiner; LRM, RLM
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x202a && r <= 0x202e: // bidi embeddings and overrides
		return true
	case r >= 0x2060 && r <= 0x206f: // word joiner, invisible operators, bidi isolates, deprecated format
		return r != 0x2065 // unassigned
	case r == 0xfeff: // zero width no-break space, byte order mark
		return true
	case r >= 0xfff9 && r <= 0xfffb: // interlinear annotation
		return true
	}
	return false
}

const lowerHex = "0123456789abcdef"

// termEscape is TermSafe's slow path: s[:from] needs no escaping.
func termEscape(s string, from int) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:from])
	for i := from; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f {
				b.WriteByte(c)
			} else {
				writeC0(&b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteByte(lowerHex[c>>4])
			b.WriteByte(lowerHex[c&0xf])
		case needsTermEscape(r):
			b.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				b.WriteByte(lowerHex[r>>uint(shift)&0xf])
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// writeC0 writes the escape of a C0 control byte or DEL, as strconv.Quote
// does.
func writeC0(b *strings.Builder, c byte) {
	switch c {
	case '\a':
		b.WriteString(`\a`)
	case '\b':
		b.WriteString(`\b`)
	case '\t':
		b.WriteString(`\t`)
	case '\n':
		b.WriteString(`\n`)
	case '\v':
		b.WriteString(`\v`)
	case '\f':
		b.WriteString(`\f`)
	case '\r':
		b.WriteString(`\r`)
	default:
		b.WriteString(`\x`)
		b.WriteByte(lowerHex[c>>4])
		b.WriteByte(lowerHex[c&0xf])
	}
}
