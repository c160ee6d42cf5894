package textcorpus

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/piimap/piimap"
)

func TestGenerateIsDeterministicAndConsistent(t *testing.T) {
	for _, fl := range []string{FlavourDev, FlavourHeldout} {
		a, err := Generate(fl, 300, 7)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Generate(fl, 300, 7)
		if err != nil {
			t.Fatal(err)
		}
		var ba, bb bytes.Buffer
		if err := WriteJSONL(&ba, a); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSONL(&bb, b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ba.Bytes(), bb.Bytes()) {
			t.Fatalf("%s: same seed, different corpus", fl)
		}
		back, err := ReadJSONL(&ba)
		if err != nil {
			t.Fatalf("%s: read back: %v", fl, err)
		}
		if len(back) != len(a) {
			t.Fatalf("%s: read %d docs, wrote %d", fl, len(back), len(a))
		}
		types := map[string]int{}
		genres := map[string]int{}
		for _, d := range a {
			genres[d.Genre]++
			for _, s := range d.Spans {
				types[s.Type]++
			}
		}
		for _, typ := range []string{piimap.TypePersonName, piimap.TypePostalAddress, piimap.TypePhone, piimap.TypeEmail, piimap.TypeCreditCard, piimap.TypeIBAN, piimap.TypeDateOfBirth, piimap.TypeIPAddress} {
			if types[typ] == 0 {
				t.Errorf("%s: no %s span in 300 documents", fl, typ)
			}
		}
		if len(genres) != len(Genres) {
			t.Errorf("%s: genres %v", fl, genres)
		}
	}
}

func TestLabelledPhonesAreValid(t *testing.T) {
	docs, err := Generate(FlavourHeldout, 300, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		region := countryOf(d.Locale).region()
		for _, s := range d.Spans {
			if s.Type != piimap.TypePhone {
				continue
			}
			v := d.Text[s.Start:s.End]
			ok := false
			// a foreign number may be written in its own national format
			for _, reg := range []string{region, "US", "GB", "DE", "FR", "ES", "CA"} {
				num, err := phonenumbers.Parse(v, reg)
				ok = ok || err == nil && phonenumbers.IsValidNumberForRegion(num, reg)
			}
			if !ok {
				t.Errorf("doc %s: phone at [%d,%d) does not validate", d.ID, s.Start, s.End)
			}
		}
	}
}

func TestCheckRejectsBadSpans(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  Doc
	}{
		{"out of range", Doc{Text: "abc", Spans: []Span{{0, 4, "email"}}}},
		{"empty", Doc{Text: "abc", Spans: []Span{{1, 1, "email"}}}},
		{"overlap", Doc{Text: "abcdef", Spans: []Span{{0, 3, "email"}, {2, 5, "phone"}}}},
		{"utf-8 cut", Doc{Text: "aé", Spans: []Span{{0, 2, "person_name"}}}},
		{"white space", Doc{Text: "a b", Spans: []Span{{0, 2, "person_name"}}}},
		{"no type", Doc{Text: "abc", Spans: []Span{{0, 2, ""}}}},
	} {
		if tc.doc.Check() == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// TestFlavoursShareNoTemplate: no template of one flavour occurs in the
// other (compared after removing placeholders, so reordering a sentence's
// placeholders would not hide a copy).
func TestFlavoursShareNoTemplate(t *testing.T) {
	strip := func(s string) string {
		var b strings.Builder
		for s != "" {
			i := strings.IndexByte(s, '{')
			j := strings.IndexByte(s, '}')
			if i < 0 || j < i || !isKey(s[i+1:j]) {
				b.WriteString(s)
				break
			}
			b.WriteString(s[:i])
			b.WriteString("{}")
			s = s[j+1:]
		}
		return b.String()
	}
	dev := map[string]bool{}
	for _, slots := range devTemplates {
		for _, ts := range slots {
			for _, tm := range ts {
				dev[strip(tm)] = true
			}
		}
	}
	for _, slots := range heldoutTemplates {
		for slot, ts := range slots {
			for _, tm := range ts {
				if dev[strip(tm)] {
					t.Errorf("template in both flavours (%s): %q", slot, tm)
				}
			}
		}
	}
}

func TestLexiconsDisjoint(t *testing.T) {
	dev, err := loadLexicon(FlavourDev)
	if err != nil {
		t.Fatal(err)
	}
	held, err := loadLexicon(FlavourHeldout)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range append(dev.given, dev.family...) {
		seen[strings.ToLower(e.name)] = true
	}
	for _, ss := range dev.streets {
		for _, s := range ss {
			seen[strings.ToLower(s)] = true
		}
	}
	for _, cs := range dev.cities {
		for _, c := range cs {
			seen[strings.ToLower(c.name)] = true
		}
	}
	n := 0
	check := func(kind, s string) {
		n++
		if seen[strings.ToLower(s)] {
			t.Errorf("held-out %s also in dev: %q", kind, s)
		}
	}
	for _, e := range append(held.given, held.family...) {
		check("name", e.name)
	}
	for _, ss := range held.streets {
		for _, s := range ss {
			check("street", s)
		}
	}
	for _, cs := range held.cities {
		for _, c := range cs {
			check("city", c.name)
		}
	}
	if n < 1000 {
		t.Errorf("held-out lexicon has only %d entries", n)
	}
}
