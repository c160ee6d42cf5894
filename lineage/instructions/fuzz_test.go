package instructions

import (
	"testing"
)

// FuzzParse: no input panics the register parser, and a register it
// accepts has every asset and retention glob compiled and every age
// positive.
func FuzzParse(f *testing.F) {
	f.Add([]byte(issueRegister))
	f.Add([]byte("tenants:\n  a:\n    stores:\n      s: {pii: any}\n"))
	f.Add([]byte("tenants:\n  a:\n    stores:\n      s:\n        assets: {\"[\": {pii: []}}\n"))
	f.Add([]byte("tenants: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Parse(raw)
		if err != nil {
			return
		}
		for _, tn := range r.Tenants {
			if tn == nil {
				t.Fatal("accepted a nil tenant")
			}
			for _, s := range tn.Stores {
				for _, a := range s.Assets {
					if a.re == nil {
						t.Fatalf("accepted asset pattern %q without compiling it", a.Pattern)
					}
				}
			}
			for _, rt := range tn.Retention {
				if rt.re == nil || rt.Age <= 0 {
					t.Fatalf("accepted retention %+v", rt)
				}
			}
		}
	})
}

// FuzzGlob: compiling never panics, and a glob without metacharacters
// matches itself.
func FuzzGlob(f *testing.F) {
	for _, s := range []string{"logs/*", "[a-z]?.csv", "[!x]", "session:*", "données/*", "a\\b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, g string) {
		re, err := compileGlob(g)
		if err != nil {
			return
		}
		plain := true
		for _, c := range g {
			if c == '*' || c == '?' || c == '[' {
				plain = false
			}
		}
		if plain && !re.MatchString(g) {
			t.Fatalf("plain glob %q does not match itself", g)
		}
	})
}
