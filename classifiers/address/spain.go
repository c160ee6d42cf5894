package address

import "bytes"

// Spanish addresses.
//
// A Spanish street line puts the type first and the number after the
// name, often behind a comma and "nº": "Calle de Alcalá, nº 48, 3º Izq.",
// "C/ Sierpes 12", "Avda. de la Constitución 5", "Passeig de Gràcia 92"
// (Catalan types are written in Barcelona and around it). The floor and
// door follow ("3º Izq.", "2ºB", "bajo A", "ático"), then the locality:
// a five-digit código postal whose first two digits are the province
// (01–52), the town, and often the province again in parentheses
// ("37873 Valencia (Valencia)").

// streetTypeES are the Spanish (and Catalan) street types written before
// the name, lower-cased and without a trailing dot.
var streetTypeES = map[string]bool{
	"calle": true, "c": true, "cl": true, "avenida": true, "avda": true, "av": true, "paseo": true, "pº": true,
	"plaza": true, "pza": true, "pl": true, "ronda": true, "travesía": true, "travesia": true, "camino": true,
	"carretera": true, "ctra": true, "glorieta": true, "callejón": true, "callejon": true, "cuesta": true,
	"costanilla": true, "pasaje": true, "bulevar": true, "rambla": true, "passeig": true, "carrer": true,
	"avinguda": true, "plaça": true, "urbanización": true, "urbanizacion": true, "urb": true, "vía": true,
	"via": true, "alameda": true, "senda": true, "muelle": true, "polígono": true, "poligono": true,
}

// particleES join the words of a Spanish or Catalan street or town name
// ("Paseo del Prado", "Rambla de Catalunya", "Passeig de Gràcia").
var particleES = map[string]bool{
	"de": true, "del": true, "la": true, "las": true, "los": true, "el": true, "y": true, "i": true, "dels": true,
	"les": true, "d'": true, "l'": true,
}

// numberWordES marks the house number: "nº 12", "n° 12", "núm. 12".
var numberWordES = map[string]bool{"nº": true, "n°": true, "núm": true, "num": true, "n.º": true}

// doorES are the door words after a floor: "3º Izq.", "2º Dcha.".
var doorES = map[string]bool{
	"izq": true, "izda": true, "izqda": true, "izquierda": true, "dcha": true, "dcho": true, "drcha": true,
	"derecha": true, "ctro": true, "centro": true, "puerta": true, "pta": true,
}

// floorWordES are floors written as words: "bajo", "ático", "entlo.".
var floorWordES = map[string]bool{"bajo": true, "ático": true, "atico": true, "entlo": true, "entresuelo": true,
	"pral": true, "principal": true, "sótano": true}

// townLeadES may open a town of two capitalised words ("San Sebastián",
// "Santa Cruz de Tenerife", "Las Palmas de Gran Canaria").
var townLeadES = map[string]bool{"san": true, "santa": true, "santo": true, "sant": true, "las": true, "los": true,
	"la": true, "el": true, "gran": true, "puerto": true, "alcalá": true, "torre": true, "villa": true}

// ValidESPostcode reports whether cp is a Spanish código postal: five
// digits whose first two are a province, 01–52.
func ValidESPostcode(cp string) bool {
	if !allDigits(cp, 5) {
		return false
	}
	d := int(cp[0]-'0')*10 + int(cp[1]-'0')
	return d >= 1 && d <= 52
}

// streetES parses a Spanish street line at k: type, name, then the house
// number (after an optional comma and "nº"), floor and door. Without a
// number it is numberless (a postcode must follow).
func (p *parser) streetES(k int, s *street, numberless bool) bool {
	q, tyEnd, ok := p.typeES(k)
	if !ok {
		return false
	}
	names, last := 0, -1
	if q < 0 { // "Gran Vía": the type word is the name
		names, last, q = 1, tyEnd, p.spaces(tyEnd)
	}
	for w := 0; w < 6 && q < len(p.t); w++ {
		a := q
		b := p.wordEnd(a)
		if b == a || b-a > len(p.buf) {
			break
		}
		lw := p.lower(a, b)
		switch {
		case particleES[string(lw)] || elided(lw) > 0 && p.capAt(a+elided(lw)):
			if elided(lw) > 0 {
				names, last = names+1, b
			}
		case p.capAt(a):
			names, last = names+1, b
		default:
			w = 99
			continue
		}
		if c := p.byteAt(b); c != ' ' && c != '\t' {
			break
		}
		q = p.spaces(b)
	}
	if names == 0 || !p.boundary(last) && p.byteAt(last) != ',' {
		return false
	}
	s.start, s.typ, s.name, s.end, s.country = k, Span{k, tyEnd}, Span{k, last}, last, ES
	// ", nº 12", " 12", ", 12", " s/n"
	r := last
	if p.byteAt(r) == ',' {
		r++
	}
	r = p.spaces(r)
	if e := p.wordEnd(r); e > r && e-r <= 4 && numberWordES[string(p.lower(r, e))] {
		r = e
		if p.byteAt(r) == '.' {
			r++
		}
		r = p.spaces(r)
	}
	ne := p.houseNumber(r)
	if ne == r && p.byteAt(r)|0x20 == 's' && p.byteAt(r+1) == '/' && p.byteAt(r+2)|0x20 == 'n' && p.boundary(r+3) {
		ne = r + 3 // sin número
	}
	if ne == r || r == last {
		if !numberless {
			return false
		}
		s.numberless = true
		return true
	}
	s.number, s.end = Span{r, ne}, ne
	if u, e := p.floorES(ne); e > ne {
		s.unit, s.end = u, e
	}
	return true
}

// typeES reads a Spanish street type at k and returns where the name
// starts (-1 for "Gran Vía", which is its own name), where the type ends,
// and whether there is one. "C/Sierpes" has no space after the type.
func (p *parser) typeES(k int) (int, int, bool) {
	c := p.byteAt(k)
	if (c == 'C' || c == 'c') && p.byteAt(k+1) == '/' {
		q := p.spaces(k + 2)
		return q, k + 2, p.capAt(q)
	}
	b := p.wordEnd(k)
	if b == k || b-k > 14 || !p.capAt(k) {
		return 0, 0, false
	}
	lw := p.lower(k, b)
	if string(lw) == "gran" && p.byteAt(b) == ' ' {
		if e := p.wordEnd(b + 1); e > b+1 && (string(p.lower(b+1, e)) == "vía" || string(p.lower(b+1, e)) == "via") {
			return -1, e, p.boundary(e) || p.byteAt(e) == ','
		}
	}
	if p.flags(k, b)&fTypeES == 0 || string(lw) == "c" {
		return 0, 0, false
	}
	e := b
	if p.byteAt(e) == '.' {
		e++
	}
	if c := p.byteAt(e); c != ' ' && c != '\t' {
		return 0, 0, false
	}
	return p.spaces(e), b, true
}

// floorES reads a floor and door after a house number: ", 3º Izq.",
// " 9ºDcha.", " 6º A", ", bajo B", " ático". It returns the span and its
// end, or k.
func (p *parser) floorES(k int) (Span, int) {
	q := k
	if p.byteAt(q) == ',' {
		q++
	}
	q = p.spaces(q)
	if q == k {
		return Span{}, k
	}
	a, e := q, q
	if d := p.digitsEnd(q); d > q && d-q <= 2 {
		m := d
		switch {
		case bytes.HasPrefix(p.t[m:], []byte("º")), bytes.HasPrefix(p.t[m:], []byte("ª")), bytes.HasPrefix(p.t[m:], []byte("°")):
			m += 2
		default:
			return Span{}, k
		}
		e = m
	} else if w := p.wordEnd(q); w > q && floorWordES[string(p.lower(q, w))] {
		e = w
		if p.byteAt(e) == '.' {
			e++
		}
	} else {
		return Span{}, k
	}
	// the door: "Izq.", "Dcha", "A", "B" (touching the floor or after a blank)
	r := p.spaces(e)
	if w := p.wordEnd(r); w > r {
		lw := p.lower(r, w)
		switch {
		case doorES[string(lw)]:
			e = w
			if p.byteAt(e) == '.' {
				e++
			}
		case w-r == 1 && isUpper(p.t[r]) && p.boundary(w):
			e = w
		}
	}
	if !p.boundary(e) && p.byteAt(e-1) != '.' {
		return Span{}, k
	}
	return Span{a, e}, e
}

// cityES extends a town at c..ce: a second capitalised word after "San",
// "Santa", "Las"… ("San Sebastián"; "Las Palmas de Gran Canaria" joins
// the rest through cityDEFR's particles). It returns the town's end and
// the locality's, which takes the province in parentheses after it too,
// "(Valencia)".
func (p *parser) cityES(c, ce int) (town, end int) {
	if townLeadES[string(p.lower(c, ce))] && p.byteAt(ce) == ' ' && p.capAt(ce+1) {
		if e := p.cityDEFR(ce + 1); e > ce+1 {
			ce = e
		}
	}
	town, end = ce, ce
	if p.byteAt(ce) == ' ' && p.byteAt(ce+1) == '(' && p.capAt(ce+2) {
		e := ce + 2
		for e < len(p.t) && e-ce < 40 && (wordByte(p.t[e]) || p.t[e] == ' ' || p.t[e] == '-') {
			e++
		}
		if p.byteAt(e) == ')' {
			end = e + 1
		}
	}
	return town, end
}

// esTypeShape is lexShape for the Spanish types, with "c/" folded in as
// its first letter: the near search asks the lexicon only about words of
// a type's shape.
var esTypeShape = func() (bm [64]uint64) {
	for w := range streetTypeES {
		k := shapeKey(w[0], w[len(w)-1])
		bm[k>>6] |= 1 << (k & 63)
	}
	k := shapeKey('c', 'c')
	bm[k>>6] |= 1 << (k & 63)
	return
}()

// esNear tries Spanish street lines starting up to 80 bytes back on the
// line of the house number at i; the match must cover i.
func (p *parser) esNear(i int) (Match, bool) {
	t := p.t
	lo := max(p.lo, i-80)
	for k := i - 1; k >= lo; k-- {
		if t[k] == '\n' {
			lo = k + 1
			break
		}
	}
	for k := lo; k < i; {
		if !letterByte(t[k]) || k > p.lo && wordByte(t[k-1]) {
			k++
			continue
		}
		e := p.wordEnd(k)
		if sk := shapeKey(t[k], t[e-1]); esTypeShape[sk>>6]&(1<<(sk&63)) != 0 && (p.capAt(k) || t[k] == 'c' && p.byteAt(k+1) == '/') {
			if _, _, ok := p.typeES(k); ok {
				if m, ok := p.parseFrom(k); ok && m.End > i && m.Start < i {
					return m, true
				}
			}
		}
		k = e
	}
	return Match{}, false
}
