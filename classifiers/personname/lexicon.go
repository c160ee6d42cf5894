package personname

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Lexicon flags: what a lower-cased word is known to be.
const (
	LexGiven     = 1 << iota // given name (faker, many locales)
	LexSurname               // surname
	LexWord                  // common lower-case English word (SCOWL)
	LexHonorific             // Mr, Mrs, Dr, Herr, Frau, Mme, Sr, Sra …
	LexCue                   // context word that introduces a person (hi, dear, thanks, by, customer …)
	LexTime                  // month or weekday (en, de, fr, es, it, nl, pt)
	LexPlace                 // street or place word (street, road, straße, rue, calle, city …)
	LexOrg                   // organisation or product word (inc, gmbh, ltd, pro, service …)
	LexTech                  // code and log word (exception, handler, error, null, true …)
	LexParticle              // name particle (van, der, de, la, von, di, da, del, bin, al …)
)

//go:embed lexicon/given.txt
var givenTxt string

//go:embed lexicon/surname.txt
var surnameTxt string

//go:embed lexicon/words.txt
var wordsTxt string

// Small hand-written lists (several languages). They are lower-case and
// accent-bearing; lookups try the accent-folded form too.
var (
	honorifics = `mr mrs ms miss mx dr prof sir madam dame lady lord mister doctor professor herr frau fräulein hr fr
		m mme mlle monsieur madame mademoiselle docteur sr sra srta señor señora señorita don doña dott sig sig.ra signor signora
		dhr mevr meneer mevrouw sen rev fr capt col gen sgt lt`
	cues = `hi hey hello dear thanks thank thx cheers regards best greetings bonjour salut merci cordialement hallo liebe lieber
		danke gruß grüße viele hola estimado estimada gracias saludos atentamente ciao grazie gentile
		by to from with cc bcc for via assigned contact customer client caller agent user patient employee colleague manager
		owner author reporter requester signed wrote called said says asked replied spoke talked emailed met named
		good morning afternoon evening night bonsoir coucou hoi beste geachte hej hei moi ahoj witam cześć szia buna ola olá oi
		buenas buenos tardes noches días querido querida gentile caro cara egregio prezado prezada caros zusammen moin servus
		grüezi tag abend liebe lieben gents folks team all everyone guys merhaba selam salam namaste sawubona jambo
		note from reply replied per ask ping tell told thank met meet visit call email message spoke cc'd loop
		kunde kundin ansprechpartner mitarbeiter von an für mit client cliente contacto contact par pour avec de con para por`
	times = `january february march april may june july august september october november december
		monday tuesday wednesday thursday friday saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec
		mon tue wed thu fri sat sun today tomorrow yesterday
		januar februar märz april mai juni juli august september oktober november dezember
		montag dienstag mittwoch donnerstag freitag samstag sonntag
		janvier février mars avril mai juin juillet août septembre octobre novembre décembre
		lundi mardi mercredi jeudi vendredi samedi dimanche
		enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
		lunes martes miércoles jueves viernes sábado domingo
		gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre lunedì martedì
		januari februari maart mei augustus oktober maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
		janeiro fevereiro março maio junho julho setembro outubro dezembro segunda terça quarta quinta sexta sábado`
	places = `street st road rd avenue ave boulevard blvd lane ln drive dr court ct place pl square sq way terrace highway hwy
		park parkway close crescent grove hill gardens row mews walk north south east west city town county state
		straße strasse str weg gasse platz allee ring damm ufer chaussee stadt
		rue avenue bd chemin impasse allée quai cours ville
		calle avenida av paseo plaza camino carretera ronda via viale piazza corso strada laan straat plein
		airport station bridge river lake mount mountain beach bay island valley harbour harbor port center centre
		san santa santo são sao los las buenos rio río ciudad porto puerto cape costa fort saint sainte bad new
		london paris berlin madrid rome roma milan milano vienna wien munich münchen hamburg frankfurt cologne köln
		zurich zürich geneva genève brussels bruxelles amsterdam rotterdam lisbon lisboa barcelona valencia seville sevilla
		lyon marseille toulouse bordeaux lille nantes strasbourg dublin edinburgh glasgow manchester birmingham liverpool
		leeds bristol oslo stockholm copenhagen helsinki warsaw warszawa prague praha budapest bucharest sofia athens
		istanbul ankara moscow kyiv kiev cairo lagos nairobi accra johannesburg durban dakar casablanca tunis algiers
		dubai doha riyadh tehran karachi lahore delhi mumbai bangalore bengaluru chennai kolkata hyderabad dhaka
		bangkok jakarta manila singapore kuala lumpur hanoi saigon seoul tokyo osaka kyoto beijing shanghai shenzhen
		guangzhou taipei hong kong sydney melbourne brisbane perth adelaide auckland wellington toronto montreal
		montréal vancouver calgary ottawa quebec québec chicago houston phoenix philadelphia dallas austin boston seattle
		denver atlanta miami detroit portland baltimore nashville orlando tampa cleveland pittsburgh cincinnati
		sacramento oakland cupertino springfield brooklyn manhattan queens bronx washington york angeles francisco diego
		jose vegas orleans lauderdale paulo aires janeiro lima bogotá bogota santiago caracas quito montevideo
		havana guadalajara monterrey tijuana cancún cancun bilbao zaragoza málaga malaga granada porto naples napoli
		turin torino florence firenze venice venezia bologna genoa genova palermo stuttgart düsseldorf dresden leipzig
		hannover nuremberg nürnberg bremen bonn basel bern lausanne antwerp ghent utrecht eindhoven luxembourg monaco
		carlo monte silicon valley bay area europe asia africa america australia canada mexico germany france spain
		italy england scotland wales ireland britain netherlands belgium switzerland austria poland sweden norway
		denmark finland portugal greece turkey russia ukraine india china japan korea brazil argentina chile peru
		colombia nigeria kenya egypt morocco california texas florida ohio oregon nevada virginia georgia carolina
		bavaria bayern catalonia provence normandy brittany andalusia tuscany`
	orgs = `inc ltd llc plc gmbh ag kg se sa sas sarl srl spa bv nv co corp corporation company group holding holdings
		bank university college school hospital clinic institute foundation association society team department
		pro max plus ultra mini lite premium edition series model version app cloud suite studio
		service services systems solutions technologies labs software network networks media consulting partners
		apache kafka hadoop tomcat nginx linux ubuntu debian android ios macos google microsoft oracle samsung netflix
		spotify github gitlab jira salesforce aws azure elasticsearch kibana grafana prometheus istio terraform ansible
		paypal stripe airbnb ikea nvidia cisco ibm lenovo nintendo playstation xbox facebook instagram whatsapp linkedin
		youtube tiktok shopify wordpress magento zendesk hubspot twilio sendgrid mailchimp dropbox`
	techs = `exception error warn warning info debug trace fatal null nil true false none undefined handler controller
		service manager factory provider repository adapter client server request response config configuration
		module class interface method function object string integer boolean array list map thread pool queue worker
		job task event listener processor validator serializer parser builder proxy gateway cache session token
		user admin root system default main test http https api json xml sql kafka redis postgres mysql docker
		kubernetes java python golang node react spring`
	// commons are words of German, French and Spanish correspondence that
	// are no names there, though written with a capital (German writes
	// every noun so; any language the first word of a sentence or a
	// greeting): greetings, the nouns of orders, invoices, accounts and
	// deliveries, articles and pronouns, phone words, banking acronyms.
	// Written from general knowledge of such text, not from a corpus. They
	// are no feature of the tagger (Common, not Flags, answers for them):
	// the scanner drops a name made only of them.
	commons = `
		mein meine meinen meinem meiner dein deine ihr ihre ihren ihrem ihrer unser unsere unseren euer eure sein seine
		der die das den dem des ein eine einen einem einer kein keine ich wir sie er es man bitte danke vielen herzlichen
		sehr geehrte geehrter geehrten damen herren hallo guten tag morgen abend freundliche freundlichen grüße grüßen gruß
		beste besten mit viele leider gerne anbei betreff anfrage angebot anhang anlage anlagen antwort anruf anrufe
		adresse abbuchung abbuchungen abrechnung abo abonnement ablauf anschrift auftrag auftragsnummer ausweis
		bankverbindung bearbeitung beschwerde bestellung bestellungen bestellnummer betrag beträge bestätigung
		daten datum eingang empfänger ersatz fehler frage fragen falsch falsche falscher falsches geburtsdatum gerät
		gutschrift hilfe hinweis kundennummer kunde kundin kunden kundenservice kundendienst konto kontonummer kontakt
		kündigung lastschrift lieferung lieferungen lieferadresse lieferschein lieferzeit mahnung mobil mobilnummer
		nachricht name namen nummer paket passwort preis problem rechnung rechnungen rechnungsnummer rechnungsadresse
		rückerstattung rücksendung sendung sendungsnummer stornierung telefon telefonnummer tel termin überweisung
		umtausch unterlagen unterschrift vertrag vertragsnummer versand vorgang ware warenkorb zahlung zahlungen
		zahlungseingang zugang zustellung erstattung reklamation retoure kaufvertrag kundenkonto benutzername
		neue neuer neues alte alter altes gestern heute dank
		bonjour bonsoir merci cordialement bien salutations madame monsieur mesdames messieurs facture factures commande
		commandes livraison colis remboursement compte numéro téléphone portable mobile prélèvement virement
		réclamation problème objet rendez suite votre vos notre nos mon ma mes je nous vous il elle le la les un une
		bonne journée beaucoup contrat paiement carte dossier demande
		hola gracias saludos atentamente pedido pedidos factura facturas envío dirección cuenta teléfono móvil
		reclamación devolución reembolso pago transferencia tarjeta número estimado estimada estimados buenos buenas
		días tardes mi mis su sus nuestro nuestra el los las yo nosotros usted ustedes contrato solicitud incidencia
		iban bic swift pin tan plz ust fax tél tfno tlf`
	particles = `van der den de del della la le du des di da dos das do von zu ten ter bin ibn al el ben af av mac st`
)

// Lexicon maps lower-cased words to Lex* flags. The common-word list, the
// largest, stays a sorted slice searched in place: building a map of it
// would cost more at start-up than the lookups ever do.
type Lexicon struct {
	m      map[string]uint16
	words  []string        // sorted, lower-case ASCII (LexWord)
	common map[string]bool // commons, as written and accent-folded
}

var (
	lexOnce sync.Once
	lex     *Lexicon
)

// Default returns the embedded lexicon, built once.
func Default() *Lexicon {
	lexOnce.Do(func() { lex = buildLexicon() })
	return lex
}

func buildLexicon() *Lexicon {
	l := &Lexicon{m: make(map[string]uint16, 40_000), words: strings.Fields(wordsTxt)}
	if !slices.IsSorted(l.words) {
		slices.Sort(l.words)
	}
	addList := func(txt string, flag uint16) {
		for line := range strings.SplitSeq(txt, "\n") {
			line = strings.TrimSpace(line)
			if i := strings.IndexByte(line, '\t'); i >= 0 {
				line = line[:i]
			}
			for _, w := range strings.Fields(line) {
				l.add(w, flag)
			}
		}
	}
	addList(givenTxt, LexGiven)
	addList(surnameTxt, LexSurname)
	addList(honorifics, LexHonorific)
	addList(cues, LexCue)
	addList(times, LexTime)
	addList(places, LexPlace)
	addList(orgs, LexOrg)
	addList(techs, LexTech)
	addList(particles, LexParticle)
	l.common = map[string]bool{}
	for _, w := range strings.Fields(commons) {
		l.common[w] = true
		l.common[foldAccents(w)] = true
	}
	return l
}

// Common reports whether w (any case) is one of the commons and no given
// name or surname of the lists (Bauer, König, Koch may be names).
func (l *Lexicon) Common(w []byte) bool {
	if len(w) == 0 || len(w) > 32 || !l.common[strings.ToLower(string(w))] {
		return false
	}
	return l.Flags(w)&(LexGiven|LexSurname) == 0
}

func (l *Lexicon) add(w string, flag uint16) {
	w = strings.ToLower(w)
	l.m[w] |= flag
	if f := foldAccents(w); f != w {
		l.m[f] |= flag
	}
}

// Flags returns the flags of word w (any case).
func (l *Lexicon) Flags(w []byte) uint16 {
	if len(w) == 0 || len(w) > 32 {
		return 0
	}
	var buf [32]byte
	b := buf[:0]
	ascii := true
	for _, c := range w {
		if c >= 0x80 {
			ascii = false
			break
		}
		if c >= 'A' && c <= 'Z' {
			c += 32
		}
		b = append(b, c)
	}
	if ascii {
		f := l.m[string(b)]
		if l.isWord(b) {
			f |= LexWord
		}
		return f
	}
	return l.m[strings.ToLower(string(w))]
}

// isWord binary-searches the common-word list for lower-case b.
func (l *Lexicon) isWord(b []byte) bool {
	lo, hi := 0, len(l.words)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if l.words[mid] < string(b) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(l.words) && l.words[lo] == string(b)
}

// foldAccents maps Latin letters with diacritics to their base letter
// (García → garcia, Müller → muller, Łukasz → lukasz).
func foldAccents(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		if f, ok := foldMap[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var foldMap = func() map[rune]string {
	m := map[rune]string{}
	groups := map[string]string{
		"a": "áàâäãåāăą", "c": "çćčĉċ", "d": "ďđ", "e": "éèêëēėęěĕ", "g": "ğĝġģ", "h": "ĥħ",
		"i": "íìîïīįıĭ", "j": "ĵ", "k": "ķ", "l": "ĺļľŀł", "n": "ñńņňŉ", "o": "óòôöõøōőŏ",
		"r": "ŕŗř", "s": "śŝşšș", "t": "ţťŧț", "u": "úùûüũūůűųŭ", "w": "ŵ", "y": "ýÿŷ", "z": "źżž",
		"ss": "ß", "ae": "æ", "oe": "œ",
	}
	for base, letters := range groups {
		for _, r := range letters {
			m[r] = base
			m[unicode.ToUpper(r)] = base
		}
	}
	return m
}()

// isUpperRune reports an upper-case letter at the start of b.
func isUpperStart(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] < 0x80 {
		return b[0] >= 'A' && b[0] <= 'Z'
	}
	r, _ := utf8.DecodeRune(b)
	return unicode.IsUpper(r)
}

// GivenList returns the embedded given-name list (one "Name<TAB>locales"
// a line); the training generator draws from it.
func GivenList() string { return givenTxt }

// SurnameList returns the embedded surname list.
func SurnameList() string { return surnameTxt }
