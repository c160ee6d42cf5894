package validate

import "sort"

// Func checks one candidate value.
type Func func(s string) bool

var registry = map[string]Func{
	"luhn":           Luhn,
	"credit_card":    CreditCard,
	"iban":           IBAN,
	"us_ssn":         SSN,
	"uk_nino":        NINO,
	"phone":          Phone,
	"email":          Email,
	"ip":             IP,
	"ipv4":           IPv4,
	"ipv6":           IPv6,
	"mac":            MAC,
	"date":           func(s string) bool { _, ok := Date(s); return ok },
	"dob":            DOB,
	"geo":            Geo,
	"geo_pair":       GeoPair,
	"latitude":       Latitude,
	"longitude":      Longitude,
	"person_name":    PersonName,
	"name_shape":     NameShape,
	"name_cased":     NameCased,
	"postal_address": PostalAddress,
	"credential":     Credential,
	"token":          TokenShape,
	"jwt":            JWT,
	"secret":         Secret,
	"user_id":        UserID,
	"uuid":           UUID,
}

// Lookup returns the check registered under name.
func Lookup(name string) (Func, bool) {
	f, ok := registry[name]
	return f, ok
}

// Names lists the registered check names, sorted; rule validation quotes
// them when a rule names an unknown validator.
func Names() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
