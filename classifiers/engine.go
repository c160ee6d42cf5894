package classifiers

import (
	"fmt"
	"regexp"
	"strings"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/validate"
	"github.com/piimap/piimap/rules"
)

// Options tune an Engine. The zero value is usable.
type Options struct {
	// Threshold is the minimum confidence of a reported finding or span
	// (default 0.5).
	Threshold float64
	// Regions are the phone regions national-format numbers are tried in
	// (default validate.DefaultRegions).
	Regions []string
	// ContextWindow is how many bytes before a text match (and half as many
	// after it, on the same line) are searched for context words
	// (default 48).
	ContextWindow int
	// MaxEvidence bounds the evidence strings kept per finding (default 8).
	MaxEvidence int
	// SkipSampleCheck skips proving every rule against its own samples in
	// New (use for hot re-creation). Built-in rules (rules.Rule.Builtin)
	// are proved by the test suite and skipped unless ProveBuiltinSamples:
	// proving them took a tenth of a short classify run.
	SkipSampleCheck     bool
	ProveBuiltinSamples bool
}

func (o Options) withDefaults() Options {
	if o.Threshold <= 0 {
		o.Threshold = 0.5
	}
	if len(o.Regions) == 0 {
		o.Regions = validate.DefaultRegions
	}
	if o.ContextWindow <= 0 {
		o.ContextWindow = 48
	}
	if o.MaxEvidence <= 0 {
		o.MaxEvidence = 8
	}
	return o
}

// Candidate kinds the one-pass text scanner produces; built-in validators
// map onto them.
const (
	kindEmail = iota
	kindPhone
	kindSSN
	kindCard
	kindIBAN
	kindNINO
	kindIP
	kindMAC
	kindGeo
	kindDate
	kindAddress
	kindToken
	kindName // person names in prose (scan_name.go)
	numKinds
)

var validatorKind = map[string]int{
	"email": kindEmail, "phone": kindPhone, "us_ssn": kindSSN, "credit_card": kindCard, "luhn": kindCard,
	"iban": kindIBAN, "uk_nino": kindNINO, "ip": kindIP, "ipv4": kindIP, "ipv6": kindIP, "mac": kindMAC,
	"geo_pair": kindGeo, "geo": kindGeo, "dob": kindDate, "date": kindDate, "postal_address": kindAddress,
	"token": kindToken, "jwt": kindToken, "name_shape": kindName,
}

// crule is a compiled rule.
type crule struct {
	rules.Rule
	check    validate.Func
	re       *regexp.Regexp // unanchored (text windows)
	full     *regexp.Regexp // anchored (field values)
	ctx      phraseSet      // context phrases, tokenised
	negctx   phraseSet
	hints    []hint
	weak     []hint
	neghints []hint
	score    float64
	kind     int // fast-path kind, -1 for keyword/regex rules
	phone    bool
	// prefixed: the pattern starts with a literal (EMP-…): values it
	// matches are the business code the rule is after, so the "code"
	// negative shape does not count against it.
	prefixed bool
}

// Engine classifies records and text. It is safe for concurrent use.
type Engine struct {
	opt        Options
	rules      []*crule
	fieldRules []*crule
	fast       [numKinds][]*crule // text rules served by the candidate scanner
	kwRules    []*crule           // text rules behind the keyword prefilter
	kwAC       ahocorasick.AhoCorasick
	kwOwners   [][]*crule // keyword index → rules
	regexRules []*crule   // text rules with neither keywords nor a fast path
	hasKW      bool
	// Keyword gate: the one-pass scanner looks up the lower-cased first
	// three/four bytes of every word here and runs the Aho-Corasick
	// automaton only at words that can start a keyword. Keywords that
	// cannot be gated (shorter than three bytes, or not starting with a
	// word byte) switch to a full Aho-Corasick pass instead.
	kwGate     [4096][]int32 // gate slot → keyword indices
	kwLower    []string      // keywords, lower-cased
	kwTri      [512]uint64   // bitset of the triKeys of keywords' first three bytes
	kwFullPass bool
	kwMaxLen   int
}

func gateKey(b []byte) (uint32, bool) {
	if len(b) < 3 {
		return 0, false
	}
	var k uint32
	n := min(len(b), 4)
	for i := 0; i < n; i++ {
		c := b[i]
		if isUpperB(c) {
			c += 32
		}
		k = k<<8 | uint32(c)
	}
	return k | uint32(n)<<28, true
}

func lowerB(c byte) byte {
	if isUpperB(c) {
		return c + 32
	}
	return c
}

// triKey keys three bytes by their low five bits (15 bits): an ASCII
// letter keys alike in either case, so the scanner folds no case.
func triKey(a, b, c byte) uint32 {
	return uint32(a&31)<<10 | uint32(b&31)<<5 | uint32(c&31)
}

// mayStartKeyword reports whether a gated keyword may start with the bytes
// a, b, c (in any case): the scanner calls gate only then, or when the
// word has '_'-separated parts.
func (e *Engine) mayStartKeyword(a, b, c byte) bool {
	k := triKey(a, b, c)
	return e.kwTri[k>>6]&(1<<(k&63)) != 0
}

func gateSlot(k uint32) uint32 { return (k * 2654435761) >> 20 & 4095 }

func (e *Engine) buildGate(kws []string) {
	e.kwLower = kws
	for idx, k := range kws {
		e.kwMaxLen = max(e.kwMaxLen, len(k))
		if len(k) < 3 || !alnum[k[0]] || !alnum[k[1]] || !alnum[k[2]] {
			e.kwFullPass = true
			continue
		}
		t := triKey(k[0], k[1], k[2])
		e.kwTri[t>>6] |= 1 << (t & 63)
		// three-byte keywords gate on three bytes, longer ones on four
		gk, _ := gateKey([]byte(k[:min(len(k), 4)]))
		e.kwGate[gateSlot(gk)] = append(e.kwGate[gateSlot(gk)], int32(idx))
	}
}

// New compiles rs. It fails, naming the rule's file and line, on an unknown
// validator, a pattern that does not compile, or (unless SkipSampleCheck) a
// rule that misses one of its own true positives or fires on one of its own
// false positives.
func New(rs []rules.Rule, opt Options) (*Engine, error) {
	e := &Engine{opt: opt.withDefaults()}
	seen := map[string]bool{}
	var kws []string
	kwIndex := map[string]int{}
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return nil, err
		}
		if seen[r.ID] {
			return nil, r.Errorf("duplicate id")
		}
		seen[r.ID] = true
		c, err := compile(r)
		if err != nil {
			return nil, err
		}
		if c.phone {
			regions := e.opt.Regions
			c.check = func(s string) bool { _, ok := validate.PhoneE164(s, regions); return ok }
		}
		e.rules = append(e.rules, c)
		if r.FieldsEnabled() {
			e.fieldRules = append(e.fieldRules, c)
		}
		if !r.TextEnabled() {
			continue
		}
		switch {
		case len(r.Keywords) > 0:
			c.kind = -1
			e.kwRules = append(e.kwRules, c)
			for _, k := range r.Keywords {
				k = strings.ToLower(k)
				i, ok := kwIndex[k]
				if !ok {
					i = len(kws)
					kwIndex[k] = i
					kws = append(kws, k)
					e.kwOwners = append(e.kwOwners, nil)
				}
				e.kwOwners[i] = append(e.kwOwners[i], c)
			}
		case r.Scanner == rules.ScannerCandidates && c.kind >= 0:
			e.fast[c.kind] = append(e.fast[c.kind], c)
		case r.Scanner == rules.ScannerCandidates:
			return nil, r.Errorf("validator %q has no candidate scanner (those that do: %s)", r.Validator, fastNames())
		default:
			if c.re == nil {
				return nil, r.Errorf("text matching needs keywords+pattern, a pattern, or scanner: candidates with one of: %s", fastNames())
			}
			e.regexRules = append(e.regexRules, c)
		}
	}
	if len(kws) > 0 {
		b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{AsciiCaseInsensitive: true, MatchKind: ahocorasick.StandardMatch, DFA: true})
		e.kwAC = b.Build(kws)
		e.hasKW = true
		e.buildGate(kws)
	}
	if !e.opt.SkipSampleCheck {
		for _, c := range e.rules {
			if c.Builtin && !e.opt.ProveBuiltinSamples {
				continue
			}
			if err := e.checkSamples(c); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

func fastNames() string {
	var out []string
	for k := range validatorKind {
		out = append(out, k)
	}
	return strings.Join(sortStrings(out), ", ")
}

func compile(r rules.Rule) (*crule, error) {
	c := &crule{Rule: r, kind: -1, score: r.Score}
	if c.score == 0 {
		c.score = 0.8
	}
	if r.Validator != "" {
		f, ok := validate.Lookup(r.Validator)
		if !ok {
			return nil, r.Errorf("unknown validator %q (known: %s)", r.Validator, strings.Join(validate.Names(), ", "))
		}
		c.check = f
		if k, ok := validatorKind[r.Validator]; ok {
			c.kind = k
		}
		c.phone = r.Validator == "phone"
	}
	if r.Pattern != "" {
		var err error
		if c.re, err = regexp.Compile(r.Pattern); err != nil {
			return nil, r.Errorf("bad pattern: %v", err)
		}
		if c.full, err = regexp.Compile(`^(?:` + r.Pattern + `)$`); err != nil {
			return nil, r.Errorf("bad pattern: %v", err)
		}
		p, _ := c.re.LiteralPrefix()
		c.prefixed = len(p) >= 2
	}
	c.ctx = mkPhrases(phrases(r.Context))
	c.negctx = mkPhrases(phrases(r.NegativeContext))
	c.hints = mkHints(phrases(r.Hints))
	c.weak = mkHints(phrases(r.WeakHints))
	c.neghints = mkHints(phrases(r.NegativeHints))
	return c, nil
}

func phrases(ws []string) [][]string {
	out := make([][]string, 0, len(ws))
	for _, w := range ws {
		if p := splitWords(w); len(p) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// checkSamples proves a rule against its own samples.
func (e *Engine) checkSamples(c *crule) error {
	if c.TextEnabled() {
		for _, s := range c.TruePositives {
			if !e.spanOf(c, []byte(s)) {
				return c.Errorf("true_positive %q: no %s match", s, c.Type)
			}
		}
		for _, s := range c.FalsePositives {
			if e.typeIn([]byte(s), c.Type) {
				return c.Errorf("false_positive %q: matched as %s", s, c.Type)
			}
		}
	} else {
		for _, s := range c.TruePositives {
			if !e.valueMatches(c, s, true) {
				return c.Errorf("true_positive %q: value not accepted", s)
			}
		}
		for _, s := range c.FalsePositives {
			if e.valueMatches(c, s, true) {
				return c.Errorf("false_positive %q: value accepted", s)
			}
		}
	}
	for i, fs := range c.FieldSamples {
		rec := piimap.Record{Loc: piimap.Location{Store: "sample", Name: fs.Asset, Field: fs.Field}, Values: fs.Values}
		got := false
		for _, f := range e.Classify(rec) {
			if f.Type == c.Type {
				got = true
			}
		}
		if got != fs.Expect {
			return c.Errorf("field_samples[%d] (field %s): expect %v, got %v", i, fs.Field, fs.Expect, got)
		}
	}
	return nil
}

func (e *Engine) spanOf(c *crule, data []byte) bool {
	found := false
	e.Spans(data, func(s piimap.Span) {
		if s.RuleID == c.ID {
			found = true
		}
	})
	return found
}

func (e *Engine) typeIn(data []byte, typ string) bool {
	found := false
	e.Spans(data, func(s piimap.Span) {
		if s.Type == typ {
			found = true
		}
	})
	return found
}

// Threshold is the engine's reporting threshold.
func (e *Engine) Threshold() float64 { return e.opt.Threshold }

// Rules returns the compiled rules' definitions.
func (e *Engine) Rules() []rules.Rule {
	out := make([]rules.Rule, len(e.rules))
	for i, c := range e.rules {
		out[i] = c.Rule
	}
	return out
}

// Default compiles the built-in rules plus the rules in dirs (a rule in a
// directory replaces a built-in with the same id).
func Default(opt Options, dirs ...string) (*Engine, error) {
	rs, err := rules.Default()
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		extra, err := rules.LoadDir(d)
		if err != nil {
			return nil, err
		}
		rs = rules.Combine(rs, extra)
	}
	e, err := New(rs, opt)
	if err != nil {
		return nil, fmt.Errorf("classifiers: %w", err)
	}
	return e, nil
}
