package classifiers

import (
	"bytes"

	"github.com/piimap/piimap"
)

// Keyword rules (custom rules and credential assignments) run in three
// steps, as DESIGN §4 orders: keyword prefilter (Aho-Corasick), then the
// rule's regexp on a window around the keyword only, then the validator.
//
// The prefilter does not make a second pass over the data: the one-pass
// scanner hands every word (and every '_'-separated part of a word, so
// DB_PASSWORD is seen) to gate, which looks its first bytes up in a small
// table and compares only the keywords that can start there. Keyword sets
// the gate cannot serve (a keyword shorter than three bytes, or starting
// with punctuation) fall back to one Aho-Corasick pass over the text.

// keywords runs the Aho-Corasick automaton over data[from:to] (the full
// pass, for keyword sets the gate cannot serve).
func (s *scanner) keywords(from, to int) {
	it := s.e.kwAC.IterByte(s.data[from:to])
	for m := it.Next(); m != nil; m = it.Next() {
		s.keywordHit(m.Start()+from, m.End()+from, m.Pattern())
	}
}

// gate checks the word data[i:j] and its '_'-separated parts (under: a
// '_' may follow its first byte). A word whose first three/four bytes can
// start a keyword is compared with the (few) keywords of its gate slot,
// case-insensitively.
func (s *scanner) gate(i, j int, under bool) {
	d := s.data
	for {
		if j-i >= 3 && s.e.mayStartKeyword(d[i], d[i+1], d[i+2]) {
			k3, _ := gateKey(d[i : i+3])
			s.gateSlot(i, s.e.kwGate[gateSlot(k3)])
			if j-i >= 4 {
				k4, _ := gateKey(d[i : i+4])
				s.gateSlot(i, s.e.kwGate[gateSlot(k4)])
			}
		}
		if j-i < 6 || !under {
			return // no room for "_" and a gated keyword, or no "_"
		}
		u := bytes.IndexByte(d[i+1:j-3], '_')
		if u < 0 {
			return
		}
		i += u + 2
	}
}

func (s *scanner) gateSlot(i int, kws []int32) {
	d := s.data
	for _, k := range kws {
		kw := s.e.kwLower[k]
		if i+len(kw) > len(d) {
			continue
		}
		ok := true
		for x := 0; x < len(kw); x++ {
			if lowerB(d[i+x]) != kw[x] {
				ok = false
				break
			}
		}
		if ok {
			s.keywordHit(i, i+len(kw), int(k))
		}
	}
}

// keywordHit runs the keyword's rules over its window: from up to 64 bytes
// before the keyword to 256 bytes after it, within its line.
func (s *scanner) keywordHit(kwStart, kwEnd, pattern int) {
	d := s.data
	start := max(0, kwStart-64)
	if k := bytes.LastIndexByte(d[start:kwStart], '\n'); k >= 0 {
		start += k + 1
	}
	end := min(len(d), kwEnd+256)
	if k := bytes.IndexByte(d[kwEnd:end], '\n'); k >= 0 {
		end = kwEnd + k
	}
	for _, r := range s.e.kwOwners[pattern] {
		s.regex(r, start, end)
	}
}

// regex runs r's pattern over data[from:to]; the first capture group, when
// the pattern has one, is the span (password=<secret>), else the match.
// Duplicates from overlapping windows are dropped when spans are emitted.
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
