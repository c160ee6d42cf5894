package driver

import (
	"slices"
	"strings"
	"sync"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/classifiers/validate"
)

// The second witness.
//
// The request matcher (classifiers/identifier) is strict where a written
// number meets other digits: "089 1234567 12" may be one longer German
// number, so it does not find +49 89 1234567 there, and neither does
// anything that asks it, verification included. The scanner's text
// classifier reads that line as holding the phone 089 1234567, and the
// scan maps the log as holding the subject's phone. Left to the matcher
// alone, an erasure would keep those bytes while its receipt said
// "residual 0": the map and the receipt would disagree about the same
// bytes.
//
// So every text a phone Match is asked about (Spans: log lines, and JSON,
// CSV and NATS records searched without a field) is also read by the
// scanner's own classifier,
// and a phone span it reports whose number is one of the match's (the
// same E.164 number, a national one read in the match's region first) is
// the subject's too. Find counts it, Erase rewrites it,
// and verification, which asks the same question, reports what is still
// there as residual. What this costs: a span the scanner reads as the
// subject's number inside what is really a longer one (an extension
// written as "089 1234567 12") is rewritten with the number; the digits
// after it stay. That is the scanner's reading, the one the map showed.
//
// Only texts that already passed the handlers' prefilter reach Spans, and
// a text without the number's national digits in a row is not read, so
// the classifier reads the few lines that hold the subject's digits, not
// the log. SQL stores select rows with the SQL mirror of the matcher
// (identifier.PhoneTokenPattern): a text column's row only it would find
// is not returned to be witnessed, a limit named in identifier's doc.
// A single cell (MatchValue) keeps the matcher's rules alone, so that Go
// and SQL agree on every cell (TestWhereAgreesWithGo).

var (
	witnessOnce sync.Once
	witnessEng  *classifiers.Engine
)

// witness returns the scanner's default text classifier, or nil when the
// built-in rules cannot be compiled (the matcher's spans then stand alone;
// the rules are proved by their own tests, so this does not happen in a
// build that passed them).
func witness() *classifiers.Engine {
	witnessOnce.Do(func() { witnessEng, _ = classifiers.Default(classifiers.Options{SkipSampleCheck: true}) })
	return witnessEng
}

// witnessType is the scanner's PII type a kind is witnessed for, or "".
// Only phones are: for emails, cards, SSNs, IBANs and NINOs the scanner
// and the matcher agree on every shape people write
// (classifiers' TestEveryReportedNumberIsErasable), and where they part
// it is on junk such as "usr_1@ann@x.org@", in which the scanner reads an
// address the matcher's boundaries refuse and the identifier filters
// (scanner/idfilter) do not key; a witness there would make planning skip
// what Find then matches. The filters key every digit-group sequence, so
// a phone the scanner reads is keyed wherever it stands.
func witnessType(kind string) string {
	if kind == identifier.Phone {
		return piimap.TypePhone
	}
	return ""
}

// WitnessSpans returns the spans of s where the scanner's classifier
// reports a PII span of m's kind whose value is one of m's values (see
// the second witness above). It is empty for kinds not witnessed
// (witnessType).
func (m Match) WitnessSpans(s string) []Span {
	typ := witnessType(m.Kind)
	if typ == "" || len(m.Values) == 0 || s == "" {
		return nil
	}
	// Every spelling of a number holds its national significant number's
	// digits in a row once the text's other bytes are left out ("+44
	// (0)20 7946 0958" and "020 7946 0958" both hold 2079460958): a text
	// without them holds none of the values, and the classifier is not run.
	want := m.witnessKeys()
	digits := identifier.Digits(s)
	if !slices.ContainsFunc(want, func(p phoneKey) bool { return strings.Contains(digits, p.nsn) }) {
		return nil
	}
	eng := witness()
	if eng == nil {
		return nil
	}
	regions := phoneRegions(m.Region)
	var out []Span
	eng.Spans([]byte(s), func(sp piimap.Span) {
		if sp.Type != typ {
			return
		}
		e164, ok := validate.PhoneE164(strings.Trim(s[sp.Start:sp.End], "()"), regions)
		if ok && slices.ContainsFunc(want, func(p phoneKey) bool { return p.e164 == e164 }) {
			out = append(out, Span{sp.Start, sp.End})
		}
	})
	return out
}

// witnessKeys are m's phone values as the matcher reads them
// (identifier.PhoneNumber); values it ignores are left out.
func (m Match) witnessKeys() []phoneKey {
	var out []phoneKey
	for _, v := range m.Values {
		if e164, nsn, ok := identifier.PhoneNumber(v); ok && !slices.Contains(out, phoneKey{e164, nsn}) {
			out = append(out, phoneKey{e164, nsn})
		}
	}
	return out
}

// phoneKey is a phone value in E.164 with its national significant
// number's digits.
type phoneKey struct{ e164, nsn string }

// phoneRegions is the match's region, then the scanner's default regions:
// a national number is read as the subject's region's first, as the
// matcher reads it.
func phoneRegions(region string) []string {
	r := strings.ToUpper(strings.TrimSpace(region))
	if r == "" {
		return validate.DefaultRegions
	}
	out := []string{r}
	for _, d := range validate.DefaultRegions {
		if d != r {
			out = append(out, d)
		}
	}
	return out
}
