package idfilter

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/piimap/piimap"
)

// Extraction. A filter must hold a key for every identifier a Find could
// match in its unit, or it would rule the unit out wrongly. The executor
// matches by the rules of classifiers/identifier (TextSpans, MatchCell):
// emails and keys as whole tokens at boundaries, phones as phone runs whose
// digits are one of the value's PhoneForms, and, against a whole cell,
// emails lower-cased, keys exactly and phones by the cell's digits.
// Extraction therefore does not rely on the classifier (which validates and
// would miss an unvalidated spelling) but over-approximates those rules on
// the bytes themselves:
//
//   - every maximal run of email-local bytes, an @ and email-domain bytes or
//     dots, ended where a token boundary may fall (at the run's end, or at a
//     dot followed by a non-alphanumeric byte), lower-cased;
//   - every maximal word run ([A-Za-z0-9_]) that is distinctive (6+ bytes
//     mixing letters and digits, or 10+ digits: identifier.Distinctive), and
//     every prefixed number of 6+ bytes: a letters-only run, dashes, a
//     digits-only run of fewer than 10 ("u-0001", "ORD-00012345");
//   - for every sequence of all-digit word runs separated only by phone
//     separators (space - . ( ) / and +, any number of them), the
//     concatenated digits of each contiguous sub-sequence holding 7 to
//     MaxFormDigits digits. The digit groups of a phone run are whole
//     all-digit word runs joined by one or two separators, so the digits of
//     every phone run of up to MaxFormDigits digits are such a sub-sequence,
//     and so are those of any number written with those separators and
//     matched as written (PhoneKey);
//   - for structured cells, besides their text: the lower-cased trimmed cell
//     when it holds an @, and its digits when there are 7 to MaxFormDigits.
//
// Keys are hashed as soon as they are found; no raw value is kept beyond
// the call that found it.

// MaxKeys bounds the distinct keys of one unit (256 MB of keys while
// building). A unit with more gets no filter.
const MaxKeys = 1 << 25

// ErrTooManyKeys reports a unit whose distinct keys exceed MaxKeys.
var ErrTooManyKeys = errors.New("idfilter: too many distinct identifiers for one filter")

// Set collects the distinct keys of one unit. Keys are appended to 256
// buckets by their top byte (sequential writes, whatever the key), and each
// bucket is sorted and deduplicated in place when the Set has grown to
// twice its distinct keys, and at the end. Keys are PRF outputs, so the
// buckets stay even. AddText and AddValues may be called from many
// goroutines.
type Set struct {
	h        *Hasher
	mu       sync.Mutex
	buckets  *[256][]uint64 // from bucketPool; nil once built or overflowed
	n        int            // keys held, duplicates included
	distinct int            // distinct keys at the last compaction
	overflow bool
}

// NewSet returns an empty key set.
func (h *Hasher) NewSet() *Set { return &Set{h: h, buckets: bucketPool.Get().(*[256][]uint64)} }

// bucketPool and scratchPool keep the big key arrays of finished units for
// the next ones: touching fresh memory costs more than sorting it.
var (
	bucketPool  = sync.Pool{New: func() any { return new([256][]uint64) }}
	scratchPool = sync.Pool{New: func() any { return new([]uint64) }}
)

// release returns the buckets to the pool; the Set holds no key after.
func (s *Set) release() {
	if s.buckets == nil {
		return
	}
	for i := range s.buckets {
		s.buckets[i] = s.buckets[i][:0]
	}
	bucketPool.Put(s.buckets)
	s.buckets = nil
}

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
	if !s.overflow && s.buckets != nil {
		bs := s.buckets
		for _, k := range x.keys {
			b := &bs[k>>56]
			*b = append(*b, k)
		}
		s.n += len(x.keys)
		if s.n >= 2*max(s.distinct, compactAt) {
			s.compact()
		}
	}
	s.mu.Unlock()
	x.release()
}

// compactAt is the fewest keys worth compacting before the end: below it
// duplicates cost less memory than sorting costs time.
const compactAt = 1 << 21

// compact sorts and deduplicates every bucket; past MaxKeys distinct keys
// the Set gives up and drops them.
func (s *Set) compact() {
	s.n = 0
	var tmp []uint64
	for i := range s.buckets {
		b := s.buckets[i]
		if cap(tmp) < len(b) {
			tmp = make([]uint64, len(b))
		}
		radixSort(b, tmp[:len(b)])
		s.buckets[i] = slices.Compact(b)
		s.n += len(s.buckets[i])
	}
	s.distinct = s.n
	if s.n > MaxKeys {
		s.overflow = true
		s.release()
	}
}

// Len is the number of distinct keys so far (it compacts the Set).
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.overflow && s.buckets != nil {
		s.compact()
	}
	return s.distinct
}

// radixSort sorts a by bytes 0..6 (least significant first; a bucket shares
// byte 7), skipping the passes where every key has the same byte.
func radixSort(a, tmp []uint64) {
	if len(a) < 64 {
		slices.Sort(a)
		return
	}
	src, dst := a, tmp
	for shift := uint(0); shift < 56; shift += 8 {
		var count [256]int
		for _, k := range src {
			count[k>>shift&0xff]++
		}
		if count[src[0]>>shift&0xff] == len(src) {
			continue
		}
		pos := 0
		for i, c := range count {
			count[i] = pos
			pos += c
		}
		for _, k := range src {
			d := k >> shift & 0xff
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
}

// Keys returns the distinct keys, sorted, or ErrTooManyKeys.
func (s *Set) Keys() ([]uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.final(); err != nil {
		return nil, err
	}
	out := make([]uint64, 0, s.n)
	for _, b := range s.buckets {
		out = append(out, b...)
	}
	return out, nil
}

func (s *Set) final() error {
	if !s.overflow && s.buckets != nil {
		s.compact()
	}
	if s.overflow {
		return fmt.Errorf("%w (more than %d): %w", ErrTooManyKeys, MaxKeys, piimap.ErrUnsupported)
	}
	if s.buckets == nil {
		return errors.New("idfilter: set already built")
	}
	return nil
}

// Build makes the filter of the Set's keys (see the package function
// Build) and releases the Set: its memory goes to the next unit's.
func (s *Set) Build(m Meta) (*Filter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.final(); err != nil {
		return nil, err
	}
	defer s.release()
	scratch := scratchPool.Get().(*[]uint64)
	defer scratchPool.Put(scratch)
	keys := slices.Grow((*scratch)[:0], s.n)
	for _, b := range s.buckets {
		keys = append(keys, b...)
	}
	*scratch = keys
	return Build(m, keys)
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
	x.h, x.keys, x.groups = nil, x.keys[:0], x.groups[:0]
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

// words walks the word runs: distinctive runs and prefixed numbers become
// token keys, all-digit runs feed the phone groups.
func (x *extractor) words(b []byte) {
	x.groups, x.digits, x.gapEnd = x.groups[:0], 0, -1
	prevStart, prevEnd, prevLetters := -1, -1, false
	for i := 0; i < len(b); {
		c := byteClass[b[i]]
		if c&bWord == 0 {
			i++
			continue
		}
		// or and and of the run's byte classes: a letter and a digit are
		// in it when or has them, it is all digits when and has bDigit.
		start := i
		or, and := c, c
		for i++; i < len(b); i++ {
			c = byteClass[b[i]]
			if c&bWord == 0 {
				break
			}
			or, and = or|c, and&c
		}
		run := b[start:i]
		n := len(run)
		allDigits := and&bDigit != 0
		kept := n <= MaxTokenLen && (n >= minTokenLen && or&bLetter != 0 && or&bDigit != 0 || n >= minNumericToken && allDigits)
		if kept {
			x.add(classToken, run)
		}
		if !kept && allDigits && prevLetters && i-prevStart >= minTokenLen && i-prevStart <= MaxTokenLen && dashes(b[prevEnd:start]) {
			x.add(classToken, b[prevStart:i]) // a prefixed number: u-0001, ORD-00012345
		}
		prevStart, prevEnd, prevLetters = start, i, and&bLetter != 0
		if allDigits {
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
// digits of every sub-sequence ending at it that holds 7 to MaxFormDigits
// digits.
func (x *extractor) phoneGroup(b []byte, start, end int) {
	if x.gapEnd < 0 || !phoneGap(b[x.gapEnd:start]) {
		x.groups, x.digits = x.groups[:0], 0
	}
	x.gapEnd = end
	g := b[start:end]
	if len(g) > MaxFormDigits {
		x.groups, x.digits = x.groups[:0], 0
		return
	}
	x.groups = append(x.groups, g)
	x.digits += len(g)
	for x.digits > MaxFormDigits {
		x.digits -= len(x.groups[0])
		x.groups = x.groups[1:]
	}
	if x.digits < MinPhoneDigits {
		return
	}
	// sub-sequences ending at g, longest first
	var d, e [MaxFormDigits]byte
	total := x.digits
	for j := 0; j < len(x.groups) && total >= MinPhoneDigits; j++ {
		n, trunk := 0, -1
		for k, gg := range x.groups[j:] {
			if trunk < 0 && k > 0 && len(gg) == 1 && gg[0] == '0' {
				trunk = n
			}
			n += copy(d[n:], gg)
		}
		x.add(classPhone, d[:n])
		if trunk >= 0 && n-1 >= MinPhoneDigits {
			// "+44 (0)20 7946 0999": the rules leave a bracketed trunk 0
			// after the country code out; any lone 0 group inside the
			// sequence is left out here (more keys, never fewer)
			m := copy(e[:], d[:trunk])
			m += copy(e[m:], d[trunk+1:n])
			x.add(classPhone, e[:m])
		}
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
	var d [MaxFormDigits]byte
	n := 0
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= '0' && c <= '9' {
			if n == MaxFormDigits {
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
