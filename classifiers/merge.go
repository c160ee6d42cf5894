package classifiers

import "github.com/piimap/piimap"

// maxMergedEvidence bounds evidence after merging.
const maxMergedEvidence = 8

// Merge folds src into dst: findings for the same location and type are
// combined (hits and sampled summed, confidence the hit-weighted mean,
// evidence unioned in order and bounded); others are appended. dst is
// modified and returned.
func Merge(dst, src []piimap.Finding) []piimap.Finding {
	for _, s := range src {
		i := -1
		for k := range dst {
			if dst[k].Loc == s.Loc && dst[k].Type == s.Type {
				i = k
				break
			}
		}
		if i < 0 {
			s.Evidence = append([]string(nil), s.Evidence...)
			dst = append(dst, s)
			continue
		}
		d := &dst[i]
		w1, w2 := float64(d.Hits), float64(s.Hits)
		if w1+w2 > 0 {
			d.Confidence = round2((d.Confidence*w1 + s.Confidence*w2) / (w1 + w2))
		} else {
			d.Confidence = max(d.Confidence, s.Confidence)
		}
		d.Hits += s.Hits
		d.Sampled += s.Sampled
		if d.Masked == "" {
			d.Masked = s.Masked
		}
		if d.RuleID == "" {
			d.RuleID = s.RuleID
		}
		for _, ev := range s.Evidence {
			if len(d.Evidence) >= maxMergedEvidence {
				break
			}
			dup := false
			for _, x := range d.Evidence {
				if x == ev {
					dup = true
					break
				}
			}
			if !dup {
				d.Evidence = append(d.Evidence, ev)
			}
		}
	}
	return dst
}

// Ambiguous reports whether a field's findings are borderline and the
// scanner should sample more rows: a finding within 0.15 above the
// threshold, or one resting on fewer than 30 values without being
// near-certain.
func (e *Engine) Ambiguous(fs []piimap.Finding) bool {
	for _, f := range fs {
		if f.Confidence < e.opt.Threshold+0.15 {
			return true
		}
		if f.Sampled < 30 && f.Confidence < 0.9 {
			return true
		}
	}
	return false
}
