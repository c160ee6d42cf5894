package validate

import (
	"regexp/syntax"
	"sort"
	"sync"
	"sync/atomic"
)

// digitDFA is a lazily built DFA over the ten decimal digits for one
// full-match pattern. libphonenumber's number patterns are large
// alternations over digit classes with bounded repeats; Go's regexp runs
// them as an NFA (~1-2µs a number), while the DFA, once warm, is a table
// lookup per digit. States are built on first use and shared by all
// goroutines; transitions are published atomically.
type digitDFA struct {
	prog  *syntax.Prog
	start *dstate
	mu    sync.Mutex
	cache map[string]*dstate
}

type dstate struct {
	pcs   []uint32 // consuming instructions reachable in this state
	match bool
	next  [10]atomic.Pointer[dstate]
}

// deadState has no way forward.
var deadState = &dstate{}

// newDigitDFA compiles pattern for full matches over digit strings. It
// returns nil when the pattern uses anything the DFA does not model
// (assertions, non-digit input), and the caller keeps the regexp.
func newDigitDFA(pattern string) *digitDFA {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil
	}
	for _, in := range prog.Inst {
		if in.Op == syntax.InstEmptyWidth {
			return nil
		}
	}
	d := &digitDFA{prog: prog, cache: map[string]*dstate{}}
	d.start = d.state(d.closure([]uint32{uint32(prog.Start)}))
	return d
}

// closure follows epsilon transitions from pcs and returns the sorted
// consuming instructions reached plus whether a match is reachable.
func (d *digitDFA) closure(pcs []uint32) ([]uint32, bool) {
	seen := map[uint32]bool{}
	var out []uint32
	match := false
	stack := append([]uint32(nil), pcs...)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		in := &d.prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, in.Out, in.Arg)
		case syntax.InstCapture, syntax.InstNop:
			stack = append(stack, in.Out)
		case syntax.InstMatch:
			match = true
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			out = append(out, pc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, match
}

func (d *digitDFA) state(pcs []uint32, match bool) *dstate {
	if len(pcs) == 0 && !match {
		return deadState
	}
	key := make([]byte, 0, 4*len(pcs)+1)
	if match {
		key = append(key, 1)
	} else {
		key = append(key, 0)
	}
	for _, pc := range pcs {
		key = append(key, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
	}
	if s, ok := d.cache[string(key)]; ok {
		return s
	}
	s := &dstate{pcs: pcs, match: match}
	d.cache[string(key)] = s
	return s
}

// step computes (and caches) the transition of s on digit c.
func (d *digitDFA) step(s *dstate, c byte) *dstate {
	if n := s.next[c-'0'].Load(); n != nil {
		return n
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var nxt []uint32
	r := rune(c)
	for _, pc := range s.pcs {
		in := &d.prog.Inst[pc]
		if in.MatchRune(r) {
			nxt = append(nxt, in.Out)
		}
	}
	n := deadState
	if len(nxt) > 0 {
		n = d.state(d.closure(nxt))
	}
	s.next[c-'0'].Store(n)
	return n
}

// match reports whether the digit string s fully matches; ok is false
// when s holds a non-digit (the caller falls back to the regexp).
func (d *digitDFA) match(s string) (matched, ok bool) {
	st := d.start
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false, false
		}
		if st = d.step(st, c); st == deadState {
			return false, true
		}
	}
	return st.match, true
}
