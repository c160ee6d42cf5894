package address

import (
	"unicode"
	"unicode/utf8"
)

// wordByte: letters, digits and every byte of a multi-byte UTF-8 sequence.
func wordByte(c byte) bool { return isAlpha(c) || isDigit(c) || c >= 0x80 }

// letterByte: ASCII letters and UTF-8 bytes (accented letters).
func letterByte(c byte) bool { return isAlpha(c) || c >= 0x80 }

func (p *parser) byteAt(k int) byte {
	if k < 0 || k >= len(p.t) {
		return 0
	}
	return p.t[k]
}

// wordEnd returns the end of the word starting at k (letters, UTF-8, and
// inner hyphens or apostrophes: "Saint-Honoré", "Queen's", "d'Alsace"),
// or k when no word starts there.
func (p *parser) wordEnd(k int) int {
	t := p.t
	n := len(t)
	if k >= n || !letterByte(t[k]) {
		return k
	}
	j := k + 1
	for j < n {
		c := t[j]
		if letterByte(c) {
			j++
			continue
		}
		if (c == '-' || c == '\'') && j+1 < n && letterByte(t[j+1]) {
			j += 2
			continue
		}
		break
	}
	return j
}

// ordinalEnd returns the end of an ordinal street name ("5th", "42nd") at
// k, or k.
func (p *parser) ordinalEnd(k int) int {
	t := p.t
	j := k
	for j < len(t) && isDigit(t[j]) && j-k < 4 {
		j++
	}
	if j == k || j+2 > len(t) {
		return k
	}
	a, b := t[j]|0x20, t[j+1]|0x20
	if (a == 's' && b == 't' || a == 'n' && b == 'd' || a == 'r' && b == 'd' || a == 't' && b == 'h') && (j+2 == len(t) || !wordByte(t[j+2])) {
		return j + 2
	}
	return k
}

// lower returns t[a:b] lower-cased (ASCII and Latin-1 capitals) in the
// parser's scratch buffer; words longer than the buffer come back empty.
func (p *parser) lower(a, b int) []byte {
	if b-a > len(p.buf) || b <= a {
		return p.buf[:0]
	}
	out := p.buf[:b-a]
	for k := a; k < b; k++ {
		c := p.t[k]
		if isUpper(c) {
			c += 32
		} else if k > a && p.t[k-1] == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97 {
			c += 0x20 // É → é, Ü → ü
		}
		out[k-a] = c
	}
	return out
}

// capAt reports whether a capital letter starts at k (ASCII or any
// upper-case rune).
func (p *parser) capAt(k int) bool {
	c := p.byteAt(k)
	if isUpper(c) {
		return true
	}
	if c < 0x80 {
		return false
	}
	r, _ := utf8.DecodeRune(p.t[k:])
	return unicode.IsUpper(r)
}

// lowerAt reports whether a lower-case letter starts at k.
func (p *parser) lowerAt(k int) bool {
	c := p.byteAt(k)
	if isLower(c) {
		return true
	}
	if c < 0x80 {
		return false
	}
	r, _ := utf8.DecodeRune(p.t[k:])
	return unicode.IsLower(r)
}

// spaces skips blanks (space, tab) from k.
func (p *parser) spaces(k int) int {
	for k < len(p.t) && (p.t[k] == ' ' || p.t[k] == '\t') {
		k++
	}
	return k
}

// sep skips a separator between address parts: blanks, at most one comma,
// at most one line break (with the "> " marks of a quoted reply after it).
// It reports what it crossed.
func (p *parser) sep(k int) (q int, comma, newline bool) {
	q = p.spaces(k)
	if p.byteAt(q) == ',' {
		comma = true
		q = p.spaces(q + 1)
	}
	if p.byteAt(q) == '\r' {
		q++
	}
	if p.byteAt(q) == '\n' {
		newline = true
		q = p.spaces(q + 1)
		// A quoted reply's next line: "> 69829 Nürnberg".
		for p.byteAt(q) == '>' && q+1 < len(p.t) && (p.t[q+1] == ' ' || p.t[q+1] == '>') {
			q = p.spaces(q + 1)
		}
		if p.byteAt(q) == ',' && !comma {
			comma = true
			q = p.spaces(q + 1)
		}
	}
	return q, comma, newline
}

// boundary reports whether a token ending at k ends there: end of text,
// or a byte that does not continue it ("Ave-Pro", "Main.go", "St2" do).
func (p *parser) boundary(k int) bool {
	c := p.byteAt(k)
	if k >= len(p.t) {
		return true
	}
	if wordByte(c) || c == '@' {
		return false
	}
	switch c {
	case '-', '.', '_', '/', '\\':
		return !wordByte(p.byteAt(k + 1))
	}
	return true
}
