package classifiers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// switchCases returns the string literals of the case clauses of the
// switch on string(tag) in function fn of file (parsed from source, so a
// case added to the switch is seen here).
func switchCases(t *testing.T, file, fn, tag string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	found := false
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			sw, ok := n.(*ast.SwitchStmt)
			if !ok {
				return true
			}
			call, ok := sw.Tag.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "string" {
				return true
			}
			if arg, ok := call.Args[0].(*ast.Ident); !ok || arg.Name != tag {
				return true
			}
			found = true
			for _, st := range sw.Body.List {
				for _, e := range st.(*ast.CaseClause).List {
					lit, ok := e.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: a case of switch string(%s) is not a string literal", fn, tag)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, v)
				}
			}
			return false
		})
	}
	if !found {
		t.Fatalf("%s: no switch string(%s) in %s", fn, tag, file)
	}
	return out
}

// TestNameCueShapes proves that the prefilter in front of lowerNameCue
// passes every cue its switch knows, in any case the scanner hands it
// (lower case, Title case, capitals), and that nameCues lists exactly
// the switch's cases.
func TestNameCueShapes(t *testing.T) {
	cues := switchCases(t, "scan_name.go", "lowerNameCue", "cue")
	if len(cues) == 0 {
		t.Fatal("no cues found in lowerNameCue's switch")
	}
	for _, c := range cues {
		if len(c) < 2 || len(c) > 8 {
			t.Errorf("cue %q: the scanner only asks about words of 2 to 8 bytes", c)
		}
		if !slices.Contains(nameCues, c) {
			t.Errorf("cue %q is in lowerNameCue's switch but not in nameCues", c)
		}
		for _, w := range []string{c, strings.ToUpper(c[:1]) + c[1:], strings.ToUpper(c)} {
			if !maybeNameCue([]byte(w)) {
				t.Errorf("maybeNameCue(%q) = false: the prefilter drops a cue of the switch", w)
			}
		}
	}
	for _, c := range nameCues {
		if !slices.Contains(cues, c) {
			t.Errorf("nameCues lists %q, which lowerNameCue's switch does not know", c)
		}
	}
	// the prefilter must reject most words, or it is no prefilter
	rejected := 0
	words := strings.Fields("order sku qty total card charged code sent to build rolled out at evicted keys in hash job finished processed rows skipped queue depth page items the and for with from user request failed retry")
	for _, w := range words {
		if !maybeNameCue([]byte(w)) {
			rejected++
		}
	}
	if rejected < len(words)*3/4 {
		t.Errorf("maybeNameCue rejects only %d of %d common log words", rejected, len(words))
	}
}

// TestKeywordTriGate proves that the scanner's three-byte prefilter in
// front of the keyword gate passes every gated keyword in any case, for
// the built-in rules and for a custom keyword set.
func TestKeywordTriGate(t *testing.T) {
	engines := []*Engine{defaultEngine(t)}
	e2 := &Engine{}
	e2.buildGate([]string{"passwort", "mot_de_passe", "clé_api", "x9z", "ab"})
	engines = append(engines, e2)
	for _, e := range engines {
		gated := 0
		for _, kw := range e.kwLower {
			if len(kw) < 3 || !alnum[kw[0]] || !alnum[kw[1]] || !alnum[kw[2]] {
				continue // served by the full Aho-Corasick pass
			}
			gated++
			for _, v := range []string{kw, strings.ToUpper(kw[:1]) + kw[1:], strings.ToUpper(kw), strings.ToUpper(kw[:2]) + kw[2:]} {
				if !e.mayStartKeyword(v[0], v[1], v[2]) {
					t.Errorf("mayStartKeyword(%q) = false: the prefilter drops keyword %q", v[:3], kw)
				}
			}
		}
		if gated == 0 {
			t.Error("no gated keywords")
		}
	}
}
