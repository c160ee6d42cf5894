package classifiers

import (
	"bytes"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/personname"
)

// Person names in prose. The one-pass scanner calls nameGate at every word
// that starts with an upper-case letter; the gate is a few byte tests and
// one map lookup, and only when it fires does the statistical tagger
// (classifiers/personname) decode a bounded window around the word.
//
// The gate fires on a Title-case word (no digits, no '_', no inner capital
// but Mc/Mac, not glued to code punctuation such as pkg.Class or Foo() ) that
//   - is a known given name, surname or honorific, or
//   - is followed by another Title-case word, or
//   - follows a cue word (hi, dear, thanks, by, to, from, customer …), or
//   - is in no list at all (an unknown Title-case word), or
//   - is not sentence-initial and not a common, place, time, organisation
//     or code word.
//
// Everything else (sentence-initial "The", log levels, CamelCase class
// names, ALL-CAPS acronyms) never reaches the model.

// Window bounds around a gated word, in bytes.
const (
	nameBack  = 40
	nameAhead = 96
)

var (
	nameOnce    sync.Once
	nameModel   *personname.Model
	nameLex     *personname.Lexicon
	taggerPool  = sync.Pool{New: func() any { return personname.NewTagger(nameModel) }}
	nameSpanBuf = sync.Pool{New: func() any { s := make([]personname.Span, 0, 8); return &s }}
)

func loadNameModel() bool {
	nameOnce.Do(func() {
		m, err := personname.DefaultModel()
		if err != nil {
			return
		}
		nameModel, nameLex = m, personname.Default()
	})
	return nameModel != nil
}

// titleWord reports a Title-case word: an upper-case first letter, then
// lower-case letters (inner capitals only after Mc/Mac), no digits or '_'.
func titleWord(w []byte) bool {
	if len(w) < 2 {
		return false
	}
	i := 1
	if w[0] >= 0x80 {
		r, n := utf8.DecodeRune(w)
		if !unicode.IsUpper(r) {
			return false
		}
		i = n
	} else if !isUpperB(w[0]) {
		return false
	}
	lower := false
	for k := i; k < len(w); k++ {
		c := w[k]
		switch {
		case isLowerB(c) || c >= 0x80:
			lower = true
		case isUpperB(c):
			if !(k == 2 && w[0] == 'M' && w[1] == 'c' || k == 3 && w[0] == 'M' && w[1] == 'a' && w[2] == 'c') {
				return false
			}
		default: // digits, '_'
			return false
		}
	}
	return lower
}

// nameGate decides whether the word data[i:j] may start or sit in a person
// name, and if so decodes a window around it.
func (s *scanner) nameGate(i, j int) {
	d := s.data
	n := len(d)
	w := d[i:j]
	if !titleWord(w) || s.codeGlued(i, j) || !loadNameModel() {
		return
	}
	// A speaker label is checked before the windows' bookkeeping: a window
	// decoded from the line before may have passed over it.
	if e := s.speakerLabel(i, j); e > 0 {
		s.addName(s.e.fast[kindName], i, e, speakerConfidence)
		s.nameDone = max(s.nameDone, e)
		return
	}
	if i < s.nameDone {
		return
	}
	fl := nameLex.Flags(w)
	fire := fl&(personname.LexGiven|personname.LexSurname|personname.LexHonorific) != 0
	if !fire && j+1 < n && (d[j] == ' ' || d[j] == '-') {
		k := j + 1
		e := k
		for e < n && alnum[d[e]] {
			e++
		}
		fire = titleWord(d[k:e])
	}
	if !fire {
		pw := s.prevWord(i)
		fire = titleWord(pw) || nameLex.Flags(pw)&personname.LexCue != 0 ||
			fl == 0 || fl&(personname.LexWord|personname.LexTime|personname.LexPlace|personname.LexOrg|personname.LexTech) == 0 && !s.sentenceInitial(i)
	}
	if !fire {
		return
	}
	s.decodeNames(i, j)
}

// sentenceInitial reports a word at the start of the text, a line or a
// sentence (after . ! ? : ; or an opening quote or bracket).
func (s *scanner) sentenceInitial(i int) bool {
	d := s.data
	k := i
	for k > 0 && (d[k-1] == ' ' || d[k-1] == '\t') {
		k--
	}
	if k == 0 {
		return true
	}
	switch d[k-1] {
	case '.', '!', '?', '\n', '\r', ':', ';', '"', '(', '[', '>', '*', '-', '|':
		return true
	}
	return false
}

// codeGlued reports a word glued to code punctuation: com.example.Order,
// Order.find, Render(, user_Name, /Users/Maria, #Maria, $Maria, ::Maria.
func (s *scanner) codeGlued(i, j int) bool {
	d := s.data
	if i > 0 {
		switch d[i-1] {
		case '.', '_', '/', '\\', '#', '$', '@', '=', '<', '>', ':', '`', '&', '%', '~':
			if i >= 2 && alnum[d[i-2]] || d[i-1] == '_' || d[i-1] == '=' || d[i-1] == '`' || d[i-1] == '$' || d[i-1] == '#' {
				return true
			}
		}
		if alnum[d[i-1]] {
			return true
		}
	}
	if j < len(d) {
		switch d[j] {
		case '(', '_', '[', '{', '=', '`', '@', '/', '\\':
			return true
		case '.', ':':
			return j+1 < len(d) && alnum[d[j+1]]
		}
	}
	return false
}

// prevWord returns the word before i on the same line, skipping spaces and
// one , or : (Thanks, Maria / Dear: Maria).
func (s *scanner) prevWord(i int) []byte {
	d := s.data
	k := i
	for k > 0 && i-k < 4 && (d[k-1] == ' ' || d[k-1] == ',' || d[k-1] == ':' || d[k-1] == '\t') {
		k--
	}
	if k == i {
		return nil
	}
	e := k
	for k > 0 && e-k < 24 && alnum[d[k-1]] {
		k--
	}
	if k == e || e-k >= 24 {
		return nil
	}
	return d[k:e]
}

// decodeNames runs the tagger on a window around the gated word at
// data[i:j] and records the names found there.
func (s *scanner) decodeNames(i, j int) {
	d := s.data
	n := len(d)
	// window start: back up to nameBack bytes, not across two line breaks,
	// then forward to just after a space (a UTF-8 boundary)
	a, lines := i, 0
	for a > 0 && i-a < nameBack {
		if d[a-1] == '\n' {
			if lines++; lines == 2 {
				break
			}
		}
		a--
	}
	if a > 0 && d[a-1] != '\n' {
		for a < i && d[a] != ' ' && d[a] != '\n' && d[a] != '\t' {
			a++
		}
	}
	// window end: up to nameAhead bytes after the word, cut back to a space
	b := min(n, j+nameAhead)
	if b < n {
		for b > j && d[b] != ' ' && d[b] != '\n' && d[b] != '\t' {
			b--
		}
	}
	// a name may run past a cut window end: do not trust spans touching it
	trustEnd := b
	if b < n {
		for trustEnd > j && d[trustEnd-1] != ' ' && d[trustEnd-1] != '\n' {
			trustEnd--
		}
		trustEnd--
	}
	t := taggerPool.Get().(*personname.Tagger)
	bufp := nameSpanBuf.Get().(*[]personname.Span)
	found := t.Find(d[a:b], (*bufp)[:0])
	rs := s.e.fast[kindName]
	done := max(j, trustEnd)
	for _, sp := range found {
		st, en := a+sp.Start, a+sp.End
		if st < s.nameDone {
			continue
		}
		if en > trustEnd && b < n {
			done = min(done, st) // decode it again from a later window
			continue
		}
		s.addName(rs, st, en, sp.Confidence)
	}
	s.nameDone = max(s.nameDone, done)
	*bufp = found[:0]
	nameSpanBuf.Put(bufp)
	taggerPool.Put(t)
}

// addName records a decoded name for each person-name text rule.
func (s *scanner) addName(rs []*crule, a, b int, conf float64) {
	if s.houseNumberAfter(b) {
		return // Unter den Linden 77, Baker Street 221b: a street
	}
	if allCommonWords(s.data[a:b]) {
		return // "Mein Name", "Damen", "Lastschrift" (scan_name_common.go)
	}
	v := s.str(a, b)
	for _, r := range rs {
		if r.check != nil && !r.check(v) {
			continue
		}
		if neg, _ := s.context(r, a, b); neg {
			continue
		}
		score := conf * r.score / 0.8
		if score < s.e.opt.Threshold || conf < personname.MinConfidence {
			continue
		}
		s.spans = append(s.spans, piimap.Span{Type: r.Type, RuleID: r.ID, Start: a, End: b, Confidence: round2(min(score, 0.99))})
	}
}

// houseNumberAfter reports a house number right after a name-like span at
// b: one space, one to four digits, an optional letter, then a comma, a
// line end or the end of the text (Unter den Linden 77, 10117 Berlin).
func (s *scanner) houseNumberAfter(b int) bool {
	d := s.data
	n := len(d)
	// skip the rest of a street name the tagger left out (den Linden)
	for e := b; e < n && e-b < 32 && (alnum[d[e]] || d[e] == ' ' || d[e] == '-'); e++ {
		if d[e] == ' ' && e+1 < n && isDigitB(d[e+1]) {
			b = e
			break
		}
	}
	if b+1 >= n || d[b] != ' ' || !isDigitB(d[b+1]) {
		return false
	}
	k := b + 1
	for k < n && k-b <= 5 && isDigitB(d[k]) {
		k++
	}
	if k-b-1 > 4 {
		return false
	}
	if k < n && (isLowerB(d[k]) || isUpperB(d[k])) && (k+1 == n || !alnum[d[k+1]]) {
		k++
	}
	return k == n || d[k] == ',' || d[k] == '\n' || d[k] == '\r'
}

// Chat transcripts name their speakers at the start of each line, after
// the time: "14:26 Dena: Ich habe …", "[09:08] Arthur Lee: thanks",
// "10:59 Mathieu : Bonjour". Without the time, "Absender:" and
// "Lieferadresse:" are field labels. Such a label is a person's name unless it is a
// role ("Customer:", "Kundin:", "Agent:") or a word a list knows as
// something else (a log level, a month, a product, a common word that is
// no given name or surname).

// speakerConfidence is a speaker label's confidence.
const speakerConfidence = 0.9

// speakerRoles are labels that name a role, not a person (lower case).
var speakerRoles = map[string]bool{
	"customer": true, "client": true, "cliente": true, "kunde": true, "kundin": true, "agent": true, "agente": true,
	"agentin": true, "support": true, "bot": true, "chatbot": true, "system": true, "système": true, "sistema": true,
	"operator": true, "opérateur": true, "operador": true, "operadora": true, "conseiller": true, "conseillère": true,
	"berater": true, "beraterin": true, "mitarbeiter": true, "mitarbeiterin": true, "asesor": true, "asesora": true,
	"moderator": true, "admin": true, "user": true, "usuario": true, "usuaria": true, "utilisateur": true,
	"utilisatrice": true, "benutzer": true, "nutzer": true, "guest": true, "visitor": true, "gast": true,
	"invité": true, "me": true, "you": true, "vous": true, "sie": true, "ich": true, "yo": true, "moi": true,
	"assistant": true, "assistent": true, "assistente": true, "asistente": true, "note": true, "info": true,
	"service": true, "team": true, "host": true, "staff": true, "rep": true, "representative": true,
	// header and field labels of mails, tickets and notes
	"asunto": true, "objet": true, "betreff": true, "von": true, "an": true, "para": true, "de": true, "à": true,
	"cc": true, "bcc": true, "datum": true, "fecha": true, "date": true, "priorität": true, "prioridad": true,
	"priorité": true, "status": true, "estado": true, "statut": true, "kategorie": true, "categoría": true,
	"catégorie": true, "référence": true, "referencia": true, "referenz": true, "ref": true, "tel": true,
	"tél": true, "telefon": true, "téléphone": true, "teléfono": true, "mobil": true, "mobile": true, "móvil": true,
	"handy": true, "portable": true, "fax": true, "email": true, "mail": true, "adresse": true, "dirección": true,
	"anschrift": true, "nota": true, "notiz": true, "remarque": true, "comentario": true, "kommentar": true,
	"antwort": true, "réponse": true, "respuesta": true, "bestellung": true, "commande": true, "pedido": true,
	"rechnung": true, "facture": true, "factura": true, "kundennummer": true, "hinweis": true, "wichtig": true,
}

// speakerLabel returns the end of a speaker label whose first word is
// data[i:j] (one to three Title-case words, then ':' or " :" and a space),
// or 0. The label must open its line after a time stamp ("14:26",
// "09:08:13", "[14:26]").
func (s *scanner) speakerLabel(i, j int) int {
	d := s.data
	n := len(d)
	// what precedes: the line start, or a time stamp at the line start
	k := i
	for k > 0 && (d[k-1] == ' ' || d[k-1] == '\t') {
		k--
	}
	if k > 0 && d[k-1] == ']' {
		k--
	}
	t := k
	for t > 0 && (isDigitB(d[t-1]) || d[t-1] == ':') && k-t <= 8 {
		t--
	}
	if k-t < 4 || !isDigitB(d[k-1]) {
		return 0 // no time stamp: "Absender: …", "Lieferadresse: …" are field labels
	}
	if t > 0 && d[t-1] == '[' {
		t--
	}
	if t > 0 && d[t-1] != '\n' && d[t-1] != '\r' {
		return 0
	}
	// the label: up to three Title-case words, then the colon; the first
	// may be hyphenated ("Jean-Baptiste :", "Seo-yeon:")
	end, words := j, 1
	for end+1 < n && d[end] == '-' && alnum[d[end+1]] {
		end++
		for end < n && alnum[d[end]] {
			end++
		}
	}
	for {
		if end < n && d[end] == ':' || end+1 < n && d[end] == ' ' && d[end+1] == ':' {
			break
		}
		if words == 3 || end+1 >= n || d[end] != ' ' {
			return 0
		}
		e := end + 1
		for e < n && (alnum[d[e]] || d[e] == '-' || d[e] == '\'') {
			e++
		}
		if !titleWord(d[end+1 : e]) {
			return 0
		}
		end, words = e, words+1
	}
	c := end
	if d[c] == ' ' {
		c++
	}
	if c+1 >= n || d[c+1] != ' ' && d[c+1] != '\t' {
		return 0 // "Note:x", a URL, a time
	}
	// each word a possible name, the first not a role
	for a := i; a < end; {
		b := a
		for b < end && d[b] != ' ' {
			b++
		}
		w := d[a:b]
		if a == i && isSpeakerRole(w) {
			return 0
		}
		for _, part := range bytes.Split(w, []byte{'-'}) { // each part of "Jean-Baptiste"; "Read-only" is no name
			fl := nameLex.Flags(part)
			if fl&(personname.LexGiven|personname.LexSurname) == 0 &&
				fl&(personname.LexWord|personname.LexTime|personname.LexPlace|personname.LexOrg|personname.LexTech|personname.LexCue) != 0 {
				return 0
			}
		}
		a = b + 1
	}
	return end
}

// isSpeakerRole reports whether w (any case of its ASCII letters) is one
// of speakerRoles.
func isSpeakerRole(w []byte) bool {
	var buf [24]byte
	if len(w) > len(buf) {
		return false
	}
	b := buf[:len(w)]
	for k, c := range w {
		b[k] = lowerB(c)
	}
	return speakerRoles[string(b)]
}

// People write names in lower case where they introduce themselves or
// thank someone in a chat ("my name is theresa fischer", "soy maría
// lópez", "thanks glenda"), where the Title-case gate never looks.
// lowerNameCue takes, after such a cue, one to three lower-case words of
// which the first is a known given name or surname (after "name is", "me
// llamo" or "je m'appelle" also a word no list knows; after "thanks" only
// a given name that is no common word), up to the end of the phrase.

// lowerNameConfidence is the confidence of a lower-case name after a cue.
const lowerNameConfidence = 0.85

// nameCues are the cue words of lowerNameCue's switch, lower case.
// TestNameCueShapes proves each case of the switch is listed here.
var nameCues = []string{
	"is", "ist", "llamo", "appelle", "suis", "soy", "bin", "im",
	"thanks", "thank", "thx", "merci", "gracias", "danke", "hi", "hello", "hey", "hola", "bonjour", "hallo",
	"customer", "kunde", "kundin", "client", "cliente", "clienta",
}

// nameCueShapes is a bitset of the shapes (cueShape) of nameCues. The
// scanner asks lowerNameCue only about words of one of these shapes: most
// lower-case words followed by a blank are rejected by one bit test,
// before they are lower-cased and put to the switch.
var nameCueShapes = func() (t [1 << 14 / 64]uint64) {
	for _, c := range nameCues {
		k := cueShape([]byte(c))
		t[k>>6] |= 1 << (k & 63)
	}
	return
}()

// cueShape keys a word of 1 to 15 bytes by its length and its first and
// last bytes; ASCII letters key alike in either case.
func cueShape(w []byte) uint16 {
	return uint16(w[0]&31)<<9 | uint16(w[len(w)-1]&31)<<4 | uint16(len(w)&15)
}

// maybeNameCue reports whether the word w (2 to 8 bytes) has the shape
// of a cue word.
func maybeNameCue(w []byte) bool {
	k := cueShape(w)
	return nameCueShapes[k>>6]&(1<<(k&63)) != 0
}

// lowerNameCue looks for a lower-case name after the cue word data[i:j].
// The scanner calls it only where maybeNameCue(data[i:j]) holds.
func (s *scanner) lowerNameCue(i, j int) {
	d := s.data
	var lb [8]byte
	if j-i > len(lb) {
		return
	}
	cue := lb[:0]
	for _, c := range d[i:j] {
		if isUpperB(c) {
			c += 'a' - 'A'
		}
		cue = append(cue, c)
	}
	intro, named := false, false // named: "name is", "me llamo", "je m'appelle"
	switch string(cue) {
	case "is", "ist": // only "my name is", "Mein Name ist"
		if p := s.prevWord(i); len(p) != 4 || lowerB(p[0]) != 'n' || string(p[1:]) != "ame" {
			return
		}
		intro, named = true, true
	case "llamo", "appelle":
		intro, named = true, true
	case "suis", "soy", "bin", "im": // "je suis", "soy", "ich bin", "im" (I'm without the apostrophe)
		intro = true
	case "thanks", "thank", "thx", "merci", "gracias", "danke", "hi", "hello", "hey", "hola", "bonjour", "hallo",
		"customer", "kunde", "kundin", "client", "cliente", "clienta": // "customer camille lyons disputes"
	default:
		return
	}
	if i > 0 && d[i-1] == '\'' && string(cue) != "appelle" {
		return // "it's", "that's"
	}
	if !loadNameModel() {
		return
	}
	end, words := j, 0
	maxWords := 2 // a given name and a surname: the lists know English words only, so "romain henry ne" must stop
	if named {
		maxWords = 3
	}
	for k := j; words < maxWords && k < len(d) && d[k] == ' '; {
		a := k + 1
		b := a
		for b < len(d) && (isLowerB(d[b]) || d[b] >= 0x80 || d[b] == '-' && b > a) {
			b++
		}
		if b-a < 2 || b < len(d) && (isUpperB(d[b]) || isDigitB(d[b]) || d[b] == '@' || d[b] == '.' && b+1 < len(d) && alnum[d[b+1]]) {
			break
		}
		fl := nameLex.Flags(d[a:b])
		name := fl&(personname.LexGiven|personname.LexSurname) != 0
		common := fl&(personname.LexWord|personname.LexTech|personname.LexTime|personname.LexPlace|personname.LexOrg|personname.LexCue) != 0
		// the first word: a listed name; after "name is" any word no
		// list knows as something else; after "thanks" a given name that
		// is no common word
		switch {
		case words > 0:
		case named && (name || !common && fl == 0):
		case intro && name:
		case !intro && name && !common && fl&personname.LexGiven != 0:
		default:
			return
		}
		if words > 0 && (common || !name && fl != 0) {
			break // a later word: a listed name, or one no list knows
		}
		end, words, k = b, words+1, b
	}
	if words > 0 {
		s.addName(s.e.fast[kindName], j+1, end, lowerNameConfidence)
	}
}
