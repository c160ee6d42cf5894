package classifiers

// Context words are matched as whole words: the window around a candidate
// (same line only) is cut into lower-case alphanumeric words and a context
// phrase must equal a contiguous run of them. "lic" therefore never matches
// inside "duplicate", and "date of birth" needs all three words in order.

const maxCtxWords = 24

// ctxWords holds the words of a context window as offsets into the data;
// comparisons fold ASCII case in place, nothing is copied.
type ctxWords struct {
	data     []byte
	words    [maxCtxWords][2]int32
	hash     [maxCtxWords]uint32 // wordHash of each word, lower-cased
	n        int
	from, to int // the window cut (-1, -1: none since reset)
}

// wordHash hashes a word's bytes, ASCII case folded (FNV-1a).
func wordHash(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(lowerB(c))) * 16777619
	}
	return h
}

// phrase is a context phrase: its words and the hash of the first.
type phrase struct {
	words []string
	h0    uint32
}

// phraseSet is a rule's context (or negative context) phrases, with a
// 256-bit mask of their first words' hashes: a window word whose hash
// misses the mask starts no phrase and is compared with none.
type phraseSet struct {
	list  []phrase
	first [4]uint64 // bit h0&255 set for each phrase
}

func mkPhrases(ps [][]string) phraseSet {
	out := phraseSet{list: make([]phrase, len(ps))}
	for i, p := range ps {
		h := wordHash([]byte(p[0]))
		out.list[i] = phrase{p, h}
		out.first[h>>6&3] |= 1 << (h & 63)
	}
	return out
}

// mayStart reports whether a word hashed h can start one of the phrases.
func (ps *phraseSet) mayStart(h uint32) bool { return ps.first[h>>6&3]&(1<<(h&63)) != 0 }

// reset forgets the window cut, so the next cut reads the data again.
func (w *ctxWords) reset() { w.from, w.to = -1, -1 }

// cut loads data[from:to] unless it is the window already loaded: several
// rules, or several tries, on one candidate cut its windows once. reset
// must be called whenever data changes.
func (w *ctxWords) cut(data []byte, from, to int) {
	if from == w.from && to == w.to {
		return
	}
	w.load(data, from, to)
}

// ctxFold maps the bytes of context words (alphanumeric but '_') to
// themselves, ASCII case folded, and all other bytes to 0.
var ctxFold = func() (t [256]byte) {
	for c := 1; c < 256; c++ {
		if alnum[c] && c != '_' {
			t[c] = lowerB(byte(c))
		}
	}
	return
}()

// load cuts data[from:to] into alphanumeric words, keeping the last
// maxCtxWords.
func (w *ctxWords) load(data []byte, from, to int) {
	w.data, w.n = data, 0
	w.from, w.to = from, to
	start := -1
	h := uint32(2166136261)
	for i := from; i <= to; i++ {
		if i < to && ctxFold[data[i]] != 0 {
			if start < 0 {
				start = i
				h = 2166136261
			}
			h = (h ^ uint32(ctxFold[data[i]])) * 16777619
			continue
		}
		if start >= 0 {
			if w.n == maxCtxWords {
				copy(w.words[:], w.words[1:])
				copy(w.hash[:], w.hash[1:])
				w.n--
			}
			w.words[w.n] = [2]int32{int32(start), int32(i)}
			w.hash[w.n] = h
			w.n++
			start = -1
		}
	}
}

// eq compares word k with the lower-case phrase word p, folding ASCII case.
func (w *ctxWords) eq(k int, p string) bool {
	a, b := w.words[k][0], w.words[k][1]
	if int(b-a) != len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := w.data[int(a)+i]
		if isUpperB(c) {
			c += 32
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

func (w *ctxWords) phraseAt(i int, p []string) bool {
	for j, pw := range p {
		if !w.eq(i+j, pw) {
			return false
		}
	}
	return true
}

func (w *ctxWords) has(phrases *phraseSet) bool {
	for i := 0; i < w.n; i++ {
		h := w.hash[i]
		if !phrases.mayStart(h) {
			continue
		}
		for _, p := range phrases.list {
			if p.h0 == h && i+len(p.words) <= w.n && w.phraseAt(i, p.words) {
				return true
			}
		}
	}
	return false
}

// hasNear reports whether a phrase ends within the last k words.
func (w *ctxWords) hasNear(phrases *phraseSet, k int) bool {
	for _, p := range phrases.list {
		for i := w.n - len(p.words); i >= 0 && i >= w.n-k; i-- {
			if p.h0 == w.hash[i] && w.phraseAt(i, p.words) {
				return true
			}
		}
	}
	return false
}

// window returns [from, to) around [start, end): up to before bytes before
// and after bytes after, clipped to the line.
func window(data []byte, start, end, before, after int) (int, int, int, int) {
	from := start - before
	if from < 0 {
		from = 0
	}
	for i := start - 1; i >= from; i-- {
		if data[i] == '\n' {
			from = i + 1
			break
		}
	}
	to := end + after
	if to > len(data) {
		to = len(data)
	}
	for i := end; i < to; i++ {
		if data[i] == '\n' {
			to = i
			break
		}
	}
	return from, start, end, to
}
