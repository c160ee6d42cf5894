package estate

import "github.com/piimap/piimap/lineage"

// Score is how a map compares with the ground truth.
type Score struct {
	PIIFields      int // planted PII fields
	PIIFound       int // of them, found with their type
	NegativeFields int // hard-negative fields
	NegativeHit    int // of them, flagged with any type
}

// Check counts the planted PII fields m finds with their type, and the
// hard negatives it flags with any type.
func (t GroundTruth) Check(m *lineage.Map) Score {
	types := map[string]map[string]bool{}
	for _, l := range m.Locations {
		k := l.Store + "/" + l.Asset + "#" + l.Field
		for _, p := range l.PII {
			if types[k] == nil {
				types[k] = map[string]bool{}
			}
			types[k][p.Type] = true
		}
	}
	var s Score
	for _, f := range t.PIIFields {
		s.PIIFields++
		if types[f.Store+"/"+f.Asset+"#"+f.Field][f.Type] {
			s.PIIFound++
		}
	}
	for _, f := range t.NegativeFields {
		s.NegativeFields++
		if len(types[f.Store+"/"+f.Asset+"#"+f.Field]) > 0 {
			s.NegativeHit++
		}
	}
	return s
}

// Busiest is the subject with records in the most assets (ties: the
// first), so a request for them touches every store. It panics when there
// are no subjects; Generate always makes at least one.
func (t GroundTruth) Busiest() SubjectTruth {
	best := t.Subjects[0]
	for _, s := range t.Subjects[1:] {
		if len(s.Records) > len(best.Records) {
			best = s
		}
	}
	return best
}
