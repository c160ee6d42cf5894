package address

import "bytes"

// streetEN parses name words then an English street type at k ("Baker
// Street", "W. 57th Street", "Pennsylvania Ave NW"), or a whole-word
// street ("Broadway").
func (p *parser) streetEN(k int, s *street, numberless bool) bool {
	q := k
	names := 0
	lower := false
	for w := 0; w < 7; w++ {
		a := q
		b := p.wordEnd(a)
		ord := false
		if b == a {
			if b = p.ordinalEnd(a); b == a {
				return false
			}
			ord = true
		}
		if b-a > 24 {
			return false
		}
		if w == 0 && !ord && p.byteAt(b) != ' ' && p.byteAt(b) != '\t' && p.byteAt(b) != '.' && !p.capAt(a) {
			return false // one lower-case word is no street
		}
		f := uint32(0)
		if !ord {
			f = p.flags(a, b)
		}
		if !ord {
			if w == 0 {
				lower = p.lowerAt(a)
				if lower && numberless {
					return false
				}
				if f&fWholeEN != 0 && !numberless && !lower && p.boundary(b) {
					s.name, s.typ, s.end = Span{a, b}, Span{a, b}, b
					s.lower = lower
					return true
				}
			}
			if w > 0 && f&fUnit != 0 {
				return false
			}
			if f&(fTypeEN|fTypeENWeak) != 0 && names > 0 && (!lower || p.lowerAt(a)) {
				return p.streetENType(k, a, b, f, lower, numberless, s)
			}
		}
		switch {
		case ord, p.capAt(a) && !lower:
		case lower && p.lowerAt(a):
		case names > 0 && f&fParticle != 0:
		default:
			return false
		}
		names++
		e := b
		if p.byteAt(b) == '.' && b-a <= 3 {
			e = b + 1 // "W.", "St.", "Jr."
		}
		if c := p.byteAt(e); c != ' ' && c != '\t' {
			return false
		}
		q = e + 1
		if p.byteAt(q) == ' ' {
			q++
		}
	}
	return false
}

// streetENType finishes an English street whose type word is t[a:b]:
// a trailing abbreviation dot, a second type word ("Mill Hill Road") and
// a directional ("NW", "Ouest").
func (p *parser) streetENType(k, a, b int, f uint32, lower, numberless bool, s *street) bool {
	end := b
	if p.byteAt(b) == '.' && f&fAbbrevEN != 0 && p.boundary(b+1) {
		end = b + 1
	} else if !p.boundary(b) && !(p.byteAt(b) == '.' && p.boundary(b+1)) {
		return false
	}
	s.typ = Span{a, b}
	s.weak = f&fTypeEN == 0
	for x := 0; x < 2 && p.byteAt(end) == ' '; x++ {
		a2 := end + 1
		b2 := p.wordEnd(a2)
		if b2 == a2 || !p.boundary(b2) && p.byteAt(b2) != '.' {
			break
		}
		f2 := p.flags(a2, b2)
		if f2&fTypeEN != 0 && p.capAt(a2) == p.capAt(a) {
			s.typ, s.weak = Span{a2, b2}, false
			end = b2
			if p.byteAt(b2) == '.' && f2&fAbbrevEN != 0 && p.boundary(b2+1) {
				end = b2 + 1
			}
			continue
		}
		if f2&fDirectional != 0 && (isUpper(p.t[a2]) || b2-a2 > 2) {
			end = b2
			if p.byteAt(b2) == '.' && b2-a2 <= 2 && p.boundary(b2+1) {
				end = b2 + 1
			}
		}
		break
	}
	s.name, s.end, s.lower = Span{k, end}, end, lower
	if numberless {
		s.start, s.numberless = k, true
	}
	return true
}

// streetFR parses a French street type then its name at k ("rue de
// Rivoli", "bd Voltaire", "rue Sainte-Catherine Ouest").
func (p *parser) streetFR(k int, s *street, numberless bool) bool {
	b0 := p.wordEnd(k)
	if b0 == k || b0-k > 12 {
		return false
	}
	if c := p.byteAt(b0); c != ' ' && c != '\t' && c != '.' || p.flags(k, b0)&fTypeFR == 0 {
		return false
	}
	tyEnd := b0
	if p.byteAt(b0) == '.' {
		tyEnd = b0 + 1
	}
	if c := p.byteAt(tyEnd); c != ' ' && c != '\t' {
		return false
	}
	q := p.spaces(tyEnd)
	names, caps, last, prevLast := 0, 0, -1, -1
	afterParticle := false
	for w := 0; w < 7; w++ {
		a := q
		b := p.wordEnd(a)
		if b == a {
			break
		}
		if b-a > len(p.buf) {
			break
		}
		if names >= 2 && !afterParticle && b-a == 2 && isUpper(p.t[a]) && isUpper(p.t[a+1]) {
			if code, _ := p.region(a); code != "" {
				// "rue Wellington Laval QC H4P 0V8": the word before
				// the province is the city, not the street.
				names, last = names-1, prevLast
				break
			}
		}
		lw := p.lower(a, b)
		switch {
		case lexicon[string(lw)]&fParticleFR != 0:
			afterParticle = true
		case elided(lw) > 0 && p.capAt(a+elided(lw)), p.capAt(a):
			names++
			caps++
			prevLast, last, afterParticle = last, b, false
		case afterParticle && p.lowerAt(a):
			names++
			prevLast, last, afterParticle = last, b, false
		default:
			w = 99
			continue
		}
		if c := p.byteAt(b); c != ' ' && c != '\t' {
			break
		}
		q = p.spaces(b)
		if q-b > 2 {
			break
		}
	}
	if names == 0 || !p.boundary(last) && p.byteAt(last) != '.' {
		return false
	}
	s.typ, s.name, s.end = Span{k, b0}, Span{k, last}, last
	s.lower = caps == 0
	if s.country == "" {
		s.country = FR
	}
	if numberless {
		s.start, s.numberless = k, true
	}
	return true
}

// elided returns the length of a French elided article opening lw ("d'",
// "l'", "d’"), or 0.
func elided(lw []byte) int {
	if len(lw) < 3 || lw[0] != 'd' && lw[0] != 'l' {
		return 0
	}
	if lw[1] == '\'' {
		return 2
	}
	if len(lw) > 4 && lw[1] == 0xE2 && lw[2] == 0x80 && lw[3] == 0x99 {
		return 4
	}
	return 0
}

// streetDE parses a German street name then its house number at k:
// "Hauptstraße 5", "Goethestr. 12", "Berliner Straße 12a", "Am Markt 3",
// or (only with a postcode after it) a name without a street word,
// "Unter den Linden 77".
func (p *parser) streetDE(k int, s *street) bool {
	if !p.capAt(k) {
		return false
	}
	q := k
	capWords := 0
	particleInside, firstParticle := false, false
	for w := 0; w < 6; w++ {
		a := q
		b := p.wordEnd(a)
		if b == a || b-a > 40 {
			return false
		}
		lw := p.lower(a, b)
		e := b
		if p.byteAt(b) == '.' {
			if !bytes.HasSuffix(lw, []byte("str")) {
				return false
			}
			e = b + 1
		}
		typed := false
		var ty Span
		if p.capAt(a) {
			capWords++
			if w == 0 {
				if notStreetDE[string(lw)] {
					return false // "Bitte liefern Sie an Zeil 455": "Sie" opens no street
				}
				firstParticle = lexicon[string(lw)]&fParticleDE != 0
			}
			isWord, suf := lexicon[string(lw)]&fStreetDE != 0, deCompound(lw)
			switch {
			case isWord && capWords > 1 && capWords <= 3 && !particleInside:
				typed, ty = true, Span{a, b}
			case !isWord && suf > 0 && capWords == 1:
				typed, ty = true, Span{b - suf, b}
			case isWord || suf > 0:
				return false
			}
		} else if w == 0 || lexicon[string(lw)]&fParticleDE == 0 {
			return false
		} else if !firstParticle {
			particleInside = true
		}
		if c := p.byteAt(e); c != ' ' && c != '\t' {
			return false
		}
		nq := p.spaces(e)
		if isDigit(p.byteAt(nq)) {
			if !p.capAt(a) || !typed && capWords > 4 {
				return false
			}
			ne := p.houseNumber(nq)
			if ne == nq {
				return false
			}
			if p.byteAt(ne) == ' ' && isLower(p.byteAt(ne+1)) && !wordByte(p.byteAt(ne+2)) && p.byteAt(ne+2) != '.' {
				ne += 2 // "Rosenweg 12 a"
			}
			s.start, s.name, s.typ, s.number, s.end = k, Span{k, e}, ty, Span{nq, ne}, ne
			s.untyped = !typed
			s.country = DE
			return true
		}
		if typed {
			return false
		}
		q = nq
	}
	return false
}
