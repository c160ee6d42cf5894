package scanner

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"unicode"

	"github.com/piimap/piimap"
)

// Sampling defaults (DESIGN §4): start small, grow ×4 for ambiguous fields.
const (
	DefaultSampleRows = 200
	DefaultMaxRows    = 2000
	growFactor        = 4
)

// Sample is one sampling request for a structured unit.
//
// Rows is how many rows to sample; Seed makes the choice reproducible (the
// same seed over the same data yields the same values); Full reads every row
// instead, emitting a field's values in several records. Fields restricts the
// read to those fields (nil means all) — adaptive sampling re-reads only the
// ambiguous ones.
type Sample struct {
	Rows   int
	Seed   int64
	Full   bool
	Fields []string
}

// Sampler is implemented by sources of structured units that accept an
// explicit sample request; the engine needs it for adaptive sampling and the
// conformance suite for its reproducibility checks. A source's Read must
// behave as ReadSample with the store's configured sample.
type Sampler interface {
	ReadSample(ctx context.Context, u piimap.Unit, s Sample, emit func(piimap.Record) error) error
}

// DefaultSample returns the first sample a store's config asks for, with the
// defaults filled in.
func DefaultSample(cfg SampleConfig) Sample {
	rows := cfg.Rows
	if rows <= 0 {
		rows = DefaultSampleRows
	}
	return Sample{Rows: rows, Seed: cfg.Seed, Full: cfg.Full}
}

// MaxRows returns the adaptive sampling ceiling of a store's config.
func MaxRows(cfg SampleConfig) int {
	m := cfg.MaxRows
	if m <= 0 {
		m = DefaultMaxRows
	}
	if r := DefaultSample(cfg).Rows; m < r {
		m = r
	}
	return m
}

// Wants reports whether field f is selected by the sample's field filter.
func (s Sample) Wants(f string) bool {
	if len(s.Fields) == 0 {
		return true
	}
	for _, w := range s.Fields {
		if w == f {
			return true
		}
	}
	return false
}

// Rand returns the sample's random source for one unit: seeded by the sample
// seed and the unit's name, so every unit draws a different but reproducible
// sequence.
func (s Sample) Rand(unit string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(unit))
	return rand.New(rand.NewPCG(uint64(s.Seed), h.Sum64()))
}

// Reservoir keeps a uniform random sample of up to Size items from a stream
// of unknown length (Vitter's algorithm R), reproducibly for a given rand.
// It never favours the head of the stream.
type Reservoir[T any] struct {
	Size  int
	Seen  int64
	Items []T
	rnd   *rand.Rand
}

// NewReservoir returns an empty reservoir of the given size.
func NewReservoir[T any](size int, rnd *rand.Rand) *Reservoir[T] {
	return &Reservoir[T]{Size: size, rnd: rnd, Items: make([]T, 0, min(size, 4096))}
}

// Offer considers one item of the stream. keep is called only when the item
// is taken, so callers can defer copying until then.
func (r *Reservoir[T]) Offer(keep func() T) {
	r.Seen++
	if len(r.Items) < r.Size {
		r.Items = append(r.Items, keep())
		return
	}
	if j := r.rnd.Int64N(r.Seen); j < int64(r.Size) {
		r.Items[j] = keep()
	}
}

// LooksLikeText reports whether a field's sampled values read as free text
// (sentences, log messages) rather than atomic cells, so classifiers should
// search spans inside them. Sources set piimap.MetaTextField from it.
func LooksLikeText(values []string) bool {
	if len(values) == 0 {
		return false
	}
	var long, spaced int
	for _, v := range values {
		if len(v) >= 40 {
			long++
		}
		words := 0
		inWord := false
		for _, r := range v {
			if unicode.IsSpace(r) {
				inWord = false
			} else if !inWord {
				inWord = true
				words++
			}
		}
		if words >= 4 {
			spaced++
		}
	}
	n := len(values)
	return spaced*2 >= n && long*4 >= n
}
