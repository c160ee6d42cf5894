package textcorpus

import (
	"embed"
	"fmt"
	"math/rand/v2"
	"strings"
)

//go:embed data/dev/*.tsv data/heldout/*.tsv
var dataFS embed.FS

// lexicon is one flavour's name, street and city sources.
type lexicon struct {
	given, family []entry
	streets       map[country][]string
	cities        map[country][]city
}

type entry struct{ origin, name string }

type city struct{ name, region string }

func loadLexicon(flavour string) (*lexicon, error) {
	lx := &lexicon{streets: map[country][]string{}, cities: map[country][]city{}}
	read := func(file string, n int, each func([]string)) error {
		b, err := dataFS.ReadFile("data/" + flavour + "/" + file)
		if err != nil {
			return fmt.Errorf("lexicon %s: %w", flavour, err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if line == "" || line[0] == '#' {
				continue
			}
			f := strings.Split(line, "\t")
			if len(f) < n {
				return fmt.Errorf("lexicon %s/%s line %d: want %d fields", flavour, file, i+1, n)
			}
			each(f)
		}
		return nil
	}
	err := read("given.tsv", 2, func(f []string) { lx.given = append(lx.given, entry{f[0], strings.ReplaceAll(f[1], "_", " ")}) })
	if err == nil {
		err = read("family.tsv", 2, func(f []string) { lx.family = append(lx.family, entry{f[0], strings.ReplaceAll(f[1], "_", " ")}) })
	}
	if err == nil {
		err = read("streets.tsv", 2, func(f []string) { lx.streets[country(f[0])] = append(lx.streets[country(f[0])], f[1]) })
	}
	if err == nil {
		err = read("cities.tsv", 3, func(f []string) { lx.cities[country(f[0])] = append(lx.cities[country(f[0])], city{f[1], f[2]}) })
	}
	if err != nil {
		return nil, err
	}
	for _, c := range []country{cUS, cGB, cDE, cFR, cES, cCA, cCAFR} {
		if len(lx.streets[c]) == 0 || len(lx.cities[c]) == 0 {
			return nil, fmt.Errorf("lexicon %s: no streets or cities for %s", flavour, c)
		}
	}
	return lx, nil
}

// person is one named person in a document.
type person struct {
	given, family, origin string
	female                bool
}

// localOrigins are the name origins most likely in a country; other
// origins are drawn a third of the time (people of many origins live
// everywhere).
var localOrigins = map[country][]string{
	cUS: {"us", "en"}, cCA: {"us", "en", "ie"}, cGB: {"us", "en", "ie"},
	cDE: {"de"}, cFR: {"fr"}, cES: {"es"}, cCAFR: {"fr"},
}

func (lx *lexicon) person(r *rand.Rand, c country) person {
	local := localOrigins[c]
	want := ""
	if chance(r, 0.65) {
		want = pick(r, local)
	}
	draw := func(es []entry) entry {
		for try := 0; try < 40; try++ {
			e := pick(r, es)
			if want == "" || e.origin == want {
				return e
			}
		}
		return pick(r, es)
	}
	g := draw(lx.given)
	if want == "" {
		want = g.origin // keep given and family names of one origin most of the time
		if chance(r, 0.3) {
			want = ""
		}
	}
	f := draw(lx.family)
	p := person{given: g.name, family: f.name, origin: g.origin, female: chance(r, 0.5)}
	if chance(r, 0.06) {
		p.family += "-" + draw(lx.family).name // double-barrelled
	}
	return p
}

// full renders the person's name in one of the ways people write it.
func (p person) full(r *rand.Rand) string {
	switch r.IntN(20) {
	case 0:
		return p.family + ", " + p.given
	case 1:
		return p.given + " " + string([]rune(strings.ToUpper(pick(r, []string{"a", "b", "c", "d", "e", "j", "k", "l", "m", "r", "s", "t"})))) + ". " + p.family
	case 2:
		return strings.ToUpper(p.given + " " + p.family)
	case 3:
		return string([]rune(p.given)[:1]) + ". " + p.family
	}
	return p.given + " " + p.family
}

func (p person) plain() string { return p.given + " " + p.family }

// honorific returns a title in the language of locale ("" a third of the time).
func (p person) honorific(r *rand.Rand, locale string) string {
	if chance(r, 0.4) {
		return ""
	}
	var t []string
	switch {
	case strings.HasPrefix(locale, "de"):
		t = map[bool][]string{true: {"Frau", "Frau Dr."}, false: {"Herr", "Herrn", "Herr Dr."}}[p.female]
	case strings.HasPrefix(locale, "fr"):
		t = map[bool][]string{true: {"Mme", "Madame", "Mme."}, false: {"M.", "Monsieur"}}[p.female]
	case strings.HasPrefix(locale, "es"):
		t = map[bool][]string{true: {"Sra.", "Doña", "la Sra."}, false: {"Sr.", "Don", "el Sr."}}[p.female]
	default:
		t = map[bool][]string{true: {"Ms", "Mrs.", "Ms.", "Dr"}, false: {"Mr", "Mr.", "Dr."}}[p.female]
	}
	return pick(r, t) + " "
}

var mailDomains = map[country][]string{
	cUS:   {"gmail.com", "yahoo.com", "outlook.com", "icloud.com", "comcast.net", "acme-logistics.com", "brightwave.io"},
	cGB:   {"btinternet.com", "hotmail.co.uk", "gmail.com", "sky.com", "northgate-legal.co.uk"},
	cDE:   {"web.de", "gmx.de", "t-online.de", "gmail.com", "mueller-bau.de", "posteo.de"},
	cFR:   {"orange.fr", "free.fr", "laposte.net", "gmail.com", "sfr.fr", "atelier-durand.fr"},
	cES:   {"gmail.com", "hotmail.es", "telefonica.net", "yahoo.es", "construcciones-lopez.es"},
	cCA:   {"rogers.com", "shaw.ca", "gmail.com", "sympatico.ca", "northpeak.ca"},
	cCAFR: {"videotron.ca", "gmail.com", "hotmail.ca", "bell.net", "cooperative-bleuet.qc.ca"},
}

// ascii folds the accents of s for e-mail local parts.
func ascii(s string) string {
	rep := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "é", "e", "è", "e", "ê", "e", "ë", "e", "á", "a", "à", "a", "â", "a",
		"í", "i", "î", "i", "ï", "i", "ó", "o", "ô", "o", "ú", "u", "ù", "u", "û", "u", "ñ", "n", "ç", "c", "ł", "l", "ś", "s", "ź", "z", "ż", "z",
		"ą", "a", "ę", "e", "ć", "c", "ń", "n", "ı", "i", "ş", "s", "ğ", "g", "'", "", " ", "", "-", "")
	var b strings.Builder
	for _, ch := range rep.Replace(strings.ToLower(s)) {
		if ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' {
			b.WriteRune(ch)
		}
	}
	if b.Len() == 0 {
		return "user"
	}
	return b.String()
}

func (p person) email(r *rand.Rand, c country) string {
	g, f := ascii(p.given), ascii(p.family)
	local := pick(r, []string{g + "." + f, g[:1] + f, g + "_" + f, f + "." + g, g + f + fmt.Sprint(r.IntN(99)), g + "." + f + fmt.Sprint(1950+r.IntN(55)), g})
	return local + "@" + pick(r, mailDomains[c])
}

// username is a hard negative derived from a name (not labelled).
func (p person) username(r *rand.Rand) string {
	g, f := ascii(p.given), ascii(p.family)
	return pick(r, []string{g[:1] + f, g + "_" + f[:1], f + fmt.Sprint(r.IntN(999))})
}
