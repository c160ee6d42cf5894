package classifiers

// Context words are matched as whole words: the window around a candidate
// (same line only) is cut into lower-case alphanumeric words and a context
// phrase must equal a contiguous run of them. "lic" therefore never matches
// inside "duplicate", and "date of birth" needs all three words in order.

const maxCtxWords = 24

// ctxWords holds the words of a context window as offsets into the data;
// comparisons fold ASCII case in place, nothing is copied.
type ctxWords struct {
	data  []byte
	words [maxCtxWords][2]int32
	hash  [maxCtxWords]uint32 // wordHash of each word, lower-cased
	n     int
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

func mkPhrases(ps [][]string) []phrase {
	out := make([]phrase, len(ps))
	for i, p := range ps {
		out[i] = phrase{p, wordHash([]byte(p[0]))}
	}
	return out
}

// load cuts data[from:to] into alphanumeric words, keeping the last
// maxCtxWords.
func (w *ctxWords) load(data []byte, from, to int) {
	w.data, w.n = data, 0
	start := -1
	h := uint32(2166136261)
	for i := from; i <= to; i++ {
		if i < to && alnum[data[i]] && data[i] != '_' {
			if start < 0 {
				start = i
				h = 2166136261
			}
			h = (h ^ uint32(lowerB(data[i]))) * 16777619
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

func (w *ctxWords) has(phrases []phrase) bool {
	for i := 0; i < w.n; i++ {
		h := w.hash[i]
		for _, p := range phrases {
			if p.h0 == h && i+len(p.words) <= w.n && w.phraseAt(i, p.words) {
				return true
			}
		}
	}
	return false
}

// hasNear reports whether a phrase ends within the last k words.
func (w *ctxWords) hasNear(phrases []phrase, k int) bool {
	for _, p := range phrases {
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
