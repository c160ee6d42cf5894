package classifiers

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/piimap/piimap/classifiers/personname"
)

// Capitalised words that are no names. German writes every noun with a
// capital, and any language capitalises the first word of a sentence and
// of a greeting, so the name tagger's cue "a capital the word list does
// not know" fires on "Mein Name", "Damen und Herren", "Lastschrift" or
// "Bestellung": its common-word list is English. These are the words of
// German, French and Spanish correspondence (greetings, the nouns of
// orders, invoices, accounts and deliveries, pronouns and articles at a
// sentence start, phone words, banking acronyms), written from general
// knowledge of such text rather than from any corpus, so that no list of
// a test corpus is learnt. A word that is also a given name or a surname
// in the tagger's lists (Bauer, König, Koch) is never taken as one of
// these: it may be a name.
//
// The tagger itself is unchanged (its features do not see this list): a
// name span all of whose words are such words is dropped (addName), and
// the comma form never takes one for the given name ("Kowalski, Tel").
const commonWords = `
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
	neue neuer neues alte alter altes gestern heute leider vielen dank
	bonjour bonsoir merci cordialement bien salutations madame monsieur mesdames messieurs facture factures commande
	commandes livraison adresse colis remboursement compte numéro téléphone portable mobile prélèvement virement
	réclamation problème objet rendez suite votre vos notre nos mon ma mes je nous vous il elle le la les un une
	bonne journée merci beaucoup abonnement contrat paiement carte dossier demande
	hola gracias saludos atentamente pedido pedidos factura facturas envío dirección cuenta teléfono móvil
	reclamación devolución reembolso pago transferencia tarjeta número estimado estimada estimados buenos buenas
	días tardes mi mis su sus nuestro nuestra el los las yo nosotros usted ustedes contrato solicitud incidencia
	iban bic swift pin tan plz ust fax tél tfno tlf`

var commonWordSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(commonWords) {
		m[w] = true
	}
	return m
}()

// commonWord reports whether w (any case) is one of commonWords and no
// given name or surname the tagger knows.
func commonWord(w []byte) bool {
	if len(w) == 0 || len(w) > 32 {
		return false
	}
	if !commonWordSet[strings.ToLower(string(w))] {
		return false
	}
	return nameLex.Flags(w)&(personname.LexGiven|personname.LexSurname) == 0
}

// allCommonWords reports whether every word (a run of letters) of the
// name candidate v is a commonWord.
func allCommonWords(v []byte) bool {
	words := 0
	for len(v) > 0 {
		i := bytes.IndexFunc(v, unicode.IsLetter)
		if i < 0 {
			break
		}
		v = v[i:]
		j := bytes.IndexFunc(v, func(r rune) bool { return !unicode.IsLetter(r) })
		if j < 0 {
			j = len(v)
		}
		if !commonWord(v[:j]) {
			return false
		}
		words++
		v = v[j:]
	}
	return words > 0
}
