package address

// Span is a byte range [Start, End) of the scanned text; End == Start
// means the component is absent.
type Span struct{ Start, End int }

// Present reports whether the component was found.
func (s Span) Present() bool { return s.End > s.Start }

// Match is one postal address: its byte range, its components (byte
// ranges of the same text) and a confidence in [0, 1].
type Match struct {
	Start, End int
	Country    Country // from the postcode, region or street vocabulary; "" when unknown
	Unit       Span    // "Apt 4B", "Flat 3", "Suite 200", "#12"
	Number     Span    // house number: "221B", "12-14", "12 bis"
	Street     Span    // street name with its type: "Baker Street", "rue de Rivoli", "Hauptstraße"
	StreetType Span    // "Street", "rue", "straße" (inside Street)
	POBox      Span    // "PO Box 1234", "Postfach 10 01 23", "BP 45"
	Locality   Span    // city: "London", "Frankfurt am Main"
	Region     Span    // US state or Canadian province: "NY", "Québec"
	Postcode   Span    // "NW1 6XE", "10115", "H3B 2C4", "20500-0003"
	Confidence float64
}

// Find emits every address in text, in order and without overlaps. It
// looks only where a cheap gate fires (a digit run next to a street word,
// a unit or PO-box word, or a postcode shape), so it costs little on text
// without addresses. It never panics on arbitrary bytes.
func Find(text []byte, emit func(Match)) {
	lo := 0
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		if !isDigit(c) {
			i++
			continue
		}
		if i > 0 && wordByte(text[i-1]) {
			for i < n && wordByte(text[i]) {
				i++
			}
			continue
		}
		if m, ok := At(text, i, lo); ok {
			emit(m)
			lo, i = m.End, m.End
			continue
		}
		for i < n && isDigit(text[i]) {
			i++
		}
	}
}

// Parse finds the best address in a field value s: the one covering most
// of s. Unlike Find it accepts a bare city after the street ("221B Baker
// Street, London"), since the whole value is known to be one field.
func Parse(s string) (Match, bool) {
	text := []byte(s)
	var best Match
	found := false
	lo := 0
	n := len(text)
	for i := 0; i < n; {
		if !isDigit(text[i]) || i > 0 && wordByte(text[i-1]) {
			i++
			continue
		}
		p := parser{t: text, lo: lo, lenient: true}
		if m, ok := p.at(i); ok {
			if !found || m.End-m.Start > best.End-best.Start {
				best, found = m, true
			}
			lo, i = m.End, m.End
			continue
		}
		for i < n && isDigit(text[i]) {
			i++
		}
	}
	return best, found
}

// Gate reports, from the bytes around it alone, whether the digit run at
// text[i] can anchor an address; At applies it first. It costs a few byte
// comparisons, so a scanner can call it at every digit run.
func Gate(text []byte, i int) bool {
	if i < 0 || i >= len(text) || !isDigit(text[i]) {
		return false
	}
	return gate(text, i, 0)
}

// At tries an address anchored at the digit run starting at text[i]: a
// house number ("221B Baker Street"), the number after a German street
// name ("Hauptstraße 5"), the number of a unit or PO box ("Flat 3, …",
// "PO Box 12"), or a postcode closing an address whose street line has no
// number ("High Street, London SW1A 1AA"). The match may start before i
// but never before lo. Callers pass a digit that does not continue a word;
// At applies its own cheap gate first and returns quickly when it fails.
func At(text []byte, i, lo int) (Match, bool) {
	if i < 0 || i >= len(text) || lo < 0 || lo > i || !isDigit(text[i]) {
		return Match{}, false
	}
	if !gate(text, i, lo) {
		return Match{}, false
	}
	p := parser{t: text, lo: lo}
	return p.at(i)
}
