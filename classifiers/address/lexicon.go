package address

import "bytes"

// Word lists of the grammar. Lookups take the lower-cased word without a
// trailing dot. The lists are hand-written from the postal conventions of
// each country (USPS Publication 28 suffixes, Royal Mail and Canada Post
// street types, French "types de voie", German street-name endings); they
// are facts, not copied data.

// streetTypeEN are English street types written after the name ("Baker
// Street", "Main St"). Weak types are also common nouns ("Park", "Hill"):
// alone they give a lower confidence.
var streetTypeEN = map[string]uint8{
	"street": typeStrong, "st": typeStrong, "str": typeStrong, "avenue": typeStrong, "ave": typeStrong, "av": typeStrong,
	"road": typeStrong, "rd": typeStrong, "lane": typeStrong, "ln": typeStrong, "drive": typeStrong, "dr": typeStrong,
	"boulevard": typeStrong, "blvd": typeStrong, "way": typeStrong, "court": typeStrong, "ct": typeStrong,
	"place": typeStrong, "pl": typeStrong, "terrace": typeStrong, "ter": typeStrong, "terr": typeStrong,
	"close": typeStrong, "crescent": typeStrong, "cres": typeStrong, "square": typeStrong, "sq": typeStrong,
	"highway": typeStrong, "hwy": typeStrong, "parkway": typeStrong, "pkwy": typeStrong, "circle": typeStrong,
	"cir": typeStrong, "gardens": typeStrong, "gdns": typeStrong, "grove": typeStrong, "mews": typeStrong,
	"trail": typeStrong, "trl": typeStrong, "alley": typeStrong, "plaza": typeStrong, "plz": typeStrong,
	"expressway": typeStrong, "expy": typeStrong, "freeway": typeStrong, "fwy": typeStrong, "turnpike": typeStrong,
	"pike": typeStrong, "causeway": typeStrong, "parade": typeStrong, "esplanade": typeStrong, "embankment": typeStrong,
	"wharf": typeStrong, "quay": typeStrong, "crossing": typeStrong, "xing": typeStrong, "heights": typeStrong,
	"hts": typeStrong, "row": typeWeak, "hill": typeWeak, "walk": typeWeak, "park": typeWeak, "green": typeWeak,
	"loop": typeWeak, "path": typeWeak, "run": typeWeak, "point": typeWeak, "ridge": typeWeak, "view": typeWeak,
	"vale": typeWeak, "rise": typeWeak, "gate": typeWeak, "center": typeWeak, "centre": typeWeak, "cove": typeWeak,
	"landing": typeWeak,
}

// abbrevEN are the abbreviated types whose trailing dot belongs to them.
var abbrevEN = map[string]bool{
	"st": true, "str": true, "ave": true, "av": true, "rd": true, "ln": true, "dr": true, "blvd": true, "ct": true,
	"pl": true, "ter": true, "terr": true, "cres": true, "sq": true, "hwy": true, "pkwy": true, "cir": true,
	"gdns": true, "trl": true, "plz": true, "expy": true, "fwy": true, "xing": true, "hts": true,
}

const (
	typeStrong = 1
	typeWeak   = 2
)

// wholeStreetEN are street names that need no type word ("1585 Broadway").
var wholeStreetEN = map[string]bool{"broadway": true, "kingsway": true, "strand": true, "piccadilly": true}

// streetTypeFR are French street types written before the name ("rue de
// Rivoli", "bd Voltaire"), also used in Quebec.
var streetTypeFR = map[string]bool{
	"rue": true, "avenue": true, "av": true, "ave": true, "boulevard": true, "bd": true, "bld": true, "boul": true,
	"chemin": true, "ch": true, "impasse": true, "imp": true, "allée": true, "allee": true, "place": true, "pl": true,
	"quai": true, "route": true, "rte": true, "cours": true, "square": true, "passage": true, "voie": true,
	"faubourg": true, "fbg": true, "rond-point": true, "sentier": true, "montée": true, "côte": true, "rang": true,
	"promenade": true, "esplanade": true, "parvis": true, "carrefour": true, "hameau": true, "villa": true, "cité": true,
}

// particleFR may join a French street name ("de la", "des"); a lower-case
// word may follow one ("rue des lilas").
var particleFR = map[string]bool{"de": true, "du": true, "des": true, "la": true, "le": true, "les": true, "aux": true, "au": true, "d'": true, "l'": true}

// particleName joins capitalised name words in English, German and
// French names and city names ("Newcastle upon Tyne", "Frankfurt am Main",
// "Unter den Linden", "Martin Luther King Jr").
var particleName = map[string]bool{
	"of": true, "the": true, "upon": true, "on": true, "de": true, "la": true, "le": true, "du": true, "des": true,
	"les": true, "am": true, "an": true, "der": true, "den": true, "dem": true, "im": true, "sur": true, "en": true,
	"lès": true, "van": true, "von": true, "vom": true, "zum": true, "zur": true, "auf": true, "bei": true, "y": true,
	"del": true, "and": true,
}

// streetEndingDE are endings of German compound street names
// ("Hauptstraße", "Goethestr.", "Kurfürstendamm"); the same words written
// alone follow the name ("Berliner Straße", "Am Markt").
var streetEndingDE = []string{
	"straße", "strasse", "str", "weg", "gasse", "platz", "allee", "ring", "damm", "ufer", "chaussee", "markt",
	"steig", "pfad", "promenade", "zeile",
}

var streetWordDE = map[string]bool{
	"straße": true, "strasse": true, "str": true, "weg": true, "gasse": true, "platz": true, "allee": true,
	"ring": true, "damm": true, "ufer": true, "chaussee": true, "markt": true, "steig": true, "pfad": true,
	"promenade": true, "zeile": true,
}

// directional words may precede or follow an English/French street name.
var directional = map[string]bool{
	"n": true, "s": true, "e": true, "w": true, "ne": true, "nw": true, "se": true, "sw": true, "north": true,
	"south": true, "east": true, "west": true, "northeast": true, "northwest": true, "southeast": true,
	"southwest": true, "nord": true, "sud": true, "est": true, "ouest": true,
}

// unitWord starts a unit designator ("Apt 4B", "Flat 3", "Suite 200").
var unitWord = map[string]bool{
	"apt": true, "apartment": true, "suite": true, "ste": true, "unit": true, "flat": true, "fl": true,
	"floor": true, "bldg": true, "building": true, "rm": true, "room": true, "appt": true, "appartement": true,
	"bureau": true, "bât": true, "bat": true, "étage": true, "etage": true, "wohnung": true, "whg": true,
	"app": true, // Québec: "app. 17"
}

// floorWord follows a floor number in German ("3. OG", "2. Stock").
var floorWord = map[string]bool{"og": true, "ug": true, "dg": true, "stock": true, "etage": true, "obergeschoss": true}

// buildingPart is a German unit line of its own: "Hinterhaus".
var buildingPart = map[string]bool{"hinterhaus": true, "vorderhaus": true, "seitenflügel": true, "gartenhaus": true,
	"rückgebäude": true, "hochparterre": true}

// unitFirstWord may open an address before the street line ("Flat 3,
// 12 Acacia Avenue"); room/floor/building may not (too common in prose).
var unitFirstWord = map[string]bool{
	"apt": true, "apartment": true, "suite": true, "ste": true, "unit": true, "flat": true, "appt": true, "appartement": true,
}

// leadNegative are words that, just before a number, say the number is
// not a house number ("port 5432 Postgres Street", "the 3 Musketeers
// Road show", "chapter 12 …").
var leadNegative = map[string]bool{
	"the": true, "port": true, "pid": true, "line": true, "version": true, "ver": true, "v": true, "build": true,
	"code": true, "error": true, "page": true, "p": true, "chapter": true, "ch": true, "section": true, "sec": true,
	"step": true, "level": true, "lvl": true, "room": true, "gate": true, "platform": true, "route": true,
	"terminal": true, "class": true, "model": true, "series": true, "season": true, "episode": true, "ep": true,
	"tab": true, "user": true, "uid": true, "id": true, "ticket": true, "order": true, "sku": true, "item": true,
	"items": true, "qty": true, "rating": true, "vol": true, "volume": true, "part": true, "top": true, "size": true,
	"row": true, "col": true, "column": true, "track": true, "disc": true, "exit": true, "status": true, "http": true,
	"iso": true, "rfc": true, "node": true, "rank": true, "year": true, "day": true, "week": true, "month": true,
	"hour": true, "hours": true, "minutes": true, "min": true, "seconds": true, "times": true, "x": true,
	"kapitel": true, "seite": true, "schritt": true, "chapitre": true, "tome": true, "étape": true, "niveau": true,
	"lot": true, "pack": true, "box": true,
}

// notStreetDE are capitalised German words that open no street name
// (pronouns, forms of address), for street names without a street word.
var notStreetDE = map[string]bool{
	"sie": true, "ich": true, "wir": true, "er": true, "es": true, "ihr": true, "ihre": true, "ihrer": true,
	"bitte": true, "danke": true, "herr": true, "frau": true, "hallo": true, "liebe": true, "lieber": true,
}

var particleDE = map[string]bool{
	"am": true, "an": true, "der": true, "den": true, "dem": true, "des": true, "im": true, "in": true, "zum": true,
	"zur": true, "auf": true, "unter": true, "vom": true, "von": true, "bei": true, "hinter": true, "vor": true,
}

// Countries named after an address.
var countryName = map[string]Country{
	"usa": US, "u.s.a": US, "us": US, "u.s": US, "united states": US, "united states of america": US,
	"uk": GB, "u.k": GB, "united kingdom": GB, "england": GB, "scotland": GB, "wales": GB, "northern ireland": GB,
	"great britain": GB, "germany": DE, "deutschland": DE, "allemagne": DE, "france": FR, "canada": CA,
	"spain": ES, "españa": ES, "espana": ES, "espagne": ES, "spanien": ES,
}

// Word flags: every list above folded into one map, so that a word costs
// one lookup however many lists the grammar asks about.
const (
	fTypeEN = 1 << iota
	fTypeENWeak
	fWholeEN
	fAbbrevEN
	fTypeFR
	fParticleFR
	fParticle
	fParticleDE
	fStreetDE
	fDirectional
	fUnit
	fUnitFirst
	fLeadNegative
	fPO
	fTypeES
	fNumES
)

var lexicon = func() map[string]uint32 {
	m := map[string]uint32{}
	for w, t := range streetTypeEN {
		if t == typeStrong {
			m[w] |= fTypeEN
		} else {
			m[w] |= fTypeENWeak
		}
	}
	add := func(set map[string]bool, f uint32) {
		for w := range set {
			m[w] |= f
		}
	}
	add(wholeStreetEN, fWholeEN)
	add(abbrevEN, fAbbrevEN)
	add(streetTypeFR, fTypeFR)
	add(particleFR, fParticleFR)
	add(particleName, fParticle)
	add(particleDE, fParticleDE)
	add(streetWordDE, fStreetDE)
	add(directional, fDirectional)
	add(unitWord, fUnit)
	add(unitFirstWord, fUnitFirst)
	add(leadNegative, fLeadNegative)
	add(streetTypeES, fTypeES)
	add(numberWordES, fNumES)
	for _, w := range []string{"box", "postfach", "bp", "b.p", "postale", "pob"} {
		m[w] |= fPO
	}
	return m
}()

// lexShape is a bitmap of the (first byte, last byte) pairs of the
// lexicon's words, folded to six bits each: most words of a log line miss
// it and cost no hashing.
var lexShape = func() (bm [64]uint64) {
	for w := range lexicon {
		k := shapeKey(w[0], w[len(w)-1])
		bm[k>>6] |= 1 << (k & 63)
	}
	return
}()

// typeShape is lexShape for street types only (English, French): the
// number-first gate's test for lower-case text.
var typeShape = func() (bm [64]uint64) {
	for w, f := range lexicon {
		if f&(fTypeEN|fTypeENWeak|fTypeFR) != 0 {
			k := shapeKey(w[0], w[len(w)-1])
			bm[k>>6] |= 1 << (k & 63)
		}
	}
	return
}()

func shapeKey(first, last byte) uint { return uint((first|0x20)&0x3f)<<6 | uint((last|0x20)&0x3f) }

// typeWords is a 4096-bit set of the typeWordKeys of the street types
// (English, French) and of each of their parts between hyphens and
// apostrophes ("rond-point": "rond", "point"). It tells "total" from
// "trail", which share a shape: numberFirstGate then sends no "qty 9
// total 238.77" to the parser.
var typeWords = func() (bm [64]uint64) {
	for w, f := range lexicon {
		if f&(fTypeEN|fTypeENWeak|fTypeFR) == 0 {
			continue
		}
		parts := append(bytes.FieldsFunc([]byte(w), func(r rune) bool { return r == '-' || r == '\'' }), []byte(w))
		for _, part := range parts {
			k := typeWordKey(part)
			bm[k>>6] |= 1 << (k & 63)
		}
	}
	return
}()

// typeWordKey hashes a word's length and its first, second and last
// bytes, folded as shapeKey folds them (so any case of a word keys as the
// word in lower case), to 12 bits.
func typeWordKey(w []byte) uint {
	n := len(w)
	k := shapeKey(w[0], w[n-1])<<6 | uint((w[min(1, n-1)]|0x20)&0x3f)
	k = k<<5 | uint(min(n, 31))
	return uint(uint32(k)*2654435761) >> 20 & 4095
}

// mayBeType reports whether w, a run of letters, can be a street type or
// the part of one before a hyphen or an apostrophe.
func mayBeType(w []byte) bool {
	k := typeWordKey(w)
	return typeWords[k>>6]&(1<<(k&63)) != 0
}

// flags returns the word flags of t[a:b] (lower-cased), remembering the
// last word asked about (the French and English street parsers both ask
// about the word after a house number).
func (p *parser) flags(a, b int) uint32 {
	if b <= a || b-a > len(p.buf) {
		return 0
	}
	if a == p.lastA && b == p.lastB {
		return p.lastF
	}
	if k := shapeKey(p.t[a], p.t[b-1]); lexShape[k>>6]&(1<<(k&63)) == 0 {
		return 0
	}
	f := lexicon[string(p.lower(a, b))]
	p.lastA, p.lastB, p.lastF = a, b, f
	return f
}
