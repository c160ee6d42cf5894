package address

import (
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"ship to 221B Baker Street, London NW1 6XE asap",
	"Flat 3, 12 Acacia Avenue\nLondon\nSW1A 1AA",
	"Hauptstraße 5, 10115 Berlin",
	"Postfach 10 01 23, D-10115 Berlin",
	"17 bis, rue des Écoles, 13001 Marseille Cedex 01",
	"1 Place Ville-Marie, Montréal (Québec) H3B 2C4",
	"P.O. Box 4410, Station A, Toronto, ON M5W 3P7, Canada",
	"One Apple Park Way, Cupertino, CA 95014-0001",
	"Unter den Linden 77\n10117 Berlin\nDeutschland",
	"order 12 shipped in 3 boxes; 10:30 Main; $12 Main St",
	"12 main st apt #4b, springfield",
	"Calle de Alcalá, nº 48, 3º Izq., 28014 Madrid (Madrid)",
	"C/Sierpes 12 s/n\n> 41004 San Fernando, España",
	"Gran Vía 28, 6ºA 28013 Madrid; nº 5 ático",
	"\xff\xfe 12 \xc3 Street \xed\xa0\x80 SW1A 1AA",
	"1 A\n2 B, 3 C D 4",
}

// FuzzFind: no panic; matches in bounds, ordered, non-overlapping, with
// components inside the match; Parse of a match's own text finds it whole
// (idempotent).
func FuzzFind(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data := []byte(s)
		prev := 0
		Find(data, func(m Match) {
			checkMatch(t, m, len(data), prev)
			prev = m.End
			sub := s[m.Start:m.End]
			m2, ok := Parse(sub)
			if !ok || m2.Start != 0 || m2.End != len(sub) {
				t.Fatalf("Parse of a found address (%d bytes) gives %v %d-%d", len(sub), ok, m2.Start, m2.End)
			}
		})
	})
}

// FuzzParse: no panic; the match is in bounds; parsing the match's own
// text again returns it whole.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := Parse(s)
		if !ok {
			return
		}
		checkMatch(t, m, len(s), 0)
		sub := s[m.Start:m.End]
		m2, ok := Parse(sub)
		if !ok || m2.Start != 0 || m2.End != len(sub) {
			t.Fatalf("Parse not idempotent: %d bytes → %v %d-%d", len(sub), ok, m2.Start, m2.End)
		}
	})
}

func checkMatch(t *testing.T, m Match, n, prev int) {
	t.Helper()
	if m.Start < prev || m.Start >= m.End || m.End > n {
		t.Fatalf("match %d-%d out of bounds (len %d, previous end %d)", m.Start, m.End, n, prev)
	}
	if m.Confidence <= 0 || m.Confidence > 1 {
		t.Fatalf("confidence %v", m.Confidence)
	}
	for _, c := range []Span{m.Unit, m.Number, m.Street, m.StreetType, m.POBox, m.Locality, m.Region, m.Postcode} {
		if c.Present() && (c.Start < m.Start || c.End > m.End) {
			t.Fatalf("component %d-%d outside match %d-%d", c.Start, c.End, m.Start, m.End)
		}
	}
}

// FuzzPostcodes: the validators never panic, and what they accept has the
// country's shape.
func FuzzPostcodes(f *testing.F) {
	for _, s := range []string{"20500", "10118-0110", "NW1 6XE", "GIR 0AA", "H3B 2C4", "K1A0B1", "75001", "2A004", ""} {
		f.Add(s, "NY")
		f.Add(s, "QC")
	}
	f.Fuzz(func(t *testing.T, code, region string) {
		if ValidUSZIP(code, region) && !(len(code) == 5 || len(code) == 10) {
			t.Fatalf("ZIP of %d bytes accepted", len(code))
		}
		if ValidUKPostcode(code) && (len(code) < 5 || len(code) > 8 || !utf8.ValidString(code)) {
			t.Fatalf("UK postcode of %d bytes accepted", len(code))
		}
		if (ValidDEPostcode(code) || ValidFRPostcode(code) || ValidESPostcode(code)) && !allDigits(code, 5) {
			t.Fatalf("non-digit DE/FR/ES postcode accepted")
		}
		if ValidCAPostcode(code, region) && (len(code) < 6 || len(code) > 7) {
			t.Fatalf("CA postcode of %d bytes accepted", len(code))
		}
		for _, c := range []Country{US, GB, DE, FR, CA, ES, ""} {
			ValidPostcode(c, code, region)
		}
	})
}
