// Command train generates the synthetic training corpus, fits the person
// name tagger and writes its weights for go:embed. It then scores the
// result on the development split (other templates, other name draws, half
// of them names no list contains) and prints precision, recall and F2.
//
//	go run ./classifiers/personname/train            # train, write model.bin.gz, evaluate
//	go run ./classifiers/personname/train -eval      # evaluate the shipped model only
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/piimap/piimap/classifiers/personname"
	"github.com/piimap/piimap/classifiers/personname/synth"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run() error {
	n := flag.Int("n", 80000, "training examples")
	devN := flag.Int("dev", 4000, "development examples")
	epochs := flag.Int("epochs", 4, "perceptron epochs")
	buckets := flag.Uint("buckets", 1<<16, "weight buckets (a power of two)")
	dropout := flag.Float64("dropout", 0.4, "chance of hiding a name token's lexicon flags in training")
	seed := flag.Uint64("seed", 1, "seed")
	out := flag.String("out", defaultOut(), "model file to write")
	evalOnly := flag.Bool("eval", false, "only evaluate the shipped model")
	minConf := flag.Float64("min-conf", personname.MinConfidence, "confidence threshold for scoring")
	show := flag.Int("show", 0, "print this many dev errors (synthetic text)")
	disable := flag.String("disable", "", "feature groups to switch off, comma-separated: lexicon,context,affix,identity (ablation; use with -out)")
	baseline := flag.Bool("baseline", false, "score the list-lookup baseline (Title-case runs holding a listed name) instead of a model")
	flag.Parse()

	if *baseline {
		dev := synth.New(synth.Dev, *seed+1000).Examples(*devN)
		s := personname.Evaluate(dev, 0, listLookup)
		fmt.Printf("baseline dev: P=%.3f R=%.3f F2=%.3f (tp=%d fp=%d fn=%d)\n", s.Precision(), s.Recall(), s.F(2), s.TP, s.FP, s.FN)
		return nil
	}
	var off uint8
	for g := range strings.SplitSeq(*disable, ",") {
		switch g {
		case "":
		case "lexicon":
			off |= personname.GroupLexicon
		case "context":
			off |= personname.GroupContext
		case "affix":
			off |= personname.GroupAffix
		case "identity":
			off |= personname.GroupIdentity
		default:
			return fmt.Errorf("unknown feature group %q", g)
		}
	}
	var m *personname.Model
	if *evalOnly {
		var err error
		if m, err = personname.DefaultModel(); err != nil {
			return err
		}
	} else {
		ex := synth.New(synth.Train, *seed).Examples(*n)
		m = personname.Train(ex, personname.TrainOptions{Epochs: *epochs, Seed: *seed, Dropout: *dropout, Disable: off, Buckets: uint32(*buckets)})
		b, err := m.Marshal()
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			return fmt.Errorf("write model: %w", err)
		}
		fmt.Printf("wrote %s (%d bytes)\n", *out, len(b))
		tr := personname.Evaluate(ex[:min(len(ex), 4000)], *minConf, m.Find)
		fmt.Printf("train: P=%.3f R=%.3f F2=%.3f (tp=%d fp=%d fn=%d)\n", tr.Precision(), tr.Recall(), tr.F(2), tr.TP, tr.FP, tr.FN)
	}
	dev := synth.New(synth.Dev, *seed+1000).Examples(*devN)
	s := personname.Evaluate(dev, *minConf, m.Find)
	fmt.Printf("dev:   P=%.3f R=%.3f F2=%.3f (tp=%d fp=%d fn=%d)\n", s.Precision(), s.Recall(), s.F(2), s.TP, s.FP, s.FN)
	shown := 0
	for _, e := range dev {
		if shown >= *show {
			break
		}
		got := m.Find([]byte(e.Text))
		if !same(got, e.Names, *minConf) {
			shown++
			fmt.Printf("---\n%q\n  gold:", e.Text)
			for _, nm := range e.Names {
				fmt.Printf(" [%s]", e.Text[nm[0]:nm[1]])
			}
			fmt.Printf("\n  got: ")
			for _, sp := range got {
				fmt.Printf(" [%s %.2f]", e.Text[sp.Start:sp.End], sp.Confidence)
			}
			fmt.Println()
		}
	}
	return nil
}

func same(got []personname.Span, names [][2]int, minConf float64) bool {
	k := 0
	for _, g := range got {
		if g.Confidence < minConf {
			continue
		}
		if k >= len(names) || names[k] != [2]int{g.Start, g.End} {
			return false
		}
		k++
	}
	return k == len(names)
}

func defaultOut() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "model.bin.gz"
	}
	return filepath.Join(filepath.Dir(filepath.Dir(file)), "model.bin.gz")
}

// listLookup is the baseline a name list alone gives: maximal runs of
// Title-case words (particles inside allowed, honorifics dropped) in which
// at least one word is a listed given name or surname.
func listLookup(text []byte) []personname.Span {
	lx := personname.Default()
	toks := personname.Tokenize(nil, text)
	var out []personname.Span
	for i := 0; i < len(toks); {
		if toks[i].Kind != personname.TokWord || !title(text[toks[i].Start:toks[i].End]) ||
			lx.Flags(text[toks[i].Start:toks[i].End])&personname.LexHonorific != 0 {
			i++
			continue
		}
		j, listed := i, false
		for j < len(toks) && toks[j].Kind == personname.TokWord {
			w := text[toks[j].Start:toks[j].End]
			f := lx.Flags(w)
			if !title(w) && f&personname.LexParticle == 0 {
				break
			}
			listed = listed || f&(personname.LexGiven|personname.LexSurname) != 0
			j++
		}
		if listed {
			out = append(out, personname.Span{Start: toks[i].Start, End: toks[j-1].End, Confidence: 1})
		}
		i = max(j, i+1)
	}
	return out
}

func title(w []byte) bool {
	return len(w) > 1 && w[0] >= 'A' && w[0] <= 'Z' || len(w) > 1 && w[0] >= 0xC3
}
