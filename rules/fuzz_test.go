package rules_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/classifiers/validate"
	"github.com/piimap/piimap/rules"
)

// fuzzGoodRule is rules_test.go's goodRule (that file is package rules).
const fuzzGoodRule = `rules:
  - id: acme_employee
    type: employee_id
    keywords: [employee, emp]
    pattern: "EMP-[0-9]{6}"
    context: [employee]
    hints: [employee_id]
    true_positives: ["employee EMP-123456", "emp EMP-000001 left", "employee: EMP-999999"]
    false_positives: ["employee EMP-12", "EMP-ABCDEF", "nothing here"]
`

// ruleSeeds are the package's test inputs: the built-in rule files, the
// good rule and the malformed variants of TestMalformed.
func ruleSeeds(f *testing.F) [][]byte {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("builtin", "*.yaml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no built-in rule files: %v", err)
	}
	var seeds [][]byte
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for _, s := range []string{
		fuzzGoodRule,
		"rules:\n  - id: x\n   type: [\n",
		strings.Replace(fuzzGoodRule, `"EMP-[0-9]{6}"`, `"EMP-[0-9"`, 1),
		strings.Replace(fuzzGoodRule, `    false_positives: ["employee EMP-12", "EMP-ABCDEF", "nothing here"]`, `    false_positives: ["x"]`, 1),
		strings.Replace(fuzzGoodRule, "    context:", "    contxt:", 1),
		strings.Replace(fuzzGoodRule, "    type: employee_id\n", "", 1),
		"rule:\n  - id: x\n", "rules: 3\n", "", "rules: []\n",
		fuzzGoodRule + strings.TrimPrefix(fuzzGoodRule, "rules:\n"),
		strings.Replace(fuzzGoodRule, "    hints:", "    exempt_negatives: [guid]\n    hints:", 1),
		strings.Replace(fuzzGoodRule, "    hints:", "    score: 0.5\n    validator: email\n    hints:", 1),
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// checkParsed asserts what Parse documents for one file: an error is an
// *rules.Error naming the file and wrapping piimap.ErrInvalidRule; accepted
// rules validate, carry their position, have a score in [0,1], compile in
// the classifiers engine when their validator is a known one, and survive
// a YAML round trip (marshal, parse, marshal gives the same bytes).
func checkParsed(t *testing.T, file string, rs []rules.Rule, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, piimap.ErrInvalidRule) {
			t.Fatalf("error does not wrap ErrInvalidRule: %v", err)
		}
		var re *rules.Error
		if !errors.As(err, &re) || re.File != file {
			t.Fatalf("error does not name the file %q: %v", file, err)
		}
		return
	}
	known := validate.Names()
	for _, r := range rs {
		if verr := r.Validate(); verr != nil {
			t.Fatalf("accepted rule %q does not validate: %v", r.ID, verr)
		}
		if r.Source != file || r.Line <= 0 {
			t.Fatalf("rule %q has position %q:%d, want %q and a line", r.ID, r.Source, r.Line, file)
		}
		if !(r.Score >= 0 && r.Score <= 1) { // NaN included (testdata/fuzz/FuzzParse/nan_score)
			t.Fatalf("rule %q accepted with score %v outside [0,1]", r.ID, r.Score)
		}
		if r.Validator == "" || slices.Contains(known, r.Validator) {
			if _, cerr := classifiers.New([]rules.Rule{r}, classifiers.Options{SkipSampleCheck: true}); cerr != nil {
				t.Fatalf("accepted rule %q does not compile: %v", r.ID, cerr)
			}
		}
	}
	if len(rs) == 0 {
		return
	}
	once, merr := yaml.Marshal(map[string][]rules.Rule{"rules": rs})
	if merr != nil {
		t.Fatalf("marshal accepted rules: %v", merr)
	}
	again, perr := rules.Parse(file, once)
	if perr != nil {
		t.Fatalf("accepted rules, marshalled, do not parse: %v\n%s", perr, once)
	}
	twice, merr := yaml.Marshal(map[string][]rules.Rule{"rules": again})
	if merr != nil {
		t.Fatal(merr)
	}
	if !bytes.Equal(once, twice) {
		t.Fatalf("round trip changed the rules:\n%s\n---\n%s", once, twice)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range ruleSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := rules.Parse("fuzz.yaml", b)
		checkParsed(t, "fuzz.yaml", rs, err)
	})
}

// FuzzLoadDir: a directory of two rule files (and a file LoadDir ignores)
// loads as the two files parsed in name order, unless one fails to parse
// (the same error) or an id repeats across them (an ErrInvalidRule naming
// the duplicate).
func FuzzLoadDir(f *testing.F) {
	seeds := ruleSeeds(f)
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)])
	}
	f.Add([]byte(fuzzGoodRule), []byte(fuzzGoodRule))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		dir := t.TempDir()
		for name, body := range map[string][]byte{"a.yaml": a, "b.yml": b, "c.txt": []byte("rules: 3\n")} {
			if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := rules.LoadDir(dir)
		prefix := dir + string(filepath.Separator)
		// The model: each file parsed in name order, its ids checked
		// against those before it; the first failure is LoadDir's error.
		var want []rules.Rule
		var wantErr error
		ids := map[string]bool{}
		for _, file := range []struct {
			name string
			body []byte
		}{{"a.yaml", a}, {"b.yml", b}} {
			rs, perr := rules.Parse(prefix+file.name, file.body)
			if perr != nil {
				wantErr = perr
				break
			}
			for _, r := range rs {
				if ids[r.ID] && wantErr == nil {
					wantErr = errors.New("duplicate id")
				}
				ids[r.ID] = true
			}
			if wantErr != nil {
				break
			}
			want = append(want, rs...)
		}
		switch {
		case wantErr != nil && wantErr.Error() == "duplicate id":
			if err == nil || !errors.Is(err, piimap.ErrInvalidRule) || !strings.Contains(err.Error(), "duplicate id") {
				t.Fatalf("duplicate ids: LoadDir = %v", err)
			}
			return
		case wantErr != nil:
			if err == nil || err.Error() != wantErr.Error() {
				t.Fatalf("LoadDir error %v, want the parse error %v", err, wantErr)
			}
			checkParsed(t, errFile(wantErr), nil, err)
			return
		}
		if err != nil {
			t.Fatalf("LoadDir failed where both files parse: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("LoadDir gave %d rules, the files hold %d", len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			gy, _ := yaml.Marshal(g)
			wy, _ := yaml.Marshal(w)
			if g.Source != w.Source || g.Line != w.Line || !bytes.Equal(gy, wy) {
				t.Fatalf("rule %d: LoadDir %s:%d %s, Parse %s:%d %s", i, g.Source, g.Line, gy, w.Source, w.Line, wy)
			}
		}
	})
}

func errFile(err error) string {
	var re *rules.Error
	if errors.As(err, &re) {
		return re.File
	}
	return ""
}
