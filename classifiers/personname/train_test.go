package personname_test

import (
	"bytes"
	"testing"

	"github.com/piimap/piimap/classifiers/personname"
	"github.com/piimap/piimap/classifiers/personname/synth"
)

// TestTrainDeterministic re-trains a small model twice on a fixed seed:
// the generator, the perceptron and the encoding are deterministic, and
// even a small model learns the development corpus reasonably.
func TestTrainDeterministic(t *testing.T) {
	ex := synth.New(synth.Train, 3).Examples(3000)
	opt := personname.TrainOptions{Epochs: 3, Buckets: 1 << 16, Seed: 3}
	a, err := personname.Train(ex, opt).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m := personname.Train(synth.New(synth.Train, 3).Examples(3000), opt)
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two trainings on the same seed differ")
	}
	back, err := personname.Unmarshal(a)
	if err != nil {
		t.Fatal(err)
	}
	dev := synth.New(synth.Dev, 5).Examples(500)
	s := personname.Evaluate(dev, personname.MinConfidence, back.Find)
	t.Logf("small model on dev: P=%.3f R=%.3f F2=%.3f", s.Precision(), s.Recall(), s.F(2))
	if s.F(2) < 0.6 {
		t.Errorf("small model F2 %.3f < 0.6", s.F(2))
	}
}

// TestShippedModelFloor loads the embedded weights and scores them on the
// development corpus (other templates, other name draws, half of the names
// in no list): the figure docs/NAME_MODEL.md reports, with a floor.
func TestShippedModelFloor(t *testing.T) {
	m, err := personname.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	dev := synth.New(synth.Dev, 1001).Examples(3000)
	s := personname.Evaluate(dev, personname.MinConfidence, m.Find)
	t.Logf("shipped model on dev: P=%.3f R=%.3f F2=%.3f (tp=%d fp=%d fn=%d)", s.Precision(), s.Recall(), s.F(2), s.TP, s.FP, s.FN)
	if s.Precision() < 0.95 || s.F(2) < 0.88 {
		t.Errorf("shipped model below floor: P=%.3f F2=%.3f", s.Precision(), s.F(2))
	}
}

func TestGeneratorSpansInBounds(t *testing.T) {
	for _, split := range []synth.Split{synth.Train, synth.Dev} {
		for _, e := range synth.New(split, 9).Examples(2000) {
			prev := 0
			for _, nm := range e.Names {
				if nm[0] < prev || nm[1] <= nm[0] || nm[1] > len(e.Text) {
					t.Fatalf("split %d: bad span %v in a text of %d bytes", split, nm, len(e.Text))
				}
				prev = nm[1]
			}
		}
	}
}
