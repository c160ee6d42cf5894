package textcorpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// usZip3 are the first three ZIP digits used by each state (ranges), so a
// ZIP agrees with its state as a validating grammar may check.
var usZip3 = map[string][2]int{
	"AL": {350, 369}, "AZ": {850, 865}, "AR": {716, 729}, "CA": {900, 961}, "CO": {800, 816}, "CT": {60, 69},
	"FL": {320, 349}, "GA": {300, 319}, "IL": {600, 629}, "IN": {460, 479}, "IA": {500, 528}, "KS": {660, 679},
	"KY": {400, 427}, "LA": {700, 714}, "ME": {39, 49}, "MD": {206, 219}, "MA": {10, 27}, "MI": {480, 499},
	"MN": {550, 567}, "MS": {386, 397}, "MO": {630, 658}, "MT": {590, 599}, "NE": {680, 693}, "NV": {889, 898},
	"NH": {30, 38}, "NJ": {70, 89}, "NM": {870, 884}, "NY": {100, 149}, "NC": {270, 289}, "OH": {430, 458},
	"OK": {730, 749}, "OR": {970, 979}, "PA": {150, 196}, "SC": {290, 299}, "TN": {370, 385}, "TX": {750, 799},
	"UT": {840, 847}, "VA": {220, 246}, "WA": {980, 994}, "WI": {530, 549}, "VT": {50, 59}, "ID": {832, 838},
	"DC": {200, 205},
}

// caFirst are the first letters of Canadian postal codes by province.
var caFirst = map[string]string{"ON": "KLMNP", "QC": "GHJ", "BC": "V", "AB": "T", "MB": "R", "SK": "S", "NS": "B", "NB": "E", "NL": "A", "PE": "C"}

var gbAreas = []string{"SW", "SE", "N", "E", "W", "NW", "EC", "WC", "M", "B", "LS", "G", "EH", "CF", "NR", "BN", "YO", "OX", "S", "NG", "BA", "EX", "CM", "ST", "MK", "BT", "AB", "L", "BS", "CB"}

const gbInward = "ABDEFGHJLNPQRSTUWXYZ"
const caLetters = "ABCEGHJKLMNPRSTVWXYZ"

func letter(r *rand.Rand, set string) string { return string(set[r.IntN(len(set))]) }

func postcode(r *rand.Rand, c country, region string) string {
	switch c {
	case cUS:
		z, ok := usZip3[region]
		if !ok {
			z = [2]int{100, 149}
		}
		s := fmt.Sprintf("%03d%02d", z[0]+r.IntN(z[1]-z[0]+1), r.IntN(100))
		if chance(r, 0.1) {
			s += "-" + digits(r, 4)
		}
		return s
	case cCA, cCAFR:
		first, ok := caFirst[region]
		if !ok {
			first = "KLMNP"
		}
		sep := " "
		if chance(r, 0.1) {
			sep = ""
		}
		return letter(r, first) + digits(r, 1) + letter(r, caLetters) + sep + digits(r, 1) + letter(r, caLetters) + digits(r, 1)
	case cGB:
		a := pick(r, gbAreas)
		out := a + fmt.Sprint(1+r.IntN(9))
		if len(a) == 1 && chance(r, 0.3) {
			out += fmt.Sprint(r.IntN(10))
		}
		return out + " " + digits(r, 1) + letter(r, gbInward) + letter(r, gbInward)
	case cDE:
		return fmt.Sprintf("%05d", 1067+r.IntN(98000))
	case cFR:
		return fmt.Sprintf("%02d%03d", 1+r.IntN(95), r.IntN(1000))
	case cES:
		return fmt.Sprintf("%02d%03d", 1+r.IntN(52), r.IntN(1000))
	}
	return ""
}

// address renders a postal address of country c as lines (one line for
// a one-line address). The whole address, from its first line (flat,
// building, house number or street, PO box) to the city or postcode, is
// the labelled span.
func (lx *lexicon) address(r *rand.Rand, c country, multiline bool) []string {
	street := pick(r, lx.streets[c])
	ct := pick(r, lx.cities[c])
	num := fmt.Sprint(1 + r.IntN(pick(r, []int{30, 200, 2000, 12000})))
	pc := postcode(r, c, ct.region)
	var lines []string
	switch c {
	case cUS, cCA:
		if c == cUS && chance(r, 0.1) {
			lines = []string{pick(r, []string{"PO Box ", "P.O. Box ", "PO BOX "}) + fmt.Sprint(1+r.IntN(9999))}
		} else {
			first := num + " " + street
			if chance(r, 0.3) {
				unit := pick(r, []string{"Apt ", "Apt. ", "Suite ", "Unit ", "#"}) + fmt.Sprint(1+r.IntN(40)) + pick(r, []string{"", "B", "A"})
				if multiline && chance(r, 0.4) {
					lines = append(lines, first, unit)
					first = ""
				} else {
					first += pick(r, []string{", ", " "}) + unit
				}
			}
			if c == cCA && chance(r, 0.2) {
				first = fmt.Sprint(1+r.IntN(900)) + "-" + first // unit-number form
			}
			if first != "" {
				lines = append(lines, first)
			}
		}
		region := ct.region
		if chance(r, 0.1) {
			region = map[string]string{"ON": "Ontario", "BC": "British Columbia", "AB": "Alberta", "CA": "California", "NY": "New York", "TX": "Texas"}[region]
			if region == "" {
				region = ct.region
			}
		}
		lines = append(lines, ct.name+", "+region+pick(r, []string{" ", "  "})+pc)
	case cCAFR:
		first := num + ", " + street
		if chance(r, 0.5) {
			first = num + " " + street
		}
		if chance(r, 0.3) {
			first += pick(r, []string{", app. ", ", bureau ", " app "}) + fmt.Sprint(1+r.IntN(30))
		}
		lines = append(lines, first, ct.name+pick(r, []string{" (Québec) ", " QC ", " (QC) "})+pc)
	case cGB:
		first := num + " " + street
		if chance(r, 0.25) {
			first = pick(r, []string{"Flat ", "Flat "}) + fmt.Sprint(1+r.IntN(20)) + pick(r, []string{", ", "\n"}) + first
		}
		if chance(r, 0.1) {
			first = pick(r, []string{"Rose Cottage", "The Old Rectory", "Ivy House"}) + ", " + street
		}
		lines = append(lines, strings.Split(first, "\n")...)
		if chance(r, 0.3) {
			lines = append(lines, ct.name, pc)
		} else {
			lines = append(lines, ct.name+pick(r, []string{" ", ", "})+pc)
		}
	case cDE:
		hn := num
		if chance(r, 0.15) {
			hn += pick(r, []string{"a", "b", " a", "-12"})
		}
		first := street + " " + hn
		if chance(r, 0.06) {
			first = "Postfach " + digits(r, 2) + " " + digits(r, 2) + " " + digits(r, 2)
		}
		lines = append(lines, first)
		if chance(r, 0.15) {
			lines = append(lines, pick(r, []string{"3. OG", "Hinterhaus", "c/o Bauer", "Whg. 7"}))
		}
		lines = append(lines, pc+" "+ct.name)
	case cFR:
		hn := num
		if chance(r, 0.12) {
			hn += pick(r, []string{" bis", " ter", "bis"})
		}
		first := hn + pick(r, []string{" ", ", "}) + street
		if chance(r, 0.06) {
			first = "BP " + digits(r, 3)
		}
		if chance(r, 0.15) {
			lines = append(lines, pick(r, []string{"Bâtiment B", "Résidence les Pins", "Appartement 12", "3e étage"}))
		}
		lines = append(lines, first, pc+" "+strings.ToUpper(ct.name))
		if chance(r, 0.5) {
			lines[len(lines)-1] = pc + " " + ct.name
		}
	case cES:
		st := street
		if chance(r, 0.2) && strings.HasPrefix(st, "Calle ") {
			st = pick(r, []string{"C/ ", "c/ ", "C/"}) + strings.TrimPrefix(st, "Calle ")
		}
		first := st + pick(r, []string{", ", " ", ", nº "}) + num
		if chance(r, 0.5) {
			first += pick(r, []string{", ", " "}) + fmt.Sprint(1+r.IntN(9)) + pick(r, []string{"º ", "º", "° "}) + pick(r, []string{"A", "B", "C", "Izq.", "Dcha."})
		}
		lines = append(lines, first, pc+" "+ct.name)
		if chance(r, 0.3) {
			lines[len(lines)-1] += " (" + ct.name + ")"
		}
	}
	return lines
}

// streetOnly is a hard negative: a street name alone ("the Baker Street
// branch"), never labelled.
func (lx *lexicon) streetOnly(r *rand.Rand, c country) string { return pick(r, lx.streets[c]) }

func (lx *lexicon) cityOnly(r *rand.Rand, c country) string { return pick(r, lx.cities[c]).name }
