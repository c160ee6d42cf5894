package rules

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piimap/piimap"
)

func TestDefault(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, r := range rs {
		types[r.Type] = true
		if r.Source == "" || r.Line == 0 {
			t.Errorf("rule %s has no source position", r.ID)
		}
		if len(r.TruePositives) < MinSamples || len(r.FalsePositives) < MinSamples {
			t.Errorf("rule %s has too few samples", r.ID)
		}
	}
	for _, want := range []string{piimap.TypeEmail, piimap.TypePhone, piimap.TypePersonName, piimap.TypePostalAddress,
		piimap.TypeDateOfBirth, piimap.TypeUSSSN, piimap.TypeUKNINO, piimap.TypeCreditCard, piimap.TypeIBAN,
		piimap.TypeIPAddress, piimap.TypeMACAddress, piimap.TypeGeoCoordinates, piimap.TypeCredential, piimap.TypeUserID} {
		if !types[want] {
			t.Errorf("no built-in rule for %s", want)
		}
	}
	// Default hands out copies.
	rs[0].ID = "mutated"
	again, _ := Default()
	if again[0].ID == "mutated" {
		t.Error("Default shares its slice")
	}
}

const goodRule = `rules:
  - id: acme_employee
    type: employee_id
    keywords: [employee, emp]
    pattern: "EMP-[0-9]{6}"
    context: [employee]
    hints: [employee_id]
    true_positives: ["employee EMP-123456", "emp EMP-000001 left", "employee: EMP-999999"]
    false_positives: ["employee EMP-12", "EMP-ABCDEF", "nothing here"]
`

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", goodRule)
	write(t, dir, "notes.txt", "ignored")
	rs, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].ID != "acme_employee" || rs[0].Line != 2 || !strings.HasSuffix(rs[0].Source, "a.yaml") {
		t.Fatalf("LoadDir = %+v", rs)
	}
	merged := Combine([]Rule{{ID: "acme_employee", Type: "old"}, {ID: "email"}}, rs)
	if len(merged) != 2 || merged[0].Type != "employee_id" {
		t.Errorf("Combine = %+v", merged)
	}
	if _, err := LoadDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing dir accepted")
	}
}

// TestMalformed: every malformed file fails with the file, line, rule and
// problem named, wrapping piimap.ErrInvalidRule.
func TestMalformed(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string
	}{
		{"yaml", "rules:\n  - id: x\n   type: [\n", []string{"bad.yaml:", "yaml"}},
		{"bad regex", strings.Replace(goodRule, `"EMP-[0-9]{6}"`, `"EMP-[0-9"`, 1), []string{"bad.yaml:2", `"acme_employee"`, "bad pattern"}},
		{"missing samples", strings.Replace(goodRule, `    false_positives: ["employee EMP-12", "EMP-ABCDEF", "nothing here"]`, `    false_positives: ["x"]`, 1), []string{"bad.yaml:2", "at least 3 false_positives"}},
		{"unknown key", strings.Replace(goodRule, "    context:", "    contxt:", 1), []string{"bad.yaml:6", `unknown key "contxt"`}},
		{"missing type", strings.Replace(goodRule, "    type: employee_id\n", "", 1), []string{"missing type"}},
		{"top level", "rule:\n  - id: x\n", []string{"bad.yaml:1", `unknown top-level key "rule"`}},
		{"no list", "rules: 3\n", []string{"must be a list"}},
		{"duplicate", goodRule + strings.TrimPrefix(goodRule, "rules:\n"), []string{"duplicate id"}},
		{"bad exempt", strings.Replace(goodRule, "    hints:", "    exempt_negatives: [guid]\n    hints:", 1), []string{`unknown shape "guid"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "bad.yaml", c.body)
			_, err := LoadDir(dir)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, piimap.ErrInvalidRule) {
				t.Errorf("error does not wrap ErrInvalidRule: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
