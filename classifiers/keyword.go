package classifiers

import (
	"github.com/piimap/piimap"
)

// keywords runs the Aho-Corasick keyword prefilter over the data and, for
// each hit, the owning rules' regexps over a window starting shortly before
// the keyword and ending at the end of its line (at most 256 bytes on).
func (s *scanner) keywords() {
	d := s.data
	it := s.e.kwAC.IterByte(d)
	for m := it.Next(); m != nil; m = it.Next() {
		start := m.Start() - 64
		if start < 0 {
			start = 0
		}
		for k := m.Start() - 1; k >= start; k-- {
			if d[k] == '\n' {
				start = k + 1
				break
			}
		}
		end := m.End() + 256
		if end > len(d) {
			end = len(d)
		}
		for k := m.End(); k < end; k++ {
			if d[k] == '\n' {
				end = k
				break
			}
		}
		for _, r := range s.e.kwOwners[m.Pattern()] {
			s.regex(r, start, end)
		}
	}
}

// regex runs r's pattern over data[from:to]; the first capture group, when
// the pattern has one, is the span (password=<secret>), else the match.
func (s *scanner) regex(r *crule, from, to int) {
	if r.re == nil || from >= to {
		return
	}
	w := s.data[from:to]
	for _, loc := range r.re.FindAllSubmatchIndex(w, -1) {
		a, b := loc[0], loc[1]
		if len(loc) >= 4 && loc[2] >= 0 {
			a, b = loc[2], loc[3]
		}
		a, b = a+from, b+from
		if b <= a {
			continue
		}
		if r.check != nil && !r.check(s.str(a, b)) {
			continue
		}
		neg, pos := s.context(r, a, b)
		if neg || r.RequireContext && !pos {
			continue
		}
		score := r.score
		if pos {
			score += (1 - score) * 0.5
		}
		if score < s.e.opt.Threshold {
			continue
		}
		s.spans = append(s.spans, piimap.Span{Type: r.Type, RuleID: r.ID, Start: a, End: b, Confidence: round2(score)})
	}
}
