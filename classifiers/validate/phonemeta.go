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
// and so does at least one number type — in ~1µs. TestPhoneMetaAgrees
// cross-checks it against phonenumbers on random numbers.

type descRule struct {
	lengths []int32
	re      *regexp.Regexp
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
	return d.re.MatchString(nsn)
}

type regionRule struct {
	general descRule
	types   []descRule
}

var (
	regionMu    sync.RWMutex
	regionRules = map[string]*regionRule{}
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
	return descRule{lengths: d.PossibleLength, re: re}, true
}

func ruleFor(region string) *regionRule {
	regionMu.RLock()
	r, ok := regionRules[region]
	regionMu.RUnlock()
	if ok {
		return r
	}
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
		r = &regionRule{}
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
	regionMu.Lock()
	regionRules[region] = r
	regionMu.Unlock()
	return r
}

func lengthsKey(ls []int32) string {
	b := make([]byte, 0, len(ls))
	for _, l := range ls {
		b = append(b, byte(l))
	}
	return "/" + string(b)
}

// validNSN reports whether nsn (the national significant number, digits
// only) is a valid number of region: the general description matches and
// so does one number type (types sharing one pattern are tried once).
func validNSN(region, nsn string) bool {
	r := ruleFor(region)
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
