package copyestate

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Edge is one copy_of edge of a map: From is a copy of To.
type Edge struct {
	From       Ref     `json:"from"`
	To         Ref     `json:"to"`
	Source     string  `json:"source"`
	Transform  string  `json:"transform"`
	Confidence float64 `json:"confidence"`
}

// mapDoc is the part of `piimap map --json` that Score reads.
type mapDoc struct {
	RunStatus string `json:"run_status"`
	Locations []struct {
		Store string `json:"store"`
		Asset string `json:"asset"`
		Field string `json:"field"`
		Edges []struct {
			Kind       string  `json:"kind"`
			To         Ref     `json:"to"`
			Source     string  `json:"source"`
			Confidence float64 `json:"confidence"`
			Transform  string  `json:"transform"`
		} `json:"edges"`
	} `json:"locations"`
	Errors []json.RawMessage `json:"errors"`
}

// CopyEdges reads the fingerprint copy_of edges of a `piimap map --json`
// document, and the number of unit errors it lists.
func CopyEdges(mapJSON []byte) ([]Edge, int, error) {
	var m mapDoc
	if err := json.Unmarshal(mapJSON, &m); err != nil {
		return nil, 0, fmt.Errorf("map json: %w", err)
	}
	var out []Edge
	for _, l := range m.Locations {
		for _, e := range l.Edges {
			if e.Kind != "copy_of" || e.Source != "fingerprint" {
				continue
			}
			out = append(out, Edge{From: Ref{l.Store, l.Asset, l.Field}, To: e.To, Source: e.Source, Transform: e.Transform, Confidence: e.Confidence})
		}
	}
	return out, len(m.Errors), nil
}

// Count is the score of one transform.
type Count struct {
	Planted int `json:"planted"`
	Found   int `json:"found"` // planted copies with a true-positive edge
	// Sibling counts planted copies whose only edges point at another copy
	// of the same original.
	Sibling int `json:"sibling_only"`
	// WrongTransform counts found copies whose edge's transform is not the
	// expected one (identity for identity, lower and subset; masked for
	// the hashes).
	WrongTransform int `json:"wrong_transform"`
	// NoEdge counts planted copies with no copy_of edge at all.
	NoEdge int `json:"no_edge"`
}

// Score is the outcome of one scan against the ground truth.
type Score struct {
	ByTransform map[string]*Count `json:"by_transform"`
	ByKind      map[string]*Count `json:"by_kind"`
	Planted     int               `json:"planted"`
	Found       int               `json:"found"`
	TP          int               `json:"tp_edges"`
	FP          int               `json:"fp_edges"`
	// Reversed are false positives that point from an original to one of
	// its planted copies (the direction undecided the wrong way).
	Reversed int `json:"fp_reversed"`
	// DecoyFP are false positives from or to a decoy.
	DecoyFP int `json:"fp_decoy"`
	// OtherFP are false positives between fields that are neither planted
	// copies, originals nor decoys (id columns, names).
	OtherFP int `json:"fp_other_fields"`
	// Linked is the number of planted copies with an edge to their
	// original or to a sibling copy of it.
	Linked       int      `json:"linked"`
	Siblings     []string `json:"sibling_edges_list,omitempty"`
	SiblingEdges int      `json:"sibling_edges"`
	Recall       float64  `json:"recall"`
	Precision    float64  `json:"precision"`
	Missed       []string `json:"missed,omitempty"` // copy locations, no values
	FalsePos     []string `json:"false_positives,omitempty"`
	UnitErrors   int      `json:"unit_errors"`
}

// Score scores the copy_of edges of a map against the planted copies.
func (e *Estate) Score(edges []Edge) *Score {
	s := &Score{ByTransform: map[string]*Count{}, ByKind: map[string]*Count{}}
	planted := map[Ref]Copy{}
	copiesOf := map[Ref]map[Ref]bool{} // original → its copies
	for _, c := range e.Copies {
		planted[c.Copy] = c
		if copiesOf[c.Original] == nil {
			copiesOf[c.Original] = map[Ref]bool{}
		}
		copiesOf[c.Original][c.Copy] = true
	}
	known := map[Ref]bool{}
	for _, o := range e.Originals {
		known[o] = true
	}
	decoy := map[Ref]bool{}
	for _, d := range e.Decoys {
		decoy[d.Field] = true
	}
	found := map[Ref]bool{}
	wrongTr := map[Ref]bool{}
	sibling := map[Ref]bool{}
	for _, ed := range edges {
		c, isCopy := planted[ed.From]
		switch {
		case isCopy && ed.To == c.Original:
			s.TP++
			found[ed.From] = true
			want := "identity"
			if Masked(c.Transform) {
				want = "masked"
			}
			if ed.Transform != want {
				wrongTr[ed.From] = true
			}
		case isCopy && copiesOf[c.Original][ed.To]:
			s.SiblingEdges++
			sibling[ed.From] = true
			s.Siblings = append(s.Siblings, fmt.Sprintf("%s (%s) -> %s (%s)", ed.From, c.Transform, ed.To, planted[ed.To].Transform))
		default:
			s.FP++
			if copiesOf[ed.From][ed.To] {
				s.Reversed++
			}
			_, fromCopy := planted[ed.From]
			_, toCopy := planted[ed.To]
			switch {
			case decoy[ed.From] || decoy[ed.To]:
				s.DecoyFP++
			case !fromCopy && !toCopy && !known[ed.From] && !known[ed.To]:
				s.OtherFP++
			}
			s.FalsePos = append(s.FalsePos, fmt.Sprintf("%s -> %s (%s %.2f)", ed.From, ed.To, ed.Transform, ed.Confidence))
		}
	}
	add := func(m map[string]*Count, key string, c Copy) {
		n := m[key]
		if n == nil {
			n = &Count{}
			m[key] = n
		}
		n.Planted++
		switch {
		case found[c.Copy]:
			n.Found++
			if wrongTr[c.Copy] {
				n.WrongTransform++
			}
		case sibling[c.Copy]:
			n.Sibling++
		default:
			n.NoEdge++
		}
	}
	for _, c := range e.Copies {
		add(s.ByTransform, c.Transform, c)
		add(s.ByKind, c.Kind, c)
		s.Planted++
		if found[c.Copy] || sibling[c.Copy] {
			s.Linked++
		}
		if found[c.Copy] {
			s.Found++
		} else {
			s.Missed = append(s.Missed, fmt.Sprintf("%s (%s, %.0f%% of %s)", c.Copy, c.Transform, 100*c.Fraction, c.Original))
		}
	}
	if s.Planted > 0 {
		s.Recall = float64(s.Found) / float64(s.Planted)
	}
	s.Precision = 1
	if s.TP+s.FP > 0 {
		s.Precision = float64(s.TP) / float64(s.TP+s.FP)
	}
	slices.Sort(s.Missed)
	slices.Sort(s.FalsePos)
	slices.Sort(s.Siblings)
	return s
}
