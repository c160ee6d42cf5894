package fingerprint

import (
	"slices"
	"strings"
)

// Needles: what a sampled copy sends to a store that answers probes
// itself.
//
// A store that can compute the normalised values of a column, and their
// masked forms, inside the database (the SQL kinds) need not be read in
// full to serve as an original: it is sent the candidate copies' sampled
// values and asked which of them it holds (an in-store probe). The values
// asked are a copy's Needles: the normalised values behind the smallest of
// its plain KMV hashes, a uniform sample of its distinct values. The
// answer becomes a ProbedSet, a Membership that knows the hashes it was
// asked about and which of them were found, and Probe measures
// containment on those hashes only.
//
// Needles are raw (normalised) values: a builder keeps them in memory
// only, for the scan that made it, and nothing here writes them anywhere.

// Needle is one sampled value a copy sends to an in-store probe: its
// normalised form (for an untyped field of a masked shape, the canonical
// digest, base64 or last-four text) and its keyed hash.
type Needle struct {
	Hash  uint64
	Value string
}

// WithNeedles makes the builder keep the normalised values behind its n
// smallest plain hashes (at most KMVSize), for Needles.
func WithNeedles(n int) Option {
	return func(b *Builder) {
		if n > 0 {
			b.needleMax = min(n, KMVSize)
			b.needles = map[uint64]string{}
		}
	}
}

// keepNeedle remembers v behind plain hash h when h is among the
// needleMax smallest seen so far; the map is pruned when it grows past
// twice that.
func (b *Builder) keepNeedle(h uint64, v string) {
	kmv := b.plain.KMV
	if len(kmv) >= b.needleMax && h > kmv[b.needleMax-1] {
		return
	}
	if _, ok := b.needles[h]; ok {
		return
	}
	b.needles[h] = strings.Clone(v)
	if len(b.needles) > 2*b.needleMax && len(kmv) >= b.needleMax {
		limit := kmv[b.needleMax-1]
		for k := range b.needles {
			if k > limit {
				delete(b.needles, k)
			}
		}
	}
}

// Needles returns the normalised values behind the builder's smallest
// plain hashes, by ascending hash; nil unless it was made WithNeedles.
func (b *Builder) Needles() []Needle {
	if b.needles == nil {
		return nil
	}
	kmv := b.plain.KMV[:min(len(b.plain.KMV), b.needleMax)]
	out := make([]Needle, 0, len(kmv))
	for _, h := range kmv {
		if v, ok := b.needles[h]; ok {
			out = append(out, Needle{Hash: h, Value: v})
		}
	}
	return out
}

// ProbedSet is the Membership an in-store probe answers: of the hashes it
// was asked about (the needles sent), those the store holds, and how many
// distinct values the probed field has. It knows nothing of hashes it was
// not asked about (Asked), and ProbeEstimate skips those.
type ProbedSet struct {
	asked, found []uint64 // sorted
	distinct     int
}

// NewProbedSet builds the set from the hashes asked and found and the
// field's distinct values (at least the number found).
func NewProbedSet(asked, found []uint64, distinct int) *ProbedSet {
	a, f := slices.Clone(asked), slices.Clone(found)
	slices.Sort(a)
	slices.Sort(f)
	a, f = slices.Compact(a), slices.Compact(f)
	return &ProbedSet{asked: a, found: f, distinct: max(distinct, len(f))}
}

// MayContain reports whether h was asked and found.
func (p *ProbedSet) MayContain(h uint64) bool { _, ok := slices.BinarySearch(p.found, h); return ok }

// Len is the probed field's number of distinct values.
func (p *ProbedSet) Len() int { return p.distinct }

// FalsePositive is 0: the store compared the values themselves.
func (p *ProbedSet) FalsePositive() float64 { return 0 }

// Asked reports whether h was one of the hashes asked about.
func (p *ProbedSet) Asked(h uint64) bool { _, ok := slices.BinarySearch(p.asked, h); return ok }

// Found is the number of hashes found.
func (p *ProbedSet) Found() int { return len(p.found) }

// asker is a Membership that answers only for the hashes it was asked
// about (ProbedSet).
type asker interface{ Asked(h uint64) bool }

// SentAs is how a needle travels to an in-store probe. A form that gives
// the value back (the normalised value itself, FormPlain; base64 of it)
// goes as the sha256 hex of its text, so no value lands in another
// database's statements or logs; a one-way form (a digest) or the last
// four digits go as they are. value is the normalised value for
// FormPlain, else the form's text; form may also be an untyped needle's
// value shape (ShapeBase64 and the base64 form share their name). The
// probe compares the same spelling (scanner/sqlcatalog).
func SentAs(form, value string) string {
	if form != FormPlain && form != tBase64.name && form != ShapeBase64 {
		return value
	}
	b, _ := tSHA256.fn(nil, value)
	return string(b)
}

// AppendForm appends the masked form (a MaskedForms name) of a value
// already normalised for its type, as the Builder computes it, and
// reports whether the form applies to the value.
func AppendForm(dst []byte, form, normalised string) ([]byte, bool) {
	if t, ok := transformNamed(form); ok {
		return t.fn(dst, normalised)
	}
	return dst, false
}
