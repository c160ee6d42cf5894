package personname

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Example is one labelled text: the byte spans [Start, End) of the person
// names in it.
type Example struct {
	Text  string
	Names [][2]int
}

// TrainOptions tune Train.
type TrainOptions struct {
	Epochs  int     // passes over the examples (default 4)
	Buckets uint32  // weight buckets, a power of two (default 1<<16)
	Seed    uint64  // shuffling and dropout seed
	Dropout float64 // chance that a name token's lexicon flags are hidden (default 0.3), to learn names outside the lists
	Disable uint8   // feature groups to switch off (Group*), for ablations
}

// Labels returns the gold BIO tags of toks for names.
func Labels(toks []Token, names [][2]int) []uint8 {
	tags := make([]uint8, len(toks))
	for _, nm := range names {
		first := true
		for i, t := range toks {
			if t.End <= nm[0] || t.Start >= nm[1] {
				continue
			}
			if first {
				tags[i] = TagB
				first = false
			} else {
				tags[i] = TagI
			}
		}
	}
	return tags
}

// Train fits an averaged structured perceptron on ex.
func Train(ex []Example, opt TrainOptions) *Model {
	if opt.Epochs <= 0 {
		opt.Epochs = 4
	}
	if opt.Buckets == 0 {
		opt.Buckets = 1 << 16
	}
	if opt.Dropout == 0 {
		opt.Dropout = 0.3
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	m := &Model{buckets: opt.Buckets, w: make([]float32, int(opt.Buckets)*numTags), temp: 1, off: opt.Disable}
	acc := make([]float32, len(m.w)) // step-weighted updates, for averaging
	var accT [numTags + 1][numTags]float32
	step := float32(1)
	t := NewTagger(m)
	order := make([]int, len(ex))
	for i := range order {
		order[i] = i
	}
	mask := opt.Buckets - 1
	upd := func(feats []uint32, tag uint8, d float32) {
		for _, f := range feats {
			k := int(f&mask)*numTags + int(tag)
			m.w[k] += d
			acc[k] += d * step
		}
	}
	updT := func(p, tag uint8, d float32) {
		m.trans[p][tag] += d
		accT[p][tag] += d * step
	}
	for ep := 0; ep < opt.Epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			e := ex[k]
			text := []byte(e.Text)
			toks := Tokenize(nil, text)
			if len(toks) == 0 || len(toks) > maxTokens {
				continue
			}
			gold := Labels(toks, e.Names)
			t.info = describe(t.info, text, toks, t.lx)
			for i := range toks {
				if gold[i] != TagO && rng.Float64() < opt.Dropout {
					t.info[i].flags &^= LexGiven | LexSurname
					t.info[i].pflags &^= LexGiven | LexSurname
				}
			}
			t.feats, t.off = t.feats[:0], t.off[:0]
			for i := range toks {
				t.off = append(t.off, len(t.feats))
				t.feats = features(t.feats, t.info, i, m.off)
			}
			t.off = append(t.off, len(t.feats))
			t.emit = t.emit[:0]
			for i := range toks {
				t.emit = append(t.emit, m.emissions(t.feats[t.off[i]:t.off[i+1]]))
			}
			t.viterbi(len(toks), nil)
			pred := t.tags
			if !slices.Equal(pred, gold) {
				for i := range toks {
					pp, pg := uint8(numTags), uint8(numTags)
					if i > 0 {
						pp, pg = pred[i-1], gold[i-1]
					}
					if pred[i] == gold[i] && pp == pg {
						continue
					}
					fs := t.feats[t.off[i]:t.off[i+1]]
					if pred[i] != gold[i] {
						upd(fs, gold[i], 1)
						upd(fs, pred[i], -1)
					}
					updT(pg, gold[i], 1)
					updT(pp, pred[i], -1)
				}
			}
			step++
		}
	}
	for i := range m.w {
		m.w[i] -= acc[i] / step
	}
	for p := range m.trans {
		for q := range m.trans[p] {
			m.trans[p][q] -= accT[p][q] / step
		}
	}
	m.temp = calibrate(m, ex)
	return m
}

// calibrate picks the temperature that maps the median margin of correctly
// found names to a confidence of 0.9.
func calibrate(m *Model, ex []Example) float32 {
	t := NewTagger(m)
	var margins []float64
	for i := 0; i < len(ex) && len(margins) < 2000; i += 7 {
		m.temp = 1
		for _, s := range t.Find([]byte(ex[i].Text), nil) {
			if slices.Contains(ex[i].Names, [2]int{s.Start, s.End}) && s.Confidence < 1 {
				margins = append(margins, math.Log(s.Confidence/(1-s.Confidence)))
			}
		}
	}
	if len(margins) == 0 {
		return 1
	}
	slices.Sort(margins)
	med := margins[len(margins)/2]
	return float32(max(med/math.Log(9), 0.1))
}

// Score counts exact-match name spans.
type Score struct {
	TP, FP, FN int
}

// Add merges o into s.
func (s *Score) Add(o Score) { s.TP += o.TP; s.FP += o.FP; s.FN += o.FN }

// Precision is TP/(TP+FP).
func (s Score) Precision() float64 { return ratio(s.TP, s.TP+s.FP) }

// Recall is TP/(TP+FN).
func (s Score) Recall() float64 { return ratio(s.TP, s.TP+s.FN) }

// F is the F-beta score.
func (s Score) F(beta float64) float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	b2 := beta * beta
	return (1 + b2) * p * r / (b2*p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Evaluate scores find on ex: a found span counts when it equals a gold
// name exactly, and only spans with confidence ≥ minConf count.
func Evaluate(ex []Example, minConf float64, find func([]byte) []Span) Score {
	var s Score
	for _, e := range ex {
		got := map[[2]int]bool{}
		for _, sp := range find([]byte(e.Text)) {
			if sp.Confidence >= minConf {
				got[[2]int{sp.Start, sp.End}] = true
			}
		}
		for _, nm := range e.Names {
			if got[nm] {
				s.TP++
				delete(got, nm)
			} else {
				s.FN++
			}
		}
		s.FP += len(got)
	}
	return s
}
