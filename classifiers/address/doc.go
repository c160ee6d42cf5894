// Package address finds and parses postal addresses in free text and in
// field values, for the United States, the United Kingdom, Germany, France,
// Canada and Spain.
//
// The classifiers' one-pass text scanner calls At at digit runs; the
// grammar runs only where a cheap gate fires:
//
//   - a house number followed by a street ("221B Baker Street", "12 rue de
//     Rivoli", "12-14 Main St", "12 bis avenue Victor Hugo");
//   - a number after a German street name ("Hauptstraße 5", "Goethestr.
//     12", "Berliner Straße 12a", "Am Markt 3");
//   - the number of a unit or PO box ("Flat 3, 12 Acacia Avenue", "PO Box
//     12", "Postfach 10 01 23", "BP 45", "Case postale 1234");
//   - a postcode closing an address whose street line has no house number
//     before it ("High Street, London SW1A 1AA", "Unter den Linden 77,
//     10117 Berlin", "One Apple Park Way, Cupertino, CA 95014"), or after a
//     house number on the same line ("Zeil 10 60313 Frankfurt am Main");
//   - a Spanish street type on the line of a number ("Calle de Alcalá, nº
//     48, 3º Izq., 28014 Madrid", "C/ Sierpes 12"; spain.go).
//
// The grammar: a street line (house number with letter, range or bis/ter;
// street name words; an English type after the name or a French type
// before it; German compounds and separate street words; Spanish types
// before the name with "nº", the number, floor and door after it;
// directionals; units before or after; a care-of line), then an optional
// locality on the same line or the next (German/French/Spanish "postcode
// city", UK "town postcode", US "city, ST ZIP", Canadian "city, PR A1A
// 1A1" or "Montréal (Québec) H3B 2C4", Spanish "28014 Madrid (Madrid)"),
// then an optional country name. Postcodes are validated per country:
// ZIP prefixes against the state, UK outward/inward letter rules and
// areas, German Leitregionen, French départements (Corsica 20xxx, DOM
// 97x/98x), Canadian first letters against the province, Spanish
// provinces 01–52.
//
// A Match carries the byte range of the whole address and of each
// component, and a confidence: a bare street line ("12 Main St") scores
// 0.7, one with a valid postcode and city 0.95 or more; lower-case streets,
// weak street types ("Park", "Hill"), numberless streets and capitalised
// run-on words score lower. Numberless and untyped street lines are
// accepted only with a valid postcode after them.
//
// API: Find(text, emit) scans a text; At(text, i, lo) tries one digit run
// (the scanner's hook); Parse(s) reads a field value, where a bare city
// after the street also counts ("221B Baker Street, London"); the
// Valid*Postcode functions validate one postcode.
//
// The word lists (lexicon.go, postcode.go) are hand-written from public
// postal conventions (USPS suffixes and ZIP prefix allocation, Royal Mail
// postcode format and areas, Canada Post first letters, French types de
// voie and départements, German Leitregionen); no data file is shipped.
// The package imports nothing of piimap, so both classifiers/validate and
// the text scanner can use it.
package address
