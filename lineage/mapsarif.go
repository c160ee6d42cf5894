package lineage

import (
	"fmt"
	"io"
	"net/url"

	"github.com/piimap/piimap/lineage/sarif"
)

// writeSARIF writes the map as a SARIF 2.1.0 log: a rule per PII type and
// a result per location and type, at a logical location
// store/asset#field (kind "member" for a field, "resource" for a text
// asset as a whole), plus a physical location for file and object assets
// (the asset path under the store as uriBaseId). The level follows the
// confidence (sarif.Level); the message says type, confidence, hits and
// the classifying rule; partialFingerprints hold a hash of store, asset,
// field and type, the key baselines match on. Sampled values are never
// written (evidence in the map is already masked, and SARIF gets none).
func writeSARIF(w io.Writer, m *Map, version string) error {
	b := sarif.NewBuilder(version)
	b.SetProperty("scan_run", m.ScanRun)
	b.SetProperty("generated_at", m.GeneratedAt)
	for _, l := range m.Locations {
		ref := MapRef{Store: l.Store, Asset: l.Asset, Field: l.Field}
		kind := "member"
		if l.Field == "" {
			kind = "resource"
		}
		loc := sarif.Location{Logical: []sarif.Logical{{Name: fieldOrDash(l.Field), FullyQualifiedName: ref.String(), Kind: kind}}}
		if l.Format != "" {
			loc.Physical = &sarif.Physical{Artifact: sarif.ArtLoc{URI: (&url.URL{Path: l.Asset}).String(), URIBaseID: l.Store}}
		}
		for _, p := range l.PII {
			ct := catalogTerm(p.Type)
			msg := fmt.Sprintf("%s in %s (confidence %.2f", ct.Title, ref.String(), p.Confidence)
			if p.Sampled > 0 {
				msg += fmt.Sprintf(", %d of %d sampled values", p.Hits, p.Sampled)
			} else if p.Hits > 0 {
				msg += fmt.Sprintf(", %d hits", p.Hits)
			}
			if p.Rule != "" {
				msg += ", rule " + p.Rule
			}
			msg += ")"
			props := map[string]any{"store": l.Store, "kind": l.Kind, "asset": l.Asset, "field": l.Field, "confidence": p.Confidence}
			if l.SubjectKey {
				props["subject_key"] = l.Identity
			}
			var sup []sarif.Suppression
			if p.Allowed != "" {
				sup = []sarif.Suppression{{Kind: "external", Justification: p.Allowed}}
			}
			b.Add(p.Type, ct.Title, "warning", sarif.Result{Level: sarif.Level(p.Confidence), Message: sarif.Message{Text: msg},
				Suppressions:        sup,
				Locations:           []sarif.Location{loc},
				PartialFingerprints: map[string]string{sarif.FingerprintKey: sarif.Fingerprint(l.Store, l.Asset, l.Field, p.Type)},
				Properties:          props})
		}
	}
	b.SortResults()
	return b.Write(w)
}
