package classifiers

import (
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/rules"
)

func defaultEngine(t testing.TB) *Engine {
	t.Helper()
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(rs, Options{SkipSampleCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestRuleSamples proves every built-in rule against its own samples: each
// true positive is detected with the rule's type, no false positive is.
func TestRuleSamples(t *testing.T) {
	e := defaultEngine(t)
	rs, _ := rules.Default()
	for _, r := range rs {
		c := e.rule(r.ID)
		t.Run(r.ID, func(t *testing.T) {
			for _, s := range r.TruePositives {
				if r.TextEnabled() {
					if !e.spanOf(c, []byte(s)) {
						t.Errorf("true positive not detected: %q (spans %v)", s, spansOf(e, s))
					}
				} else if !e.valueMatches(c, s, true) {
					t.Errorf("true positive value rejected: %q", s)
				}
			}
			for _, s := range r.FalsePositives {
				if r.TextEnabled() {
					if e.typeIn([]byte(s), r.Type) {
						t.Errorf("false positive detected: %q (spans %v)", s, spansOf(e, s))
					}
				} else if e.valueMatches(c, s, true) {
					t.Errorf("false positive value accepted: %q", s)
				}
			}
		})
	}
	// New proving the built-in rules' samples must accept the set.
	if _, err := New(rs, Options{ProveBuiltinSamples: true}); err != nil {
		t.Fatalf("New with sample check: %v", err)
	}
}

func spansOf(e *Engine, s string) []string {
	var out []string
	e.Spans([]byte(s), func(sp piimap.Span) { out = append(out, sp.RuleID+":"+s[sp.Start:sp.End]) })
	return out
}

func (e *Engine) rule(id string) *crule {
	for _, c := range e.rules {
		if c.ID == id {
			return c
		}
	}
	return nil
}
