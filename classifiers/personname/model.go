package personname

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// BIO tags.
const (
	TagO = iota // outside a name
	TagB        // first token of a name
	TagI        // inside a name
	numTags
)

// Model is a first-order BIO tagger: hashed feature weights per tag plus
// tag-transition weights, decoded with Viterbi.
type Model struct {
	buckets uint32
	w       []float32                     // buckets × numTags
	trans   [numTags + 1][numTags]float32 // [prev tag or start][tag]
	// temp scales a decision margin into a confidence: 1/(1+e^(-m/temp)).
	temp float32
	// off lists the feature groups switched off (ablations; 0 in use).
	off uint8
}

// Span is a person name found in a text: byte offsets [Start, End) and a
// confidence in (0, 1).
type Span struct {
	Start, End int
	Confidence float64
}

//go:embed model.bin.gz
var modelGz []byte

var (
	defaultOnce  sync.Once
	defaultModel *Model
	defaultErr   error
)

// DefaultModel returns the embedded model, decoded once.
func DefaultModel() (*Model, error) {
	defaultOnce.Do(func() {
		defaultModel, defaultErr = Unmarshal(modelGz)
		Default()
	})
	return defaultModel, defaultErr
}

const modelMagic = "PNM2"

// Marshal encodes m (gzip; weights quantised to int16).
func (m *Model) Marshal() ([]byte, error) {
	var raw bytes.Buffer
	raw.WriteString(modelMagic)
	var maxW float32
	for _, v := range m.w {
		maxW = max(maxW, float32(math.Abs(float64(v))))
	}
	scale := maxW / 32767
	if scale == 0 {
		scale = 1
	}
	hdr := []any{m.buckets, m.temp, scale, m.trans, m.off}
	for _, h := range hdr {
		if err := binary.Write(&raw, binary.LittleEndian, h); err != nil {
			return nil, fmt.Errorf("personname: encode model: %w", err)
		}
	}
	q := make([]int16, len(m.w))
	for i, v := range m.w {
		q[i] = int16(math.Round(float64(v / scale)))
	}
	if err := binary.Write(&raw, binary.LittleEndian, q); err != nil {
		return nil, fmt.Errorf("personname: encode model: %w", err)
	}
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, fmt.Errorf("personname: compress model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("personname: compress model: %w", err)
	}
	return out.Bytes(), nil
}

// Unmarshal decodes a model written by Marshal.
func Unmarshal(b []byte) (*Model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("personname: model: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("personname: model: %w", err)
	}
	if len(raw) < 4 || string(raw[:4]) != modelMagic {
		return nil, errors.New("personname: model: bad magic")
	}
	r := bytes.NewReader(raw[4:])
	m := &Model{}
	var scale float32
	for _, h := range []any{&m.buckets, &m.temp, &scale, &m.trans, &m.off} {
		if err := binary.Read(r, binary.LittleEndian, h); err != nil {
			return nil, fmt.Errorf("personname: model header: %w", err)
		}
	}
	if m.buckets == 0 || m.buckets > 1<<24 || m.buckets&(m.buckets-1) != 0 {
		return nil, fmt.Errorf("personname: model: bad bucket count %d", m.buckets)
	}
	q := make([]int16, int(m.buckets)*numTags)
	if err := binary.Read(r, binary.LittleEndian, q); err != nil {
		return nil, fmt.Errorf("personname: model weights: %w", err)
	}
	m.w = make([]float32, len(q))
	for i, v := range q {
		m.w[i] = float32(v) * scale
	}
	return m, nil
}

// Tagger decodes texts with a model; it holds reusable buffers and is not
// safe for concurrent use (take one per goroutine, or use a pool).
type Tagger struct {
	m     *Model
	lx    *Lexicon
	toks  []Token
	info  []tokInfo
	feats []uint32
	off   []int
	emit  [][numTags]float32 // per-token tag scores, computed once per decode
	score [][numTags]float32
	back  [][numTags]uint8
	tags  []uint8
}

// NewTagger returns a Tagger for m.
func NewTagger(m *Model) *Tagger { return &Tagger{m: m, lx: Default()} }

var taggerPool = sync.Pool{}

// Find returns the person names in text (byte offsets into text). The text
// is decoded in windows of at most maxTokens tokens.
func (m *Model) Find(text []byte) []Span {
	t, _ := taggerPool.Get().(*Tagger)
	if t == nil || t.m != m {
		t = NewTagger(m)
	}
	out := t.Find(text, nil)
	taggerPool.Put(t)
	return out
}

// Find appends the names in text to dst.
func (t *Tagger) Find(text []byte, dst []Span) []Span {
	t.toks = Tokenize(t.toks[:0], text)
	all := t.toks
	for len(all) > 0 {
		n := min(len(all), maxTokens)
		// cut at a line break when the window is full
		if n < len(all) {
			for k := n - 1; k > n/2; k-- {
				if all[k].Kind == TokLine {
					n = k + 1
					break
				}
			}
		}
		dst = t.decode(text, all[:n], dst)
		all = all[n:]
	}
	return dst
}

// FindTokens appends the names among toks (tokens of text) to dst.
func (t *Tagger) FindTokens(text []byte, toks []Token, dst []Span) []Span {
	if len(toks) > maxTokens {
		toks = toks[:maxTokens]
	}
	return t.decode(text, toks, dst)
}

func (t *Tagger) prepare(text []byte, toks []Token) {
	t.info = describe(t.info, text, toks, t.lx)
	t.feats = t.feats[:0]
	t.off = t.off[:0]
	for i := range toks {
		t.off = append(t.off, len(t.feats))
		t.feats = features(t.feats, t.info, i, t.m.off)
	}
	t.off = append(t.off, len(t.feats))
	t.emit = t.emit[:0]
	for i := range toks {
		t.emit = append(t.emit, t.m.emissions(t.feats[t.off[i]:t.off[i+1]]))
	}
}

// emissions returns the per-tag scores of token i.
func (m *Model) emissions(feats []uint32) (s [numTags]float32) {
	mask := m.buckets - 1
	for _, f := range feats {
		k := int(f&mask) * numTags
		w := m.w[k : k+numTags : k+numTags]
		s[0] += w[0]
		s[1] += w[1]
		s[2] += w[2]
	}
	return s
}

// viterbi fills t.tags with the best tag sequence; forceO marks tokens
// that must be O (nil: none). It returns the path score.
func (t *Tagger) viterbi(n int, forceO func(int) bool) float32 {
	m := t.m
	if cap(t.score) < n {
		t.score = make([][numTags]float32, n)
		t.back = make([][numTags]uint8, n)
	}
	t.score, t.back = t.score[:n], t.back[:n]
	const neg = float32(-1e30)
	for i := 0; i < n; i++ {
		e := t.emit[i]
		for tag := 0; tag < numTags; tag++ {
			if forceO != nil && tag != TagO && forceO(i) {
				t.score[i][tag] = neg
				continue
			}
			if i == 0 {
				if tag == TagI {
					t.score[i][tag] = neg
				} else {
					t.score[i][tag] = m.trans[numTags][tag] + e[tag]
				}
				continue
			}
			best, arg := neg, uint8(0)
			for p := 0; p < numTags; p++ {
				if tag == TagI && p == TagO {
					continue
				}
				if v := t.score[i-1][p] + m.trans[p][tag]; v > best {
					best, arg = v, uint8(p)
				}
			}
			t.score[i][tag] = best + e[tag]
			t.back[i][tag] = arg
		}
	}
	best, arg := neg, uint8(0)
	for tag := 0; tag < numTags; tag++ {
		if t.score[n-1][tag] > best {
			best, arg = t.score[n-1][tag], uint8(tag)
		}
	}
	t.tags = t.tags[:0]
	for i := 0; i < n; i++ {
		t.tags = append(t.tags, 0)
	}
	for i := n - 1; i >= 0; i-- {
		t.tags[i] = arg
		arg = t.back[i][arg]
	}
	return best
}

// decode tags toks and appends the names found.
func (t *Tagger) decode(text []byte, toks []Token, dst []Span) []Span {
	n := len(toks)
	if n == 0 {
		return dst
	}
	t.prepare(text, toks)
	best := t.viterbi(n, nil)
	type ent struct{ a, b int } // token range [a, b)
	var ents [8]ent
	es := ents[:0]
	for i := 0; i < n; i++ {
		if t.tags[i] != TagB {
			continue
		}
		j := i + 1
		for j < n && t.tags[j] == TagI {
			j++
		}
		es = append(es, ent{i, j})
		i = j - 1
	}
	// "Anna van der" + "Berg": an entity ending in a particle continues
	// into the next one; a dangling particle is dropped.
	for k := 0; k+1 < len(es); k++ {
		if es[k].b == es[k+1].a && t.info[es[k].b-1].flags&LexParticle != 0 {
			es[k].b = es[k+1].b
			es = append(es[:k+1], es[k+2:]...)
			k--
		}
	}
	for k := range es {
		for es[k].b-1 > es[k].a && t.info[es[k].b-1].flags&LexParticle != 0 && !isUpperStart(text[toks[es[k].b-1].Start:]) {
			es[k].b--
		}
	}
	for _, e := range es {
		a, b := e.a, e.b
		// trim punctuation at the edges (an initial keeps its dot)
		for a < b && (toks[a].Kind != TokWord || t.isTitleWord(toks, a, b)) {
			a++
		}
		for b > a && toks[b-1].Kind != TokWord && !(text[toks[b-1].Start] == '.' && b-2 >= a && toks[b-2].End-toks[b-2].Start <= 2) {
			b--
		}
		if a == b || !hasTitle(text, toks[a:b]) || hasCamel(text, toks[a:b]) {
			continue
		}
		alt := t.viterbi(n, func(i int) bool { return i >= e.a && i < e.b })
		margin := best - alt
		conf := 1 / (1 + math.Exp(-float64(margin/t.m.temp)))
		dst = append(dst, Span{Start: toks[a].Start, End: toks[b-1].End, Confidence: conf})
	}
	return dst
}

// isTitleWord reports an honorific at token a of an entity ending at b:
// it is not part of the name (Dr., Frau, Mme), unless it is also a given
// name and no dot follows (Don Johnson).
func (t *Tagger) isTitleWord(toks []Token, a, b int) bool {
	f := t.info[a].flags | t.info[a].pflags
	if f&(LexGiven|LexSurname) == 0 && f&(LexCue|LexWord|LexTime|LexPlace|LexOrg|LexTech) != 0 && hasNameAfter(toks, a+1, b) {
		return true // "Bonsoir César", "Gentile Signor Nielsen"
	}
	if f&LexHonorific == 0 {
		return false
	}
	dot := a+1 < b && toks[a+1].Kind == TokPunct && t.info[a+1].word == hashDot
	return f&LexGiven == 0 || dot || a+1 == b
}

func hasNameAfter(toks []Token, a, b int) bool {
	for k := a; k < b; k++ {
		if toks[k].Kind == TokWord {
			return true
		}
	}
	return false
}

var hashDot = hashBytes(fnvOffset, []byte("."))

// hasCamel reports a CamelCase word (OrderService, VictorHandler): an
// upper-case letter after a lower-case one, except in McDonald, MacLeod,
// DeAndre, LaToya, DiCaprio, LeBlanc and across ' or -.
func hasCamel(text []byte, toks []Token) bool {
	for _, tk := range toks {
		w := text[tk.Start:tk.End]
		for k := 1; k < len(w); k++ {
			if w[k] < 'A' || w[k] > 'Z' || !(w[k-1] >= 'a' && w[k-1] <= 'z') {
				continue
			}
			p := string(w[:k])
			if k > 4 || !(p == "Mc" || p == "Mac" || p == "De" || p == "La" || p == "Di" || p == "Le" || p == "Da") {
				return true
			}
		}
	}
	return false
}

func hasTitle(text []byte, toks []Token) bool {
	for _, tk := range toks {
		if tk.Kind == TokWord && isUpperStart(text[tk.Start:tk.End]) {
			return true
		}
	}
	return false
}

// MinConfidence is the confidence below which a decoded name is not
// reported by default.
const MinConfidence = 0.5
