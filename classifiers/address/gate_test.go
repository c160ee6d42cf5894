package address

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestTypeWords proves that mayBeType passes every street type
// numberFirstGate may meet after a house number (and each part of one
// between hyphens and apostrophes), in any case.
func TestTypeWords(t *testing.T) {
	n := 0
	for w, f := range lexicon {
		if f&(fTypeEN|fTypeENWeak|fTypeFR) == 0 {
			continue
		}
		n++
		parts := append(bytes.FieldsFunc([]byte(w), func(r rune) bool { return r == '-' || r == '\'' }), []byte(w))
		for _, part := range parts {
			p := string(part)
			for _, v := range []string{p, strings.ToUpper(p[:1]) + p[1:], strings.ToUpper(p)} {
				if !mayBeType([]byte(v)) {
					t.Errorf("mayBeType(%q) = false (street type %q)", v, w)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no street types in the lexicon")
	}
	for _, w := range []string{"total", "keys", "items", "rows", "qty"} {
		if mayBeType([]byte(w)) {
			t.Errorf("mayBeType(%q) = true: the set should tell it from the street types", w)
		}
	}
}

// TestNumberFirstGateKeepsParses: wherever the street grammar reads a
// street line from a house number and the gate as it was before mayBeType
// (shapeOnlyGate, first and last letters only) let the number through,
// numberFirstGate lets it through too. Checked on the labelled sentences,
// written as they are and in lower case, and on hand-made lines whose
// first word after the number has a type's shape but is none.
func TestNumberFirstGateKeepsParses(t *testing.T) {
	var texts []string
	for _, name := range []string{"labelled.txt", "heldout.txt"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			line = strings.NewReplacer("[[", "", "]]", "", `\n`, "\n").Replace(line)
			texts = append(texts, line, strings.ToLower(line))
		}
	}
	texts = append(texts,
		"ship to 12 old 5th st please", "12 total 5th ave", "12 total trail", "12 tall oak trail",
		"12 total saint-denis road", "12 total  main st", "12 total\tmain st", "12 bis rue de la paix",
		"12 total 123rd street", "12 total ma'am road", "12 total st. john road", "12 total o'hara way",
		"12 total (main) st", "12 total 5 main st", "12 tidal 7th avenue", "12 total w. 57th street")
	parsed := 0
	for _, text := range texts {
		tb := []byte(text)
		for i := 0; i < len(tb); i++ {
			if !isDigit(tb[i]) || i > 0 && isDigit(tb[i-1]) {
				continue
			}
			j := i
			for j < len(tb) && isDigit(tb[j]) {
				j++
			}
			p := parser{t: tb}
			var s street
			if !p.numberFirst(i, &s) || !shapeOnlyGate(tb, i, j) {
				continue
			}
			parsed++
			if !numberFirstGate(tb, i, j) {
				t.Errorf("numberFirstGate drops the street line at %d of %q", i, text)
			}
		}
	}
	if parsed < 100 {
		t.Errorf("only %d street lines parsed: the test reads too little", parsed)
	}
	// and it keeps log lines away from the parser
	for _, c := range []struct{ text, num string }{
		{"order ORD-1 qty 9 total 238.77", " 9 "}, {"evicted 12 keys in 3ms", " 12 "}, {"qty 3 total 12.00 EUR", " 3 "},
	} {
		tb := []byte(c.text)
		i := strings.Index(c.text, c.num) + 1
		if numberFirstGate(tb, i, i+len(c.num)-2) {
			t.Errorf("numberFirstGate(%q at %d) = true", c.text, i)
		}
	}
}

// shapeOnlyGate is numberFirstGate as it was before mayBeType: the
// reference the test above holds it to.
func shapeOnlyGate(t []byte, i, j int) bool {
	if j-i > 5 || t[i] == '0' {
		return false
	}
	switch next := byteAt(t, j); {
	case next == ' ' || next == '\t':
		q := j + 1
		for q < len(t) && (t[q] == ' ' || t[q] == '\t') {
			q++
		}
		c := byteAt(t, q)
		if isLower(c) {
			// a lower-case street has a street type among its next words
			// ("12 rue X", "12 main st"); "evicted 12 keys in" has none
			e := q
			for w := 0; w < 5; w++ {
				s := e
				for e < len(t) && letterByte(t[e]) {
					e++
				}
				if e == s {
					return false
				}
				if k := shapeKey(t[s], t[e-1]); typeShape[k>>6]&(1<<(k&63)) != 0 {
					return true
				}
				if c2 := byteAt(t, e); c2 == '.' || c2 == '\'' || c2 == '-' {
					e++
				}
				if byteAt(t, e) != ' ' {
					return false
				}
				e++
			}
			return false
		}
		if letterByte(c) {
			return true
		}
		if !isDigit(c) {
			return false
		}
		for q < len(t) && isDigit(t[q]) {
			q++
		}
		a, b := byteAt(t, q)|0x20, byteAt(t, q+1)|0x20 // 5th, 42nd
		return (a == 's' && b == 't' || a == 'n' && b == 'd' || a == 'r' && b == 'd' || a == 't' && b == 'h') && !wordByte(byteAt(t, q+2))
	case isAlpha(next):
		return !wordByte(byteAt(t, j+1))
	case next == '-':
		k := j + 1
		for k < len(t) && isDigit(t[k]) {
			k++
		}
		c := byteAt(t, k)
		return k > j+1 && k-j <= 6 && c != '-' && c != ':' && c != '/' && c != '.' && (!wordByte(c) || isAlpha(c) && !wordByte(byteAt(t, k+1)))
	case next == ',':
		return byteAt(t, j+1) == ' ' && letterByte(byteAt(t, j+2))
	}
	return false
}
