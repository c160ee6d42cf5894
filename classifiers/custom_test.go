package classifiers

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piimap/piimap"
)

const customRules = `rules:
  - id: acme_employee
    type: employee_id
    description: ACME employee number.
    keywords: [employee, emp]
    pattern: "EMP-[0-9]{6}"
    context: [employee, staff]
    hints: [employee_number, emp_no]
    true_positives: ["employee EMP-123456", "emp EMP-000001 left", "staff employee: EMP-999999"]
    false_positives: ["employee EMP-12", "EMP-ABCDEF", "nothing here"]
  - id: acme_loyalty_card
    type: loyalty_card
    description: ACME loyalty card, 12 digits after LC, Luhn checked.
    pattern: "LC[0-9]{12}"
    validator: luhn
    hints: [loyalty_card]
    true_positives: ["card LC100000000008 used", "LC123456789015", "x LC000000000000 y"]
    false_positives: ["LC100000000001", "LC12345", "no card"]
`

func TestCustomRuleDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "acme.yaml"), []byte(customRules), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Default(Options{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := spans(e, "new employee EMP-424242 and jane@example.com, card LC100000000008")
	want := "[{employee_id EMP-424242} {email jane@example.com} {loyalty_card LC100000000008}]"
	if s := strings.ReplaceAll(strings.ReplaceAll(fmtSpans(got), "\n", ""), "  ", " "); s != want {
		t.Errorf("custom spans = %s, want %s", s, want)
	}
	fs := e.Classify(piimap.Record{Loc: piimap.Location{Store: "hr", Name: "staff", Field: "emp_no"},
		Values: []string{"EMP-000001", "EMP-000002", "EMP-120003", "EMP-000104", "EMP-000205", "EMP-300006", "EMP-000007", "EMP-000408"}})
	if len(fs) != 1 || fs[0].Type != "employee_id" || fs[0].Confidence < 0.7 {
		t.Errorf("custom field findings = %+v", fs)
	}
}

func fmtSpans(g []gotSpan) string {
	parts := make([]string, len(g))
	for i, s := range g {
		parts[i] = "{" + s.typ + " " + s.text + "}"
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// TestCustomRuleErrors: compile-time problems name file, line and rule.
func TestCustomRuleErrors(t *testing.T) {
	cases := []struct {
		name, from, to string
		want           []string
	}{
		{"unknown validator", "validator: luhn", "validator: lunh", []string{"acme.yaml:11", `"acme_loyalty_card"`, `unknown validator "lunh"`}},
		{"failing true positive", `"LC123456789015"`, `"LC123456789010"`, []string{"acme.yaml:11", `true_positive "LC123456789010"`}},
		{"firing false positive", `"LC12345"`, `"LC100000000008"`, []string{"acme.yaml:11", `false_positive "LC100000000008"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			body := strings.Replace(customRules, c.from, c.to, 1)
			if err := os.WriteFile(filepath.Join(dir, "acme.yaml"), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Default(Options{}, dir)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, piimap.ErrInvalidRule) {
				t.Errorf("not ErrInvalidRule: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
