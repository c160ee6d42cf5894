package personname

import (
	"unicode"
	"unicode/utf8"
)

// Feature templates. Each feature is a 32-bit FNV-1a hash of a template id
// and its value; the model folds it into a fixed number of weight buckets.
const (
	fBias = iota + 1
	fWord
	fShape
	fSuf3
	fSuf2
	fPre2
	fLex
	fLexTitle
	fLen
	fSentStart
	fWordM1
	fWordM2
	fWordP1
	fWordP2
	fShapeM1
	fShapeP1
	fLexM1
	fLexP1
	fWordM1Shape
	fShapes3
	fAttachPrev
	fAttachNext
	fLineStart
	fLineEnd
	fBigramM
	fBigramP
	fLexM1Lex
	fLexP1Lex
	fPartLex
	fLexM2
	fLexP2
	fTitleCtx
)

// tokInfo is what the features need to know about one token.
type tokInfo struct {
	word   uint32 // hash of the lower-cased text (punctuation: the rune)
	shape  uint32 // hash of the short shape (Xx, XX, x, d, Xx-Xx, XxXx …)
	suf3   uint32
	suf2   uint32
	pre2   uint32
	flags  uint16 // lexicon flags of the whole word
	pflags uint16 // lexicon flags of hyphen parts (Jean-Luc, García-López)
	title  bool   // starts upper-case, has a lower-case letter
	upper  bool   // all letters upper-case
	length uint8  // runes, capped
	kind   uint8
	space  bool // whitespace before
}

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashBytes(h uint32, b []byte) uint32 {
	for _, c := range b {
		h ^= uint32(c)
		h *= fnvPrime
	}
	return h
}

func hashByte(h uint32, c byte) uint32 {
	h ^= uint32(c)
	return h * fnvPrime
}

func hashU32(h, v uint32) uint32 {
	h = hashByte(h, byte(v))
	h = hashByte(h, byte(v>>8))
	h = hashByte(h, byte(v>>16))
	return hashByte(h, byte(v>>24))
}

func feat(id byte, v uint32) uint32 { return hashU32(hashByte(fnvOffset, id), v) }

func feat2(id byte, a, b uint32) uint32 { return hashU32(hashU32(hashByte(fnvOffset, id), a), b) }

func feat3(id byte, a, b, c uint32) uint32 {
	return hashU32(hashU32(hashU32(hashByte(fnvOffset, id), a), b), c)
}

// Pseudo-token hashes for positions outside the window.
var (
	hashBefore = hashBytes(fnvOffset, []byte("<s>"))
	hashAfter  = hashBytes(fnvOffset, []byte("</s>"))
	hashLine   = hashBytes(fnvOffset, []byte("<nl>"))
)

// describe fills info for tokens of text.
func describe(info []tokInfo, text []byte, toks []Token, lx *Lexicon) []tokInfo {
	info = info[:0]
	var low [48]byte
	var shp [12]byte
	for _, t := range toks {
		ti := tokInfo{kind: t.Kind, space: t.SpaceBefore}
		b := text[t.Start:t.End]
		switch t.Kind {
		case TokLine:
			ti.word, ti.shape = hashLine, hashLine
			info = append(info, ti)
			continue
		case TokPunct:
			ti.word = hashBytes(fnvOffset, b)
			ti.shape = ti.word
			info = append(info, ti)
			continue
		}
		// lower-case copy (bounded), short shape, letter case
		lw := low[:0]
		sh := shp[:0]
		var last byte
		nLower, nUpper, runes := 0, 0, 0
		for i := 0; i < len(b); {
			r, w := rune(b[i]), 1
			if b[i] >= 0x80 {
				r, w = utf8.DecodeRune(b[i:])
			}
			var cls byte
			switch {
			case unicode.IsUpper(r):
				cls = 'X'
				nUpper++
			case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
				cls = 'x'
				nLower++
			case r >= '0' && r <= '9':
				cls = 'd'
			default:
				cls = byte(r)
				if r >= 0x80 {
					cls = '\''
				}
			}
			if cls != last && len(sh) < cap(sh) {
				sh = append(sh, cls)
				last = cls
			}
			lr := unicode.ToLower(r)
			if len(lw)+utf8.RuneLen(lr) <= cap(lw) {
				lw = utf8.AppendRune(lw, lr)
			}
			runes++
			i += w
		}
		ti.shape = hashBytes(fnvOffset, sh)
		ti.word = hashBytes(fnvOffset, lw)
		if t.Kind == TokNum {
			ti.word = hashByte(ti.shape, '#') // 77 and 10117 alike: a number
		}
		if len(lw) >= 4 {
			ti.suf3 = hashBytes(fnvOffset, lw[len(lw)-3:])
			ti.suf2 = hashBytes(fnvOffset, lw[len(lw)-2:])
			ti.pre2 = hashBytes(fnvOffset, lw[:2])
		}
		ti.title = nUpper > 0 && nLower > 0 && len(sh) > 0 && sh[0] == 'X'
		ti.upper = nUpper > 0 && nLower == 0
		ti.length = uint8(min(runes, 12))
		if t.Kind == TokWord {
			ti.flags = lx.Flags(b)
			if ti.flags == 0 && !isASCII(lw) {
				ti.flags = lx.Flags([]byte(foldAccents(string(lw))))
			}
			// parts of hyphenated and apostrophe names
			start := 0
			for i := 0; i <= len(b); i++ {
				if i == len(b) || b[i] == '-' || b[i] == '\'' {
					if start > 0 || i < len(b) {
						ti.pflags |= lx.Flags(b[start:i])
					}
					start = i + 1
				}
			}
		}
		info = append(info, ti)
	}
	return info
}

// sentenceEnd reports punctuation hashes that end a sentence.
var sentenceEnds = func() map[uint32]bool {
	m := map[uint32]bool{hashBefore: true, hashLine: true}
	for _, s := range []string{".", "!", "?", ":", ";", "…", "\"", "“", "(", "[", ">", "-", "*", "•", "|"} {
		m[hashBytes(fnvOffset, []byte(s))] = true
	}
	return m
}()

// Feature groups that an ablation can switch off (TrainOptions.Disable).
const (
	GroupLexicon  = 1 << iota // name lists, honorifics, cue words, common words
	GroupContext              // neighbouring words, shapes and their lexicon flags
	GroupAffix                // prefixes and suffixes
	GroupIdentity             // the word itself
)

// features appends the feature hashes of token i to dst; off switches
// feature groups off.
func features(dst []uint32, info []tokInfo, i int, off uint8) []uint32 {
	t := info[i]
	at := func(k int) (h, shape uint32, flags uint16) {
		switch {
		case k < 0:
			return hashBefore, hashBefore, 0
		case k >= len(info):
			return hashAfter, hashAfter, 0
		case off&GroupLexicon != 0:
			return info[k].word, info[k].shape, 0
		}
		return info[k].word, info[k].shape, info[k].flags | info[k].pflags
	}
	wm1, sm1, lm1 := at(i - 1)
	wm2, _, lm2 := at(i - 2)
	wp1, sp1, lp1 := at(i + 1)
	wp2, _, lp2 := at(i + 2)
	if off&GroupLexicon != 0 {
		t.flags, t.pflags = 0, 0
	}
	if off&GroupAffix != 0 {
		t.suf3 = 0
	}
	sentStart := sentenceEnds[wm1]
	if off&GroupContext != 0 {
		wm1, sm1, wm2, wp1, sp1, wp2 = hashBefore, hashBefore, hashBefore, hashAfter, hashAfter, hashAfter
		lm1, lm2, lp1, lp2 = 0, 0, 0, 0
	}
	word := t.word
	if off&GroupIdentity != 0 {
		word = 0
	}
	dst = append(dst,
		feat(fBias, 0),
		feat(fWord, word),
		feat(fShape, t.shape),
		feat(fWordM1, wm1),
		feat(fWordM2, wm2),
		feat(fWordP1, wp1),
		feat(fWordP2, wp2),
		feat(fShapeM1, sm1),
		feat(fShapeP1, sp1),
		feat2(fWordM1Shape, wm1, t.shape),
		feat3(fShapes3, sm1, t.shape, sp1),
		feat2(fBigramM, wm2, wm1),
		feat2(fBigramP, wp1, wp2),
	)
	if t.kind == TokWord || t.kind == TokNum {
		dst = append(dst, feat(fLen, uint32(t.length)))
		if t.suf3 != 0 {
			dst = append(dst, feat(fSuf3, t.suf3), feat(fSuf2, t.suf2), feat(fPre2, t.pre2))
		}
	}
	title := uint32(0)
	if t.title {
		title = 1
	} else if t.upper {
		title = 2
	}
	fl := t.flags
	for b := uint16(0); b < 10; b++ {
		if fl&(1<<b) != 0 {
			dst = append(dst, feat(fLex, uint32(b)), feat2(fLexTitle, uint32(b), title))
		}
		if t.pflags&(1<<b) != 0 && fl&(1<<b) == 0 {
			dst = append(dst, feat2(fPartLex, uint32(b), title))
		}
		if lm1&(1<<b) != 0 {
			dst = append(dst, feat(fLexM1, uint32(b)), feat3(fLexM1Lex, uint32(b), uint32(fl&(LexGiven|LexSurname|LexWord)), title))
		}
		if lp1&(1<<b) != 0 {
			dst = append(dst, feat(fLexP1, uint32(b)), feat3(fLexP1Lex, uint32(b), uint32(fl&(LexGiven|LexSurname|LexWord)), title))
		}
		if lm2&(1<<b) != 0 {
			dst = append(dst, feat(fLexM2, uint32(b)))
		}
		if lp2&(1<<b) != 0 {
			dst = append(dst, feat(fLexP2, uint32(b)))
		}
	}
	if fl == 0 && t.kind == TokWord {
		dst = append(dst, feat2(fLexTitle, 99, title))
	}
	start := uint32(0)
	if sentStart {
		start = 1
		dst = append(dst, feat2(fSentStart, title, uint32(fl&(LexWord|LexGiven|LexSurname))))
	}
	if t.kind == TokWord {
		dst = append(dst, feat3(fTitleCtx, title, start, uint32((fl|t.pflags)&(LexWord|LexGiven|LexSurname|LexPlace|LexTime|LexOrg|LexTech))))
	}
	if off&GroupContext != 0 {
		return dst
	}
	if i > 0 && !t.space {
		dst = append(dst, feat(fAttachPrev, wm1))
	}
	if i+1 < len(info) && !info[i+1].space {
		dst = append(dst, feat(fAttachNext, wp1))
	}
	if wm1 == hashLine || wm1 == hashBefore {
		dst = append(dst, feat(fLineStart, title))
	}
	if wp1 == hashLine || wp1 == hashAfter {
		dst = append(dst, feat(fLineEnd, title))
	}
	return dst
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
