package classifiers

import (
	"bytes"
	"cmp"
	"slices"
	"sync"
	"unsafe"

	"github.com/piimap/piimap"
)

// Byte classes driving the one-pass candidate scanner.
const (
	cSkip  = iota // whitespace, punctuation we do not care about
	cWord         // letters, '_', non-ASCII bytes
	cDigit        // 0-9
	cAt           // '@': e-mail neighbourhood
	cPlus         // '+': international phone
	cParen        // '(': (415) 555-2671
	cColon        // ':': MAC, IPv6
	cDash         // '-': MAC with dashes, PEM header
)

var cls = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c >= 0x80:
			t[c] = cWord
		case c >= '0' && c <= '9':
			t[c] = cDigit
		}
	}
	t['@'], t['+'], t['('], t[':'], t['-'] = cAt, cPlus, cParen, cColon, cDash
	return
}()

// alnum reports word bytes: letters, digits, '_' and non-ASCII.
var alnum = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = cls[c] == cWord || cls[c] == cDigit
	}
	return
}()

// wordRun classes bytes for word's scan: 0 ends the word (not alnum),
// runUnder is '_' (the keyword gate then looks at the parts), runAlnum
// any other word byte.
const (
	runAlnum = 1 << iota
	runUnder
)

var wordRun = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if alnum[c] {
			t[c] = runAlnum
		}
	}
	t['_'] = runUnder
	return
}()

func isHexB(c byte) bool { return isDigitB(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// scanner holds one Spans call's state; pooled.
type scanner struct {
	e     *Engine
	data  []byte
	spans []piimap.Span
	// context words cut before and after the last candidate (context)
	before, after ctxWords
	nameDone      int // person-name windows are decoded up to here (scan_name.go)
}

var scanPool = sync.Pool{New: func() any { return &scanner{spans: make([]piimap.Span, 0, 64)} }}

// Spans emits every validated PII span in data, sorted by offset, with
// offsets relative to data. It never panics on arbitrary bytes (invalid
// UTF-8 included) and allocates only for the spans it finds.
func (e *Engine) Spans(data []byte, emit func(piimap.Span)) {
	s := scanPool.Get().(*scanner)
	s.e, s.data, s.spans = e, data, s.spans[:0]
	if want := len(data) >> 10; cap(s.spans) < want {
		s.spans = make([]piimap.Span, 0, want) // ~1 span per KiB of log
	}
	s.before.reset()
	s.after.reset()
	s.nameDone = 0
	s.run()
	if e.hasKW && e.kwFullPass {
		s.keywords(0, len(data))
	}
	for _, r := range e.regexRules {
		s.regex(r, 0, len(data))
	}
	sp := s.spans
	if !slices.IsSortedFunc(sp, spanCmp) {
		slices.SortFunc(sp, spanCmp)
	}
	nameEnd := -1 // the end of the last person name emitted
	addr := 0     // the first postal address that may still overlap a span
	for i, x := range sp {
		if i > 0 && x.Start == sp[i-1].Start && x.End == sp[i-1].End && x.Type == sp[i-1].Type {
			continue
		}
		if x.Type == piimap.TypePersonName {
			if x.End <= nameEnd {
				continue // inside a longer name ("Walsh" in "Walsh, Bernadette")
			}
			if s.inAddress(sp, &addr, x) {
				continue // a town, a street named after someone
			}
			nameEnd = x.End
		}
		emit(x)
	}
	s.e, s.data = nil, nil
	if cap(s.spans) > 1<<15 {
		s.spans = make([]piimap.Span, 0, 64)
	}
	scanPool.Put(s)
}

// inAddress reports whether the person-name span x overlaps a postal
// address among the sorted spans sp, other than as the name of a care-of
// line ("c/o Bauer"): a capitalised word inside an address block is its
// town or its street ("Aberdeen", "Martin Luther King Blvd"), not a
// person. *from is where the search starts; it only moves forward, as x
// does.
func (s *scanner) inAddress(sp []piimap.Span, from *int, x piimap.Span) bool {
	for ; *from < len(sp); *from++ {
		a := sp[*from]
		if a.Type != piimap.TypePostalAddress || a.End <= x.Start {
			if a.Start >= x.End {
				return false
			}
			continue
		}
		if a.Start >= x.End {
			return false
		}
		// a overlaps x; a later address may too, but one is enough
		return !careOfName(s.data, x.Start)
	}
	return false
}

// careOfName: the name at i follows "c/o ".
func careOfName(d []byte, i int) bool {
	return i >= 4 && d[i-1] == ' ' && d[i-2]|0x20 == 'o' && d[i-3] == '/' && d[i-4]|0x20 == 'c'
}

func spanCmp(a, b piimap.Span) int {
	if c := cmp.Compare(a.Start, b.Start); c != 0 {
		return c
	}
	if c := cmp.Compare(b.End, a.End); c != 0 {
		return c
	}
	return cmp.Compare(a.Type, b.Type)
}

func (s *scanner) run() {
	d := s.data
	n := len(d)
	for i := 0; i < n; {
		switch cls[d[i]] {
		case cSkip:
			i++
		case cWord:
			i = s.word(i)
		case cDigit:
			i = s.number(i)
		case cAt:
			i = s.email(i)
		case cPlus:
			i = s.plus(i)
		case cParen:
			i = s.paren(i)
		case cColon:
			i = s.colon(i)
		case cDash:
			i = s.dash(i)
		}
	}
}

// str views data[a:b] as a string without copying. Validators never retain
// their argument, and data is not modified during a Spans call.
func (s *scanner) str(a, b int) string {
	if b <= a {
		return ""
	}
	return unsafe.String(&s.data[a], b-a)
}

// Candidate flags for add.
const (
	fBare = 1 << iota // digits only: needs context when the rule says so
	fWeak             // weaker shape (bare card, national phone without context)
	fIntl             // phone with + prefix
)

// add validates candidate data[a:b] of kind against the rules served by the
// fast path, applies context, and records spans. It reports whether any
// rule accepted the candidate.
func (s *scanner) add(kind, a, b int, flags int) bool {
	rs := s.e.fast[kind]
	if len(rs) == 0 || b <= a || kind == kindPhone && !s.wholePhoneRun(a, b) {
		return false
	}
	v := s.str(a, b)
	got := false
	for _, r := range rs {
		// Context is cheap and validators (libphonenumber above all) are
		// not: when context is required, look for it first.
		var neg, pos bool
		if r.RequireContext || flags&fBare != 0 && r.BareNeedsHint {
			if neg, pos = s.context(r, a, b); neg || !pos {
				continue
			}
			if !r.check(v) {
				continue
			}
		} else {
			if !r.check(v) {
				continue
			}
			if neg, pos = s.context(r, a, b); neg {
				continue
			}
		}
		score := r.score
		if !pos && flags&fWeak != 0 {
			score *= 0.85
		}
		if pos {
			score += (1 - score) * 0.5
		}
		if score < s.e.opt.Threshold {
			continue
		}
		s.spans = append(s.spans, piimap.Span{Type: r.Type, RuleID: r.ID, Start: a, End: b, Confidence: round2(score)})
		got = true
	}
	return got
}

// context reports whether a negative context word is among the few words
// before data[a:b] (same line), and whether a context word is near it.
// The words before and after are cut once per window: rules tried in turn
// on one candidate (an SSN, then a phone) reuse them.
func (s *scanner) context(r *crule, a, b int) (neg, pos bool) {
	if len(r.ctx.list) == 0 && len(r.negctx.list) == 0 {
		return false, false
	}
	w := s.e.opt.ContextWindow
	from, _, _, to := window(s.data, a, b, w, w/2)
	s.before.cut(s.data, from, a)
	if len(r.negctx.list) > 0 && s.before.hasNear(&r.negctx, 3) {
		return true, false
	}
	if s.before.has(&r.ctx) {
		return false, true
	}
	s.after.cut(s.data, b, to)
	return false, s.after.has(&r.ctx)
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// attachedBefore: the candidate at i continues a token (ORD-000123,
// a716-446655440000, app/1.2.3.4, v1.2.3.4).
func (s *scanner) attachedBefore(i int) bool {
	if i == 0 {
		return false
	}
	p := s.data[i-1]
	if alnum[p] {
		return true
	}
	switch p {
	case '-', '.', '_', '/', '@', '\\', '#', '$':
		return i >= 2 && alnum[s.data[i-2]]
	}
	return false
}

// attachedAfter: the candidate ending at j continues into a token.
func (s *scanner) attachedAfter(j int) bool {
	d := s.data
	if j >= len(d) {
		return false
	}
	c := d[j]
	if alnum[c] || c == '@' {
		return true
	}
	switch c {
	case '-', '.', '_', '/', '\\':
		return j+1 < len(d) && alnum[d[j+1]]
	}
	return false
}

// skipToken advances past a token glued together with -._:/ (UUIDs,
// timestamps, versions, paths, hostnames).
func (s *scanner) skipToken(j int) int {
	d := s.data
	n := len(d)
	for j < n {
		c := d[j]
		if alnum[c] {
			j++
			continue
		}
		if (c == '-' || c == '.' || c == '_' || c == ':' || c == '/') && j+1 < n && alnum[d[j+1]] {
			j += 2
			continue
		}
		break
	}
	return j
}

// word handles a run of letters/digits starting with a letter: IBAN and
// NINO shapes for upper-case words, token prefixes for secrets.
func (s *scanner) word(i int) int {
	d := s.data
	n := len(d)
	j := i + 1
	var seen uint8 // wordRun classes of the bytes after the first
	for j < n {
		c := wordRun[d[j]]
		if c == 0 {
			break
		}
		seen |= c
		j++
	}
	first := d[i]
	if s.e.hasKW && !s.e.kwFullPass && j-i >= 3 && (s.e.mayStartKeyword(first, d[i+1], d[i+2]) || seen&runUnder != 0) {
		s.gate(i, j, seen&runUnder != 0)
	}
	if j-i >= 2 && (isUpperB(first) || first >= 0xC3 && first < 0xF0) && len(s.e.fast[kindName]) > 0 {
		if capsNameGate(d, i, j) {
			if e := s.capsName(i); e > 0 {
				return e // "JARED SCOTT"
			}
		}
		if !isUpperB(first) || !isUpperB(d[i+1]) { // INFO, GET: no Title-case word
			s.nameGate(i, j)
		}
		if j+1 < n && d[j] == ',' {
			s.commaName(i, j) // "Walsh, Bernadette"
		}
		if isUpperB(first) && j-i <= 8 && j+1 < n && d[j] == ' ' && isLowerB(d[j+1]) && maybeNameCue(d[i:j]) {
			s.lowerNameCue(i, j) // "Merci chloé", "Customer camille lyons"
		}
	} else if j-i >= 2 && j-i <= 8 && isLowerB(first) && j < n && d[j] == ' ' && maybeNameCue(d[i:j]) && len(s.e.fast[kindName]) > 0 {
		s.lowerNameCue(i, j)
	}
	if j-i >= 2 && isUpperB(first) && isUpperB(d[i+1]) && ibanOrNinoShape(d, i, j) {
		if e := s.upperWord(i, j); e > 0 {
			return e
		}
	}
	if tokenStart[first] && (j-i >= 16 || j < n && (d[j] == '-' || d[j] == '.') && j-i >= 2) && len(s.e.fast[kindToken]) > 0 {
		if e := s.token(i); e > 0 {
			return e
		}
	}
	return j
}

var tokenStart = func() (t [256]bool) {
	for _, c := range []byte("AgsrpxnSe") {
		t[c] = true
	}
	return
}()

func (s *scanner) token(i int) int {
	d := s.data
	n := len(d)
	if s.attachedBefore(i) {
		return 0
	}
	j := i
	for j < n && j-i < 1024 && (alnum[d[j]] || d[j] == '-' || d[j] == '.') {
		j++
	}
	for j > i && (d[j-1] == '.' || d[j-1] == '-') {
		j--
	}
	if j-i < 19 {
		return 0
	}
	if s.add(kindToken, i, j, 0) {
		return j
	}
	return 0
}

// ibanOrNinoShape: the upper-case word data[i:j] may open the IBAN or
// NINO shapes upperWord checks (two letters, then two digits, or alone),
// which INFO, WARN, GET and other log words do not.
func ibanOrNinoShape(d []byte, i, j int) bool {
	return j-i == 2 || j-i >= 4 && isDigitB(d[i+2])
}

// upperWord checks IBAN (compact or grouped by four) and NINO (compact or
// spaced) shapes at an upper-case word data[i:j]. It returns the end of a
// recorded span, or 0.
func (s *scanner) upperWord(i, j int) int {
	d := s.data
	n := len(d)
	L := j - i
	if s.attachedBefore(i) {
		return 0
	}
	if L >= 4 && isDigitB(d[i+2]) && isDigitB(d[i+3]) && len(s.e.fast[kindIBAN]) > 0 {
		if L > 4 {
			if L >= 15 && !s.attachedAfter(j) && s.add(kindIBAN, i, j, 0) {
				return j
			}
		} else {
			// grouped: GB82 WEST 1234 5698 7654 32; try the longest run of
			// groups first, then shorter ones (a word may follow: "… 00 EUR")
			var ends [9]int
			ne := 0
			end := j
			for ne < len(ends) && end+1 < n && d[end] == ' ' {
				k := end + 1
				for k < n && k-end <= 5 && (isUpperB(d[k]) || isDigitB(d[k])) {
					k++
				}
				if k-end-1 == 0 || k-end-1 > 4 || k < n && alnum[d[k]] {
					break
				}
				end = k
				ends[ne] = end
				ne++
			}
			for x := ne - 1; x >= 0; x-- {
				e := ends[x]
				if e-i < 15 {
					break
				}
				if !s.attachedAfter(e) && s.add(kindIBAN, i, e, 0) {
					return e
				}
			}
		}
	}
	if len(s.e.fast[kindNINO]) > 0 {
		switch {
		case L == 9 && isDigitB(d[i+2]) && !s.attachedAfter(j):
			if s.add(kindNINO, i, j, 0) {
				return j
			}
		case L == 2 && i+13 <= n && d[j] == ' ' && isDigitB(d[j+1]):
			e := i + 13
			if (e == n || !alnum[d[e]]) && !s.attachedAfter(e) && s.add(kindNINO, i, e, 0) {
				return e
			}
		}
	}
	return 0
}

// email handles the neighbourhood of an '@' at i.
func (s *scanner) email(i int) int {
	d := s.data
	n := len(d)
	if len(s.e.fast[kindEmail]) == 0 {
		return i + 1
	}
	a := i
	for a > 0 && i-a < 64 && emailLocal[d[a-1]] {
		a--
	}
	for a < i && !alnum[d[a]] {
		a++
	}
	if a == i || a > 0 && emailLocal[d[a-1]] && i-a >= 64 {
		return i + 1
	}
	b := i + 1
	for b < n && b-i < 254 && emailDomain[d[b]] {
		b++
	}
	for b > i+1 && (d[b-1] == '.' || d[b-1] == '-') {
		b--
	}
	if b-i < 5 {
		return i + 1
	}
	if s.add(kindEmail, a, b, 0) {
		return b
	}
	return i + 1
}

var emailLocal, emailDomain = func() (l, dm [256]bool) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		al := isLowerB(b) || isUpperB(b) || isDigitB(b)
		l[c] = al || bytes.IndexByte([]byte("._%+-'="), b) >= 0
		dm[c] = al || b == '.' || b == '-'
	}
	return
}()
