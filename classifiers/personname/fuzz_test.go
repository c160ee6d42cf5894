package personname

import (
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"Hi Maria, thanks!", "Dear Mrs O'Neill,\nJean-Luc’s café", "\xff\xfeMaria \xc3", "M. Dupont a écrit :",
	"at com.example.Foo.bar(Foo.java:1)", "", "'''---", "Ñ", "a\u00a0B\u202fC", "Sra. María José García-López de la Cruz",
}

func FuzzTokenize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		prev := 0
		for _, tk := range Tokenize(nil, b) {
			if tk.Start < prev || tk.End <= tk.Start || tk.End > len(b) {
				t.Fatalf("token [%d,%d) out of order or bounds (len %d, prev end %d)", tk.Start, tk.End, len(b), prev)
			}
			if !boundary(b, tk.Start) || !boundary(b, tk.End) {
				t.Fatalf("token [%d,%d) not on UTF-8 boundaries", tk.Start, tk.End)
			}
			prev = tk.End
		}
	})
}

func FuzzFind(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	m, err := DefaultModel()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		prev := 0
		for _, sp := range m.Find(b) {
			if sp.Start < prev || sp.End <= sp.Start || sp.End > len(b) {
				t.Fatalf("span [%d,%d) out of order or bounds (len %d)", sp.Start, sp.End, len(b))
			}
			if !boundary(b, sp.Start) || !boundary(b, sp.End) {
				t.Fatalf("span [%d,%d) not on UTF-8 boundaries", sp.Start, sp.End)
			}
			if !(sp.Confidence > 0 && sp.Confidence <= 1) {
				t.Fatalf("confidence %v", sp.Confidence)
			}
			prev = sp.End
		}
	})
}

// boundary reports that i starts a rune (or is the end) of b; invalid
// bytes count as one-byte runes.
func boundary(b []byte, i int) bool {
	if i == 0 || i == len(b) {
		return true
	}
	for k := 0; k < i; {
		_, w := utf8.DecodeRune(b[k:])
		k += w
		if k == i {
			return true
		}
		if k > i {
			return false
		}
	}
	return false
}
