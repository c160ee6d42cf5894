package synth

import (
	_ "embed"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/piimap/piimap/classifiers/personname"
)

// Split selects templates and name draws.
type Split int

const (
	// Train draws training templates and names from the shipped lists
	// (plus invented names).
	Train Split = iota
	// Dev draws development templates, and half of its names from the
	// held-out lists that neither the lexicon nor training ever sees.
	Dev
)

var (
	//go:embed data/cities.txt
	citiesTxt string
	//go:embed data/streets.txt
	streetsTxt string
	//go:embed data/products.txt
	productsTxt string
	//go:embed data/jobs.txt
	jobsTxt string
	//go:embed data/heldout_given.txt
	heldGivenTxt string
	//go:embed data/heldout_surname.txt
	heldSurnameTxt string
)

// pool holds names by locale.
type pool struct {
	byLoc   map[string][]string
	locs    []string
	all     []string
	weights []int
}

func loadPool(txt string) *pool {
	p := &pool{byLoc: map[string][]string{}}
	for line := range strings.SplitSeq(txt, "\n") {
		name, locs, ok := strings.Cut(line, "\t")
		if !ok || name == "" {
			continue
		}
		p.all = append(p.all, name)
		for l := range strings.SplitSeq(locs, ",") {
			p.byLoc[l] = append(p.byLoc[l], name)
		}
	}
	for l := range p.byLoc {
		p.locs = append(p.locs, l)
	}
	sort.Strings(p.locs)
	return p
}

func (p *pool) pick(r *rand.Rand, loc string) string {
	if xs := p.byLoc[loc]; len(xs) > 0 && r.IntN(4) > 0 {
		return xs[r.IntN(len(xs))]
	}
	return p.all[r.IntN(len(p.all))]
}

// Generator produces labelled examples; it is deterministic for a seed.
type Generator struct {
	r                         *rand.Rand
	split                     Split
	given, surname            *pool
	heldGiven, heldSurname    *pool
	cities, streets, products []string
	jobs                      []string
	templates                 []template
}

type template struct {
	loc  string
	text string
}

// New returns a generator for split, seeded with seed.
func New(split Split, seed uint64) *Generator {
	g := &Generator{r: rand.New(rand.NewPCG(seed, uint64(split)+7)), split: split}
	g.given = loadPool(personname.GivenList())
	g.surname = loadPool(personname.SurnameList())
	g.heldGiven = loadPool(heldGivenTxt)
	g.heldSurname = loadPool(heldSurnameTxt)
	// cities, streets and products are split by hash: the dev corpus uses
	// places and products the training corpus never shows.
	g.cities = half(lines(citiesTxt), split)
	g.streets = half(lines(streetsTxt), split)
	g.products = half(lines(productsTxt), split)
	g.jobs = half(lines(jobsTxt), split)
	src := trainTemplates + trainComposed
	if split == Dev {
		src = devTemplates
	}
	for line := range strings.SplitSeq(src, "\n") {
		line = strings.TrimSpace(line)
		loc, text, ok := strings.Cut(line, "|")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		g.templates = append(g.templates, template{loc: loc, text: strings.ReplaceAll(text, `\n`, "\n")})
	}
	return g
}

func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func half(xs []string, split Split) []string {
	var out []string
	for _, x := range xs {
		h := fnv.New32a()
		h.Write([]byte(x))
		if (h.Sum32()%4 == 0) == (split == Dev) {
			out = append(out, x)
		}
	}
	return out
}

// Examples returns n examples.
func (g *Generator) Examples(n int) []personname.Example {
	out := make([]personname.Example, 0, n)
	for len(out) < n {
		out = append(out, g.Example())
	}
	return out
}

// Example renders one template, or (one time in four) two templates on
// one text, so that names also appear mid-text.
func (g *Generator) Example() personname.Example {
	pickT := func() template {
		if g.split == Train && g.r.IntN(5) == 0 {
			a, b := g.frame()
			return template{loc: "en", text: a + b}
		}
		return g.templates[g.r.IntN(len(g.templates))]
	}
	e := g.render(pickT())
	if g.r.IntN(4) > 0 {
		return e
	}
	f := g.render(pickT())
	sep := " "
	if g.r.IntN(2) == 0 {
		sep = "\n"
	}
	off := len(e.Text) + len(sep)
	e.Text += sep + f.Text
	for _, nm := range f.Names {
		e.Names = append(e.Names, [2]int{nm[0] + off, nm[1] + off})
	}
	return e
}

func (g *Generator) render(t template) personname.Example {
	var b strings.Builder
	var names [][2]int
	s := t.text
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		slot := s[i+1 : i+j]
		s = s[i+j+1:]
		switch slot {
		case "N", "F", "L", "H", "HN":
			prefix, name := g.person(t.loc, slot)
			b.WriteString(prefix)
			start := b.Len()
			b.WriteString(name)
			names = append(names, [2]int{start, b.Len()})
		default:
			if p, ok := g.phrase(t.loc, slot); ok {
				s = p + s // phrases may hold slots themselves
				continue
			}
			b.WriteString(g.filler(t.loc, slot))
		}
	}
	return personname.Example{Text: b.String(), Names: names}
}

func (g *Generator) pickGiven(loc string) string {
	if g.split == Dev && g.r.IntN(2) == 0 {
		return g.heldGiven.pick(g.r, loc)
	}
	if g.split == Train && g.r.IntN(12) == 0 {
		return invented(g.r, false)
	}
	return g.given.pick(g.r, loc)
}

func (g *Generator) pickSurname(loc string) string {
	if g.split == Dev && g.r.IntN(2) == 0 {
		return g.heldSurname.pick(g.r, loc)
	}
	if g.split == Train && g.r.IntN(10) == 0 {
		return invented(g.r, true)
	}
	return g.surname.pick(g.r, loc)
}

// nameLoc picks the origin of a name: mostly the template's language,
// often any of the lists' locales (people of many origins write in every
// language).
func (g *Generator) nameLoc(loc string) string {
	if g.r.IntN(5) < 3 {
		return loc
	}
	return g.given.locs[g.r.IntN(len(g.given.locs))]
}

var honorificsByLoc = map[string][]string{
	"en": {"Mr ", "Mr. ", "Mrs ", "Mrs. ", "Ms ", "Ms. ", "Dr. ", "Dr ", "Prof. ", "Miss "},
	"de": {"Herr ", "Frau ", "Dr. ", "Herrn ", "Prof. Dr. ", "Frau Dr. "},
	"fr": {"M. ", "Mme ", "Mme. ", "Monsieur ", "Madame ", "Mlle ", "Dr "},
	"es": {"Sr. ", "Sra. ", "Srta. ", "Don ", "Doña ", "Dr. ", "Dra. "},
	"it": {"Sig. ", "Sig.ra ", "Dott. ", "Signor ", "Dott.ssa "},
	"nl": {"Dhr. ", "Mevr. ", "Meneer ", "Mevrouw "},
	"pt": {"Sr. ", "Sra. ", "Dr. ", "Dona "},
}

var particles = map[string][]string{
	"nl": {"van ", "van der ", "van den ", "de ", "ter "},
	"de": {"von ", "von der ", "zu "},
	"fr": {"de ", "du ", "de la ", "Le "},
	"es": {"de ", "de la ", "del "},
	"it": {"di ", "De ", "Lo ", "della "},
	"pt": {"da ", "dos ", "de "},
	"en": {"O'", "Mc", "Mac"},
}

// person renders a name slot: N full name, F given name, L surname, H
// honorific + surname, HN honorific + full name. The honorific is
// returned apart: it is not part of the labelled span.
func (g *Generator) person(tloc, slot string) (prefix, name string) {
	loc := g.nameLoc(tloc)
	r := g.r
	switch slot {
	case "F":
		if r.IntN(12) == 0 {
			return "", g.pickGiven(loc) + "-" + g.pickGiven(loc)
		}
		return "", g.pickGiven(loc)
	case "L":
		return "", g.surnameForm(loc)
	case "H":
		hs := honorificsByLoc[tloc]
		if hs == nil {
			hs = honorificsByLoc["en"]
		}
		if r.IntN(4) == 0 {
			return hs[r.IntN(len(hs))], g.fullName(loc)
		}
		return hs[r.IntN(len(hs))], g.surnameForm(loc)
	case "HN":
		hs := honorificsByLoc[tloc]
		if hs == nil {
			hs = honorificsByLoc["en"]
		}
		return hs[r.IntN(len(hs))], g.fullName(loc)
	}
	return "", g.fullName(loc)
}

func (g *Generator) surnameForm(loc string) string {
	r := g.r
	s := g.pickSurname(loc)
	switch x := r.IntN(20); {
	case x == 0:
		return s + "-" + g.pickSurname(loc)
	case x == 1 && particles[loc] != nil:
		ps := particles[loc]
		p := ps[r.IntN(len(ps))]
		if strings.HasSuffix(p, "'") || p == "Mc" || p == "Mac" {
			return p + s
		}
		return p + s
	case x == 2 && (loc == "es" || loc == "pt"):
		return s + " " + g.pickSurname(loc)
	}
	return s
}

func (g *Generator) fullName(loc string) string {
	r := g.r
	first := g.pickGiven(loc)
	switch x := r.IntN(100); {
	case x < 6:
		return first + " " + g.pickGiven(loc) + " " + g.surnameForm(loc)
	case x < 13:
		return first + " " + string(rune('A'+r.IntN(26))) + ". " + g.surnameForm(loc)
	case x < 17:
		return string(rune('A'+r.IntN(26))) + ". " + g.surnameForm(loc)
	case x < 22 && (loc == "fr" || loc == "de"):
		return first + "-" + g.pickGiven(loc) + " " + g.surnameForm(loc)
	case x < 45 && (loc == "es"):
		return first + " " + g.pickSurname(loc) + " " + g.pickSurname(loc)
	}
	return first + " " + g.surnameForm(loc)
}

// invented makes a pronounceable name that is in no list, so the model
// learns names from context and shape rather than from the lists alone.
func invented(r *rand.Rand, surname bool) string {
	on := []string{"b", "d", "k", "l", "m", "n", "r", "s", "t", "v", "z", "ch", "sh", "th", "br", "kr", "dr", "gl", "y", "w", "j", "h"}
	nu := []string{"a", "e", "i", "o", "u", "ai", "ei", "ou", "ia", "y"}
	ends := []string{"", "n", "r", "s", "l", "k", "ski", "son", "ez", "ov", "escu", "ini", "ić", "ová", "sen", "ard", "ent", "oglu", "adze", "wala", "bayo", "uchi"}
	if !surname {
		ends = []string{"", "", "a", "o", "n", "el", "ia", "ine", "ette", "ka", "as", "us"}
	}
	var b strings.Builder
	for k := 0; k < 1+r.IntN(2); k++ {
		b.WriteString(on[r.IntN(len(on))])
		b.WriteString(nu[r.IntN(len(nu))])
	}
	b.WriteString(ends[r.IntN(len(ends))])
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

// junk makes keyboard mash and random letter runs (Qwerty, Zxcv, Asdfgh).
func junk(r *rand.Rand) string {
	rows := []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "bcdfghjklmnpqrstvwxz"}
	row := rows[r.IntN(len(rows))]
	k := r.IntN(len(row) - 3)
	s := row[k : k+3+r.IntN(min(4, len(row)-k-3)+1)]
	return strings.ToUpper(s[:1]) + s[1:]
}

// filler renders a non-name slot.
func (g *Generator) filler(loc, slot string) string {
	r := g.r
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	switch slot {
	case "CITY":
		return pick(g.cities)
	case "STREET":
		return pick(g.streets)
	case "PRODUCT":
		if r.IntN(2) == 0 {
			return pick(techProducts)
		}
		return pick(g.products)
	case "JOB":
		return pick(g.jobs)
	case "COMPANY":
		return pick(companyWords) + " " + pick(companySuffix)
	case "CLASS":
		return pick(classHeads) + pick(classTails)
	case "METHOD":
		return pick(methodVerbs) + pick(classHeads)
	case "EXC":
		return pick(exceptions)
	case "PKG":
		return pick(packages)
	case "LEVEL":
		return pick([]string{"INFO", "WARN", "ERROR", "DEBUG", "TRACE", "FATAL", "info", "warn", "error"})
	case "TS":
		return fmt.Sprintf("2026-%02d-%02dT%02d:%02d:%02d.%03dZ", 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000))
	case "TIME":
		return fmt.Sprintf("%02d:%02d", r.IntN(24), r.IntN(60))
	case "DATE":
		return g.date(loc)
	case "DAY":
		return pick(weekdays[langOf(loc)])
	case "MONTH":
		return pick(months[langOf(loc)])
	case "NUM":
		return fmt.Sprint(1 + r.IntN(99999))
	case "NUM4":
		return fmt.Sprintf("%04d", r.IntN(10000))
	case "AMOUNT":
		return fmt.Sprintf("%d.%02d %s", r.IntN(2000), r.IntN(100), pick([]string{"EUR", "USD", "€", "GBP"}))
	case "EMAIL":
		u := strings.ToLower(foldASCII(g.pickGiven(g.nameLoc(loc))))
		if r.IntN(2) == 0 {
			u += "." + strings.ToLower(foldASCII(g.pickSurname(g.nameLoc(loc))))
		}
		return u + "@" + pick([]string{"example.com", "example.org", "mail.example.net", "corp.example"})
	case "PHONE":
		return fmt.Sprintf("+%d %d %03d %04d", 1+r.IntN(49), 10+r.IntN(89), r.IntN(1000), r.IntN(10000))
	case "HOST":
		return pick([]string{"db-01.internal", "10.0.3.17", "api.example.com", "cache-2", "localhost"})
	case "VER":
		return fmt.Sprintf("%d.%d.%d", r.IntN(10), r.IntN(30), r.IntN(20))
	case "ID":
		return fmt.Sprintf("%s-%06d", pick([]string{"ORD", "INV", "TCK", "CASE", "REQ"}), r.IntN(1000000))
	case "USER":
		return strings.ToLower(foldASCII(g.pickGiven(loc))) + fmt.Sprint(r.IntN(100))
	case "POST":
		return fmt.Sprintf("%05d", r.IntN(100000))
	case "TO":
		return pick(addressees)
	case "HEAD":
		var parts []string
		for k := 0; k < 2+r.IntN(3); k++ {
			parts = append(parts, pick(headingWords))
		}
		return strings.Join(parts, " ")
	case "JUNK":
		return junk(r)
	case "BRAND":
		w := invented(r, r.IntN(2) == 0)
		if r.IntN(3) == 0 {
			w = pick(companyWords)
		}
		return w + " " + pick(brandNouns)
	case "TEAM":
		return pick(teams)
	}
	return "{" + slot + "}"
}

func foldASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && r != '\'' && r != '-' {
			b.WriteRune(r)
		} else if f, ok := asciiFold[r]; ok {
			b.WriteString(f)
		}
	}
	return b.String()
}

var asciiFold = map[rune]string{'á': "a", 'à': "a", 'â': "a", 'ä': "ae", 'ã': "a", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'í': "i", 'ï': "i", 'î': "i", 'ó': "o", 'ö': "oe", 'ô': "o", 'ø': "o", 'ú': "u", 'ü': "ue", 'ñ': "n", 'ç': "c", 'ß': "ss",
	'ł': "l", 'š': "s", 'č': "c", 'ž': "z", 'ř': "r", 'ě': "e", 'ı': "i", 'ş': "s", 'ğ': "g", 'ă': "a", 'ț': "t", 'ș': "s", 'ć': "c"}

func langOf(loc string) string {
	if _, ok := months[loc]; ok {
		return loc
	}
	return "en"
}

func (g *Generator) date(loc string) string {
	r := g.r
	d, m, y := 1+r.IntN(28), 1+r.IntN(12), 2020+r.IntN(7)
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	case 1:
		return fmt.Sprintf("%02d.%02d.%04d", d, m, y)
	case 2:
		return fmt.Sprintf("%d %s %d", d, months[langOf(loc)][m-1], y)
	}
	if langOf(loc) == "en" {
		return fmt.Sprintf("%s %d, %d", months["en"][m-1], d, y)
	}
	return fmt.Sprintf("%02d/%02d/%04d", d, m, y)
}
