package classifiers

import (
	"fmt"
	"math"
	"net/mail"
	"sort"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/validate"
	"github.com/piimap/piimap/rules"
)

// fieldProfile is what every rule sees of one field's sample.
type fieldProfile struct {
	words    []string // field name / JSON path words
	subject  bool     // the asset names data subjects (customers, users…)
	sqlType  string   // upper-case SQL type, "" when unknown
	n        int      // non-empty values sampled
	distinct []string // distinct non-empty values
	count    map[string]int
	shape    map[string]string // value → negative shape
	negCount map[string]int    // shape → distinct values with it
	stepped  bool
	lowCard  bool
	textual  bool // most values are free text
}

var nullish = map[string]bool{"null": true, "NULL": true, "None": true, "nil": true, "N/A": true, "n/a": true, "-": true, "NaN": true, "\\N": true}

func (e *Engine) profile(rec piimap.Record) *fieldProfile {
	p := &fieldProfile{
		words:    splitWords(rec.Loc.Field),
		subject:  subjectAsset(rec.Loc.Name),
		count:    make(map[string]int, len(rec.Values)),
		shape:    map[string]string{},
		negCount: map[string]int{},
	}
	if rec.Meta != nil {
		p.sqlType = strings.ToUpper(rec.Meta[piimap.MetaSQLType])
	}
	texty := 0
	for _, v := range rec.Values {
		v = strings.TrimSpace(v)
		if v == "" || nullish[v] {
			continue
		}
		p.n++
		if p.count[v] == 0 {
			if len(p.distinct) >= 2000 {
				continue
			}
			p.distinct = append(p.distinct, v)
			if sh := shapeOf(v); sh != "" {
				p.shape[v] = sh
				p.negCount[sh]++
			}
			if strings.Count(v, " ") >= 4 || len(v) > 120 {
				texty++
			}
		}
		p.count[v]++
	}
	p.stepped = stepped(p.distinct)
	if p.stepped {
		p.negCount[rules.NegStepped] = len(p.distinct)
	}
	p.lowCard = p.n >= 20 && len(p.distinct) <= 2
	p.textual = rec.Meta[piimap.MetaTextField] == "true" || len(p.distinct) > 0 && texty*2 >= len(p.distinct)
	return p
}

// wilson is the lower bound of the 95% Wilson score interval for k
// successes in n trials.
func wilson(k, n int) float64 {
	if n == 0 {
		return 0
	}
	const z = 1.96
	p := float64(k) / float64(n)
	nn := float64(n)
	den := 1 + z*z/nn
	centre := p + z*z/(2*nn)
	margin := z * math.Sqrt(p*(1-p)/nn+z*z/(4*nn*nn))
	return math.Max(0, (centre-margin)/den)
}

// smallField is the fewest non-empty values a field's share of valid
// values is judged by (wilson: 4 valid of 4 is 0.51); below it, the rule's
// own score for a validated value is (scoreRule).
const smallField = 5

// nearMiss is how far below the threshold a rule's confidence may fall
// and still make the field ambiguous (worth a bigger sample).
const nearMiss = 0.25

// classifyField scores every field rule against one field's sample. It
// also reports whether some rule fell just short of the threshold.
func (e *Engine) classifyField(rec piimap.Record, p *fieldProfile) (out []piimap.Finding, near bool) {
	for _, r := range e.fieldRules {
		f, conf, ok := e.scoreRule(rec, p, r)
		if !ok {
			near = near || conf >= e.opt.Threshold-nearMiss && conf > 0
			continue
		}
		// one finding per type: keep the strongest rule
		replaced := false
		for i := range out {
			if out[i].Type == f.Type {
				if f.Confidence > out[i].Confidence {
					out[i] = f
				}
				replaced = true
			}
		}
		if !replaced {
			out = append(out, f)
		}
	}
	return out, near
}

// scoreRule returns the rule's finding for the field, its confidence, and
// whether it reaches the threshold.
func (e *Engine) scoreRule(rec piimap.Record, p *fieldProfile, r *crule) (piimap.Finding, float64, bool) {
	hint, hinted := hintMatch(r.hints, p.words)
	if hinted {
		hint = fmt.Sprintf("%s (hint %s)", rec.Loc.Field, hint)
	} else if p.subject {
		if hint, hinted = hintMatch(r.weak, p.words); hinted {
			hint = fmt.Sprintf("%s (hint %s on subject asset %s)", rec.Loc.Field, hint, rec.Loc.Name)
		}
	}
	if r.RequireHint && !hinted {
		return piimap.Finding{}, 0, false
	}
	if _, neg := hintMatch(r.neghints, p.words); neg {
		return piimap.Finding{}, 0, false
	}
	if len(p.distinct) == 0 {
		return piimap.Finding{}, 0, false
	}
	valid, hits, negs := 0, 0, 0
	var first string
	var quads, versionQuads int
	for _, v := range p.distinct {
		if sh := p.shape[v]; sh != "" && !r.Exempts(sh) && !(sh == rules.NegCode && r.prefixed) {
			negs++
			continue
		}
		cv := ruleValue(r, v)
		if !e.valueMatches(r, cv, hinted) {
			continue
		}
		valid++
		hits += p.count[v]
		if first == "" {
			first = cv
		}
		if r.Type == piimap.TypeIPAddress && validate.IPv4(v) {
			quads++
			if validate.VersionLikeQuad(v) {
				versionQuads++
			}
		}
	}
	if valid == 0 {
		return piimap.Finding{}, 0, false
	}
	nd := len(p.distinct)
	share := float64(valid) / float64(nd)
	conf := wilson(valid, nd)
	ev := make([]string, 0, 6)
	ev = append(ev, fmt.Sprintf("%s ok %d/%d distinct", checkName(r), valid, nd))
	if p.n < smallField {
		// A field of a few values (a two-row export, a one-row table)
		// cannot reach the threshold by its share of valid values, however
		// many are valid: there each validated value is the evidence, as
		// it would be as a span of text.
		if c := r.score * share; c > conf {
			conf = c
			ev = append(ev, fmt.Sprintf("small field: %d values", p.n))
		}
	}
	if hinted {
		conf += (1 - conf) * 0.6 * share
		ev = append(ev, "field name: "+hint)
	}
	if p.sqlType != "" {
		ev = append(ev, "sql type: "+p.sqlType)
		if sqlBoost(r.Type, p.sqlType) {
			conf += (1 - conf) * 0.2
		}
	}
	if quads >= min(3, p.n) && versionQuads == quads {
		conf *= 0.2
		ev = append(ev, fmt.Sprintf("negative: version profile %d", versionQuads))
	}
	if p.stepped && !r.Exempts(rules.NegStepped) {
		conf *= 0.5
		ev = append(ev, fmt.Sprintf("negative: stepped sequence %d", nd))
	}
	if p.lowCard && !r.Exempts(rules.NegConstant) {
		conf *= 0.8
		ev = append(ev, fmt.Sprintf("negative: low cardinality %d", nd))
	}
	if negs > 0 {
		for _, sh := range sortedKeys(p.negCount) {
			if sh != rules.NegStepped && !r.Exempts(sh) && !(sh == rules.NegCode && r.prefixed) {
				ev = append(ev, fmt.Sprintf("negative: %s %d", sh, p.negCount[sh]))
			}
		}
	}
	conf = round2(math.Min(conf, 0.99))
	if conf < e.opt.Threshold {
		return piimap.Finding{}, conf, false
	}
	if len(ev) > e.opt.MaxEvidence {
		ev = ev[:e.opt.MaxEvidence]
	}
	return piimap.Finding{
		Loc: rec.Loc, Type: r.Type, RuleID: r.ID, Confidence: conf,
		Hits: hits, Sampled: p.n, Evidence: ev, Masked: Mask(r.Type, first),
	}, conf, true
}

// ruleValue is the part of a cell a rule judges: for emails, the address
// of a mailbox written `Name <addr>` or `"Name" <addr>` (a contact column,
// a mail header kept whole); otherwise the cell.
func ruleValue(r *crule, v string) string {
	if r.Type != piimap.TypeEmail || !strings.HasSuffix(v, ">") || !strings.Contains(v, "<") {
		return v
	}
	if a, err := mail.ParseAddress(v); err == nil && a.Name != "" {
		return a.Address
	}
	return v
}

// valueMatches applies a rule to one whole field value.
func (e *Engine) valueMatches(r *crule, v string, hinted bool) bool {
	if v == "" {
		return false
	}
	if r.BareNeedsHint && !hinted && validate.BareDigits(v) {
		return false
	}
	if r.check != nil && !r.check(v) {
		return false
	}
	return r.full == nil || r.full.MatchString(v)
}

func checkName(r *crule) string {
	if r.Validator != "" {
		return r.Validator
	}
	return "pattern"
}

// sqlBoost: a column type that fits the PII type.
func sqlBoost(typ, sql string) bool {
	switch typ {
	case piimap.TypeDateOfBirth:
		return strings.HasPrefix(sql, "DATE") || strings.HasPrefix(sql, "TIMESTAMP")
	case piimap.TypeIPAddress:
		return sql == "INET" || sql == "CIDR"
	case piimap.TypeMACAddress:
		return strings.HasPrefix(sql, "MACADDR")
	case piimap.TypeUserID:
		return strings.Contains(sql, "INT") || sql == "UUID"
	}
	return false
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
