package validate

import (
	"regexp"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// phonenumbers' own IsValidNumberForRegion rebuilds and looks up a regexp
// string per number type on every call (string concatenation plus a
// mutex-guarded cache), which costs ~15µs a number: too slow for the text
// hot path. regionRules compiles the same libphonenumber metadata once per
// region and applies the same decision — the general description matches
// and so does at least one number type. TestPhoneMetaAgrees
// cross-checks it against phonenumbers on random numbers. The patterns run
// as lazily built digit DFAs (digitdfa.go), not through regexp.

type descRule struct {
	lengths []int32
	re      *regexp.Regexp
	dfa     *digitDFA // nil: use re
}

func (d *descRule) lengthOK(nsn string) bool {
	if len(d.lengths) == 0 {
		return true
	}
	for _, l := range d.lengths {
		if int32(len(nsn)) == l {
			return true
		}
	}
	return false
}

func (d *descRule) match(nsn string) bool {
	if d.re == nil {
		return false
	}
	if len(d.lengths) > 0 {
		ok := false
		for _, l := range d.lengths {
			if int32(len(nsn)) == l {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if d.dfa != nil {
		if m, ok := d.dfa.match(nsn); ok {
			return m
		}
	}
	return d.re.MatchString(nsn)
}

type regionRule struct {
	general descRule
	types   []descRule
	prefix  string // national (trunk) prefix, e.g. "0" or "1"
	// complexPrefix: the region strips more than a literal trunk prefix
	// when parsing (Brazil's carrier codes); numbers this package does not
	// accept itself go through phonenumbers.Parse there.
	complexPrefix bool
}

var (
	regionRules sync.Map // region → *regionRule (nil when unknown); lock-free reads
	metaOnce    sync.Once
	metaByID    map[string]*phonenumbers.PhoneMetadata
)

func compileDesc(d *phonenumbers.PhoneNumberDesc) (descRule, bool) {
	if d == nil || d.GetNationalNumberPattern() == "" {
		return descRule{}, false
	}
	re, err := regexp.Compile("^(?:" + d.GetNationalNumberPattern() + ")$")
	if err != nil {
		return descRule{}, false
	}
	return descRule{lengths: d.PossibleLength, re: re, dfa: newDigitDFA(d.GetNationalNumberPattern())}, true
}

func ruleFor(region string) *regionRule {
	if v, ok := regionRules.Load(region); ok {
		return v.(*regionRule)
	}
	var r *regionRule
	metaOnce.Do(func() {
		metaByID = map[string]*phonenumbers.PhoneMetadata{}
		if coll, err := phonenumbers.MetadataCollection(); err == nil {
			for _, m := range coll.Metadata {
				metaByID[m.GetId()] = m
			}
		}
	})
	m := metaByID[region]
	if m != nil {
		r = &regionRule{prefix: m.GetNationalPrefix()}
		if p := m.GetNationalPrefixForParsing(); p != "" && p != r.prefix {
			r.complexPrefix = true
		}
		r.general, _ = compileDesc(m.GeneralDesc)
		// same order of consideration as getNumberTypeHelper; fixed line
		// and mobile first because they are by far the most common.
		seen := map[string]bool{}
		for _, d := range []*phonenumbers.PhoneNumberDesc{m.FixedLine, m.Mobile, m.PremiumRate, m.TollFree, m.SharedCost, m.Voip, m.PersonalNumber, m.Pager, m.Uan, m.Voicemail} {
			if d == nil || seen[d.GetNationalNumberPattern()+lengthsKey(d.PossibleLength)] {
				continue // US: fixed line and mobile share one pattern
			}
			if dr, ok := compileDesc(d); ok {
				seen[d.GetNationalNumberPattern()+lengthsKey(d.PossibleLength)] = true
				r.types = append(r.types, dr)
			}
		}
	}
	v, _ := regionRules.LoadOrStore(region, r)
	return v.(*regionRule)
}

func lengthsKey(ls []int32) string {
	b := make([]byte, 0, len(ls))
	for _, l := range ls {
		b = append(b, byte(l))
	}
	return "/" + string(b)
}

var ccRules sync.Map // calling code → []*regionRule

// rulesForCC returns the rules of every region sharing calling code cc.
func rulesForCC(cc int) []*regionRule {
	if v, ok := ccRules.Load(cc); ok {
		return v.([]*regionRule)
	}
	var rs []*regionRule
	for _, r := range phonenumbers.GetRegionCodesForCountryCode(cc) {
		rs = append(rs, ruleFor(r))
	}
	ccRules.Store(cc, rs)
	return rs
}

// validIn returns the national significant number that makes nsn valid in
// a region of rs: nsn itself, or nsn without a national prefix written
// after the calling code (+1 1 415…, +44 (0)20…), as libphonenumber's
// parser strips it. complex reports a region whose parsing rules go
// beyond that, for the caller to consult phonenumbers.Parse.
func validIn(rs []*regionRule, nsn string) (v string, ok, complex bool) {
	for _, r := range rs {
		if r.valid(nsn) {
			return nsn, true, false
		}
	}
	possible := false
	for _, r := range rs {
		if r == nil {
			continue
		}
		complex = complex || r.complexPrefix
		possible = possible || r.general.lengthOK(nsn)
		if r.prefix != "" && len(nsn) > len(r.prefix) && nsn[:len(r.prefix)] == r.prefix {
			if t := nsn[len(r.prefix):]; r.valid(t) {
				return t, true, false
			}
		}
	}
	// Only a number no region thinks a possible length can be rescued by
	// stripping carrier codes or local-dialing rewrites.
	return "", false, complex && !possible
}

// validNSN reports whether nsn (the national significant number, digits
// only) is a valid number of region: the general description matches and
// so does one number type (types sharing one pattern are tried once).
func validNSN(region, nsn string) bool {
	return ruleFor(region).valid(nsn)
}

func (r *regionRule) valid(nsn string) bool {
	if r == nil || !r.general.match(nsn) {
		return false
	}
	for i := range r.types {
		if r.types[i].match(nsn) {
			return true
		}
	}
	return false
}
