package planning

import (
	"maps"
	"slices"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/fingerprint"
)

// matches lists how rows of asset a are recognised as the subject's, given
// what is known so far.
func (d *deriver) matches(a *assetView) []driver.Match {
	var ms []driver.Match
	if a.text() {
		for _, kind := range slices.Sorted(maps.Keys(d.byKind)) {
			set := d.byKind[kind]
			if len(set.values) == 0 {
				continue
			}
			vals := set.values
			if kind != piimap.KeyEmail && kind != piimap.KeyPhone && !isNeedleKind(kind) {
				// A bare id such as 42 matches too much free text; an id
				// shaped like usr_7f3a9c21 or a long number is specific
				// enough to find as a whole token (identifier.Distinctive).
				vals = distinctiveTokens(vals)
			}
			if len(vals) == 0 {
				continue
			}
			ms = append(ms, driver.Match{Kind: kind, Via: "text " + kind, Values: vals, Region: d.region(a, "")})
		}
		return ms
	}
	for _, fname := range a.fieldNames() {
		fv := a.fields[fname]
		loc := piimap.Location{Store: a.store, Name: a.name, Field: fname}
		if fv.identity != "" {
			if set := d.byKind[fv.identity]; set != nil && len(set.values) > 0 {
				ms = append(ms, driver.Match{Field: fname, Kind: fv.identity, Via: "identity " + fv.identity, Values: set.values, Region: d.region(a, fname)})
			}
		}
		ms = append(ms, d.otherIdentityMatches(a, fname, fv)...)
		if set := d.byField[fieldKey(loc)]; set != nil && len(set.values) > 0 {
			ms = append(ms, driver.Match{Field: fname, Kind: driver.KindKey, Via: "key " + a.name + "." + fname, Values: set.values})
		}
		for _, e := range d.v.refs {
			if e.From.Store != a.store || e.From.Name != a.name || e.From.Field != fname {
				continue
			}
			vals := d.parentValues(e.To)
			if len(vals) > 0 {
				ms = append(ms, driver.Match{Field: fname, Kind: driver.KindRef, Via: "references " + e.To.Name + "." + e.To.Field, Values: vals})
			}
		}
	}
	ms = append(ms, d.needleMatches(a)...)
	ms = append(ms, d.lineageMatches(a, ms)...)
	return d.supportedMatches(a, append(ms, d.maskedMatches(a)...))
}

// parentValues are the known values of a parent key: resolved key values of
// that field, plus the subject's identifiers when the parent is an identity.
func (d *deriver) parentValues(parent piimap.Location) []string {
	set := newValueSet(driver.KindKey)
	if pv := d.byField[fieldKey(parent)]; pv != nil {
		for _, v := range pv.values {
			set.add(v, "")
		}
	}
	if pa := d.v.assets[assetKey(parent.Store, parent.Name)]; pa != nil {
		if pf := pa.fields[parent.Field]; pf != nil && pf.identity != "" {
			if ks := d.byKind[pf.identity]; ks != nil {
				for _, v := range ks.values {
					set.add(v, "")
				}
			}
		}
	}
	return set.values
}

// distinctiveTokens keeps the identifier values specific enough to match as
// whole tokens in free text (identifier.Distinctive).
func distinctiveTokens(vals []string) []string {
	var out []string
	for _, v := range vals {
		if identifier.Distinctive(v) {
			out = append(out, v)
		}
	}
	return out
}

// lineageMatches lists, for structured asset a, one match per identity
// copy_of or derived_from edge out of one of its fields whose original has
// known values, unless the field is already matched on.
func (d *deriver) lineageMatches(a *assetView, have []driver.Match) []driver.Match {
	matched := map[string]bool{}
	for _, m := range have {
		matched[m.Field] = true
	}
	var ms []driver.Match
	for _, e := range d.v.copies {
		if e.From.Store != a.store || e.From.Name != a.name || e.From.Field == "" || matched[e.From.Field] {
			continue
		}
		if e.Transform != lineage.TransformIdentity {
			continue
		}
		// A copy of a subject key is matched as that key (emails case-
		// insensitively, phones as E.164); a copy of another key by value.
		kind, vals := driver.KindKey, d.parentValues(e.To)
		if id := d.v.identityOf(e.To); id != "" && d.byKind[id] != nil && len(d.byKind[id].values) > 0 {
			kind, vals = id, d.byKind[id].values
		}
		if len(vals) == 0 {
			continue
		}
		matched[e.From.Field] = true
		ms = append(ms, driver.Match{Field: e.From.Field, Kind: kind, Via: e.Kind + " " + e.To.String(), Values: vals})
	}
	return ms
}

// Masked copies. A copy_of edge with transform masked says the copy's field
// holds a masked form (sha256 hex, md5 hex, base64, ...) of the original
// field's values. The copy is then found and erased by that form: the
// subject's identifiers of the original's kind, and the original field's
// resolved key values, are normalised and masked exactly as the fingerprint
// builder did, and matched exactly (KindKey) against the copy's field.

// unspecificForms are masked forms that do not identify a subject: many
// people share the last four digits of a card, so erasing by them would
// erase others' rows. Such a copy stays a no-path gap.
var unspecificForms = []string{"last4"}

// maskedMatches lists, for structured asset a, one match per masked copy_of
// edge out of one of its fields and per masked form, whose values are the
// masked forms of what is known of the original field.
func (d *deriver) maskedMatches(a *assetView) []driver.Match {
	var ms []driver.Match
	for _, e := range d.v.copies {
		if e.Kind != lineage.EdgeCopyOf || e.Transform != lineage.TransformMasked ||
			e.From.Store != a.store || e.From.Name != a.name || e.From.Field == "" {
			continue
		}
		typ, raw := d.originalValues(e.To)
		if typ == "" || len(raw) == 0 {
			continue
		}
		forms := fingerprint.MaskedForms(typ)
		if f, ok := fingerprint.MaskedForm(e); ok {
			forms = []string{f}
		}
		for _, form := range forms {
			if slices.Contains(unspecificForms, form) {
				continue
			}
			var vals []string
			for _, v := range raw {
				for _, sp := range fingerprint.MaskedSpellings(typ, form, v) {
					if !slices.Contains(vals, sp) {
						vals = append(vals, sp)
					}
				}
			}
			if len(vals) > 0 {
				ms = append(ms, driver.Match{Field: e.From.Field, Kind: driver.KindKey,
					Via: "masked copy of " + e.To.String() + " (" + form + ")", Values: vals})
			}
		}
	}
	return ms
}

// originalValues returns the PII type of an original field and the known
// raw values of it: the subject's identifiers of its identity kind and its
// resolved key values. The type is the field's identity kind, else its
// first finding type a masked copy can be made of.
func (d *deriver) originalValues(orig piimap.Location) (string, []string) {
	pa := d.v.assets[assetKey(orig.Store, orig.Name)]
	if pa == nil {
		return "", nil
	}
	pf := pa.fields[orig.Field]
	if pf == nil {
		return "", nil
	}
	typ := pf.identity
	if typ == "" {
		for _, t := range pf.types {
			if len(fingerprint.MaskedForms(t)) > 0 {
				typ = t
				break
			}
		}
	}
	if typ == "" {
		return "", nil
	}
	var raw []string
	if pf.identity != "" {
		if ks := d.byKind[pf.identity]; ks != nil {
			raw = append(raw, ks.values...)
		}
	}
	if ks := d.byField[fieldKey(orig)]; ks != nil {
		raw = append(raw, ks.values...)
	}
	return typ, raw
}

// maskedUnspecific reports the masked copy_of edge out of a whose form does
// not identify a subject, if any.
func (v *graphView) maskedUnspecific(a *assetView) (lineage.Edge, string, bool) {
	for _, e := range v.copies {
		if e.Transform != lineage.TransformMasked || e.From.Store != a.store || e.From.Name != a.name {
			continue
		}
		if f, ok := fingerprint.MaskedForm(e); ok && slices.Contains(unspecificForms, f) {
			return e, f, true
		}
	}
	return lineage.Edge{}, "", false
}

// maskedCopyOf reports the source asset when a is a masked copy of it. An
// edge's From is the copy and its To the source, so only the From side
// counts: a table that a view hashes is not itself a masked copy.
func (v *graphView) maskedCopyOf(a *assetView) string {
	for _, e := range v.copies {
		if e.Transform == lineage.TransformMasked && e.From.Store == a.store && e.From.Name == a.name {
			return e.To.Asset().String()
		}
	}
	return ""
}

// Specific values as needles. Card numbers, IBANs and national ids (US
// SSNs, UK NINOs) are no identifiers a requester gives, but the subject's
// entity record holds them, and logs and copies hold them without the
// email: the closure collects them from the record's columns of those
// types that hold about one value per record (collectors,
// mostlyUniqueField) and the plan searches for them in text assets and in
// fields of the same type, matched by classifiers/identifier's rules (whole
// values in cells, whole number runs in text). A value another record
// holds too is left out like any closure value.

// needleKinds are the PII types searched as needles, in order.
var needleKinds = identifier.Numbers

// isNeedleKind reports whether kind is a needle kind.
func isNeedleKind(kind string) bool { return slices.Contains(needleKinds, kind) }

// needleType returns the needle kind among a field's finding types, or "".
func needleType(fv *fieldView) string {
	for _, k := range needleKinds {
		if slices.Contains(fv.types, k) {
			return k
		}
	}
	return ""
}

// soleOfType reports whether f is the only field of a with finding type t.
func (a *assetView) soleOfType(f *fieldView, t string) bool {
	n := 0
	for _, o := range a.fields {
		if slices.Contains(o.types, t) {
			n++
		}
	}
	return n == 1 && slices.Contains(f.types, t)
}

// needleMatches are the matches of a structured asset's fields of needle
// types: a field typed credit_card is searched for the subject's cards.
func (d *deriver) needleMatches(a *assetView) []driver.Match {
	var ms []driver.Match
	for _, fname := range a.fieldNames() {
		fv := a.fields[fname]
		t := needleType(fv)
		if t == "" {
			continue
		}
		if set := d.byKind[t]; set != nil && len(set.values) > 0 {
			ms = append(ms, driver.Match{Field: fname, Kind: t, Via: "value " + t, Values: set.values})
		}
	}
	return ms
}

// otherIdentityMatches are the matches of a field for the identifier kinds
// its findings show besides its identity: a ticket body keyed by the emails
// it holds is also searched for the subject's phones when the scan saw
// phones in it, as a text asset would be. One identity per field decides
// how the field keys the subject (collectors); every kind it holds decides
// where the subject's values are looked for.
func (d *deriver) otherIdentityMatches(a *assetView, fname string, fv *fieldView) []driver.Match {
	var ms []driver.Match
	for _, kind := range []string{piimap.KeyEmail, piimap.KeyPhone} {
		if kind == fv.identity || !slices.Contains(fv.types, kind) {
			continue
		}
		if set := d.byKind[kind]; set != nil && len(set.values) > 0 {
			ms = append(ms, driver.Match{Field: fname, Kind: kind, Via: "value " + kind, Values: set.values, Region: d.region(a, fname)})
		}
	}
	return ms
}

// companionMatches are the subject's companion values (names, postal
// addresses), one match per kind, for the targets of text assets.
func (d *deriver) companionMatches() []driver.Match {
	var ms []driver.Match
	for _, kind := range slices.Sorted(maps.Keys(d.companions)) {
		if set := d.companions[kind]; len(set.values) > 0 {
			ms = append(ms, driver.Match{Kind: kind, Via: "companion " + kind, Values: set.values})
		}
	}
	return ms
}
