package validate

import "github.com/piimap/piimap/classifiers/address"

// PostalAddress reports whether the field value s holds a postal address
// by the grammar of classifiers/address: a street line ("221B Baker
// Street", "12 rue de Rivoli", "Hauptstraße 5", "Flat 3, 12 Acacia
// Avenue"), a PO box ("PO Box 1234", "Postfach 10 01 23", "BP 45"), or a
// numberless street closed by a valid postcode ("High Street, London SW1A
// 1AA"), optionally followed by its city, region, postcode (validated per
// country) and country. A lower-case street with nothing after it
// ("12 main st") counts; prose with a number in it ("Order 12 shipped",
// "version 2") does not.
func PostalAddress(s string) bool {
	if len(s) < 8 || len(s) > 300 {
		return false
	}
	m, ok := address.Parse(s)
	return ok && m.Confidence >= 0.4
}
