package address

import (
	"strings"
	"testing"
)

// findCase: text with the expected address marked [[…]] (none: no
// address), the country and some components expected.
type findCase struct {
	name     string
	text     string
	country  Country
	postcode string
	locality string
	unit     string
}

// mark splits "a [[b]] c" into "a b c" and the span of b (-1, -1 if none).
func mark(s string) (string, int, int) {
	a := strings.Index(s, "[[")
	if a < 0 {
		return s, -1, -1
	}
	z := strings.Index(s, "]]")
	return s[:a] + s[a+2:z] + s[z+2:], a, z - 2
}

var findCases = []findCase{
	// Written as people write them (issue 15): quoted replies, unit lines,
	// Québec "app.", German floors and building parts, "112bis".
	{name: "quoted-reply", text: "Anschrift lautet:\n> [[Leopoldstraße 6\n> 80802 München]]\n> Tel.: 089 123", country: DE, postcode: "80802"},
	{name: "us/unit-line", text: "office is at\n[[11119 Washington Blvd\nApt 9A\nRichmond, VA 23252]]\nPlease", country: US, unit: "Apt 9A", postcode: "23252"},
	{name: "ca/app", text: "mon adresse c'est [[4 rue King Ouest, app. 20, Montréal (QC) H3B 3J1]]\n12:40", country: CA, unit: "app. 20"},
	{name: "ca/app-line", text: "adresse :\n[[5071, rue Principale app 29\nMontréal (QC) H2X 1Y4]]\nMerci", country: CA, unit: "app 29"},
	{name: "de/floor", text: "shipped to [[Goethestraße 21, 3. OG, 93047 Regensburg]]", country: DE, unit: "3. OG", postcode: "93047"},
	{name: "de/building-part", text: "Anschrift:\n[[Im Winkel 20\nHinterhaus\n90402 Nürnberg]]\nTel", country: DE, unit: "Hinterhaus", postcode: "90402"},
	{name: "fr/bis-attached", text: "Initech SAS\n[[112bis place Bellecour\n69002 Lyon]]\nTél", country: FR, postcode: "69002"},
	{name: "no/app-in-prose", text: "the app 2 crashed on Main Street yesterday"},
	{name: "no/floor-alone", text: "Besprechung im 3. OG um 10 Uhr"},
	// Spain: type first, number after the name, floor and door, province
	// in parentheses.
	{name: "es/comma-n", text: "nueva dirección: [[Calle de Alcalá, nº 48, 3º Izq., 28014 Madrid]] gracias", country: ES, postcode: "28014", locality: "Madrid", unit: "3º Izq."},
	{name: "es/c-slash", text: "envíen a [[C/ Sierpes 12\n41004 Sevilla (Sevilla)]]\nTel", country: ES, postcode: "41004"},
	{name: "es/c-slash-tight", text: "[[C/Mayor, 3, 2ºB, 28013 Madrid]]", country: ES, unit: "2ºB"},
	{name: "es/catalan", text: "mi dirección es [[Passeig de Gràcia 92, 08008 Barcelona]].", country: ES, postcode: "08008"},
	{name: "es/abbrev-bajo", text: "[[Avda. de la Constitución 5, bajo B, 41001 Sevilla]]", country: ES, unit: "bajo B"},
	{name: "es/country", text: "[[Plaza Mayor, 1, 37002 Salamanca, España]]", country: ES, postcode: "37002"},
	{name: "es/gran-via", text: "oficina: [[Gran Vía 28, 6ºA\n28013 Madrid]]", country: ES, unit: "6ºA"},
	{name: "es/no-comma-postcode", text: "a [[Ronda de Toledo, 24 28005 Madrid]] hoy", country: ES, postcode: "28005"},
	{name: "es/two-word-town", text: "[[Calle Larga 7, 11403 San Fernando (Cádiz)]]", country: ES, locality: "San Fernando"},
	{name: "es/street-only", text: "vivo en [[Calle Mayor, nº 5]], cerca", country: ES},
	{name: "no/es-street-in-prose", text: "la Calle Mayor es preciosa en 2024"},
	{name: "no/es-avenue-count", text: "Avenida de los Pinos tiene 12 árboles"},
	{name: "no/es-numero-list", text: "el nº 12 de la lista, 28 puntos"},
	{name: "es/bad-province", text: "[[Calle Mayor 5]], 99001 Madrid", country: ES},
	// A postcode after the house number on one line, 0xxxx postcodes,
	// "12 a", care-of lines, a Canadian town before its province code.
	{name: "es/zero-postcode", text: "dirección:\n[[Calle Luna, 9\n08012 Barcelona]]\nGracias", country: ES, postcode: "08012"},
	{name: "de/untyped-one-line", text: "Bitte senden Sie an [[Zeil 10 60313 Frankfurt am Main]].", country: DE, postcode: "60313"},
	{name: "de/number-space-letter", text: "an [[Lindenweg 12 a 80331 München]]. Danke", country: DE, postcode: "80331"},
	{name: "de/care-of-line", text: "Anschrift:\n[[Am Hang 4\nc/o Weber\n50667 Köln]]\nDanke", country: DE, postcode: "50667"},
	{name: "de/care-of-comma", text: "an [[Goethestraße 3, c/o Weber, 50667 Köln]] bitte", country: DE, postcode: "50667"},
	{name: "ca/town-before-province", text: "livré au [[88, rue Notre-Dame Laval QC H7N 1A1]] hier", country: CA, locality: "Laval", postcode: "H7N 1A1"},
	// United States
	{name: "us/one-line", text: "ship to [[1600 Pennsylvania Ave NW, Washington, DC 20500]] today", country: US, postcode: "20500", locality: "Washington"},
	{name: "us/zip+4", text: "[[350 Fifth Avenue, New York, NY 10118-0110]]", country: US, postcode: "10118-0110", locality: "New York"},
	{name: "us/no-commas", text: "send to [[12 Main St Springfield IL 62701]] pls", country: US, postcode: "62701"},
	{name: "us/multi-line", text: "Address:\n[[123 Main St Apt 4B\nSpringfield, IL 62704]]\nthanks", country: US, postcode: "62704", unit: "Apt 4B"},
	{name: "us/unit-first", text: "office [[Suite 200, 1 Market St, San Francisco, CA 94105]].", country: US, unit: "Suite 200"},
	{name: "us/hash-unit", text: "at [[88 Elm Street #12, Boston, MA 02108]]", country: US, unit: "#12"},
	{name: "us/directional-prefix", text: "[[500 W. 57th Street, New York, NY 10019]]", country: US},
	{name: "us/state-name", text: "[[12 Ocean Drive, Portland, Maine 04101]]", country: US, postcode: "04101"},
	{name: "us/po-box", text: "mail [[PO Box 1234, Austin, TX 78701]] now", country: US, postcode: "78701"},
	{name: "us/p.o.-box-newline", text: "[[P.O. Box 512\nBurlington, VT 05401]]", country: US},
	{name: "us/street-only", text: "lives at [[42 Maple Drive]].", country: ""},
	{name: "us/range", text: "at [[12-14 Main Street, Boston, MA 02108]]", country: US},
	{name: "us/broadway", text: "[[1585 Broadway, New York, NY 10036]]", country: US},
	{name: "us/numberless-zip", text: "HQ is [[One Apple Park Way, Cupertino, CA 95014]]", country: US, postcode: "95014"},
	{name: "us/zip-wrong-state", text: "at [[12 Main St]], Springfield, IL 99999"},
	// United Kingdom
	{name: "uk/one-line", text: "ship to [[221B Baker Street, London NW1 6XE]] asap", country: GB, postcode: "NW1 6XE", locality: "London"},
	{name: "uk/three-lines", text: "[[10 Downing Street\nLondon\nSW1A 2AA]]", country: GB, postcode: "SW1A 2AA"},
	{name: "uk/flat-first", text: "to [[Flat 3, 12 Acacia Avenue, London SW1A 1AA]]", country: GB, unit: "Flat 3"},
	{name: "uk/district", text: "[[12 High Street, Kensington, London W8 5SA]]", country: GB},
	{name: "uk/numberless", text: "Our office: [[High Street, London SW1A 1AA]]", country: GB},
	{name: "uk/giro", text: "[[1 Bank Street, Bootle GIR 0AA]]", country: GB, postcode: "GIR 0AA"},
	{name: "uk/town-upon", text: "[[7 Grey Street, Newcastle upon Tyne NE1 7RU]]", country: GB, locality: "Newcastle upon Tyne"},
	// Germany
	{name: "de/one-line", text: "Anschrift: [[Hauptstraße 5, 10115 Berlin]]", country: DE, postcode: "10115", locality: "Berlin"},
	{name: "de/abbrev", text: "[[Goethestr. 12\n80331 München]]", country: DE, postcode: "80331"},
	{name: "de/separate-word", text: "Ich wohne in der [[Berliner Straße 12a, 04109 Leipzig]].", country: DE},
	{name: "de/am-markt", text: "[[Am Markt 3\n53111 Bonn]]", country: DE},
	{name: "de/strasse-ss", text: "[[Dorfstrasse 7, D-24103 Kiel]]", country: DE, postcode: "24103"},
	{name: "de/range", text: "[[Schillerstraße 13-22, 80331 München]]", country: DE},
	{name: "de/untyped", text: "Rechnung: [[Unter den Linden 77, 10117 Berlin]]", country: DE},
	{name: "de/postfach", text: "[[Postfach 10 01 23, 10115 Berlin]]", country: DE},
	{name: "de/ring", text: "[[Hohenzollernring 48, 50672 Köln]]", country: DE},
	{name: "de/frankfurt", text: "[[Mainufer 2, 60311 Frankfurt am Main]]", country: DE, locality: "Frankfurt am Main"},
	{name: "de/street-only", text: "Lieferung an [[Kaiserdamm 21]] bitte", country: DE},
	// France
	{name: "fr/one-line", text: "adresse : [[12 rue de Rivoli, 75001 Paris]]", country: FR, postcode: "75001", locality: "Paris"},
	{name: "fr/bis-comma", text: "[[17 bis, rue des Écoles, 13001 Marseille]]", country: FR},
	{name: "fr/multi-line", text: "[[8 boulevard Voltaire\n75011 Paris\nFrance]]", country: FR},
	{name: "fr/corsica", text: "[[3 cours Napoléon, 20000 Ajaccio]]", country: FR, postcode: "20000"},
	{name: "fr/dom", text: "[[5 rue Schoelcher, 97200 Fort-de-France]]", country: FR},
	{name: "fr/bp-cedex", text: "[[BP 45, 69002 Lyon Cedex 02]]", country: FR, locality: "Lyon Cedex 02"},
	{name: "fr/elided", text: "[[4 rue d'Alsace, 67000 Strasbourg]]", country: FR},
	{name: "fr/street-only", text: "J'habite au [[12 rue des Lilas]] depuis mars", country: FR},
	// Canada
	{name: "ca/one-line", text: "[[77 King St W, Toronto, ON M5K 1A2]]", country: CA, postcode: "M5K 1A2"},
	{name: "ca/quebec-parens", text: "[[1 Place Ville-Marie, Montréal (Québec) H3B 2C4]]", country: CA},
	{name: "ca/french-street", text: "[[1250 rue Sainte-Catherine Ouest\nMontréal, QC H3B 1A7]]", country: CA},
	{name: "ca/po-station", text: "[[P.O. Box 4410, Station A, Toronto, ON M5W 3P7]]", country: CA},
	{name: "ca/unit-after", text: "[[2300 Yonge St Suite 1600, Toronto ON M4P 1E4]]", country: CA, unit: "Suite 1600"},
	{name: "ca/province-mismatch", text: "[[12 Main St]], Toronto, ON H3B 2C4"},
	// refused
	{name: "neg/boxes", text: "order 12 shipped in 3 boxes"},
	{name: "neg/version", text: "v2 Street Fighter and version 2 Road Map"},
	{name: "neg/times", text: "retry 5 Times, then wait 10:30 Main"},
	{name: "neg/room", text: "Room 12 Main Hall"},
	{name: "neg/code", text: "see 12 Main.go line 4"},
	{name: "neg/sku", text: "SKU 12 Pack Ave-Pro"},
	{name: "neg/price", text: "$12 Main Street Edition for 12.50 Park fee"},
	{name: "neg/ip-port", text: "10.0.0.1:8080 Park Avenue"},
	{name: "neg/trace", text: "at Main.run(Main.java:42)\n  File \"x.py\", line 12, in Main Street"},
	{name: "neg/class-way", text: "Class 3 Way valve"},
	{name: "neg/date", text: "on 12 March 2024 Drive"},
	{name: "neg/run-on", text: "101 Dalmatians Street Party"},
	{name: "neg/gerund-ring", text: "Monitoring 5 hosts, Offering 3 deals"},
	{name: "neg/lone-postcode", text: "SW1A 1AA and 10115 Berlin and M5V 2T6"},
	{name: "neg/box-alone", text: "Box 12 of 40, Suite 200 tests passed, Flat 3 tyre"},
	{name: "neg/lowercase", text: "we need 5 road signs and 3 main st"},
	{name: "neg/de-prose", text: "Es gibt 12 Straßen und Version 5 Weg"},
	{name: "neg/fr-prose", text: "Tome 3 Boulevard du crime, il reste 12 places"},
}

func TestFind(t *testing.T) {
	for _, c := range findCases {
		text, a, z := mark(c.text)
		var got []Match
		Find([]byte(text), func(m Match) {
			if m.Confidence >= 0.5 {
				got = append(got, m)
			}
		})
		if a < 0 {
			if len(got) > 0 {
				t.Errorf("%s: unexpected address at %d-%d", c.name, got[0].Start, got[0].End)
			}
			continue
		}
		if len(got) != 1 {
			t.Errorf("%s: %d addresses, want 1 at %d-%d", c.name, len(got), a, z)
			continue
		}
		m := got[0]
		if m.Start != a || m.End != z {
			t.Errorf("%s: span %d-%d, want %d-%d", c.name, m.Start, m.End, a, z)
		}
		if m.Country != c.country {
			t.Errorf("%s: country %q, want %q", c.name, m.Country, c.country)
		}
		comp := func(what string, s Span, want string) {
			if want != "" && text[s.Start:s.End] != want {
				t.Errorf("%s: %s at %d-%d, want the %d bytes at %d", c.name, what, s.Start, s.End, len(want), strings.Index(text, want))
			}
		}
		comp("postcode", m.Postcode, c.postcode)
		comp("locality", m.Locality, c.locality)
		comp("unit", m.Unit, c.unit)
	}
}

// TestConfidenceOrder: a full address beats a street line beats a
// lower-case or run-on one.
func TestConfidenceOrder(t *testing.T) {
	conf := func(s string) float64 {
		m, ok := Parse(s)
		if !ok {
			return 0
		}
		return m.Confidence
	}
	full := conf("12 Main St, Springfield, IL 62701")
	bare := conf("12 Main St")
	lower := conf("12 main st")
	if !(full > bare && bare > lower && lower > 0) {
		t.Errorf("confidence order: full %.2f, bare %.2f, lower %.2f", full, bare, lower)
	}
}

func TestParseField(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"221B Baker Street, London", true},
		{"12 rue de Rivoli, Paris", true},
		{"Hauptstraße 5, 10115 Berlin", true},
		{"PO Box 1234", true},
		{"1600 Pennsylvania Ave NW, Washington, DC 20500", true},
		{"12 main st", true},
		{"Order 12 shipped", false},
		{"version 2", false},
		{"SW1A 1AA", false},
		{"", false},
	} {
		if _, ok := Parse(c.in); ok != c.want {
			t.Errorf("Parse(%d bytes %q…) = %v, want %v", len(c.in), c.in[:min(len(c.in), 3)], ok, c.want)
		}
	}
}
