package redis

import (
	"hash/fnv"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Grouping defaults.
const (
	// MergeThreshold is how many distinct literal values one segment of
	// otherwise equal patterns may take before it is made variable:
	// `user:alice:profile`, `user:bob:profile`, … become `user:*:profile`.
	MergeThreshold = 16
	// MaxPatterns bounds the patterns one enumeration keeps.
	MaxPatterns = 10_000
	// ProbeKeys is how many keys per pattern are probed for TYPE and TTL.
	ProbeKeys = 64
)

// Group is one key pattern of an enumeration.
type Group struct {
	Pattern string
	Keys    int64    // keys seen under the pattern
	Probe   []string // a seeded uniform sample of its keys (bottom-k)
}

// Grouper groups key names into key patterns: first by the shape of each
// segment (Generalize), then by cardinality (MergeThreshold), and finally a
// pattern covered by a more general one is folded into it, so that every
// key belongs to exactly one unit. It holds at most MaxPatterns patterns
// and ProbeKeys keys per pattern, whatever the size of the keyspace.
type Grouper struct {
	threshold   int
	maxPatterns int
	probe       int
	seed        uint64
	groups      map[string]*group
	full        bool
	// Dropped counts keys whose pattern could not be kept (MaxPatterns).
	Dropped int64
}

type group struct {
	keys  int64
	probe *BottomK
}

// NewGrouper returns a grouper whose probe samples are seeded by seed.
func NewGrouper(seed int64) *Grouper {
	return &Grouper{threshold: MergeThreshold, maxPatterns: MaxPatterns, probe: ProbeKeys, seed: uint64(seed), groups: map[string]*group{}}
}

// Add files one key under its pattern.
func (g *Grouper) Add(key string) {
	p := Generalize(key)
	gr := g.groups[p]
	if gr == nil {
		if len(g.groups) >= g.maxPatterns {
			if !g.full {
				g.merge()
				g.full = len(g.groups) >= g.maxPatterns
			}
			if gr = g.coverer(p); gr == nil && len(g.groups) >= g.maxPatterns {
				g.Dropped++
				return
			}
		}
		if gr == nil {
			gr = &group{probe: NewBottomK(g.probe, g.seed, "")}
			g.groups[p] = gr
		}
	}
	gr.keys++
	gr.probe.Offer(key)
}

// coverer returns an existing group whose pattern covers p, if any.
func (g *Grouper) coverer(p string) *group {
	for q, gr := range g.groups {
		if covers(q, p) {
			return gr
		}
	}
	return nil
}

// Groups merges and returns the patterns, sorted.
func (g *Grouper) Groups() []Group {
	g.merge()
	out := make([]Group, 0, len(g.groups))
	for p, gr := range g.groups {
		out = append(out, Group{Pattern: p, Keys: gr.keys, Probe: gr.probe.Keys()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pattern < out[j].Pattern })
	return out
}

// merge applies the cardinality rule until nothing changes, then folds
// every pattern into the most general pattern covering it.
func (g *Grouper) merge() {
	for round := 0; round < 64; round++ {
		if !g.mergeRound() {
			break
		}
	}
	pats := slices.Sorted(maps.Keys(g.groups))
	// Most specific (fewest wildcards) first, so chains fold completely.
	sort.SliceStable(pats, func(i, j int) bool { return strings.Count(pats[i], "*") < strings.Count(pats[j], "*") })
	for _, p := range pats {
		best := ""
		for _, q := range pats {
			if q == p || g.groups[q] == nil || !covers(q, p) {
				continue
			}
			if best == "" || strings.Count(q, "*") > strings.Count(best, "*") ||
				strings.Count(q, "*") == strings.Count(best, "*") && q < best {
				best = q
			}
		}
		if best != "" {
			g.fold(p, best)
		}
	}
}

// mergeRound makes variable every segment position where at least
// threshold patterns differ only there, in a literal segment.
func (g *Grouper) mergeRound() bool {
	buckets := map[string][]string{}
	for p := range g.groups {
		segs, delims := splitKey(p)
		for i, s := range segs {
			if s == "" || strings.Contains(s, "*") {
				continue
			}
			gen := slices.Clone(segs)
			gen[i] = "*"
			k := joinKey(gen, delims)
			buckets[k] = append(buckets[k], p)
		}
	}
	changed := false
	for _, k := range slices.Sorted(maps.Keys(buckets)) {
		members := buckets[k]
		if len(members) < g.threshold {
			continue
		}
		for _, p := range members {
			if g.groups[p] != nil && p != k {
				g.fold(p, k)
				changed = true
			}
		}
	}
	return changed
}

func (g *Grouper) fold(from, into string) {
	src := g.groups[from]
	if src == nil || from == into {
		return
	}
	dst := g.groups[into]
	if dst == nil {
		dst = &group{probe: NewBottomK(g.probe, g.seed, "")}
		g.groups[into] = dst
	}
	dst.keys += src.keys
	for _, k := range src.probe.Keys() {
		dst.probe.Offer(k)
	}
	delete(g.groups, from)
}

// BottomK keeps the k keys of smallest seeded hash: a uniform random sample
// of a key stream that, unlike a reservoir, does not depend on the order in
// which SCAN returns keys, ignores SCAN's duplicates, and so is exactly
// reproducible for a seed. The same seed and salt always pick the same keys.
type BottomK struct {
	k     int
	seed  uint64
	salt  uint64
	items []prioKey // sorted by prio ascending
}

type prioKey struct {
	prio uint64
	key  string
}

// NewBottomK returns an empty sample of size k; salt (a unit name) makes
// different units draw independently under the same seed.
func NewBottomK(k int, seed uint64, salt string) *BottomK {
	h := fnv.New64a()
	h.Write([]byte(salt))
	return &BottomK{k: k, seed: seed, salt: h.Sum64()}
}

// Priority is the seeded hash that orders keys in the sample.
func (b *BottomK) Priority(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return mix64(h.Sum64() ^ mix64(b.seed^0x9E3779B97F4A7C15) ^ b.salt)
}

// Offer considers one key.
func (b *BottomK) Offer(key string) {
	if b.k <= 0 {
		return
	}
	p := b.Priority(key)
	n := len(b.items)
	if n == b.k && p >= b.items[n-1].prio {
		return
	}
	i := sort.Search(n, func(i int) bool {
		return b.items[i].prio > p || b.items[i].prio == p && b.items[i].key >= key
	})
	if i < n && b.items[i].key == key {
		return // SCAN reported it again
	}
	b.items = slices.Insert(b.items, i, prioKey{p, key})
	if len(b.items) > b.k {
		b.items = b.items[:b.k]
	}
}

// Keys returns the sampled keys in priority order.
func (b *BottomK) Keys() []string {
	out := make([]string, len(b.items))
	for i, it := range b.items {
		out[i] = it.key
	}
	return out
}

// Len is the number of keys held.
func (b *BottomK) Len() int { return len(b.items) }

// mix64 is SplitMix64's finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
