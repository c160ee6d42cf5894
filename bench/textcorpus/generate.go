package textcorpus

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/piimap/piimap"
)

// Flavours of corpus.
const (
	FlavourDev     = "dev"
	FlavourHeldout = "heldout"
)

// templateSet is one flavour's templates: language ("en", "de", "fr",
// "es", and "any" for log lines) → slot ("ticket.body", …) → templates.
// A template is text with {placeholders} (see fill).
type templateSet map[string]map[string][]string

func templatesFor(flavour string) (templateSet, error) {
	switch flavour {
	case FlavourDev:
		return devTemplates, nil
	case FlavourHeldout:
		return heldoutTemplates, nil
	}
	return nil, fmt.Errorf("unknown flavour %q (want %s or %s)", flavour, FlavourDev, FlavourHeldout)
}

// Generate returns n documents of the flavour, reproducibly from seed.
func Generate(flavour string, n int, seed uint64) ([]Doc, error) {
	ts, err := templatesFor(flavour)
	if err != nil {
		return nil, err
	}
	lx, err := loadLexicon(flavour)
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(seed, 0x7e57c0de))
	docs := make([]Doc, 0, n)
	for i := 0; i < n; i++ {
		g := &gen{r: r, lx: lx, ts: ts, heldout: flavour == FlavourHeldout}
		g.locale = Locales[r.IntN(len(Locales))]
		g.genre = Genres[r.IntN(len(Genres))]
		d, err := g.doc()
		if err != nil {
			return nil, err
		}
		d.ID = fmt.Sprintf("%s-%05d", flavour, i)
		if err := d.Check(); err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// gen builds one document.
type gen struct {
	r                      *rand.Rand
	lx                     *lexicon
	ts                     templateSet
	heldout                bool
	locale, genre          string
	c                      country
	customer, agent, other person
	lowerNames, shout      bool
	typoRate               float64
	used                   map[string]bool
	b                      builder
}

func (g *gen) lang() string {
	return g.locale[:2]
}

func (g *gen) slot(name string) string {
	if name == "log.line" || name == "log.json" {
		return pick(g.r, g.ts["any"][name])
	}
	ts := g.ts[g.lang()][name]
	if len(ts) == 0 {
		ts = g.ts["en"][name]
	}
	// avoid repeating a sentence within one document
	t := pick(g.r, ts)
	for try := 0; try < 4 && g.used[t]; try++ {
		t = pick(g.r, ts)
	}
	if g.used == nil {
		g.used = map[string]bool{}
	}
	g.used[t] = true
	return t
}

func (g *gen) doc() (Doc, error) {
	r := g.r
	g.c = countryOf(g.locale)
	g.customer = g.lx.person(r, g.c)
	g.agent = g.lx.person(r, g.c)
	g.other = g.lx.person(r, g.c)
	g.typoRate = []float64{0, 0, 0.02, 0.05}[r.IntN(4)]
	if g.genre == GenreChat && chance(r, 0.35) {
		g.lowerNames = true
	}
	var err error
	add := func(slot string) {
		if err == nil {
			err = g.fill(&g.b, g.slot(slot))
		}
	}
	switch g.genre {
	case GenreTicket:
		add("ticket.subject")
		g.b.lit("\n\n")
		for k := 0; k < 1+r.IntN(2); k++ {
			if k > 0 {
				g.b.lit(pick(r, []string{"\n", " ", "\n\n"}))
			}
			add("ticket.body")
		}
		g.b.lit("\n\n")
		add("ticket.close")
	case GenreChat:
		turns := 3 + r.IntN(6)
		for k := 0; k < turns; k++ {
			if k > 0 {
				g.b.lit("\n")
			}
			if k%2 == 0 {
				add("chat.customer")
			} else {
				add("chat.agent")
			}
		}
	case GenreEmail:
		add("email.greet")
		g.b.lit("\n\n")
		for k := 0; k < 1+r.IntN(2); k++ {
			if k > 0 {
				g.b.lit("\n\n")
			}
			add("email.body")
		}
		g.b.lit("\n\n")
		add("email.close")
		g.b.lit("\n")
		add("email.sig")
		if chance(r, 0.5) {
			g.b.lit("\n\n")
			add("email.quotehdr")
			g.b.lit("\n")
			var q builder
			g.customer, g.agent = g.agent, g.customer
			if err == nil {
				err = g.fill(&q, g.slot("email.body"))
			}
			if err == nil {
				err = g.fill(&q, "\n\n"+g.slot("email.sig"))
			}
			g.customer, g.agent = g.agent, g.customer
			g.quote(&q)
		}
	case GenreCRM:
		add("crm.head")
		for k := 0; k < 1+r.IntN(3); k++ {
			g.b.lit("\n")
			add("crm.note")
		}
	case GenreLog:
		g.typoRate = 0
		for k := 0; k < 3+r.IntN(6); k++ {
			if k > 0 {
				g.b.lit("\n")
			}
			if chance(r, 0.4) {
				add("log.json")
			} else {
				add("log.line")
			}
		}
	}
	if err != nil {
		return Doc{}, err
	}
	spans := g.b.spans
	if spans == nil {
		spans = []Span{} // "spans":[] rather than null
	}
	return Doc{Genre: g.genre, Locale: g.locale, Text: g.b.sb.String(), Spans: spans}, nil
}

// quote appends q to the document with every line prefixed "> ", the way
// mail clients quote a reply; spans crossing lines keep the prefixes.
func (g *gen) quote(q *builder) {
	text := q.sb.String()
	base := g.b.len()
	shift := make([]int, len(text)+1) // bytes inserted before offset i
	ins := 2
	g.b.lit("> ")
	for i := 0; i < len(text); i++ {
		shift[i] = ins
		g.b.sb.WriteByte(text[i])
		if text[i] == '\n' {
			g.b.lit(">")
			ins++
			if i+1 < len(text) && text[i+1] != '\n' {
				g.b.lit(" ")
				ins++
			}
		}
	}
	shift[len(text)] = ins
	for _, s := range q.spans {
		g.b.spans = append(g.b.spans, Span{Start: base + s.Start + shift[s.Start], End: base + s.End + shift[s.End-1], Type: s.Type})
	}
}

// fill expands a template into b: literal text (with the document's typo
// rate) and placeholders, labelled or not.
func (g *gen) fill(b *builder, tmpl string) error {
	for tmpl != "" {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.lit(g.typos(tmpl))
			return nil
		}
		b.lit(g.typos(tmpl[:i]))
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 || !isKey(tmpl[i+1:i+j]) {
			b.lit("{") // a literal brace (JSON log lines)
			tmpl = tmpl[i+1:]
			continue
		}
		if err := g.placeholder(b, tmpl[i+1:i+j]); err != nil {
			return fmt.Errorf("template %q: %w", tmpl, err)
		}
		tmpl = tmpl[i+j+1:]
	}
	return nil
}

// isKey reports a placeholder name: one or more lower-case ASCII letters.
func isKey(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}

// typos swaps or drops a letter in a few words of literal text.
func (g *gen) typos(s string) string {
	if g.typoRate == 0 {
		return s
	}
	ws := strings.Split(s, " ")
	for k, w := range ws {
		if len(w) < 5 || !chance(g.r, g.typoRate) || strings.ContainsAny(w, "\n:@/") {
			continue
		}
		rs := []rune(w)
		p := 1 + g.r.IntN(len(rs)-2)
		if chance(g.r, 0.5) {
			rs[p], rs[p+1] = rs[p+1], rs[p]
		} else {
			rs = append(rs[:p], rs[p+1:]...)
		}
		ws[k] = string(rs)
	}
	return strings.Join(ws, " ")
}

func (g *gen) name(p person) string {
	s := p.full(g.r)
	if g.lowerNames {
		s = strings.ToLower(s)
	}
	return s
}

func (g *gen) addrLines(multiline bool) []string { return g.lx.address(g.r, g.c, multiline) }

func (g *gen) placeholder(b *builder, key string) error {
	r := g.r
	switch key {
	// labelled
	case "name":
		b.pii(piimap.TypePersonName, g.name(g.customer))
	case "hname":
		b.lit(g.customer.honorific(r, g.locale))
		b.pii(piimap.TypePersonName, g.name(g.customer))
	case "hlast":
		h := g.customer.honorific(r, g.locale)
		if h == "" {
			h = g.customer.honorific(r, g.locale)
		}
		if h == "" {
			b.pii(piimap.TypePersonName, g.customer.plain())
			return nil
		}
		b.lit(h)
		b.pii(piimap.TypePersonName, g.customer.family)
	case "plain":
		b.pii(piimap.TypePersonName, g.customer.plain())
	case "first":
		f := g.customer.given
		if g.lowerNames {
			f = strings.ToLower(f)
		}
		b.pii(piimap.TypePersonName, f)
	case "lname":
		b.pii(piimap.TypePersonName, strings.ToLower(g.customer.plain()))
	case "agent":
		b.pii(piimap.TypePersonName, g.agent.plain())
	case "agentfirst":
		b.pii(piimap.TypePersonName, g.agent.given)
	case "other":
		b.pii(piimap.TypePersonName, g.name(g.other))
	case "phone":
		b.pii(piimap.TypePhone, phone(r, g.c, g.heldout))
	case "phonex":
		b.pii(piimap.TypePhone, phone(r, g.c, g.heldout))
		b.lit(extension(r))
		if strings.Contains(b.sb.String()[max(0, b.len()-12):], "(") {
			b.lit(")")
		}
	case "fphone":
		b.pii(piimap.TypePhone, phone(r, pick(r, []country{cUS, cGB, cDE, cFR, cES, cCA}), g.heldout))
	case "email":
		b.pii(piimap.TypeEmail, g.customer.email(r, g.c))
	case "agentemail":
		b.pii(piimap.TypeEmail, g.agent.email(r, g.c))
	case "card":
		b.pii(piimap.TypeCreditCard, card(r, g.heldout))
	case "iban":
		b.pii(piimap.TypeIBAN, iban(r, g.c))
	case "ssn":
		b.pii(piimap.TypeUSSSN, ssn(r, g.heldout))
	case "nino":
		b.pii(piimap.TypeUKNINO, nino(r))
	case "ip":
		b.pii(piimap.TypeIPAddress, ip(r))
	case "dob":
		b.pii(piimap.TypeDateOfBirth, birthDate(r, g.locale))
	case "addr":
		ls := g.addrLines(false)
		b.pii(piimap.TypePostalAddress, strings.Join(ls, pick(r, []string{", ", ", ", " "})))
	case "addrml":
		b.pii(piimap.TypePostalAddress, strings.Join(g.addrLines(true), "\n"))
	default:
		v, ok := negative(g, key)
		if !ok {
			return fmt.Errorf("unknown placeholder {%s}", key)
		}
		b.lit(v)
	}
	return nil
}
