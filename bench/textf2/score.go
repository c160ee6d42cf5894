package main

import (
	"sort"

	"github.com/piimap/piimap/bench/textcorpus"
)

// pred is one predicted span: a type and byte offsets.
type pred struct {
	Start, End int
	Type       string
}

// Counts are one type's (or one slice's) confusion counts.
type Counts struct {
	Gold int `json:"gold"`
	Pred int `json:"pred"`
	TP   int `json:"tp"`
	FP   int `json:"fp"`
	FN   int `json:"fn"`
	// Exact-boundary figures: a true positive only when start and end
	// are both equal to the gold span's.
	ExactTP int `json:"exact_tp"`
	// Partial counts false positives that overlap a gold span of their
	// type (too short, or a second piece of an already matched span):
	// boundary errors rather than spurious finds.
	Partial int `json:"partial_fp"`
}

func (c *Counts) add(o Counts) {
	c.Gold += o.Gold
	c.Pred += o.Pred
	c.TP += o.TP
	c.FP += o.FP
	c.FN += o.FN
	c.ExactTP += o.ExactTP
	c.Partial += o.Partial
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Precision is TP/(TP+FP); 1 when nothing was predicted and nothing was
// there to find, 0 when nothing was predicted but something was.
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		if c.Gold == 0 {
			return 1
		}
		return 0
	}
	return ratio(c.TP, c.TP+c.FP)
}

// Recall is TP/(TP+FN); 1 when there was nothing to find.
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		return 1
	}
	return ratio(c.TP, c.TP+c.FN)
}

// F2 weighs recall twice as much as precision: 5PR/(4P+R).
func (c Counts) F2() float64 { return fBeta(c.Precision(), c.Recall(), 2) }

// exact is the same counts under the exact-boundary rule.
func (c Counts) exact() Counts {
	return Counts{Gold: c.Gold, Pred: c.Pred, TP: c.ExactTP, FP: c.Pred - c.ExactTP, FN: c.Gold - c.ExactTP, ExactTP: c.ExactTP}
}

func fBeta(p, r, beta float64) float64 {
	b2 := beta * beta
	if p+r == 0 {
		return 0
	}
	return (1 + b2) * p * r / (b2*p + r)
}

// minOverlap is the share of a gold span a prediction must cover.
const minOverlap = 0.5

func overlap(aStart, aEnd, bStart, bEnd int) int {
	return max(0, min(aEnd, bEnd)-max(aStart, bStart))
}

// matches reports whether p covers at least half of gold g (same type
// checked by the caller).
func matches(p pred, g textcorpus.Span) bool {
	return float64(overlap(p.Start, p.End, g.Start, g.End)) >= minOverlap*float64(g.End-g.Start)
}

// scoreDoc compares one document's predictions with its gold spans,
// type by type. A prediction matches a gold span of the same type when it
// covers at least half of the gold span; matching is one-to-one, largest
// overlap first, so a second prediction on the same gold span is a false
// positive (counted as partial). Predictions whose type is not in labelled
// are returned in unlabelled by type and are not false positives.
func scoreDoc(gold []textcorpus.Span, preds []pred, labelled map[string]bool) (perType map[string]Counts, unlabelled map[string]int) {
	perType = map[string]Counts{}
	unlabelled = map[string]int{}
	byType := map[string][]pred{}
	for _, p := range preds {
		if !labelled[p.Type] {
			unlabelled[p.Type]++
			continue
		}
		byType[p.Type] = append(byType[p.Type], p)
	}
	goldBy := map[string][]textcorpus.Span{}
	for _, g := range gold {
		goldBy[g.Type] = append(goldBy[g.Type], g)
	}
	types := map[string]bool{}
	for t := range byType {
		types[t] = true
	}
	for t := range goldBy {
		types[t] = true
	}
	for t := range types {
		perType[t] = scoreType(goldBy[t], byType[t])
	}
	return perType, unlabelled
}

// scoreType matches one type's predictions against its gold spans.
func scoreType(gold []textcorpus.Span, preds []pred) Counts {
	c := Counts{Gold: len(gold), Pred: len(preds)}
	type pair struct{ gi, pi, ov int }
	var pairs []pair
	for gi, g := range gold {
		for pi, p := range preds {
			if matches(p, g) {
				pairs = append(pairs, pair{gi, pi, overlap(p.Start, p.End, g.Start, g.End)})
			}
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].ov > pairs[j].ov })
	goldUsed := make([]bool, len(gold))
	predUsed := make([]bool, len(preds))
	for _, pr := range pairs {
		if goldUsed[pr.gi] || predUsed[pr.pi] {
			continue
		}
		goldUsed[pr.gi], predUsed[pr.pi] = true, true
		c.TP++
		g, p := gold[pr.gi], preds[pr.pi]
		if g.Start == p.Start && g.End == p.End {
			c.ExactTP++
		}
	}
	c.FN = len(gold) - c.TP
	c.FP = len(preds) - c.TP
	for pi, p := range preds {
		if predUsed[pi] {
			continue
		}
		for _, g := range gold {
			if overlap(p.Start, p.End, g.Start, g.End) > 0 {
				c.Partial++
				break
			}
		}
	}
	return c
}

// unmatched lists the gold spans no prediction matched and the
// predictions that matched nothing, for -misses (offsets only).
func unmatched(gold []textcorpus.Span, preds []pred, labelled map[string]bool) (fn []textcorpus.Span, fp []pred) {
	for _, g := range gold {
		hit := false
		for _, p := range preds {
			if p.Type == g.Type && matches(p, g) {
				hit = true
				break
			}
		}
		if !hit {
			fn = append(fn, g)
		}
	}
	for _, p := range preds {
		if !labelled[p.Type] {
			continue
		}
		hit := false
		for _, g := range gold {
			if p.Type == g.Type && matches(p, g) {
				hit = true
				break
			}
		}
		if !hit {
			fp = append(fp, p)
		}
	}
	return fn, fp
}
