package address

import "bytes"

// poBox parses "PO Box 1234", "P.O. Box 12", "Post Office Box 9",
// "POB 12", "Postfach 10 01 23", "BP 45", "B.P. 45", "Boîte postale 45",
// "Case postale 1234", with a Canadian ", Station A" after it.
func (p *parser) poBox(k int, s *street) bool {
	lw := p.lower(k, min(len(p.t), k+len(p.buf)))
	var c Country
	pl := 0
	for _, f := range poForms {
		if bytes.HasPrefix(lw, []byte(f.prefix)) {
			pl, c = len(f.prefix), f.country
			break
		}
	}
	if pl == 0 {
		return false
	}
	q := k + pl
	if c := p.byteAt(q); c != ' ' && c != '\t' {
		return false
	}
	q = p.spaces(q)
	j := q
	for j < len(p.t) && isDigit(p.t[j]) {
		j++
	}
	if j == q || j-q > 8 {
		return false
	}
	if c == DE {
		// Postfach 10 01 23
		for g := 0; g < 3 && p.byteAt(j) == ' ' && isDigit(p.byteAt(j+1)) && isDigit(p.byteAt(j+2)) && !isDigit(p.byteAt(j+3)); g++ {
			j += 3
		}
	}
	if !p.boundary(j) && p.byteAt(j) != '.' {
		return false
	}
	s.start, s.pobox, s.end, s.country = k, Span{k, j}, j, c
	// ", Station A" / ", STN A" / ", Succ. Centre-ville" (Canada)
	q2, _, nl := p.sep(j)
	if !nl && q2 > j {
		b := p.wordEnd(q2)
		switch string(p.lower(q2, b)) {
		case "station", "stn", "succ", "succursale":
			e := b
			if p.byteAt(e) == '.' {
				e++
			}
			if p.byteAt(e) == ' ' {
				if b2 := p.wordEnd(e + 1); b2 > e+1 && p.capAt(e+1) && p.boundary(b2) {
					s.end, s.country = b2, CA
				}
			}
		}
	}
	return true
}

var poForms = []struct {
	prefix  string
	country Country
}{
	{"post office box", US}, {"p.o. box", ""}, {"p. o. box", ""}, {"p.o.box", ""}, {"po box", ""},
	{"pob", ""}, {"postfach", DE}, {"b.p.", FR}, {"bp", FR}, {"boîte postale", FR}, {"boite postale", FR},
	{"case postale", CA},
}

// unitFirst parses a unit before the street line: "Flat 3, 12 Acacia
// Avenue", "Suite 200, 1 Market St", "Apt 4B\n100 Riverside Dr".
func (p *parser) unitFirst(k int, s *street) bool {
	b := p.wordEnd(k)
	if b == k || p.flags(k, b)&fUnitFirst == 0 {
		return false
	}
	e := b
	if p.byteAt(e) == '.' {
		e++
	}
	ue := p.unitID(p.spaces(e))
	if ue == 0 || p.spaces(e) == e {
		return false
	}
	q, _, _ := p.sep(ue)
	if q == ue || !isDigit(p.byteAt(q)) || !p.numberFirst(q, s) {
		return false
	}
	s.start, s.unit = k, Span{k, ue}
	return true
}

// unitID returns the end of a unit identifier at k ("4B", "200", "B",
// "12-3"), or 0.
func (p *parser) unitID(k int) int {
	j := k
	digits := 0
	for j < len(p.t) && j-k < 6 && (isDigit(p.t[j]) || isAlpha(p.t[j]) || p.t[j] == '-' && j > k) {
		if isDigit(p.t[j]) {
			digits++
		}
		j++
	}
	if j == k || wordByte(p.byteAt(j)) || p.t[j-1] == '-' {
		return 0
	}
	if digits == 0 && j-k > 1 {
		return 0
	}
	return j
}

// unitAfter parses a unit after the street line: " Apt 4B", ", Suite
// 200", " #12". It returns the unit and its end, or an empty span.
func (p *parser) unitAfter(k int) (Span, int) {
	q, _, _ := p.sep(k) // "5 Main St, Apt 2" or a unit line: "5 Main St\nApt 2"
	if q == k {
		return Span{}, k
	}
	a := q
	// "3. OG", "2. Stock": a German floor.
	if d := p.digitsEnd(q); d > q && d-q <= 2 && p.byteAt(d) == '.' && p.byteAt(d+1) == ' ' {
		if w := p.wordEnd(d + 2); w > d+2 && floorWord[string(p.lower(d+2, w))] && p.boundary(w) {
			return Span{a, w}, w
		}
	}
	// "Hinterhaus": a building part on a line of its own.
	if w := p.wordEnd(q); w > q && buildingPart[string(p.lower(q, w))] && p.boundary(w) {
		if _, _, nl := p.sep(w); nl || p.byteAt(w) == ',' {
			return Span{a, w}, w
		}
	}
	if p.byteAt(q) == '#' {
		if e := p.unitID(q + 1); e > 0 {
			return Span{a, e}, e
		}
		return Span{}, k
	}
	b := p.wordEnd(q)
	if b == q || p.flags(q, b)&fUnit == 0 {
		return Span{}, k
	}
	e := b
	if p.byteAt(e) == '.' {
		e++
	}
	if p.byteAt(e) == ' ' {
		e = p.spaces(e)
		if p.byteAt(e) == '#' {
			e++
		}
	} else if p.byteAt(e) != '#' {
		return Span{}, k
	} else {
		e++
	}
	if u := p.unitID(e); u > 0 {
		return Span{a, u}, u
	}
	return Span{}, k
}

// digitsEnd returns the end of the ASCII digits at k (k when none).
func (p *parser) digitsEnd(k int) int {
	for k < len(p.t) && isDigit(p.t[k]) {
		k++
	}
	return k
}
