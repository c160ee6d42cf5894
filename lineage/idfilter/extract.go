package idfilter

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/piimap/piimap"
)

// Extraction. A filter must hold a key for every identifier a Find could
// match in its unit, or it would rule the unit out wrongly. The executor
// matches literally (executor/match.go): emails and tokens as whole tokens
// with word boundaries, phones as their written form or, against a whole
// cell, by their digits. Extraction therefore does not rely on the
// classifier (which validates and would miss an unvalidated spelling) but
// over-approximates those rules on the bytes themselves:
//
//   - every maximal run of email-local bytes, an @ and email-domain bytes or
//     dots, ended where a token boundary may fall (at the run's end, or at a
//     dot followed by a non-alphanumeric byte), lower-cased;
//   - every maximal word run ([A-Za-z0-9_]) that is distinctive (6+ bytes
//     mixing letters and digits, or 10+ digits), and every distinctive pair
//     of two non-distinctive word runs joined by dashes ("u-0001");
//   - for every sequence of all-digit word runs separated only by spaces, +,
//     -, ( or ), the concatenated digits of each contiguous sub-sequence
//     holding 7 to 15 digits (a written phone number is such a sub-sequence);
//   - for structured cells, besides their text: the lower-cased trimmed cell
//     when it holds an @, and its digits when there are 7 to 15.
//
// Keys are hashed as soon as they are found; no raw value is kept beyond
// the call that found it.

// MaxKeys bounds the distinct keys of one unit (about 350 MB of table
// while building). A unit with more gets no filter.
const MaxKeys = 1 << 25

// ErrTooManyKeys reports a unit whose distinct keys exceed MaxKeys.
var ErrTooManyKeys = errors.New("idfilter: too many distinct identifiers for one filter")

// Set collects the distinct keys of one unit in an open-addressing hash
// table (keys are PRF outputs, so their low bits index it directly).
// AddText and AddValues may be called from many goroutines.
type Set struct {
	h        *Hasher
	mu       sync.Mutex
	slots    []uint64 // 0 marks an empty slot
	n        int      // keys in slots
	zero     bool     // the key 0, which an empty slot cannot hold
	overflow bool
}

// NewSet returns an empty key set.
func (h *Hasher) NewSet() *Set { return &Set{h: h, slots: make([]uint64, 1<<12)} }

// AddText adds the keys of a chunk of text.
func (s *Set) AddText(b []byte) {
	x := s.h.newExtractor()
	x.text(b)
	s.merge(x)
}

// AddValues adds the keys of one field's cells: the field name's text, each
// cell's text, and each cell's whole-cell keys.
func (s *Set) AddValues(field string, values []string) {
	x := s.h.newExtractor()
	x.text([]byte(field))
	for _, v := range values {
		x.cell(v)
	}
	s.merge(x)
}

func (s *Set) merge(x *extractor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range x.keys {
		if s.overflow {
			break
		}
		s.insert(k)
	}
	x.release()
}

func (s *Set) insert(k uint64) {
	if k == 0 {
		s.zero = true
		return
	}
	mask := uint64(len(s.slots) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return
		case 0:
			s.slots[i] = k
			s.n++
			if s.n > MaxKeys {
				s.overflow, s.slots = true, nil
			} else if s.n > len(s.slots)/4*3 {
				s.grow()
			}
			return
		}
	}
}

func (s *Set) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	mask := uint64(len(s.slots) - 1)
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := k & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = k
	}
}

// Len is the number of distinct keys so far.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.zero {
		return s.n + 1
	}
	return s.n
}

// Keys returns the distinct keys, in no particular order, or
// ErrTooManyKeys.
func (s *Set) Keys() ([]uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.overflow {
		return nil, fmt.Errorf("%w (more than %d): %w", ErrTooManyKeys, MaxKeys, piimap.ErrUnsupported)
	}
	out := make([]uint64, 0, s.n+1)
	if s.zero {
		out = append(out, 0)
	}
	for _, k := range s.slots {
		if k != 0 {
			out = append(out, k)
		}
	}
	return out, nil
}

// extractor finds one call's candidates and hashes each at once; no raw
// form outlives the call. A small direct-mapped cache drops most repeats
// (a date on every line, a user's email on each of their lines) before they
// reach the Set, which removes the rest when it compacts.
type extractor struct {
	h     *Hasher
	buf   []byte
	keys  []uint64
	cache [cacheSlots]uint64
	// phone groups: the all-digit word runs connected so far
	groups [][]byte
	digits int
	gapEnd int // end of the last digit group, -1 when none is open
}

const cacheSlots = 1 << 12

var extractors = sync.Pool{New: func() any { return new(extractor) }}

func (h *Hasher) newExtractor() *extractor {
	x := extractors.Get().(*extractor)
	x.h = h
	return x
}

func (x *extractor) release() {
	x.cache = [cacheSlots]uint64{}
	x.h, x.keys, x.groups = nil, nil, x.groups[:0]
	extractors.Put(x)
}

// add hashes class||v.
func (x *extractor) add(class byte, v []byte) {
	x.buf = append(append(x.buf[:0], class), v...)
	k := x.h.sum(x.buf)
	slot := &x.cache[k&(cacheSlots-1)]
	if *slot == k && k != 0 {
		return
	}
	*slot = k
	x.keys = append(x.keys, k)
}

func (x *extractor) addEmail(v []byte) {
	if len(v) > MaxEmailLen {
		return
	}
	lower := false
	for _, c := range v {
		if c >= 'A' && c <= 'Z' {
			lower = true
			break
		}
	}
	if lower {
		v = []byte(asciiLower(string(v)))
	}
	x.add(classEmail, v)
}

// text extracts the keys of one chunk of text or one cell.
func (x *extractor) text(b []byte) {
	x.emails(b)
	x.words(b)
}

// emails finds, for every @, the whole-token emails it can be part of.
func (x *extractor) emails(b []byte) {
	for off := 0; off < len(b); {
		i := indexAt(b[off:])
		if i < 0 {
			return
		}
		at := off + i
		off = at + 1
		start := at
		for start > 0 && isEmailLocal(b[start-1]) {
			start--
		}
		if start == at {
			continue
		}
		end := at + 1
		for end < len(b) && (b[end] == '.' || isEmailDomain(b[end])) {
			end++
		}
		// A match may end at a dot that a non-alphanumeric byte follows
		// (a sentence end), or at the run's end unless an @ follows.
		for p := at + 2; p < end; p++ {
			if b[p] == '.' && (p+1 >= len(b) || !isAlnum(b[p+1])) {
				x.addEmail(b[start:p])
			}
		}
		if end > at+1 && (end >= len(b) || b[end] != '@') {
			x.addEmail(b[start:end])
		}
	}
}

func indexAt(b []byte) int {
	for i, c := range b {
		if c == '@' {
			return i
		}
	}
	return -1
}

func isAlnum(c byte) bool { return isWord(c) && c != '_' }

// words walks the word runs: distinctive runs and dash pairs become token
// keys, all-digit runs feed the phone groups.
func (x *extractor) words(b []byte) {
	x.groups, x.digits, x.gapEnd = x.groups[:0], 0, -1
	prevStart, prevEnd, prevKept := -1, -1, true
	for i := 0; i < len(b); {
		if byteClass[b[i]]&bWord == 0 {
			i++
			continue
		}
		start := i
		letters, digits := 0, 0
		for i < len(b) && byteClass[b[i]]&bWord != 0 {
			c := b[i]
			if c >= '0' && c <= '9' {
				digits++
			} else if c != '_' {
				letters++
			}
			i++
		}
		run := b[start:i]
		n := len(run)
		kept := n <= MaxTokenLen && (n >= minTokenLen && letters > 0 && digits > 0 || digits >= minNumericToken && digits == n)
		if kept {
			x.add(classToken, run)
		}
		if !kept && !prevKept && prevEnd >= 0 && dashes(b[prevEnd:start]) {
			pair := b[prevStart:i]
			if len(pair) <= MaxTokenLen && distinctive(string(pair)) {
				x.add(classToken, pair)
			}
		}
		prevStart, prevEnd, prevKept = start, i, kept
		if digits == n {
			x.phoneGroup(b, start, i)
		} else {
			x.groups, x.digits, x.gapEnd = x.groups[:0], 0, -1
		}
	}
}

func dashes(b []byte) bool {
	for _, c := range b {
		if c != '-' {
			return false
		}
	}
	return len(b) > 0
}

// phoneGroup adds the all-digit run b[start:end] to the open sequence when
// only phone separators lie between it and the previous one, and adds the
// digits of every sub-sequence ending at it that holds 7 to 15 digits.
func (x *extractor) phoneGroup(b []byte, start, end int) {
	if x.gapEnd < 0 || !phoneGap(b[x.gapEnd:start]) {
		x.groups, x.digits = x.groups[:0], 0
	}
	x.gapEnd = end
	g := b[start:end]
	if len(g) > MaxPhoneDigits {
		x.groups, x.digits = x.groups[:0], 0
		return
	}
	x.groups = append(x.groups, g)
	x.digits += len(g)
	for x.digits > MaxPhoneDigits {
		x.digits -= len(x.groups[0])
		x.groups = x.groups[1:]
	}
	if x.digits < MinPhoneDigits {
		return
	}
	// sub-sequences ending at g, longest first
	var d [MaxPhoneDigits]byte
	total := x.digits
	for j := 0; j < len(x.groups) && total >= MinPhoneDigits; j++ {
		n := 0
		for _, gg := range x.groups[j:] {
			n += copy(d[n:], gg)
		}
		x.add(classPhone, d[:n])
		total -= len(x.groups[j])
	}
}

func phoneGap(b []byte) bool {
	for _, c := range b {
		if byteClass[c]&bPhone == 0 || byteClass[c]&bDigit != 0 {
			return false
		}
	}
	return true
}

// cell extracts the keys of one structured value: its text, plus the
// whole-cell forms exact and digit comparisons match.
func (x *extractor) cell(v string) {
	x.text([]byte(v))
	t := strings.TrimSpace(v)
	if strings.IndexByte(t, '@') >= 0 && len(t) <= MaxEmailLen {
		x.add(classEmail, []byte(strings.ToLower(t)))
	}
	var d [MaxPhoneDigits]byte
	n := 0
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= '0' && c <= '9' {
			if n == MaxPhoneDigits {
				return
			}
			d[n] = c
			n++
		}
	}
	if n >= MinPhoneDigits {
		x.add(classPhone, d[:n])
	}
}
