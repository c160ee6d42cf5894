package lineage

import (
	"sort"
	"strings"

	"github.com/piimap/piimap"
)

// CatalogTerm is what one piimap PII type is called in the catalogs the map
// exports to: a Fides data category (fideslang), a DataHub glossary term
// under the piimap node, and an OpenMetadata classification tag. The
// table is data (catalogTerms), documented in docs/CATALOG_EXPORTS.md; a
// test checks that every type the classifiers emit has a row.
type CatalogTerm struct {
	Type string `json:"type"`
	// Fides is the fideslang data category key.
	Fides string `json:"fides"`
	// Glossary is the DataHub glossary term's name under the "piimap"
	// node (urn:li:glossaryTerm:piimap.<Glossary>).
	Glossary string `json:"glossary"`
	// Sensitive chooses OpenMetadata's PII.Sensitive over PII.NonSensitive.
	Sensitive bool `json:"sensitive"`
	// Title is a short human name (SARIF rule names, glossary definitions).
	Title string `json:"title"`
}

// catalogTerms maps every PII type piimap classifies. Sensitive follows
// OpenMetadata's own auto-classification (government ids, financial
// accounts, credentials and dates of birth are sensitive; contact data is
// not) so tags agree with what its profiler would suggest.
var catalogTerms = []CatalogTerm{
	{piimap.TypeEmail, "user.contact.email", "EmailAddress", false, "email address"},
	{piimap.TypePhone, "user.contact.phone_number", "PhoneNumber", false, "phone number"},
	{piimap.TypePersonName, "user.name", "PersonName", false, "person name"},
	{piimap.TypePostalAddress, "user.contact.address", "PostalAddress", false, "postal address"},
	{piimap.TypeDateOfBirth, "user.demographic.date_of_birth", "DateOfBirth", true, "date of birth"},
	{piimap.TypeUSSSN, "user.government_id.national_identification_number", "NationalIdUSSSN", true, "US social security number"},
	{piimap.TypeUKNINO, "user.government_id.national_identification_number", "NationalIdUKNINO", true, "UK national insurance number"},
	{piimap.TypePassport, "user.government_id.passport_number", "PassportNumber", true, "passport number"},
	{piimap.TypeDriversLicense, "user.government_id.drivers_license_number", "DriversLicenseNumber", true, "driver's licence number"},
	{piimap.TypeCreditCard, "user.financial.credit_card", "CreditCardNumber", true, "payment card number"},
	{piimap.TypeIBAN, "user.financial.bank_account", "IBAN", true, "IBAN"},
	{piimap.TypeBankAccount, "user.financial.bank_account", "BankAccountNumber", true, "bank account number"},
	{piimap.TypeIPAddress, "user.device.ip_address", "IPAddress", false, "IP address"},
	{piimap.TypeMACAddress, "user.device.device_id", "MACAddress", false, "MAC address"},
	{piimap.TypeDeviceID, "user.device.device_id", "DeviceID", false, "device identifier"},
	{piimap.TypeGeoCoordinates, "user.location", "GeoCoordinates", true, "geographic coordinates"},
	{piimap.TypeUsername, "user.account.username", "Username", false, "username"},
	{piimap.TypeCredential, "user.authorization.credentials", "Credential", true, "credential or secret"},
	{piimap.TypeUserID, "user.unique_id", "UserID", false, "user identifier"},
}

// CatalogTerms returns the mapping table, sorted by type.
func CatalogTerms() []CatalogTerm {
	out := append([]CatalogTerm(nil), catalogTerms...)
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// catalogTerm returns the row for a PII type. A type the table does not
// know (a custom rule's) keeps its own name: Fides gets the generic
// "user" category, DataHub a term named after the type, OpenMetadata
// PII.Sensitive (unknown personal data is treated as sensitive).
func catalogTerm(typ string) CatalogTerm {
	for _, t := range catalogTerms {
		if t.Type == typ {
			return t
		}
	}
	return CatalogTerm{Type: typ, Fides: "user", Glossary: glossaryName(typ), Sensitive: true, Title: typ}
}

// glossaryName turns a type such as "national_id.fr_insee" into a
// glossary-safe name ("NationalIdFrInsee").
func glossaryName(typ string) string {
	var b strings.Builder
	up := true
	for _, r := range typ {
		switch {
		case r >= 'a' && r <= 'z':
			if up {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	if b.Len() == 0 {
		return "Unknown"
	}
	return b.String()
}

// locationTypes returns the PII types of a location, in map order.
func locationTypes(l MapLocation) []string {
	out := make([]string, 0, len(l.PII))
	for _, p := range l.PII {
		out = append(out, p.Type)
	}
	return out
}
