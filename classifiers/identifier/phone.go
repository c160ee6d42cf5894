package identifier

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

// minPhoneDigits is the fewest digits a phone form has: shorter digit
// strings would match unrelated numbers.
const minPhoneDigits = 7

// ValidRegion reports whether r is a region libphonenumber knows ("US",
// "GB", "DE"...; case-insensitive). "" is not a region: callers that
// default it use DefaultRegion.
func ValidRegion(r string) bool {
	r = strings.ToUpper(strings.TrimSpace(r))
	return r != "" && phonenumbers.GetSupportedRegions()[r]
}

// normRegion returns the upper-cased region, DefaultRegion for "", and
// whether libphonenumber knows it.
func normRegion(r string) (string, bool) {
	r = strings.ToUpper(strings.TrimSpace(r))
	if r == "" {
		r = DefaultRegion
	}
	return r, phonenumbers.GetSupportedRegions()[r]
}

// idds maps each region to its international (IDD) prefix when the
// metadata gives it as a plain digit string, else "00".
var idds = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	coll, err := phonenumbers.MetadataCollection() // parsed at the library's init; read-only here
	if err != nil {
		return m
	}
	for _, md := range coll.GetMetadata() {
		id := md.GetId()
		if !phonenumbers.GetSupportedRegions()[id] {
			continue // non-geographic entities ("001")
		}
		p := md.GetInternationalPrefix()
		if p == "" || Digits(p) != p {
			p = "00"
		}
		m[id] = p
	}
	return m
})

// maxNSN maps each country calling code to the longest national
// significant number any of its regions allows (libphonenumber's possible
// lengths). A code it lacks, or whose lengths the metadata does not give,
// has no entry, and none of its numbers is closed.
var maxNSN = sync.OnceValue(func() map[int]int {
	m := map[int]int{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return m
	}
	for _, md := range coll.GetMetadata() {
		cc := int(md.GetCountryCode())
		for _, l := range md.GetGeneralDesc().GetPossibleLength() {
			if l > 0 {
				m[cc] = max(m[cc], int(l))
			}
		}
	}
	return m
})

// iddFor is the international prefix dialled from region (see idds).
func iddFor(region string) string {
	if p, ok := idds()[region]; ok {
		return p
	}
	return "00"
}

// PhoneForms returns the digit strings that a written form of the E.164
// number e164 may reduce to in a store whose phone region is region
// (DefaultRegion when ""), sorted and deduplicated:
//
//   - country code and national significant number (NSN): "+1 213-662-5868",
//     "1 213 662 5868". This is the international form, the digits of
//     the E.164 value, and the only form that a number written with a
//     leading plus is compared with (TextSpans, PhoneCellForms);
//   - the region's international (IDD) prefix, country code and NSN
//     ("011…" in US and CA, "00…" in most others; "00" where the metadata
//     gives a pattern rather than one prefix), and "00…" in every region,
//     as people write it whatever their region dials;
//   - only when the number's country code is the region's: the NSN
//     (libphonenumber's, which keeps Italian leading zeros) and the digits
//     of the national format ("0"+NSN for GB, DE, FR).
//
// Every form has at least 7 digits. Invalid input (not a valid number
// written with a leading +, digits and the phone separators, or one with
// an extension) returns nil. An unknown region contributes no national
// forms and the IDD "00": validate configured regions with ValidRegion.
func PhoneForms(e164, region string) []string {
	return slices.Clone(phoneForms(e164, region).forms)
}

// PhoneWrittenDigits returns digit strings such that, wherever TextSpans
// or MatchCell matches e164 in region, the digits of the text or cell hold
// one of them as a substring: its PhoneForms, and its international form
// with the trunk 0 after the country code ("+44 (0)20 7946 0999", which
// the match leaves out). Prefilters that search a record's digits use it.
func PhoneWrittenDigits(e164, region string) []string {
	p := phoneForms(e164, region)
	out := slices.Clone(p.forms)
	if c := callingCodeLen([]byte(p.intl)); c > 0 {
		out = append(out, p.intl[:c]+"0"+p.intl[c:])
	}
	return out
}

// PhoneClosed reports whether the E.164 number e164 is valid and as long
// as any number of its country may be (libphonenumber's possible lengths
// of every region of its calling code): then TextSpans also finds it
// followed by a digit group across a space ("+1 213 662 5868 12 items"),
// which cannot continue it. US, GB, FR and ES numbers mostly are; German
// ones mostly are not.
func PhoneClosed(e164 string) bool {
	return phoneForms(e164, "").closed
}

// PhoneNumber returns a phone value (E.164, as Parse gives it) as the
// matchers read it: the number in E.164 without separators and its
// national significant number's digits, which every spelling of it holds
// in a row once the other bytes are left out; ok is false for a value
// they ignore. It is memoised with the value's forms.
func PhoneNumber(value string) (e164, nsn string, ok bool) {
	p := phoneForms(value, "")
	if p.intl == "" {
		return "", "", false
	}
	return "+" + p.intl, p.nsn, true
}

// PhoneCellForms returns what the CellKey of a structured cell holding one
// of the E.164 values (invalid ones are ignored) may be in a store whose
// phone region is region, sorted and deduplicated: each value's
// PhoneForms, and "+" followed by its country code and NSN (the E.164
// form). A "+" in a cell marks an international number, so "+" and a
// national form is none of them. SQL handlers compare the cell with its
// characters other than [0-9+] removed (regexp_replace) with this list.
// nil when no value is valid.
func PhoneCellForms(values []string, region string) []string {
	var out []string
	for _, v := range values {
		p := phoneForms(v, region)
		out = append(out, p.forms...)
		if p.intl != "" {
			out = append(out, "+"+p.intl)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

type formsKey struct{ e164, region string }

// phoneInfo is what matching needs of one value in one region: its forms
// (PhoneForms) and its international form, the country code and NSN (one
// of the forms; "" when it is not one, being under 7 digits), the only
// form a run or cell written with a leading + is compared with.
type phoneInfo struct {
	forms []string
	intl  string
	nsn   string // the national significant number
	// closed: no valid number of the value's country code has a longer
	// NSN (maxNSN), so digits after the number, even joined to it by a
	// separator, do not continue it.
	closed bool
}

// formsCache memoises phoneForms: TextSpans and MatchCell are called per
// line or cell with the same few values, and libphonenumber costs
// microseconds a parse. The map is replaced, never changed, so reads take
// no lock; it is dropped when it reaches formsCacheMax entries.
var (
	formsCache   atomic.Pointer[map[formsKey]phoneInfo]
	formsCacheMu sync.Mutex
)

const formsCacheMax = 512

// phoneForms returns the forms and the international form of e164 in
// region; the forms slice is shared, not to be changed.
func phoneForms(e164, region string) phoneInfo {
	k := formsKey{e164, region}
	if m := formsCache.Load(); m != nil {
		if f, ok := (*m)[k]; ok {
			return f
		}
	}
	f := computeForms(e164, region)
	if len(e164) > maxPhoneLen || len(region) > 8 {
		return f // odd input: not worth a slot
	}
	formsCacheMu.Lock()
	defer formsCacheMu.Unlock()
	old := formsCache.Load()
	n := 0
	if old != nil && len(*old) < formsCacheMax {
		n = len(*old)
	}
	m := make(map[formsKey]phoneInfo, n+1)
	if n > 0 {
		for kk, v := range *old {
			m[kk] = v
		}
	}
	m[k] = f
	formsCache.Store(&m)
	return f
}

func computeForms(e164, region string) phoneInfo {
	s := strings.TrimSpace(e164)
	if !strings.HasPrefix(s, "+") || len(s) > maxPhoneLen || phoneChars(s) != "" {
		return phoneInfo{}
	}
	num, err := safeParse(s, "ZZ")
	if err != nil || num.GetExtension() != "" || !phonenumbers.IsValidNumber(num) {
		return phoneInfo{}
	}
	cc := int(num.GetCountryCode())
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	ccNSN := strconv.Itoa(cc) + nsn
	reg, known := normRegion(region)
	idd := "00"
	if known {
		idd = iddFor(reg)
	}
	// "00" is written before a country code everywhere, whatever the
	// region dials ("0044 20 7946 0958" in a US log): no national number
	// starts with 00, so the form names this number only.
	forms := []string{ccNSN, idd + ccNSN, "00" + ccNSN}
	if known && cc == phonenumbers.GetCountryCodeForRegion(reg) {
		forms = append(forms, nsn, Digits(phonenumbers.Format(num, phonenumbers.NATIONAL)))
	}
	forms = slices.DeleteFunc(forms, func(f string) bool { return len(f) < minPhoneDigits || len(f) > 63 || Digits(f) != f })
	slices.Sort(forms)
	forms = slices.Compact(forms)
	longest, known := maxNSN()[cc]
	p := phoneInfo{forms: forms, nsn: nsn, closed: known && len(nsn) >= longest}
	if slices.Contains(forms, ccNSN) {
		p.intl = ccNSN
	}
	return p
}

// formSet is a set of digit strings (phone forms) to match digit strings
// against.
type formSet struct {
	forms []string
	lens  uint64 // bit n set when some form has n digits
	max   int
	// closed: bit k set when forms[k] is a form of a closed value
	// (phoneInfo), which also matches a run's first part when a digit
	// group follows it; closedLens is lens for those forms.
	closed, closedLens uint64
}

// newFormSet indexes forms (distinct, 7 to 63 digits: appendForm).
func newFormSet(forms []string) formSet {
	fs := formSet{forms: forms}
	for _, f := range forms {
		fs.lens |= 1 << len(f)
		fs.max = max(fs.max, len(f))
	}
	return fs
}

// phoneSet is what the phone values match: a run or cell key starting
// with a digit is compared with all their forms, one starting with + with
// their international forms only.
type phoneSet struct {
	all, intl formSet
}

// newPhoneSet indexes the forms of the values in region, marking those of
// closed values; the arrays are the callers' stack space.
func newPhoneSet(values []string, region string, buf, ibuf *[16]string) (phoneSet, bool) {
	var ps phoneSet
	all, intl := buf[:0], ibuf[:0]
	for _, v := range values {
		p := phoneForms(v, region)
		for _, f := range p.forms {
			all = ps.all.add(all, f, p.closed)
		}
		if p.intl != "" {
			intl = ps.intl.add(intl, p.intl, p.closed)
		}
	}
	if len(all) == 0 {
		return phoneSet{}, false
	}
	ps.all.forms, ps.intl.forms = all, intl
	return ps, true
}

// add appends f to forms unless it is there or not 7 to 63 digits long
// (appendForm), indexes it in fs and marks it closed when it is a form of
// a closed value; it returns the forms.
func (fs *formSet) add(forms []string, f string, closed bool) []string {
	k := slices.Index(forms, f)
	if k < 0 {
		if len(f) < minPhoneDigits || len(f) > 63 {
			return forms
		}
		k, forms = len(forms), append(forms, f)
		fs.lens |= 1 << len(f)
		fs.max = max(fs.max, len(f))
	}
	if closed && k < 64 {
		fs.closed |= 1 << k
		fs.closedLens |= 1 << len(f)
	}
	return forms
}

// mayHave reports whether a run of nd digits can be one of the forms (of
// the closed ones when closed): nd digits, or for a run written with +
// (intl) one fewer, its bracketed trunk 0 left out (dropBracketedTrunk).
func (fs *formSet) mayHave(nd int, intl, closed bool) bool {
	lens := fs.lens
	if closed {
		lens = fs.closedLens
	}
	return nd < 64 && lens&(1<<nd) != 0 || intl && nd > 0 && nd <= 64 && lens&(1<<(nd-1)) != 0
}

// appendForm appends f to forms unless it is there or not 7 to 63 digits
// long (the caller checks they are digits).
func appendForm(forms []string, f string) []string {
	if len(f) < minPhoneDigits || len(f) > 63 || slices.Contains(forms, f) {
		return forms
	}
	return append(forms, f)
}

// appendValueForms appends the forms and the international forms of the
// phone values in region; values that are not valid numbers are ignored.
// Callers made per line or per cell pass stack arrays, so that this
// allocates nothing.
func appendValueForms(all, intl []string, values []string, region string) ([]string, []string) {
	return appendForms(all, intl, values, region, false)
}

// appendClosedForms is appendValueForms for the closed values only (see
// phoneInfo): the numbers a run may go on past.
func appendClosedForms(all, intl []string, values []string, region string) ([]string, []string) {
	return appendForms(all, intl, values, region, true)
}

func appendForms(all, intl []string, values []string, region string, closedOnly bool) ([]string, []string) {
	for _, v := range values {
		if p := phoneForms(v, region); p.closed || !closedOnly {
			all, intl = p.appendTo(all, intl)
		}
	}
	return all, intl
}

// appendTo appends the value's forms and its international form.
func (p phoneInfo) appendTo(all, intl []string) ([]string, []string) {
	for _, f := range p.forms {
		all = appendForm(all, f)
	}
	if p.intl != "" {
		intl = appendForm(intl, p.intl)
	}
	return all, intl
}

// has reports whether the digits d are one of the forms.
func (fs *formSet) has(d []byte) bool {
	if len(d) > fs.max || fs.lens&(1<<len(d)) == 0 {
		return false
	}
	for _, f := range fs.forms {
		if f == string(d) {
			return true
		}
	}
	return false
}

// hasClosed reports whether the digits d are a form of a closed value.
func (fs *formSet) hasClosed(d []byte) bool {
	if len(d) > fs.max || fs.closedLens&(1<<len(d)) == 0 {
		return false
	}
	for k, f := range fs.forms {
		if fs.closed&(1<<k) != 0 && f == string(d) {
			return true
		}
	}
	return false
}
