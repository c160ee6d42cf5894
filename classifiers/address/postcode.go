package address

import "strings"

// Country is an ISO 3166-1 alpha-2 code of a country the grammar knows
// (the United Kingdom is GB), or "" when the address does not say.
type Country string

// Countries with a postcode grammar.
const (
	US Country = "US"
	GB Country = "GB"
	DE Country = "DE"
	FR Country = "FR"
	CA Country = "CA"
	ES Country = "ES"
)

// zipRanges maps a US state (or territory, or military "state") to the
// ranges of its three-digit ZIP prefixes, from the USPS prefix allocation
// (public facts; a few prefixes shared across a border are listed for
// both states).
var zipRanges = map[string][][2]int{
	"AL": {{350, 369}}, "AK": {{995, 999}}, "AZ": {{850, 865}}, "AR": {{716, 729}}, "CA": {{900, 961}},
	"CO": {{800, 816}}, "CT": {{60, 69}}, "DE": {{197, 199}}, "DC": {{200, 205}, {569, 569}},
	"FL": {{320, 349}}, "GA": {{300, 319}, {398, 399}}, "HI": {{967, 968}}, "ID": {{832, 838}},
	"IL": {{600, 629}}, "IN": {{460, 479}}, "IA": {{500, 528}}, "KS": {{660, 679}}, "KY": {{400, 427}},
	"LA": {{700, 714}}, "ME": {{39, 49}}, "MD": {{206, 219}}, "MA": {{10, 27}, {55, 55}}, "MI": {{480, 499}},
	"MN": {{550, 567}}, "MS": {{386, 397}}, "MO": {{630, 658}}, "MT": {{590, 599}}, "NE": {{680, 693}},
	"NV": {{889, 898}}, "NH": {{30, 38}}, "NJ": {{70, 89}}, "NM": {{870, 884}}, "NY": {{5, 5}, {63, 63}, {100, 149}},
	"NC": {{270, 289}}, "ND": {{580, 588}}, "OH": {{430, 459}}, "OK": {{730, 749}}, "OR": {{970, 979}},
	"PA": {{150, 196}}, "RI": {{28, 29}}, "SC": {{290, 299}}, "SD": {{570, 577}}, "TN": {{370, 385}},
	"TX": {{733, 733}, {750, 799}, {885, 885}}, "UT": {{840, 847}}, "VT": {{50, 59}}, "VA": {{201, 201}, {220, 246}},
	"WA": {{980, 994}}, "WV": {{247, 268}}, "WI": {{530, 549}}, "WY": {{820, 831}}, "PR": {{6, 7}, {9, 9}},
	"VI": {{8, 8}}, "GU": {{969, 969}}, "MP": {{969, 969}}, "AS": {{967, 967}}, "AA": {{340, 340}},
	"AE": {{90, 98}}, "AP": {{962, 966}},
}

// usStateName maps lower-cased US state names to their codes.
var usStateName = map[string]string{
	"alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
	"connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
	"hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
	"kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
	"minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
	"new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
	"north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
	"rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX",
	"utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
	"wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
}

// caProvince maps Canadian province and territory codes to the first
// letters their postal codes may start with (Canada Post allocation).
var caProvince = map[string]string{
	"NL": "A", "NS": "B", "PE": "C", "NB": "E", "QC": "GHJ", "ON": "KLMNP", "MB": "R", "SK": "S", "AB": "T",
	"BC": "V", "NT": "X", "NU": "X", "YT": "Y",
}

var caProvinceName = map[string]string{
	"alberta": "AB", "british columbia": "BC", "colombie-britannique": "BC", "manitoba": "MB",
	"new brunswick": "NB", "nouveau-brunswick": "NB", "newfoundland and labrador": "NL", "newfoundland": "NL",
	"terre-neuve-et-labrador": "NL", "nova scotia": "NS", "nouvelle-écosse": "NS", "northwest territories": "NT",
	"nunavut": "NU", "ontario": "ON", "prince edward island": "PE", "île-du-prince-édouard": "PE",
	"quebec": "QC", "québec": "QC", "saskatchewan": "SK", "yukon": "YT",
}

// ukAreas are the UK postcode areas (the one or two leading letters),
// including the Crown dependencies and BFPO (Royal Mail; public facts).
var ukAreas = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range strings.Fields(`AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE
		DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD
		LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP
		SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE`) {
		m[a] = true
	}
	return m
}()

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlpha(c byte) bool { return isUpper(c) || isLower(c) }

func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// ValidUSZIP reports whether zip is a US ZIP code (12345 or 12345-6789)
// whose three-digit prefix is allocated, and allocated to state when a
// state code is given ("NY", "CA"; "" skips that check). An unknown state
// code is refused.
func ValidUSZIP(zip, state string) bool {
	if len(zip) == 10 {
		if zip[5] != '-' || !allDigits(zip[6:], 4) {
			return false
		}
		zip = zip[:5]
	}
	if !allDigits(zip, 5) || zip == "00000" {
		return false
	}
	p := int(zip[0]-'0')*100 + int(zip[1]-'0')*10 + int(zip[2]-'0')
	if state != "" {
		rs, ok := zipRanges[state]
		if !ok {
			return false
		}
		return inRanges(p, rs)
	}
	for _, rs := range zipRanges {
		if inRanges(p, rs) {
			return true
		}
	}
	return false
}

func inRanges(p int, rs [][2]int) bool {
	for _, r := range rs {
		if p >= r[0] && p <= r[1] {
			return true
		}
	}
	return false
}

// ValidUKPostcode reports whether pc is a UK postcode: outward code A9,
// A99, AA9, AA99, A9A or AA9A in a known postcode area, an optional space,
// inward code 9AA; or GIR 0AA. It applies Royal Mail's letter rules: no
// Q, V or X first; no I, J or Z second; only ABCDEFGHJKPSTUW third in
// A9A; only ABEHMNPRVWXY fourth in AA9A; no C, I, K, M, O or V inward.
// Upper case only (as written on mail).
func ValidUKPostcode(pc string) bool {
	if pc == "GIR 0AA" || pc == "GIR0AA" {
		return true
	}
	n := len(pc)
	if n < 5 || n > 8 {
		return false
	}
	in := pc[n-3:]
	out := strings.TrimSuffix(pc[:n-3], " ")
	if !isDigit(in[0]) || !ukInward(in[1]) || !ukInward(in[2]) {
		return false
	}
	return ukOutward(out)
}

func ukInward(c byte) bool { return isUpper(c) && strings.IndexByte("CIKMOV", c) < 0 }

func ukOutward(o string) bool {
	n := len(o)
	if n < 2 || n > 4 || !isUpper(o[0]) || strings.IndexByte("QVX", o[0]) >= 0 {
		return false
	}
	area := 1
	if isUpper(o[1]) {
		if strings.IndexByte("IJZ", o[1]) >= 0 {
			return false
		}
		area = 2
	}
	if !ukAreas[o[:area]] {
		return false
	}
	d := o[area:]
	switch {
	case len(d) == 1:
		return isDigit(d[0])
	case len(d) == 2 && isDigit(d[0]) && isDigit(d[1]):
		return true
	case len(d) == 2 && isDigit(d[0]) && isUpper(d[1]):
		if area == 1 {
			return strings.IndexByte("ABCDEFGHJKPSTUW", d[1]) >= 0
		}
		return strings.IndexByte("ABEHMNPRVWXY", d[1]) >= 0
	}
	return false
}

// ValidDEPostcode reports whether plz is a German Postleitzahl: five
// digits in an allocated Leitregion (00, 05, 43 and 62 are not).
func ValidDEPostcode(plz string) bool {
	if !allDigits(plz, 5) {
		return false
	}
	switch plz[:2] {
	case "00", "05", "43", "62":
		return false
	}
	return true
}

// ValidFRPostcode reports whether cp is a French code postal: five digits
// starting with a département 01–95 (Corsica, 2A/2B, keeps 20xxx), or an
// overseas 971–978 or 980/984/986–988 prefix.
func ValidFRPostcode(cp string) bool {
	if !allDigits(cp, 5) {
		return false
	}
	d := int(cp[0]-'0')*10 + int(cp[1]-'0')
	switch {
	case d >= 1 && d <= 95:
		return true
	case d == 97:
		return cp[2] >= '1' && cp[2] <= '8'
	case d == 98:
		return strings.IndexByte("04678", cp[2]) >= 0
	}
	return false
}

// ValidCAPostcode reports whether pc is a Canadian postal code A1A 1A1
// (space, hyphen or nothing in the middle; upper case), with none of the
// letters D F I O Q U, no W or Z first, and — when province (a two-letter
// code such as "QC") is given — a first letter allocated to it. An unknown
// province code is refused.
func ValidCAPostcode(pc, province string) bool {
	switch len(pc) {
	case 6:
	case 7:
		if pc[3] != ' ' && pc[3] != '-' {
			return false
		}
		pc = pc[:3] + pc[4:]
	default:
		return false
	}
	for k := 0; k < 6; k++ {
		c := pc[k]
		if k%2 == 0 {
			if !isUpper(c) || strings.IndexByte("DFIOQU", c) >= 0 {
				return false
			}
		} else if !isDigit(c) {
			return false
		}
	}
	if pc[0] == 'W' || pc[0] == 'Z' {
		return false
	}
	if province == "" {
		return true
	}
	letters, ok := caProvince[province]
	return ok && strings.IndexByte(letters, pc[0]) >= 0
}

// ValidPostcode checks code against the grammar of country c (region is
// the US state or Canadian province code, or "").
func ValidPostcode(c Country, code, region string) bool {
	switch c {
	case US:
		return ValidUSZIP(code, region)
	case GB:
		return ValidUKPostcode(code)
	case DE:
		return ValidDEPostcode(code)
	case FR:
		return ValidFRPostcode(code)
	case CA:
		return ValidCAPostcode(code, region)
	case ES:
		return ValidESPostcode(code)
	}
	return false
}
