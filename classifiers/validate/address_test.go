package validate

import "testing"

// TestPostalAddressField: field values, per country and form; the
// earlier true and false positives are kept. Failures print lengths, not
// values.
func TestPostalAddressField(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		// kept from the earlier suffix check
		{"221B Baker Street, London", true},
		{"1600 Pennsylvania Ave NW, Washington, DC 20500", true},
		{"Hauptstraße 5, 10115 Berlin", true},
		{"PO Box 1234", true},
		{"12 rue de Rivoli, Paris", true},
		{"Order 12 shipped", false},
		{"version 2", false},
		// United States
		{"123 Main St Apt 4B, Springfield, IL 62704", true},
		{"P.O. Box 512, Burlington, VT 05401-0512", true},
		{"350 FIFTH AVENUE, NEW YORK, NY 10118", true},
		{"42 maple drive", true},
		// United Kingdom
		{"Flat 3, 12 Acacia Avenue, London SW1A 1AA", true},
		{"10 Downing Street\nLondon\nSW1A 2AA", true},
		{"High Street, London SW1A 1AA", true},
		// Germany
		{"Goethestr. 12, 80331 München", true},
		{"Berliner Straße 12a", true},
		{"Postfach 10 01 23, 10115 Berlin", true},
		// France
		{"17 bis, rue des Écoles, 13001 Marseille", true},
		{"BP 45, 69002 Lyon Cedex", true},
		// Canada
		{"1 Place Ville-Marie, Montréal (Québec) H3B 2C4", true},
		{"77 King St W, Toronto, ON M5K 1A2", true},
		// refused
		{"SW1A 1AA", false},
		{"10115 Berlin", false},
		{"Toronto, ON M5V 2T6", false},
		{"retry 5 Times", false},
		{"SKU 12 Pack Ave-Pro", false},
		{"10.0.0.1:8080 Park Avenue", false},
		{"Room 12 Main Hall", false},
		{"550e8400-e29b-41d4-a716-446655440000", false},
		{"4111 1111 1111 1111", false},
		{"jane@example.com", false},
	}
	for i, c := range cases {
		if got := PostalAddress(c.in); got != c.want {
			t.Errorf("case %d (%d bytes): PostalAddress = %v, want %v", i, len(c.in), got, c.want)
		}
	}
}
