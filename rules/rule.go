package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/piimap/piimap"
)

// Match modes: where a rule applies.
const (
	MatchBoth   = ""       // structured fields and free text (default)
	MatchFields = "fields" // structured fields only (person_name, user_id)
	MatchText   = "text"   // free text only (key=value secrets)
)

// ScannerCandidates names the built-in one-pass candidate scanner.
const ScannerCandidates = "candidates"

// Negative shapes a field's values can show; a rule lists the ones that do
// not count against it in Exempt.
const (
	NegUUID     = "uuid"     // 8-4-4-4-12 hex
	NegHexHash  = "hex_hash" // 32+ hex digits (md5/sha*)
	NegEpoch    = "epoch"    // unix seconds or milliseconds
	NegVersion  = "version"  // 1.2.3, v2.0.1, 1.2.3.4 profiles
	NegCode     = "code"     // prefixed business codes: ORD-000123, SKU-AB-1234
	NegStepped  = "stepped"  // a column of evenly stepped integers
	NegConstant = "low_cardinality"
)

// NegativeShapes lists every negative shape name.
var NegativeShapes = []string{NegUUID, NegHexHash, NegEpoch, NegVersion, NegCode, NegStepped, NegConstant}

// Rule is one classification rule.
type Rule struct {
	ID          string   `yaml:"id"`
	Type        string   `yaml:"type"` // PII taxonomy name, e.g. "email", "national_id.us_ssn"
	Description string   `yaml:"description,omitempty"`
	Keywords    []string `yaml:"keywords,omitempty"` // prefilter for keyword/regex text rules (case-insensitive)
	Pattern     string   `yaml:"pattern,omitempty"`  // RE2 syntax; anchored for field values, unanchored in text windows
	Validator   string   `yaml:"validator,omitempty"`
	// Scanner "candidates" serves the rule from the one-pass candidate
	// scanner (its validator must have one: email, phone, us_ssn,
	// credit_card, iban, uk_nino, ip, mac, geo_pair, dob, postal_address,
	// token); otherwise text matching uses keywords+pattern windows, or the
	// pattern over the whole text.
	Scanner string `yaml:"scanner,omitempty"`

	Context         []string `yaml:"context,omitempty"`          // words that raise a nearby text match
	NegativeContext []string `yaml:"negative_context,omitempty"` // words that veto a nearby text match
	RequireContext  bool     `yaml:"require_context,omitempty"`  // text matches need a context word

	Hints         []string `yaml:"hints,omitempty"`          // field/path-name hints ("card_number")
	WeakHints     []string `yaml:"weak_hints,omitempty"`     // hints that count only on subject assets (customers.name)
	NegativeHints []string `yaml:"negative_hints,omitempty"` // names that veto the rule (app_version for IPs)
	RequireHint   bool     `yaml:"require_hint,omitempty"`   // fields match only with a hint
	BareNeedsHint bool     `yaml:"bare_needs_hint,omitempty"`
	Exempt        []string `yaml:"exempt_negatives,omitempty"`

	Match string  `yaml:"match,omitempty"` // MatchBoth, MatchFields, MatchText
	Score float64 `yaml:"score,omitempty"` // confidence of a validated text match without context (default 0.8)

	TruePositives  []string      `yaml:"true_positives"`
	FalsePositives []string      `yaml:"false_positives"`
	FieldSamples   []FieldSample `yaml:"field_samples,omitempty"`

	// Source and Line locate the rule in its file (set by the loaders).
	Source string `yaml:"-"`
	Line   int    `yaml:"-"`
	// Builtin marks the rules Default returns: the test suite proves them
	// against their samples, so an engine need not at each start.
	Builtin bool `yaml:"-"`
}

// FieldSample is a field-level sample: the values of one field called Field
// (in asset Asset, optional) that must (Expect) or must not yield the rule.
type FieldSample struct {
	Field  string   `yaml:"field"`
	Asset  string   `yaml:"asset,omitempty"`
	Values []string `yaml:"values"`
	Expect bool     `yaml:"expect"`
}

// Error is a rule-file problem; it unwraps to piimap.ErrInvalidRule.
type Error struct {
	File string
	Line int
	Rule string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("rules: ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return piimap.ErrInvalidRule }

// Errorf builds an Error for rule r; the classifiers package uses it to
// report compile problems (unknown validator, failing sample) at the rule's
// file and line.
func (r Rule) Errorf(format string, args ...any) error {
	return &Error{File: r.Source, Line: r.Line, Rule: r.ID, Msg: fmt.Sprintf(format, args...)}
}

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// MinSamples is the number of true- and false-positive samples every rule
// must carry.
const MinSamples = 3

// Validate checks the rule's structure: id and type, match mode, a
// compilable pattern, something to match with, score and exemptions in
// range, and at least MinSamples true and false positives. Validators are
// checked against the registry by the classifiers package, which also runs
// the samples.
func (r Rule) Validate() error {
	switch {
	case r.ID == "":
		return r.Errorf("missing id")
	case !idRE.MatchString(r.ID):
		return r.Errorf("id must be lower-case letters, digits, '_', '.', '-'")
	case r.Type == "":
		return r.Errorf("missing type")
	case !idRE.MatchString(r.Type):
		return r.Errorf("type %q must be lower-case letters, digits, '_', '.', '-'", r.Type)
	}
	switch r.Match {
	case MatchBoth, MatchFields, MatchText:
	default:
		return r.Errorf("match %q: want %q or %q (or omit for both)", r.Match, MatchFields, MatchText)
	}
	if r.Pattern != "" {
		if _, err := regexp.Compile(r.Pattern); err != nil {
			return r.Errorf("bad pattern: %v", err)
		}
	}
	if r.Scanner != "" && r.Scanner != ScannerCandidates {
		return r.Errorf("scanner %q: only %q is known", r.Scanner, ScannerCandidates)
	}
	if r.Scanner == ScannerCandidates && r.Validator == "" {
		return r.Errorf("scanner %q needs a validator", ScannerCandidates)
	}
	if r.Pattern == "" && r.Validator == "" {
		return r.Errorf("needs a pattern or a validator")
	}
	if len(r.Keywords) > 0 && r.Pattern == "" {
		return r.Errorf("keywords need a pattern to confirm the window after them")
	}
	for _, k := range r.Keywords {
		if strings.TrimSpace(k) == "" {
			return r.Errorf("empty keyword")
		}
	}
	if !(r.Score >= 0 && r.Score <= 1) { // NaN fails too
		return r.Errorf("score %v outside [0,1]", r.Score)
	}
	if r.RequireHint && len(r.Hints)+len(r.WeakHints) == 0 {
		return r.Errorf("require_hint without hints")
	}
	if r.RequireContext && len(r.Context) == 0 {
		return r.Errorf("require_context without context words")
	}
	for _, x := range r.Exempt {
		if !contains(NegativeShapes, x) {
			return r.Errorf("exempt_negatives: unknown shape %q (known: %s)", x, strings.Join(NegativeShapes, ", "))
		}
	}
	if len(r.TruePositives) < MinSamples {
		return r.Errorf("needs at least %d true_positives, has %d", MinSamples, len(r.TruePositives))
	}
	if len(r.FalsePositives) < MinSamples {
		return r.Errorf("needs at least %d false_positives, has %d", MinSamples, len(r.FalsePositives))
	}
	for i, fs := range r.FieldSamples {
		if fs.Field == "" || len(fs.Values) == 0 {
			return r.Errorf("field_samples[%d]: needs field and values", i)
		}
	}
	return nil
}

// TextEnabled reports whether the rule matches free text.
func (r Rule) TextEnabled() bool { return r.Match != MatchFields }

// FieldsEnabled reports whether the rule matches structured fields.
func (r Rule) FieldsEnabled() bool { return r.Match != MatchText }

// Exempts reports whether negative shape neg does not count against r.
func (r Rule) Exempts(neg string) bool { return contains(r.Exempt, neg) }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
