package address

// locality is the line after the street: city, region, postcode, country.
type locality struct {
	end                    int
	city, region, postcode Span
	country                Country
	consistent             bool // the postcode was checked against the region
	countryWord            bool
}

// locality parses what follows a street line ending at k: "London NW1
// 6XE", "10115 Berlin", "Springfield, IL 62701", "Montréal (Québec) H3B
// 2C4", on the same line or the next, then an optional country name.
// hint is the country the street vocabulary suggests.
func (p *parser) locality(k int, hint Country) (locality, bool) {
	q, _, _ := p.sep(k)
	if q == k || q >= len(p.t) {
		return locality{}, false
	}
	l, ok := p.postcodeFirst(q, hint)
	if !ok {
		if e := p.ukPostcode(q); e > q {
			l, ok = locality{end: e, postcode: Span{q, e}, country: GB}, true
		} else if e := p.caPostcode(q); e > q {
			l, ok = locality{end: e, postcode: Span{q, e}, country: CA}, true
		} else {
			l, ok = p.cityTail(q)
		}
	}
	if !ok {
		return l, false
	}
	if e, c := p.countryAfter(l.end); e > l.end {
		l.end, l.countryWord = e, true
		if l.country == "" {
			l.country = c
		}
	}
	return l, true
}

// postcodeFirst parses a German or French locality: "10115 Berlin",
// "D-10115 Berlin", "75008 Paris Cedex 08", "60311 Frankfurt am Main".
func (p *parser) postcodeFirst(q int, hint Country) (locality, bool) {
	k := q
	want := hint
	switch {
	case p.byteAt(k) == 'D' && p.byteAt(k+1) == '-':
		k, want = k+2, DE
	case p.byteAt(k) == 'F' && p.byteAt(k+1) == '-':
		k, want = k+2, FR
	}
	j := k
	for j < len(p.t) && isDigit(p.t[j]) {
		j++
	}
	if j-k != 5 || p.byteAt(j) != ' ' {
		return locality{}, false
	}
	c := p.spaces(j)
	ce := p.cityDEFR(c)
	if ce == c {
		return locality{}, false
	}
	code := string(p.t[k:j])
	de, fr := ValidDEPostcode(code), ValidFRPostcode(code)
	var country Country
	switch {
	case want == ES && ValidESPostcode(code):
		town, end := p.cityES(c, ce)
		return locality{end: end, city: Span{c, town}, postcode: Span{k, j}, country: ES, consistent: true}, true
	case want == ES:
		return locality{}, false
	case want == DE && de:
		country = DE
	case want == FR && fr:
		country = FR
	case want == DE || want == FR:
		return locality{}, false
	case de && fr:
		country = ""
	case de:
		country = DE
	case fr:
		country = FR
	default:
		return locality{}, false
	}
	return locality{end: ce, city: Span{c, ce}, postcode: Span{k, j}, country: country, consistent: country != ""}, true
}

// cityDEFR returns the end of a German or French city name at c: one
// capitalised word, particles joining further capitalised words ("am
// Main", "im Breisgau", "sur Mer"), and "Cedex" with its number.
func (p *parser) cityDEFR(c int) int {
	if !p.capAt(c) {
		return c
	}
	end := p.wordEnd(c)
	if !p.boundary(end) {
		return c
	}
	for x := 0; x < 2 && p.byteAt(end) == ' '; x++ {
		a := end + 1
		b := p.wordEnd(a)
		f := p.flags(a, b)
		if f&fParticle != 0 && p.byteAt(b) == ' ' {
			if a2 := b + 1; p.capAt(a2) {
				end = p.wordEnd(a2)
				continue
			}
			if b2 := p.wordEnd(b + 1); p.flags(b+1, b2)&fParticle != 0 && p.byteAt(b2) == ' ' && p.capAt(b2+1) {
				end = p.wordEnd(b2 + 1) // an der Oder
				continue
			}
			break
		}
		if string(p.lower(a, b)) == "cedex" {
			end = b
			if p.byteAt(b) == ' ' && isDigit(p.byteAt(b+1)) {
				e := b + 1
				for e < len(p.t) && isDigit(p.t[e]) && e-b <= 3 {
					e++
				}
				if p.boundary(e) {
					end = e
				}
			}
		}
		break
	}
	return end
}

// cityTail parses "City[,] REGION [POSTCODE]" or "City[,] POSTCODE" (UK,
// Canada), trying the shortest city first so that "New York, NY 10118"
// splits right. In lenient mode a bare city that ends its line counts.
func (p *parser) cityTail(q int) (locality, bool) {
	c := q
	commas := 0
	plainEnd := -1
	for w := 0; w < 5; w++ {
		a := c
		b := p.wordEnd(a)
		if b == a || b-a > 30 {
			break
		}
		if !p.capAt(a) {
			if w > 0 && p.flags(a, b)&fParticle != 0 && p.byteAt(b) == ' ' {
				c = b + 1
				continue
			}
			break
		}
		if w > 0 && b-a == 2 && isUpper(p.t[a]) && isUpper(p.t[a+1]) {
			if code, _ := p.region(a); code != "" {
				break // a region is not part of the city ("Toronto, ON H3B …")
			}
		}
		e := b
		if p.byteAt(b) == '.' && b-a <= 3 {
			e = b + 1 // St. John's
		}
		if l, ok := p.regionTail(q, e); ok {
			return l, true
		}
		if commas == 0 {
			plainEnd = e
		}
		nx := e
		if p.byteAt(nx) == ',' {
			if commas++; commas > 1 {
				break
			}
			nx++
		}
		if p.byteAt(nx) != ' ' {
			break
		}
		c = p.spaces(nx)
	}
	if p.lenient && plainEnd > q {
		r := p.spaces(plainEnd)
		if c := p.byteAt(r); r >= len(p.t) || c == ',' || c == '\n' || c == '\r' || c == ';' {
			return locality{end: plainEnd, city: Span{q, plainEnd}}, true
		}
	}
	return locality{}, false
}

// regionTail parses what follows a city t[cs:ce]: a UK or Canadian
// postcode (the next line allowed), or a US state / Canadian province
// (code, name or "(Québec)") with an optional ZIP / postal code that must
// agree with it.
func (p *parser) regionTail(cs, ce int) (locality, bool) {
	q, _, nl := p.sep(ce)
	if q == ce {
		return locality{}, false
	}
	city := Span{cs, ce}
	if e := p.ukPostcode(q); e > q {
		return locality{end: e, city: city, postcode: Span{q, e}, country: GB}, true
	}
	if e := p.caPostcode(q); e > q {
		return locality{end: e, city: city, postcode: Span{q, e}, country: CA}, true
	}
	if nl {
		return locality{}, false
	}
	r := q
	open := p.byteAt(r) == '('
	if open {
		r++
	}
	code, re := p.region(r)
	if re == r {
		return locality{}, false
	}
	if open {
		if p.byteAt(re) != ')' {
			return locality{}, false
		}
		re++
	}
	l := locality{end: re, city: city, region: Span{q, re}}
	_, isCA := caProvince[code]
	if isCA {
		l.country = CA
	} else {
		l.country = US
	}
	q2 := p.spaces(re)
	if p.byteAt(q2) == ',' {
		q2 = p.spaces(q2 + 1)
	}
	if q2 == re {
		return l, true
	}
	if isCA {
		if e := p.caPostcode(q2); e > q2 {
			if !ValidCAPostcode(string(p.t[q2:e]), code) {
				return locality{}, false
			}
			l.end, l.postcode, l.consistent = e, Span{q2, e}, true
		}
		return l, true
	}
	if e := p.zip(q2); e > q2 {
		if !ValidUSZIP(string(p.t[q2:e]), code) {
			return locality{}, false
		}
		l.end, l.postcode, l.consistent = e, Span{q2, e}, true
	}
	return l, true
}

// region returns the code of a US state or Canadian province written at r
// (upper-case code or name) and its end, or r.
func (p *parser) region(r int) (string, int) {
	t := p.t
	if r+2 <= len(t) && isUpper(t[r]) && isUpper(t[r+1]) && p.boundary(r+2) && p.byteAt(r+2) != '.' {
		code := string(t[r : r+2])
		if _, ok := zipRanges[code]; ok {
			return code, r + 2
		}
		if _, ok := caProvince[code]; ok {
			return code, r + 2
		}
		return "", r
	}
	if !p.capAt(r) {
		return "", r
	}
	e := r
	best, bestEnd := "", r
	for w := 0; w < 4; w++ {
		b := p.wordEnd(e)
		if b == e {
			break
		}
		lw := string(p.lower(r, b))
		if c, ok := usStateName[lw]; ok {
			best, bestEnd = c, b
		} else if c, ok := caProvinceName[lw]; ok {
			best, bestEnd = c, b
		}
		if p.byteAt(b) != ' ' {
			break
		}
		e = b + 1
	}
	if bestEnd > r && p.boundary(bestEnd) {
		return best, bestEnd
	}
	return "", r
}

// zip returns the end of a US ZIP or ZIP+4 at q, or q.
func (p *parser) zip(q int) int {
	j := q
	for j < len(p.t) && isDigit(p.t[j]) {
		j++
	}
	if j-q != 5 {
		return q
	}
	if p.byteAt(j) == '-' && isDigit(p.byteAt(j+1)) {
		e := j + 1
		for e < len(p.t) && isDigit(p.t[e]) {
			e++
		}
		if e-j-1 == 4 && p.boundary(e) {
			return e
		}
		return q
	}
	if !p.boundary(j) {
		return q
	}
	return j
}

// ukPostcode returns the end of a valid UK postcode at q ("NW1 6XE",
// "SW1A 2AA", "CR26XH"), or q.
func (p *parser) ukPostcode(q int) int {
	t := p.t
	j := q
	for j < len(t) && j-q < 8 && (isUpper(t[j]) || isDigit(t[j])) {
		j++
	}
	if j == q || !isUpper(t[q]) {
		return q
	}
	if p.byteAt(j) == ' ' && j-q >= 2 && j-q <= 4 {
		e := j + 4
		if e <= len(t) && p.boundary(e) && ValidUKPostcode(string(t[q:e])) {
			return e
		}
		return q
	}
	if j-q >= 5 && j-q <= 7 && p.boundary(j) && ValidUKPostcode(string(t[q:j])) {
		return j
	}
	return q
}

// caPostcode returns the end of a Canadian postal code shape at q ("H3B
// 2C4", "H3B2C4"), or q.
func (p *parser) caPostcode(q int) int {
	t := p.t
	if q+6 > len(t) {
		return q
	}
	e := q + 6
	switch t[q+3] {
	case ' ', '-':
		e = q + 7
	}
	if e > len(t) || !p.boundary(e) || !ValidCAPostcode(string(t[q:e]), "") {
		return q
	}
	return e
}

// countryAfter returns the end of a country name after k (", USA",
// "\nDeutschland") and the country, or k.
func (p *parser) countryAfter(k int) (int, Country) {
	q, _, _ := p.sep(k)
	if q == k || !p.capAt(q) {
		return k, ""
	}
	e := q
	for w := 0; w < 4; w++ {
		b := p.wordEnd(e)
		if b == e {
			break
		}
		if p.byteAt(b) == '.' && b-e <= 2 && isAlpha(p.byteAt(b+1)) {
			b = p.wordEnd(b + 1) // U.S.A, U.K
		}
		if c, ok := countryName[string(p.lower(q, b))]; ok {
			end := b
			if p.byteAt(end) == '.' && p.boundary(end+1) {
				end++
			}
			if p.boundary(end) {
				return end, c
			}
		}
		if p.byteAt(b) != ' ' {
			break
		}
		e = b + 1
	}
	return k, ""
}
