package classifiers

// Context words are matched as whole words: the window around a candidate
// (same line only) is cut into lower-case alphanumeric words and a context
// phrase must equal a contiguous run of them. "lic" therefore never matches
// inside "duplicate", and "date of birth" needs all three words in order.

const maxCtxWords = 24

type ctxWords struct {
	buf   [160]byte
	words [maxCtxWords][]byte
	n     int
}

// load tokenises data[from:to] into lower-case words.
func (w *ctxWords) load(data []byte, from, to int) {
	w.n = 0
	if to-from > len(w.buf) {
		from = to - len(w.buf)
	}
	b := w.buf[:0]
	start := -1
	for i := from; i <= to; i++ {
		var c byte
		if i < to {
			c = data[i]
		}
		alnum := i < to && (isLowerB(c) || isDigitB(c) || isUpperB(c) || c >= 0x80)
		if alnum {
			if isUpperB(c) {
				c += 32
			}
			if start < 0 {
				start = len(b)
			}
			b = append(b, c)
			continue
		}
		if start >= 0 {
			if w.n == maxCtxWords {
				copy(w.words[:], w.words[1:])
				w.n--
			}
			w.words[w.n] = b[start:len(b)]
			w.n++
			start = -1
		}
	}
}

func (w *ctxWords) has(phrases [][]string) bool {
	for _, p := range phrases {
		for i := 0; i+len(p) <= w.n; i++ {
			ok := true
			for j, pw := range p {
				if string(w.words[i+j]) != pw {
					ok = false
					break
				}
			}
			if ok {
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

// hasNear reports whether a phrase ends within the last k words.
func (w *ctxWords) hasNear(phrases [][]string, k int) bool {
	for _, p := range phrases {
		for i := w.n - len(p); i >= 0 && i >= w.n-k; i-- {
			ok := true
			for j, pw := range p {
				if string(w.words[i+j]) != pw {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}
