package classifiers

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"github.com/piimap/piimap/classifiers/personname"
)

// Names written in forms the tagger, trained on Title-case prose, does not
// read: in capitals ("Dear CAOIMHE CONTI", a signature "MAXIME JOLY") and
// family name first with a comma ("Walsh, Bernadette"). Both are put to
// the tagger as it knows names: the capitals in Title case, the comma as
// a blank, in a copy of the window with the same byte offsets; the span is
// kept when the tagger reads the whole of it as one name. The word lists
// only keep out what is surely no name (months, places, code words,
// greetings).

// Confidences of the two forms.
const (
	capsNameConfidence  = 0.8
	commaNameConfidence = 0.85
)

// notNameFlags are list flags that make a word no part of a name here
// (a common word may be a name: "MARK", "Rose").
const notNameFlags = personname.LexTech | personname.LexTime | personname.LexPlace | personname.LexOrg |
	personname.LexCue | personname.LexHonorific

// capsWordEnd returns the end of a word in capitals at k (ASCII or any
// upper-case letter, an inner hyphen or apostrophe before another capital: "O'NEILL",
// "MARIE-CLAIRE"), or k when none starts there or a lower-case letter or
// digit is in it.
func (s *scanner) capsWordEnd(k int) int {
	d := s.data
	n := len(d)
	j := k
	letters := 0
	for j < n {
		c := d[j]
		switch {
		case isUpperB(c):
			j++
			letters++
			continue
		case c >= 0x80:
			r, size := utf8.DecodeRune(d[j:])
			if !unicode.IsUpper(r) {
				if unicode.IsLetter(r) {
					return k
				}
				break
			}
			j += size
			letters++
			continue
		case (c == '-' || c == '\'') && letters > 0 && j+1 < n && (isUpperB(d[j+1]) || d[j+1] >= 0xC3):
			j++
			continue
		case isLowerB(c) || isDigitB(c) || c == '_':
			return k
		}
		break
	}
	if letters < 2 {
		return k
	}
	return j
}

// capsNameGate is capsName's cheap gate at the word data[i:j], whose first
// letter is a capital: its second letter may be one too (ASCII, or a
// two-byte Latin letter), and a blank, a hyphen or an apostrophe follows
// the word, then what may be a capital (capsWordEnd and capsName go on
// only then: "INFO [", "GET /", "ORD-1" stop here).
func capsNameGate(d []byte, i, j int) bool {
	second := d[i+1]
	return (isUpperB(second) || second == 0xC3 || second >= 0x80 && d[i] >= 0xC3) &&
		j+1 < len(d) && (d[j] == ' ' || d[j] == '-' || d[j] == '\'') && (isUpperB(d[j+1]) || d[j+1] >= 0xC3)
}

// capsName records two or three words in capitals that the lists know as
// a given name then a surname or particle ("JARED SCOTT", "MARIE-CLAIRE DU
// PLESSIS"), when no other word in capitals touches them on the line (a
// shouted sentence is no name). It returns the end of the name, or 0.
func (s *scanner) capsName(i int) int {
	d := s.data
	n := len(d)
	// cheap tests first: log lines are full of words in capitals (INFO,
	// POST) and only a second such word after a blank can make a name
	e0 := s.capsWordEnd(i)
	if e0 == i || e0+1 >= n || d[e0] != ' ' || !isUpperB(d[e0+1]) && d[e0+1] < 0xC3 || !loadNameModel() {
		return 0
	}
	// the word before, on the line, must not be in capitals
	if k := i - 1; k >= 0 && d[k] == ' ' {
		a := k
		for a > 0 && d[a-1] != ' ' && d[a-1] != '\n' && i-a < 40 {
			a--
		}
		if a < k && s.capsWordEnd(a) == k {
			return 0
		}
	}
	var ends [3]int
	words := 0
	for k := i; ; {
		e := s.capsWordEnd(k)
		if e == k {
			break
		}
		if words == 3 {
			return 0 // a fourth word in capitals: a sentence
		}
		w := d[k:e]
		fl := nameLex.Flags(w)
		switch {
		case words == 0:
			// a given name the lists know: "JARED", "MARIE-CLAIRE"
			if fl&notNameFlags != 0 || fl&personname.LexGiven == 0 && !hyphenGiven(w) {
				return 0
			}
		case isParticleWord(w):
		case fl&notNameFlags != 0 || bytes.Equal(w, d[i:ends[0]]):
			return 0
		}
		ends[words] = e
		words++
		if e+1 >= n || d[e] != ' ' {
			break
		}
		k = e + 1
	}
	if words < 2 {
		return 0
	}
	end := ends[words-1]
	// the last word must not be a particle
	if a := lastWordStart(d, end); isParticleWord(d[a:end]) {
		return 0
	}
	if !s.taggedWhole(i, end, func(buf []byte, off int) {
		// "MARIE-CLAIRE DU PLESSIS" → "Marie-Claire du Plessis"
		for k := i; k < end; {
			e := s.capsWordEnd(k)
			if e == k {
				k++
				continue
			}
			particle := isParticleWord(s.data[k:e])
			for x := k; x < e; x++ {
				c := buf[x-off]
				first := x == k || s.data[x-1] == '-' || s.data[x-1] == '\''
				switch {
				case first && !particle:
				case isUpperB(c):
					buf[x-off] = c + 32
				case c >= 0x80 && c <= 0x9E && c != 0x97 && x > k && s.data[x-1] == 0xC3 && !(x-1 == k || s.data[x-2] == '-'):
					buf[x-off] = c + 0x20 // Ü → ü
				}
			}
			k = e
		}
	}) {
		return 0
	}
	s.addName(s.e.fast[kindName], i, end, capsNameConfidence)
	s.nameDone = max(s.nameDone, end)
	return end
}

// taggedWhole runs the tagger on a copy of the line around data[a:b],
// changed in place by edit (buf[x-off] is data[x]; same byte offsets),
// and reports whether one name it finds covers the whole of [a, b).
func (s *scanner) taggedWhole(a, b int, edit func(buf []byte, off int)) bool {
	d := s.data
	lo := a
	for lo > 0 && a-lo < nameBack && d[lo-1] != '\n' {
		lo--
	}
	hi := b
	for hi < len(d) && hi-b < nameAhead && d[hi] != '\n' {
		hi++
	}
	var small [256]byte
	buf := small[:0]
	if hi-lo > len(small) {
		buf = make([]byte, 0, hi-lo)
	}
	buf = append(buf, d[lo:hi]...)
	edit(buf, lo)
	t := taggerPool.Get().(*personname.Tagger)
	bufp := nameSpanBuf.Get().(*[]personname.Span)
	found := t.Find(buf, (*bufp)[:0])
	ok := false
	for _, sp := range found {
		if lo+sp.Start <= a && lo+sp.End >= b {
			ok = true
		}
	}
	*bufp = found[:0]
	nameSpanBuf.Put(bufp)
	taggerPool.Put(t)
	return ok
}

// lastWordStart returns the start of the word ending at end.
func lastWordStart(d []byte, end int) int {
	a := end
	for a > 0 && d[a-1] != ' ' {
		a--
	}
	return a
}

// hyphenGiven reports a hyphenated given name whose halves the lists
// know as given names ("MARIE-CLAIRE", "Hans-Peter").
func hyphenGiven(w []byte) bool {
	k := bytes.IndexByte(w, '-')
	return k > 0 && nameLex.Flags(w[:k])&personname.LexGiven != 0 && nameLex.Flags(w[k+1:])&personname.LexGiven != 0
}

// isParticleWord reports a name particle in any case ("du", "DE", "van").
func isParticleWord(w []byte) bool {
	if len(w) > 4 {
		return false
	}
	var b [4]byte
	for k, c := range w {
		b[k] = lowerB(c)
	}
	switch string(b[:len(w)]) {
	case "de", "du", "da", "di", "del", "der", "den", "des", "la", "le", "van", "von", "dos", "das", "y", "bin", "al":
		return true
	}
	return false
}

// commaName records a family name, a comma and a given name ("Walsh,
// Bernadette", "Byrne, Róisín"): two Title-case words, neither a place,
// month, organisation, code word or greeting, that the tagger reads as one
// name with the comma made a blank. The word data[i:j] is the family
// name; it returns the end of the name, or 0.
func (s *scanner) commaName(i, j int) int {
	d := s.data
	n := len(d)
	if j+2 >= n || d[j] != ',' || d[j+1] != ' ' || !loadNameModel() {
		return 0
	}
	k := j + 2
	e := k
	for e < n && (alnum[d[e]] || d[e] >= 0x80 || (d[e] == '-' || d[e] == '\'') && e+1 < n && alnum[d[e+1]]) {
		e++
	}
	if !titleWord(d[k:e]) || e < n && (d[e] == ',' && e+2 < n && d[e+1] == ' ' && isUpperB(d[e+2]) || d[e] == '.' && e+1 < n && alnum[d[e+1]]) {
		return 0 // a list: "Paris, Lyon, Marseille"
	}
	if nameLex.Flags(d[i:j])&notNameFlags != 0 || nameLex.Flags(d[k:e])&notNameFlags != 0 || nameLex.Common(d[i:j]) || nameLex.Common(d[k:e]) {
		return 0 // "Paris, Monday"; "Kowalski, Tel"
	}
	if !s.taggedWhole(i, e, func(buf []byte, off int) { buf[j-off] = ' ' }) {
		return 0
	}
	s.addName(s.e.fast[kindName], i, e, commaNameConfidence)
	s.nameDone = max(s.nameDone, e)
	return e
}
