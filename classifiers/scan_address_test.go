package classifiers

import (
	"strings"
	"testing"

	"github.com/piimap/piimap"
)

// TestSpansPostalAddressWhole: Engine.Spans returns an address whole,
// street line through postcode, on one line or across lines, and refuses
// address-like noise. Failures print offsets, never the text.
func TestSpansPostalAddressWhole(t *testing.T) {
	e := defaultEngine(t)
	cases := []struct{ name, text string }{
		{"uk one line", "ticket 4412: ship to [[221B Baker Street, London NW1 6XE]] asap"},
		{"uk three lines", "Hello,\nmy address is:\n[[10 Downing Street\nLondon\nSW1A 2AA]]\nBest"},
		{"us multi-line unit", "Return label to [[123 Main St Apt 4B\nSpringfield, IL 62704]], thanks."},
		{"us one line", "lives at [[1600 Pennsylvania Ave NW, Washington, DC 20500]]."},
		{"de multi-line", "Neue Anschrift:\n[[Hauptstraße 5\n10115 Berlin]]\nMfG"},
		{"de postfach", "Bitte an [[Postfach 10 01 23, 10115 Berlin]] schicken"},
		{"fr one line", "Nouvelle adresse : [[12 rue de Rivoli, 75001 Paris]]"},
		{"ca quebec", "office: [[1 Place Ville-Marie, Montréal (Québec) H3B 2C4]]"},
		{"po box", "mail to [[PO Box 1234, Austin, TX 78701]] please"},
		{"unit first", "deliver to [[Flat 3, 12 Acacia Avenue, London SW1A 1AA]] please"},
		{"numberless", "HQ: [[High Street, London SW1A 1AA]]"},
		{"with phone after", "ship to [[42 Maple Drive]], call +1 415-555-2671"},
		{"noise", "order 12 shipped in 3 boxes; retry 5 Times; Room 12 Main Hall; 12 Main.go; 10:30 Main; 10.0.0.1:8080 Park Avenue"},
		{"noise 2", "SKU 12 Pack Ave-Pro; Class 3 Way; $12 Main Street; 101 Dalmatians Street Party; at Foo.bar(Main.java:42)"},
	}
	for _, c := range cases {
		text := strings.ReplaceAll(strings.ReplaceAll(c.text, "[[", ""), "]]", "")
		a := strings.Index(c.text, "[[")
		z := strings.Index(c.text, "]]") - 2
		var got []piimap.Span
		e.Spans([]byte(text), func(sp piimap.Span) {
			if sp.Type == piimap.TypePostalAddress {
				got = append(got, sp)
			}
		})
		if a < 0 {
			for _, sp := range got {
				t.Errorf("%s: unexpected postal_address at %d-%d", c.name, sp.Start, sp.End)
			}
			continue
		}
		if len(got) != 1 || got[0].Start != a || got[0].End != z {
			var offs []string
			for _, sp := range got {
				offs = append(offs, strings.Join([]string{itoa(sp.Start), itoa(sp.End)}, "-"))
			}
			t.Errorf("%s: postal_address spans %v, want one at %d-%d", c.name, offs, a, z)
		}
	}
	// the phone after the address is still found
	var phone bool
	e.Spans([]byte("ship to 42 Maple Drive, call +1 415-555-2671"), func(sp piimap.Span) { phone = phone || sp.Type == piimap.TypePhone })
	if !phone {
		t.Error("phone after an address was lost")
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	k := len(b)
	for ; i > 0; i /= 10 {
		k--
		b[k] = byte('0' + i%10)
	}
	return string(b[k:])
}
