package executor

import (
	"slices"

	"github.com/piimap/piimap/classifiers/identifier"
)

// Specific values as needles. Card numbers, IBANs and US SSNs are no
// identifiers a requester gives, but the subject's entity record holds
// them, and logs and copies hold them without the email: the closure
// collects them from the record's unique columns of those types
// (collectors) and the plan searches for them in text assets and in fields
// of the same type, matched by classifiers/identifier's rules (whole
// values in cells, whole number runs in text). A value another record
// holds too is left out like any closure value.

// needleKinds are the PII types searched as needles, in order.
var needleKinds = []string{identifier.Card, identifier.IBAN, identifier.SSN}

// isNeedleKind reports whether kind is a needle kind.
func isNeedleKind(kind string) bool { return slices.Contains(needleKinds, kind) }

// needleType returns the needle kind among a field's finding types, or "".
func needleType(fv *fieldView) string {
	for _, k := range needleKinds {
		if containsStr(fv.types, k) {
			return k
		}
	}
	return ""
}

// soleOfType reports whether f is the only field of a with finding type t.
func (a *assetView) soleOfType(f *fieldView, t string) bool {
	n := 0
	for _, o := range a.fields {
		if containsStr(o.types, t) {
			n++
		}
	}
	return n == 1 && containsStr(f.types, t)
}

// needleMatches are the matches of a structured asset's fields of needle
// types: a field typed credit_card is searched for the subject's cards.
func (d *deriver) needleMatches(a *assetView) []Match {
	var ms []Match
	for _, fname := range a.fieldNames() {
		fv := a.fields[fname]
		t := needleType(fv)
		if t == "" || fv.identity != "" {
			continue
		}
		if set := d.byKind[t]; set != nil && len(set.values) > 0 {
			ms = append(ms, Match{Field: fname, Kind: t, Via: "value " + t, Values: set.values})
		}
	}
	return ms
}
