package validate

import "strings"

var streetSuffix = map[string]bool{
	"street": true, "st": true, "avenue": true, "ave": true, "av": true, "road": true, "rd": true, "lane": true,
	"ln": true, "drive": true, "dr": true, "boulevard": true, "blvd": true, "way": true, "court": true, "ct": true,
	"place": true, "pl": true, "terrace": true, "close": true, "crescent": true, "square": true, "sq": true,
	"highway": true, "hwy": true, "parkway": true, "pkwy": true, "circle": true, "cir": true, "row": true,
	"gardens": true, "grove": true, "hill": true, "mews": true, "walk": true, "trail": true, "alley": true,
}

// germanStreet are endings of continental street names that precede the
// house number ("Hauptstraße 5", "Rue" is handled as a leading word).
var germanStreet = []string{"straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "ring", "damm"}

// StreetSuffix reports whether w (any case, trailing dot allowed) is a
// street-type word such as Street, Ave or Blvd.
func StreetSuffix(w string) bool {
	w = strings.ToLower(strings.TrimRight(w, ".,"))
	return streetSuffix[w]
}

// houseNumber: 1–5 digits, optionally one letter (221B) or a range (12-14).
func houseNumber(t string) bool {
	t = strings.TrimRight(t, ",")
	d := 0
	for d < len(t) && isDigit(t[d]) {
		d++
	}
	if d == 0 || d > 5 {
		return false
	}
	rest := t[d:]
	return rest == "" || len(rest) == 1 && (isUpper(rest[0]) || isLower(rest[0])) || rest[0] == '-' && BareDigits(rest[1:])
}

// PostalAddress reports whether s reads as a street address: a house number
// followed within five words by a street-type word ("221B Baker Street",
// "1600 Pennsylvania Ave NW, Washington"), a continental "Hauptstraße 5" /
// "Rue de Rivoli 12" / "12 rue de Rivoli" form, or a "PO Box 123".
func PostalAddress(s string) bool {
	if len(s) < 8 || len(s) > 200 {
		return false
	}
	toks := strings.Fields(s)
	if len(toks) < 2 {
		return false
	}
	low := strings.ToLower(s)
	if strings.HasPrefix(low, "po box ") || strings.HasPrefix(low, "p.o. box ") {
		return BareDigits(strings.TrimRight(toks[len(toks)-1], ","))
	}
	for i, t := range toks {
		if !houseNumber(t) {
			// Hauptstraße 5
			lt := strings.ToLower(t)
			for _, suf := range germanStreet {
				if strings.HasSuffix(lt, suf) && len(lt) > len(suf)+2 && i+1 < len(toks) && houseNumber(toks[i+1]) {
					return true
				}
			}
			continue
		}
		for j := i + 1; j < len(toks) && j <= i+6; j++ {
			w := toks[j]
			if j > i+1 && StreetSuffix(w) {
				return true
			}
			lw := strings.ToLower(w)
			if j == i+1 && (lw == "rue" || lw == "avenue" || lw == "calle" || lw == "via" || lw == "rua") && j+1 < len(toks) {
				return true
			}
			if w == "" || !(isUpper(w[0]) || isLower(w[0]) || isDigit(w[0])) {
				break
			}
		}
	}
	return false
}
