package executor

import (
	"slices"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/fingerprint"
)

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
func (d *deriver) maskedMatches(a *assetView) []Match {
	var ms []Match
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
				ms = append(ms, Match{Field: e.From.Field, Kind: KindKey,
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
