package address

import "bytes"

// parser holds one parse over t. It never reads before lo.
type parser struct {
	t       []byte
	lo      int
	lenient bool // field values: a bare city after the street counts
	buf     [40]byte
	// one-entry cache of flags
	lastA, lastB int
	lastF        uint32
}

// street is a parsed street line or PO-box line.
type street struct {
	start, end                     int
	number, name, typ, unit, pobox Span
	country                        Country
	lower                          bool // written in lower case ("12 main st")
	weak                           bool // street type that is also a common noun ("Park")
	numberless                     bool // "High Street": needs a postcode
	untyped                        bool // "Unter den Linden 77": needs a postcode
}

// at is At on a parser: the gates, then the grammar.
func (p *parser) at(i int) (Match, bool) {
	t := p.t
	n := len(t)
	j := i
	for j < n && isDigit(t[j]) {
		j++
		if j-i > 8 {
			return Match{}, false
		}
	}
	run := j - i
	if i > 0 {
		// 12.50, 10:30, 1,200, 12/03, $12, £12, €12
		c := t[i-1]
		if (c == '.' || c == ',' || c == ':' || c == '/') && i >= 2 && isDigit(t[i-2]) || c == '$' || c == 0xA3 || c == 0xAC {
			return Match{}, false
		}
	}
	next := p.byteAt(j)
	leadA, leadE := -1, -1 // the word before the number
	if i-2 >= p.lo && (t[i-1] == ' ' || t[i-1] == '\t') && (letterByte(t[i-2]) || t[i-2] == '.') {
		e := i - 1
		if t[e-1] == '.' {
			e--
		}
		a := e
		for a > p.lo && e-a < 32 && (letterByte(t[a-1]) || (t[a-1] == '.' || t[a-1] == '-' || t[a-1] == '\'') && a-2 >= p.lo && letterByte(t[a-2])) {
			a--
		}
		if a < e && (gateShape(t[a], t[e-1]) || p.capAt(a)) {
			f := p.flags(a, e)
			if f&(fUnitFirst|fPO) != 0 || p.deGate(a, e, f) {
				if m, ok := p.near(i); ok {
					return m, true
				}
			}
			if f&fNumES != 0 || p.capAt(a) {
				// "Calle Real, nº 5", "Paseo del Prado 12"
				if m, ok := p.esNear(i); ok {
					return m, true
				}
			}
			if run == 5 && e-a == 2 && isUpper(t[a]) && isUpper(t[a+1]) {
				if _, ok := zipRanges[string(t[a:e])]; ok {
					if m, ok := p.window(a, i); ok {
						return m, true
					}
				}
			}
		}
		leadA, leadE = a, e
	}
	if numberFirstGate(t, i, j) {
		if m, ok := p.parseFrom(i); ok && (leadA < 0 || p.flags(leadA, leadE)&fLeadNegative == 0) {
			return m, true
		}
	}
	// Postcode shapes closing an address whose street line has no house
	// number before them ("High Street, London SW1A 1AA").
	switch {
	case run == 5 && next == ' ' && p.capAt(j+1):
		b := i
		if b-2 >= p.lo && t[b-1] == '-' && (t[b-2] == 'D' || t[b-2] == 'F') {
			b -= 2
		}
		q := b
		for q > p.lo && (t[q-1] == ' ' || t[q-1] == '\t') {
			q--
		}
		if q > p.lo && (t[q-1] == ',' || t[q-1] == '\n' || q < b && p.numberTokenBefore(q)) {
			return p.window(b, i)
		}
	case run == 1 && isUpper(next) && isUpper(p.byteAt(j+1)) && p.boundary(j+2) && i-3 >= p.lo && t[i-1] == ' ':
		oa := i - 1
		for oa > p.lo && i-1-oa < 4 && (isUpper(t[oa-1]) || isDigit(t[oa-1])) {
			oa--
		}
		if (oa == 0 || !wordByte(t[oa-1])) && ValidUKPostcode(string(t[oa:j+2])) {
			return p.window(oa, oa)
		}
	case run == 1 && isUpper(next) && isDigit(p.byteAt(j+1)) && p.boundary(j+2) && i-4 >= p.lo && t[i-1] == ' ':
		oa := i - 4
		if (oa == 0 || !wordByte(t[oa-1])) && p.caPostcode(oa) == j+2 {
			return p.window(oa, oa)
		}
	}
	return Match{}, false
}

// numberTokenBefore: the token ending at q holds a digit in its last six
// bytes, a house number or a floor ("… 24 21366 Vitoria", "… 4ºA 43585
// Barcelona"), so a postcode may follow it on the same line.
func (p *parser) numberTokenBefore(q int) bool {
	for k := q - 1; k >= p.lo && q-k <= 6; k-- {
		c := p.t[k]
		if isDigit(c) {
			return true
		}
		if c == ' ' || c == '\t' || c == '\n' {
			return false
		}
	}
	return false
}

// numberFirstGate: the digit run t[i:j] can open a street line ("12 Main",
// "221B Baker", "12-14 Main", "55, boulevard", "5 5th Ave").
func numberFirstGate(t []byte, i, j int) bool {
	if j-i > 5 || t[i] == '0' {
		return false
	}
	switch next := byteAt(t, j); {
	case next == ' ' || next == '\t':
		q := j + 1
		for q < len(t) && (t[q] == ' ' || t[q] == '\t') {
			q++
		}
		c := byteAt(t, q)
		if isLower(c) {
			// a lower-case street has a street type among its next words
			// ("12 rue X", "12 main st"); "evicted 12 keys in" has none.
			// A word of a type's shape that is no type ("total" is shaped
			// as "trail") lets the walk end as it ended before mayBeType
			// (true), unless it ends at a word the street parsers cannot
			// take either: digits that are no ordinal ("qty 9 total
			// 238.77"), or punctuation.
			e := q
			shaped := false
			for w := 0; w < 5; w++ {
				s := e
				for e < len(t) && letterByte(t[e]) {
					e++
				}
				if e == s {
					return shaped && !noStreetWord(t, s)
				}
				if k := shapeKey(t[s], t[e-1]); typeShape[k>>6]&(1<<(k&63)) != 0 {
					if mayBeType(t[s:e]) {
						return true
					}
					shaped = true
				}
				if c2 := byteAt(t, e); c2 == '.' || c2 == '\'' || c2 == '-' {
					e++
				}
				if byteAt(t, e) != ' ' {
					return shaped
				}
				e++
			}
			return shaped
		}
		if letterByte(c) {
			return true
		}
		if !isDigit(c) {
			return false
		}
		for q < len(t) && isDigit(t[q]) {
			q++
		}
		a, b := byteAt(t, q)|0x20, byteAt(t, q+1)|0x20 // 5th, 42nd
		return (a == 's' && b == 't' || a == 'n' && b == 'd' || a == 'r' && b == 'd' || a == 't' && b == 'h') && !wordByte(byteAt(t, q+2))
	case isAlpha(next):
		return !wordByte(byteAt(t, j+1))
	case next == '-':
		k := j + 1
		for k < len(t) && isDigit(t[k]) {
			k++
		}
		c := byteAt(t, k)
		return k > j+1 && k-j <= 6 && c != '-' && c != ':' && c != '/' && c != '.' && (!wordByte(c) || isAlpha(c) && !wordByte(byteAt(t, k+1)))
	case next == ',':
		return byteAt(t, j+1) == ' ' && letterByte(byteAt(t, j+2))
	}
	return false
}

func byteAt(t []byte, k int) byte {
	if k < 0 || k >= len(t) {
		return 0
	}
	return t[k]
}

// noStreetWord reports that no word of a street line (streetEN's, an
// ordinal included, or streetFR's) starts at t[s], which holds no letter:
// t[s] is no blank, and digits there are not followed by a letter (as in
// "5th").
func noStreetWord(t []byte, s int) bool {
	c := byteAt(t, s)
	if s >= len(t) || c == ' ' || c == '\t' {
		return false
	}
	for s < len(t) && isDigit(t[s]) {
		s++
	}
	return !letterByte(byteAt(t, s))
}

// gate is Gate with a lower bound: it looks at no byte before lo.
func gate(t []byte, i, lo int) bool {
	j := i
	for j < len(t) && isDigit(t[j]) {
		if j++; j-i > 8 {
			return false
		}
	}
	if i > 0 {
		c := t[i-1]
		if (c == '.' || c == ',' || c == ':' || c == '/') && i >= 2 && isDigit(t[i-2]) || c == '$' || c == 0xA3 || c == 0xAC {
			return false
		}
	}
	if numberFirstGate(t, i, j) {
		return true
	}
	next := byteAt(t, j)
	if j-i == 5 && t[i] == '0' && next == ' ' && isUpper(byteAt(t, j+1)) {
		return true // a postcode of 0xxxx before its town ("07825 Valencia")
	}
	if j-i == 1 && isUpper(next) && (isUpper(byteAt(t, j+1)) || isDigit(byteAt(t, j+1))) {
		return true // UK or Canadian inward code
	}
	if i-2 >= lo && (t[i-1] == ' ' || t[i-1] == '\t') && (letterByte(t[i-2]) || t[i-2] == '.') {
		e := i - 1
		if t[e-1] == '.' {
			e--
		}
		a := e
		for a > lo && e-a < 32 && letterByte(t[a-1]) {
			a--
		}
		// a unit, PO-box, German street word, state code ("B.P.": the
		// dot stops the walk at "P", which is capitalised)
		return a < e && (gateShape(t[a], t[e-1]) || isUpper(t[a]) || t[a] >= 0x80)
	}
	return false
}

// gateShape: the first and last letters of a lower-case unit or PO-box
// word (apt, suite, unit, flat, box, postfach, bp, postale, pob), so that
// most words before a number cost no lookup.
func gateShape(first, last byte) bool {
	first, last = first|0x20, last|0x20
	switch first {
	case 'a', 'u', 'f':
		return last == 't'
	case 's':
		return last == 'e'
	case 'b':
		return last == 'x' || last == 'p'
	case 'p':
		return last == 'h' || last == 'e' || last == 'b'
	case 'n':
		return last == 0xBA || last == 0xB0 || last == 'm' // nº, n°, núm
	}
	return false
}

// deGate: the word before a number is a German street name ("Hauptstraße
// 5", "Goethestr. 12", "Berliner Straße 12").
func (p *parser) deGate(a, e int, f uint32) bool {
	if !p.capAt(a) || e-a > len(p.buf) {
		return false
	}
	return f&fStreetDE != 0 || deCompound(p.lower(a, e)) > 0
}

// deCompound returns the length of the German street ending of lw
// ("hauptstraße" → len("straße")), or 0. The stem must have three bytes
// or more, and "-ring" must not follow a vowel or r (English "offering",
// "monitoring", "during" are not streets).
func deCompound(lw []byte) int {
	for _, suf := range streetEndingDE {
		if len(lw) >= len(suf)+3 && bytes.HasSuffix(lw, []byte(suf)) {
			if suf == "ring" {
				switch lw[len(lw)-5] {
				case 'a', 'e', 'i', 'o', 'u', 'r', 'y':
					return 0
				}
			}
			return len(suf)
		}
	}
	return 0
}

// near tries starts up to four words back on the digit's line, earliest
// first; the match must cover the digit run at i.
func (p *parser) near(i int) (Match, bool) {
	t := p.t
	var starts [4]int
	ns := 0
	k := i
	for ns < len(starts) {
		b := k
		for b > p.lo && (t[b-1] == ' ' || t[b-1] == '\t') {
			b--
		}
		if b == k && k != i {
			break
		}
		e := b
		if e > p.lo && t[e-1] == '.' {
			e--
		}
		a := e
		for a > p.lo && e-a < 32 && (letterByte(t[a-1]) || (t[a-1] == '.' || t[a-1] == '-' || t[a-1] == '\'') && a-2 >= p.lo && letterByte(t[a-2])) {
			a--
		}
		if a == e {
			break
		}
		starts[ns] = a
		ns++
		k = a
	}
	for x := ns - 1; x >= 0; x-- {
		if m, ok := p.parseFrom(starts[x]); ok && m.End > i {
			return m, true
		}
	}
	return Match{}, false
}

// window tries starts in the 160 bytes (at most three lines) before
// anchor, earliest first, for an address whose postcode starts at pc.
func (p *parser) window(anchor, pc int) (Match, bool) {
	t := p.t
	w0 := max(anchor-160, p.lo)
	lines := 0
	for k := anchor - 1; k >= w0; k-- {
		if t[k] == '\n' {
			if lines++; lines == 3 {
				w0 = k + 1
				break
			}
		}
	}
	tries := 0
	for k := w0; k < anchor && tries < 24; k++ {
		if k > 0 && (wordByte(t[k-1]) || t[k-1] == '-' || t[k-1] == '\'' || t[k-1] == '.') {
			continue
		}
		if !(isDigit(t[k]) && t[k] != '0' || p.capAt(k)) {
			continue
		}
		tries++
		if m, ok := p.parseFrom(k); ok && m.Postcode.Start == pc && m.Postcode.Present() {
			return m, true
		}
	}
	return Match{}, false
}

// parseFrom parses an address starting exactly at k.
func (p *parser) parseFrom(k int) (Match, bool) {
	var s street
	ok := false
	if isDigit(p.byteAt(k)) {
		ok = p.numberFirst(k, &s)
	} else {
		ok = p.unitFirst(k, &s) || p.poBox(k, &s) || p.streetES(k, &s, true) || p.streetDE(k, &s) || p.streetFR(k, &s, true) ||
			p.streetEN(k, &s, true)
	}
	if !ok || s.start < p.lo {
		return Match{}, false
	}
	return p.finish(&s)
}

// houseNumber returns the end of a house number at k ("12", "221B",
// "12a", "12-14", "12 bis"), or k.
func (p *parser) houseNumber(k int) int {
	t := p.t
	n := len(t)
	j := k
	for j < n && isDigit(t[j]) {
		j++
	}
	if j == k || j-k > 5 || t[k] == '0' {
		return k
	}
	switch {
	case j < n && isAlpha(t[j]):
		if e := p.wordEnd(j); wordByte(p.byteAt(j+1)) && !(p.boundary(e) && isSuffixBis(p.lower(j, e))) {
			return k
		} else if e > j+1 {
			j = e // "112bis"
		} else {
			j++
		}
	case j+1 < n && t[j] == '-' && isDigit(t[j+1]):
		m := j + 1
		for m < n && isDigit(t[m]) {
			m++
		}
		if m-j-1 > 5 {
			return k
		}
		if m < n && isAlpha(t[m]) && !wordByte(p.byteAt(m+1)) {
			m++
		}
		j = m
	}
	if !p.boundary(j) && p.byteAt(j) != '.' {
		return k
	}
	if p.byteAt(j) == ' ' && (p.byteAt(j+1)|0x20 == 'b' || p.byteAt(j+1)|0x20 == 't' || p.byteAt(j+1)|0x20 == 'q') {
		e := p.wordEnd(j + 1)
		switch string(p.lower(j+1, e)) {
		case "bis", "ter", "quater":
			if !wordByte(p.byteAt(e)) {
				j = e
			}
		}
	}
	return j
}

// isSuffixBis reports whether w (lower-case) is a French house-number
// suffix written onto the number: "112bis", "7ter".
func isSuffixBis(w []byte) bool {
	switch string(w) {
	case "bis", "ter", "quater":
		return true
	}
	return false
}

// numberFirst: house number, then a French or English street name.
func (p *parser) numberFirst(k int, s *street) bool {
	ne := p.houseNumber(k)
	if ne == k {
		return false
	}
	s.start, s.number = k, Span{k, ne}
	q := ne
	if p.byteAt(q) == ',' {
		// "55, boulevard Jean Jaurès"
		q = p.spaces(q + 1)
		return q > ne+1 && p.streetFR(q, s, false)
	}
	if c := p.byteAt(q); c != ' ' && c != '\t' {
		return false
	}
	q = p.spaces(q)
	if q-ne > 2 {
		return false
	}
	return p.streetFR(q, s, false) || p.streetEN(q, s, false)
}

// careOf returns the end of a care-of line after k ("…, c/o Bauer" or
// "c/o Bauer" on a line of its own, up to four capitalised words), or k.
func (p *parser) careOf(k int) int {
	q, _, _ := p.sep(k)
	if q == k || p.byteAt(q)|0x20 != 'c' || p.byteAt(q+1) != '/' || p.byteAt(q+2)|0x20 != 'o' || p.byteAt(q+3) != ' ' {
		return k
	}
	end, r := k, p.spaces(q+4)
	for w := 0; w < 4 && p.capAt(r); w++ {
		e := p.wordEnd(r)
		if e == r {
			break
		}
		end = e
		if p.byteAt(e) != ' ' {
			break
		}
		r = e + 1
	}
	return end
}

// finish adds the unit and locality after a street line and scores it.
func (p *parser) finish(s *street) (Match, bool) {
	end := s.end
	if !s.unit.Present() && !s.pobox.Present() {
		if u, e := p.unitAfter(end); u.Present() {
			s.unit, end = u, e
		}
	}
	end = p.careOf(end)
	m := Match{Start: s.start, End: end, Country: s.country, Unit: s.unit, Number: s.number, Street: s.name,
		StreetType: s.typ, POBox: s.pobox}
	conf := 0.7
	switch {
	case s.pobox.Present():
		conf = 0.6
	case s.numberless || s.untyped:
		conf = 0.5
	}
	if s.lower {
		conf -= 0.25
	}
	if s.weak {
		conf -= 0.25
	}
	if s.unit.Present() {
		conf += 0.05
	}
	if l, ok := p.locality(end, s.country); ok {
		m.End, m.Locality, m.Region, m.Postcode = l.end, l.city, l.region, l.postcode
		if l.country != "" {
			m.Country = l.country
		}
		switch {
		case l.postcode.Present() && l.consistent:
			conf += 0.28
		case l.postcode.Present():
			conf += 0.25
		case l.region.Present():
			conf += 0.15
		default:
			conf += 0.05
		}
		if l.countryWord {
			conf += 0.02
		}
	} else if p.byteAt(end) == ' ' && p.capAt(end+1) && !s.pobox.Present() {
		// "101 Dalmatians Street Party": a capitalised word runs on
		conf -= 0.25
	}
	if (s.numberless || s.untyped) && !m.Postcode.Present() || s.untyped && m.Country != DE {
		return Match{}, false
	}
	m.Confidence = min(float64(int(conf*100+0.5))/100, 0.99)
	return m, m.Confidence > 0
}
