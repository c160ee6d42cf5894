package textcorpus

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Value generators shared by both flavours. Every labelled value is valid
// by an independent check (libphonenumber for phones, Luhn and a real
// issuer range for cards, ISO 7064 mod-97 for IBANs, the SSA rules for
// SSNs), so a miss is the detector's, not the corpus's. The formats a
// value is written in are drawn from lists split by flavour: formats marked
// heldoutOnly never appear in the dev corpus.

// country is the country whose conventions (phone plan, address layout,
// postcode) a document's values follow.
type country string

const (
	cUS   country = "US"
	cGB   country = "GB"
	cDE   country = "DE"
	cFR   country = "FR"
	cES   country = "ES"
	cCA   country = "CA"
	cCAFR country = "CAFR" // French-speaking Canada: Canadian numbers, Québec address layout
)

func countryOf(locale string) country {
	switch locale {
	case "en-GB":
		return cGB
	case "de-DE":
		return cDE
	case "fr-FR":
		return cFR
	case "es-ES":
		return cES
	case "en-CA":
		return cCA
	case "fr-CA":
		return cCAFR
	}
	return cUS
}

func (c country) region() string {
	if c == cCAFR {
		return "CA"
	}
	return string(c)
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// nationalNumber draws a national significant number (no trunk 0) that
// libphonenumber accepts for the country.
func nationalNumber(r *rand.Rand, c country) string {
	for {
		var nsn string
		switch c {
		case cUS:
			nsn = pick(r, []string{"212", "213", "305", "312", "404", "415", "503", "512", "617", "702", "713", "720", "206", "303", "602", "614", "919", "971", "646", "818"}) +
				fmt.Sprint(2+r.IntN(8)) + digits(r, 6)
		case cCA, cCAFR:
			nsn = pick(r, []string{"416", "647", "604", "778", "403", "587", "514", "438", "613", "902", "306", "204", "819", "418", "450"}) +
				fmt.Sprint(2+r.IntN(8)) + digits(r, 6)
		case cGB:
			nsn = pick(r, []string{"20 7", "20 8", "161", "113", "117", "131", "141", "7700", "74", "75", "77", "78", "79"})
			nsn = strings.ReplaceAll(nsn, " ", "")
			nsn += digits(r, 10-len(nsn))
		case cDE:
			p := pick(r, []string{"30", "89", "40", "221", "69", "711", "151", "160", "170", "171", "176", "157"})
			n := 10 - len(p)
			if p[0] == '1' {
				n = 11 - len(p)
			}
			if chance(r, 0.3) && p[0] != '1' {
				n--
			}
			nsn = p + digits(r, n)
		case cFR:
			nsn = fmt.Sprint(pick(r, []int{1, 2, 3, 4, 5, 6, 7, 9})) + digits(r, 8)
		case cES:
			nsn = pick(r, []string{"91", "93", "95", "96", "98", "6", "7"})
			nsn += digits(r, 9-len(nsn))
		}
		num, err := phonenumbers.Parse(nsn, c.region())
		if err == nil && phonenumbers.IsValidNumberForRegion(num, c.region()) && nsn[0] != '0' {
			return nsn
		}
	}
}

// phoneFormat renders a national significant number.
type phoneFormat struct {
	heldoutOnly bool
	render      func(nsn string) string
}

func grp(s string, sizes ...int) []string {
	var out []string
	for _, n := range sizes {
		if n > len(s) {
			n = len(s)
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	if s != "" {
		out[len(out)-1] += s
	}
	return out
}

func join(sep string, g []string) string { return strings.Join(g, sep) }

var phoneFormats = map[country][]phoneFormat{
	cUS: {
		{false, func(n string) string { g := grp(n, 3, 3, 4); return "(" + g[0] + ") " + g[1] + "-" + g[2] }},
		{false, func(n string) string { return join("-", grp(n, 3, 3, 4)) }},
		{false, func(n string) string { return join(".", grp(n, 3, 3, 4)) }},
		{false, func(n string) string { return join(" ", grp(n, 3, 3, 4)) }},
		{false, func(n string) string { return "+1 " + join(" ", grp(n, 3, 3, 4)) }},
		{false, func(n string) string { g := grp(n, 3, 3, 4); return "+1 (" + g[0] + ") " + g[1] + "-" + g[2] }},
		{false, func(n string) string { return "+1-" + join("-", grp(n, 3, 3, 4)) }},
		{false, func(n string) string { return "1-" + join("-", grp(n, 3, 3, 4)) }},
		{false, func(n string) string { return join(" ", grp(n, 3, 7)) }},
		{true, func(n string) string { return "+1." + join(".", grp(n, 3, 3, 4)) }},
		{true, func(n string) string { g := grp(n, 3, 3, 4); return "1 (" + g[0] + ") " + g[1] + "-" + g[2] }},
		{true, func(n string) string { return "+1" + n }},
	},
	cGB: {
		{false, func(n string) string {
			if n[0] == '2' {
				return "0" + join(" ", grp(n, 2, 4, 4))
			}
			if n[0] == '7' {
				return "0" + join(" ", grp(n, 4, 6))
			}
			return "0" + join(" ", grp(n, 3, 3, 4))
		}},
		{false, func(n string) string {
			if n[0] == '2' {
				return "+44 " + join(" ", grp(n, 2, 4, 4))
			}
			return "+44 " + join(" ", grp(n, 4, 6))
		}},
		{false, func(n string) string {
			if n[0] == '2' {
				return "+44 (0)" + join(" ", grp(n, 2, 4, 4))
			}
			return "+44 (0)" + join(" ", grp(n, 4, 6))
		}},
		{false, func(n string) string { return "0" + n }},
		{true, func(n string) string { return "+44(0)" + n }},
		{true, func(n string) string { return "0044 " + join(" ", grp(n, 4, 6)) }},
	},
	cDE: {
		{false, func(n string) string { a := areaDE(n); return "0" + a + " " + n[len(a):] }},
		{false, func(n string) string { a := areaDE(n); return "+49 " + a + " " + n[len(a):] }},
		{false, func(n string) string { a := areaDE(n); return "+49 (0)" + a + " " + n[len(a):] }},
		{false, func(n string) string { a := areaDE(n); return "0" + a + " / " + join(" ", grp(n[len(a):], 3, 3)) }},
		{false, func(n string) string { a := areaDE(n); return "(0" + a + ") " + n[len(a):] }},
		{false, func(n string) string { a := areaDE(n); return "0" + a + "-" + n[len(a):] }},
		{false, func(n string) string { a := areaDE(n); return "0" + a + "/" + n[len(a):] }},
		{true, func(n string) string { a := areaDE(n); return "+49-" + a + "-" + n[len(a):] }},
		{true, func(n string) string { a := areaDE(n); return "0049 " + a + " " + join(" ", grp(n[len(a):], 2, 2, 2)) }},
	},
	cFR: {
		{false, func(n string) string { return "0" + join(" ", grp(n, 1, 2, 2, 2, 2)) }},
		{false, func(n string) string { return "0" + join(".", grp(n, 1, 2, 2, 2, 2)) }},
		{false, func(n string) string { return "+33 " + join(" ", grp(n, 1, 2, 2, 2, 2)) }},
		{false, func(n string) string { return "+33 (0)" + join(" ", grp(n, 1, 2, 2, 2, 2)) }},
		{false, func(n string) string { return "0" + n }},
		{true, func(n string) string { return "0033 " + join(" ", grp(n, 1, 2, 2, 2, 2)) }},
		{true, func(n string) string { return "0" + join("-", grp(n, 1, 2, 2, 2, 2)) }},
	},
	cES: {
		{false, func(n string) string { return join(" ", grp(n, 3, 3, 3)) }},
		{false, func(n string) string { return join(" ", grp(n, 3, 2, 2, 2)) }},
		{false, func(n string) string { return "+34 " + join(" ", grp(n, 3, 3, 3)) }},
		{false, func(n string) string { return n }},
		{false, func(n string) string { return "+34 " + n }},
		{true, func(n string) string { return "0034 " + join(" ", grp(n, 3, 3, 3)) }},
		{true, func(n string) string { return "(+34) " + join(" ", grp(n, 3, 3, 3)) }},
	},
}

func init() {
	phoneFormats[cCA] = phoneFormats[cUS]
	phoneFormats[cCAFR] = append([]phoneFormat{
		{false, func(n string) string { return join(" ", grp(n, 3, 3, 4)) }},
		{false, func(n string) string { g := grp(n, 3, 3, 4); return g[0] + " " + g[1] + "-" + g[2] }},
	}, phoneFormats[cUS]...)
}

// areaDE guesses the German area code length for rendering.
func areaDE(n string) string {
	switch {
	case n[0] == '1':
		return n[:3]
	case strings.HasPrefix(n, "30"), strings.HasPrefix(n, "89"), strings.HasPrefix(n, "40"), strings.HasPrefix(n, "69"):
		return n[:2]
	}
	return n[:3]
}

// phone draws a valid number of country c in one of the flavour's formats.
// bare reports whether the rendering is digits only (it then needs a
// context word to be recognisable, which every template that uses it has).
func phone(r *rand.Rand, c country, heldout bool) string {
	nsn := nationalNumber(r, c)
	fs := phoneFormats[c]
	for {
		f := pick(r, fs)
		if f.heldoutOnly && !heldout {
			continue
		}
		return f.render(nsn)
	}
}

// extension is an extension written after a number; it is not labelled.
func extension(r *rand.Rand) string {
	return pick(r, []string{" ext. ", " x", " ext ", " (ext. ", ", poste ", " Durchwahl -", " extensión "}) + digits(r, 1+r.IntN(3))
}

// luhnComplete appends the Luhn check digit to body.
func luhnComplete(body string) string {
	sum := 0
	double := true
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return body + fmt.Sprint((10-sum%10)%10)
}

// cardNumber draws a Luhn-valid number in a real issuer range.
func cardNumber(r *rand.Rand) string {
	var prefix string
	n := 16
	switch r.IntN(10) {
	case 0, 1, 2, 3:
		prefix = "4"
	case 4, 5:
		prefix = fmt.Sprint(51 + r.IntN(5))
	case 6:
		prefix = fmt.Sprint(2221 + r.IntN(500))
	case 7:
		prefix, n = pick(r, []string{"34", "37"}), 15
	case 8:
		prefix = pick(r, []string{"6011", "65"})
	default:
		prefix = fmt.Sprint(3528 + r.IntN(62))
	}
	return luhnComplete(prefix + digits(r, n-1-len(prefix)))
}

// card renders a card number as people write it.
func card(r *rand.Rand, heldout bool) string {
	d := cardNumber(r)
	if len(d) == 15 {
		g := grp(d, 4, 6, 5)
		return pick(r, []string{join(" ", g), join("-", g), d})
	}
	g := grp(d, 4, 4, 4, 4)
	forms := []string{join(" ", g), join(" ", g), join("-", g), d, join(" ", grp(d, 4, 8, 4))}
	if heldout {
		forms = append(forms, join("  ", g), join(" - ", g))
	} else {
		forms = append(forms, join(".", g))
	}
	return pick(r, forms)
}

// maskedCard is a hard negative: a card with its middle masked.
func maskedCard(r *rand.Rand) string {
	d := cardNumber(r)
	return pick(r, []string{"**** **** **** " + d[12:], "XXXX-XXXX-XXXX-" + d[12:], d[:6] + "******" + d[12:], "ending in " + d[12:]})
}

// luhnBroken is a hard negative: 16 digits that fail Luhn.
func luhnBroken(r *rand.Rand) string {
	d := cardNumber(r)
	last := (int(d[len(d)-1]-'0') + 1 + r.IntN(8)) % 10
	return d[:len(d)-1] + fmt.Sprint(last)
}

var ibanSpec = map[string]func(r *rand.Rand) string{
	"DE": func(r *rand.Rand) string { return digits(r, 18) },
	"FR": func(r *rand.Rand) string { return digits(r, 10) + digits(r, 11) + digits(r, 2) },
	"ES": func(r *rand.Rand) string { return digits(r, 20) },
	"GB": func(r *rand.Rand) string {
		return pick(r, []string{"NWBK", "BARC", "LOYD", "HBUK", "MIDL"}) + digits(r, 14)
	},
	"NL": func(r *rand.Rand) string { return pick(r, []string{"ABNA", "INGB", "RABO"}) + digits(r, 10) },
}

// ibanFor draws a mod-97-valid IBAN of country cc.
func ibanFor(r *rand.Rand, cc string) string {
	bban := ibanSpec[cc](r)
	var num strings.Builder
	for _, ch := range bban + cc + "00" {
		if ch >= 'A' && ch <= 'Z' {
			num.WriteString(fmt.Sprint(int(ch-'A') + 10))
		} else {
			num.WriteRune(ch)
		}
	}
	n, _ := new(big.Int).SetString(num.String(), 10)
	check := 98 - int(new(big.Int).Mod(n, big.NewInt(97)).Int64())
	return fmt.Sprintf("%s%02d%s", cc, check, bban)
}

func iban(r *rand.Rand, c country) string {
	cc := map[country]string{cDE: "DE", cFR: "FR", cES: "ES", cGB: "GB"}[c]
	if cc == "" {
		cc = pick(r, []string{"DE", "FR", "ES", "GB", "NL"})
	}
	s := ibanFor(r, cc)
	if chance(r, 0.6) {
		var g []string
		for len(s) > 4 {
			g = append(g, s[:4])
			s = s[4:]
		}
		return strings.Join(append(g, s), " ")
	}
	return s
}

// ssn draws a US SSN that the SSA rules allow.
func ssn(r *rand.Rand, heldout bool) string {
	area := 1 + r.IntN(898)
	for area == 666 {
		area = 1 + r.IntN(898)
	}
	s := fmt.Sprintf("%03d-%02d-%04d", area, 1+r.IntN(99), 1+r.IntN(9999))
	switch r.IntN(6) {
	case 0:
		return strings.ReplaceAll(s, "-", " ")
	case 1:
		if heldout {
			return strings.ReplaceAll(s, "-", "")
		}
	}
	return s
}

// nino draws a UK National Insurance number.
func nino(r *rand.Rand) string {
	first := "ABCEGHJKLMNOPRSTWXYZ"
	second := "ABCEGHJKLMNPRSTWXYZ"
	var p string
	for {
		p = string(first[r.IntN(len(first))]) + string(second[r.IntN(len(second))])
		switch p {
		case "BG", "GB", "NK", "KN", "TN", "NT", "ZZ":
			continue
		}
		break
	}
	d := digits(r, 6)
	suf := string("ABCD"[r.IntN(4)])
	if chance(r, 0.5) {
		return p + " " + d[:2] + " " + d[2:4] + " " + d[4:] + " " + suf
	}
	return p + d + suf
}

func ipv4(r *rand.Rand) string {
	for {
		a := 1 + r.IntN(223)
		if a == 10 || a == 127 || a == 100 || a == 169 || a == 172 || a == 192 {
			continue
		}
		return fmt.Sprintf("%d.%d.%d.%d", a, r.IntN(256), r.IntN(256), 1+r.IntN(254))
	}
}

func ipv6(r *rand.Rand) string {
	return fmt.Sprintf("%s:%x:%x:%x::%x", pick(r, []string{"2a02:8108", "2001:16b8", "2600:1700", "2a01:cb00"}), r.IntN(65536), r.IntN(65536), r.IntN(65536), 1+r.IntN(65535))
}

func ip(r *rand.Rand) string {
	if chance(r, 0.15) {
		return ipv6(r)
	}
	return ipv4(r)
}
