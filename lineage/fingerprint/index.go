package fingerprint

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/piimap/piimap"
)

// Hints are facts about a field, besides its values, that help decide
// which of two near-equal fields is the copy. Zero values mean unknown.
type Hints struct {
	// Stage is the store's place along a data pipeline, 0 when unknown,
	// higher further down (operational databases, warehouses, files and
	// objects, caches and streams: the scanner's Stage constants).
	Stage    int
	Modified time.Time // last modification of the asset
	Rows     int64     // row count of the asset
	// Key reports a declared primary key or unique constraint on the
	// field: an entity table's own column, where copies are made from.
	Key bool
	// PIIFields is the number of fields of the asset holding PII: copies
	// are mostly projections (an export, an audience, a cache of some
	// columns), so of two near-equal fields the one in the richer record
	// is taken as the original.
	PIIFields int
}

// IndexOptions tune an Index; zero values take the defaults.
type IndexOptions struct {
	// MinValues is the fewest distinct values a field needs to be indexed
	// (default 8): tiny fields match anything by chance.
	MinValues int
	// MinMatched is the fewest shared sampled values a match needs
	// (default 3).
	MinMatched int
	// MinSamples is the fewest of the copy's values the containment must
	// be measured on (default 8): below it a 3-of-4 agreement is noise.
	MinSamples int
	// MaxRatio is the largest size ratio between two fields considered
	// (default 128): beyond it no sketch of this size measures
	// containment.
	MaxRatio float64
	// Recall is the LSH recall aimed for at the containment threshold
	// (default 0.95); higher costs more candidate lookups.
	Recall float64
}

func (o IndexOptions) withDefaults() IndexOptions {
	if o.MinValues <= 0 {
		o.MinValues = 8
	}
	if o.MinMatched <= 0 {
		o.MinMatched = 3
	}
	if o.MinSamples <= 0 {
		o.MinSamples = 8
	}
	if o.MaxRatio <= 0 {
		o.MaxRatio = 128
	}
	if o.Recall <= 0 || o.Recall >= 1 {
		o.Recall = 0.95
	}
	return o
}

// band configurations: r rows per band, b bands, over the first r·b bins
// of the densified signature (ophash.go).
var bandings = [...]struct{ r, b int }{{1, 128}, {2, 32}, {4, 32}, {8, 16}}

type entry struct {
	loc   piimap.Location
	sk    *Sketch
	hints Hints
	dom   uint32
	part  int
	size  float64
}

type bandKey struct {
	key uint64
	id  int32
}

// Index finds pairs of fields whose values contain one another, plainly or
// in a masked form, without comparing every pair.
//
// It is an LSH Ensemble (Zhu et al., VLDB 2016) in miniature: fields are
// partitioned by the power of two of their distinct count, and each field's
// MinHash signature is banded four ways (1×128, 2×32, 4×32, 8×16 rows ×
// bands) under (domain, partition) salts. A query against a partition
// picks the most selective banding whose collision probability at the
// lowest Jaccard compatible with the containment threshold and the
// partition's size range is at least Recall, so a small copy of a large
// column is looked for with short bands and near-equal fields with long
// ones. Each candidate is then verified with Compare. Derived (masked)
// signatures are only queried, against untyped fields of their shape.
//
// Add all fields, then call Pairs; an Index is not safe for concurrent use.
type Index struct {
	opts    IndexOptions
	keyID   uint64
	entries []entry
	domains map[string]uint32
	parts   map[uint32]uint64 // domain → bitset of partitions present
	keys    []bandKey         // sorted; nil until built
	// first[p] is the index of the first key whose top 16 bits are ≥ p,
	// so a lookup binary-searches one bucket of ~len(keys)/65536 keys.
	first []int32
}

// NewIndex returns an empty index.
func NewIndex(opts IndexOptions) *Index {
	return &Index{opts: opts.withDefaults(), domains: map[string]uint32{}, parts: map[uint32]uint64{}}
}

// Add registers a field's sketch. Sketches made under another installation
// key, and fields with fewer than MinValues distinct values, are refused or
// skipped.
func (x *Index) Add(loc piimap.Location, s Sketch) error { return x.AddWithHints(loc, s, Hints{}) }

// AddWithHints is Add with facts that help orient copies.
func (x *Index) AddWithHints(loc piimap.Location, s Sketch, h Hints) error {
	if len(x.entries) > 0 && s.KeyID != x.keyID {
		return fmt.Errorf("fingerprint: index %s: sketch made under another installation key: %w", loc, piimap.ErrConfig)
	}
	x.keyID = s.KeyID
	size := s.Plain.Cardinality()
	if size < float64(x.opts.MinValues) {
		return nil
	}
	dom := x.domain(s.Plain.Domain)
	part := bits.Len64(uint64(size)) - 1
	x.parts[dom] |= 1 << part
	x.entries = append(x.entries, entry{loc: loc, sk: &s, hints: h, dom: dom, part: part, size: size})
	x.keys = nil
	return nil
}

// Len is the number of indexed fields.
func (x *Index) Len() int { return len(x.entries) }

func (x *Index) domain(d string) uint32 {
	id, ok := x.domains[d]
	if !ok {
		id = uint32(len(x.domains) + 1)
		x.domains[d] = id
	}
	return id
}

func salt(dom uint32, part, banding, band int) uint64 {
	return mix64(uint64(dom)<<32 | uint64(part)<<24 | uint64(banding)<<16 | uint64(band))
}

func bandHash(min *[K]uint64, r, band int) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, m := range min[band*r : band*r+r] {
		h = mix64(h ^ m)
	}
	return h
}

func (x *Index) build() {
	if x.keys != nil {
		return
	}
	n := 0
	for _, c := range bandings {
		n += c.b
	}
	x.keys = make([]bandKey, 0, n*len(x.entries))
	for id, e := range x.entries {
		bins := densify(&e.sk.Plain.Min)
		for ci, c := range bandings {
			for i := range c.b {
				x.keys = append(x.keys, bandKey{mix64(bandHash(&bins, c.r, i) ^ salt(e.dom, keyPart(ci, e.part), ci, i)), int32(id)})
			}
		}
	}
	slices.SortFunc(x.keys, func(a, b bandKey) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	x.first = make([]int32, 1<<16+1)
	j := 0
	for p := range 1 << 16 {
		for j < len(x.keys) && int(x.keys[j].key>>48) < p {
			j++
		}
		x.first[p] = int32(j)
	}
	x.first[1<<16] = int32(len(x.keys))
}

// lookup calls fn with the entries stored under key k.
func (x *Index) lookup(k uint64, fn func(id int32)) {
	lo, hi := int(x.first[k>>48]), int(x.first[k>>48+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if x.keys[m].key < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for j := lo; j < len(x.keys) && x.keys[j].key == k; j++ {
		fn(x.keys[j].id)
	}
}

// banding picks the banding for a query of size q against partition p at
// containment threshold t, or -1 when the pair sizes are too far apart.
func (x *Index) banding(q float64, p int, t float64) int {
	lo, hi := math.Exp2(float64(p)), math.Exp2(float64(p+1))
	jmin := func(small, large float64) float64 {
		if small > large {
			small, large = large, small
		}
		if large/small > x.opts.MaxRatio {
			return -1
		}
		return t * small / (small + large - t*small)
	}
	j := math.Inf(1)
	for _, other := range []float64{lo, hi} {
		if v := jmin(q, other); v >= 0 {
			j = math.Min(j, v)
		}
	}
	if math.IsInf(j, 1) {
		return -1
	}
	best := 0
	for ci, c := range bandings {
		if 1-math.Pow(1-math.Pow(j, float64(c.r)), float64(c.b)) >= x.opts.Recall {
			best = ci
		}
	}
	return best
}

// keyPart is the partition a band key is salted with. The 1-row banding
// is not partitioned: one lookup per row then serves every partition that
// needs it (128 lookups, not 128 per partition), and the partition filter
// moves to the posting list.
func keyPart(banding, part int) int {
	if banding == 0 {
		return 0xff
	}
	return part
}

// query calls fn with every indexed entry of a partition in [pmin, pmax]
// colliding with sig in domain dom, possibly more than once.
func (x *Index) query(sig *Signature, dom uint32, t float64, pmin, pmax int, fn func(id int32)) {
	q := sig.Cardinality()
	bins := densify(&sig.Min)
	var rows1 uint64 // partitions searched with the 1-row banding
	for set := x.parts[dom]; set != 0; set &= set - 1 {
		p := bits.TrailingZeros64(set)
		if p < pmin || p > pmax {
			continue
		}
		ci := x.banding(q, p, t)
		switch {
		case ci < 0:
			continue
		case ci == 0:
			rows1 |= 1 << p
			continue
		}
		c := bandings[ci]
		for i := range c.b {
			x.lookup(mix64(bandHash(&bins, c.r, i)^salt(dom, p, ci, i)), fn)
		}
	}
	if rows1 == 0 {
		return
	}
	for i := range bandings[0].b {
		x.lookup(mix64(bandHash(&bins, 1, i)^salt(dom, 0xff, 0, i)), func(id int32) {
			if rows1&(1<<x.entries[id].part) != 0 {
				fn(id)
			}
		})
	}
}

// Candidate is an unverified pair from LSH: entry A's plain values (or the
// derived form Transform of them) collide with entry B's plain values.
type Candidate struct {
	A, B      piimap.Location
	Transform string
}

type candidate struct {
	a, b int32
	d    int // index into a's Derived, -1 for plain
}

func (x *Index) candidates(t float64) []candidate {
	x.build()
	var out []candidate
	seen := map[[2]int32]bool{}
	for ai := range x.entries {
		a := &x.entries[ai]
		// A plain pair is looked for from its smaller side only: each
		// field queries the partitions of its size and above.
		x.query(&a.sk.Plain, a.dom, t, a.part, 63, func(bi int32) {
			if int32(ai) == bi {
				return
			}
			p := [2]int32{min(int32(ai), bi), max(int32(ai), bi)}
			if !seen[p] {
				seen[p] = true
				out = append(out, candidate{p[0], p[1], -1})
			}
		})
		for di := range a.sk.Derived {
			d := &a.sk.Derived[di]
			dom, ok := x.domains[d.Domain]
			if !ok || (spaceOf(d.Domain) > 0 && d.Cardinality() > spaceOf(d.Domain)/2) {
				continue // absent, or a saturated small domain (see Compare)
			}
			// A masked copy is at most about as large as its original.
			pmax := bits.Len64(uint64(d.Cardinality()/t)) - 1
			dseen := map[int32]bool{}
			x.query(d, dom, t, 0, pmax, func(bi int32) {
				b := &x.entries[bi]
				if int32(ai) == bi || typed(b.sk.Type) || dseen[bi] {
					return
				}
				dseen[bi] = true
				out = append(out, candidate{int32(ai), bi, di})
			})
		}
	}
	return out
}

// Candidates returns the unverified LSH candidate pairs at containment
// threshold t (for measuring the index; Pairs verifies them).
func (x *Index) Candidates(t float64) []Candidate {
	cs := x.candidates(t)
	out := make([]Candidate, len(cs))
	for i, c := range cs {
		out[i] = Candidate{A: x.entries[c.a].loc, B: x.entries[c.b].loc}
		if c.d >= 0 {
			out[i].Transform = x.entries[c.a].sk.Derived[c.d].Transform
		}
	}
	return out
}
