package redis

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// Kind is the store kind registered for redis:// and rediss:// URLs.
const Kind = "redis"

// FetchBatch is how many keys one Fetch reads (three pipelined round trips).
const FetchBatch = 256

// Unit meta keys (they become asset node attributes).
const (
	MetaRedisType     = "redis_type"     // the value types seen under the pattern, comma-separated
	MetaTTLProbed     = "ttl_probed"     // keys whose TTL was probed
	MetaTTLNoneShare  = "ttl_none_share" // share of probed keys that never expire, 0..1
	MetaTTLNone       = "ttl_none"       // probed keys that never expire (a count: the share rounds)
	MetaTTLMin        = "ttl_min_s"      // shortest remaining TTL, seconds (keys with a TTL)
	MetaTTLMedian     = "ttl_median_s"
	MetaTTLMax        = "ttl_max_s"
	MetaScanTruncated = "scan_truncated" // "true" when max_keys stopped the enumeration
	MetaJSONPath      = "json_path"
)

func init() {
	open := func(ctx context.Context, cfg scanner.StoreConfig) (scanner.Source, error) {
		return OpenSource(ctx, cfg)
	}
	scanner.Register("redis", Kind, open)
	scanner.Register("rediss", Kind, open)
}

// Source reads one Redis database with read-only commands.
type Source struct {
	cfg  scanner.StoreConfig
	conf Config
	c    *goredis.Client
}

var (
	_ scanner.Source  = (*Source)(nil)
	_ scanner.Sampler = (*Source)(nil)
	_ scanner.Closer  = (*Source)(nil)
)

// OpenSource connects to the database cfg.URL names.
func OpenSource(ctx context.Context, cfg scanner.StoreConfig) (*Source, error) {
	c, conf, err := Open(ctx, cfg.URL)
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, conf: conf, c: c}, nil
}

// Namespace is the store's OpenLineage namespace (redis://host:port/db).
func (s *Source) Namespace() string { return s.conf.Namespace() }

// Close closes the connection pool.
func (s *Source) Close() error { return s.c.Close() }

// Client is the source's connection (tests probe commands through it).
func (s *Source) Client() *goredis.Client { return s.c }

var errEnough = errors.New("enough keys")

// Enumerate SCANs the keyspace (the store's match glob, at most max_keys
// keys), groups the keys into patterns and emits one key_pattern unit per
// pattern with its key count, value types and TTL statistics from a seeded
// probe of ProbeKeys keys.
func (s *Source) Enumerate(ctx context.Context, emit func(piimap.Unit) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g := NewGrouper(s.cfg.Sample.Seed)
	var seen int64
	truncated := false
	err := ScanKeys(ctx, s.c, s.conf.Match, s.conf.ScanCount, func(keys []string) error {
		for _, k := range keys {
			g.Add(k)
			if seen++; seen >= s.conf.MaxKeys {
				truncated = true
				return errEnough
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return s.err(ctx, "enumerate", err)
	}
	groups := g.Groups()
	units := make([]piimap.Unit, 0, len(groups))
	for _, gr := range groups {
		meta, err := s.probe(ctx, gr.Probe)
		if err != nil {
			return s.err(ctx, "enumerate "+gr.Pattern, err)
		}
		if truncated || g.Dropped > 0 {
			meta[MetaScanTruncated] = "true"
		}
		units = append(units, piimap.Unit{Loc: s.loc(gr.Pattern), Kind: piimap.UnitKeyPattern, Rows: gr.Keys, Meta: meta})
	}
	for _, u := range units {
		if err := emit(u); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (s *Source) loc(pattern string) piimap.Location {
	return piimap.Location{Store: s.cfg.Name, Namespace: s.conf.Namespace(), Name: pattern}
}

// probe reads TYPE and PTTL of a pattern's probe keys.
func (s *Source) probe(ctx context.Context, keys []string) (map[string]string, error) {
	types := make([]*goredis.StatusCmd, len(keys))
	ttls := make([]*goredis.DurationCmd, len(keys))
	_, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, k := range keys {
			types[i] = p.Type(ctx, k)
			ttls[i] = p.PTTL(ctx, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var seenTypes []string
	var ds []time.Duration
	for i := range keys {
		t := types[i].Val()
		if t == TypeNone || t == "" {
			continue // expired since SCAN saw it
		}
		if !slices.Contains(seenTypes, t) {
			seenTypes = append(seenTypes, t)
		}
		ds = append(ds, ttls[i].Val())
	}
	sort.Strings(seenTypes)
	meta := TTLStats(ds)
	if len(seenTypes) > 0 {
		meta[MetaRedisType] = strings.Join(seenTypes, ",")
	}
	meta["sampling"] = "bottom_k"
	return meta, nil
}

// TTLStats summarises remaining TTLs as PTTL reports them (-1: no expiry,
// -2: key gone, ignored): how many were probed, the share that never
// expires, and the min/median/max in whole seconds (rounded up) of those
// that do. It proves how long a cached copy of personal data lives.
func TTLStats(ttls []time.Duration) map[string]string {
	var live []time.Duration
	var none, probed int
	for _, d := range ttls {
		switch {
		case d == -2:
			continue
		case d < 0:
			none++
		default:
			live = append(live, d)
		}
		probed++
	}
	meta := map[string]string{MetaTTLProbed: strconv.Itoa(probed)}
	if probed == 0 {
		return meta
	}
	meta[MetaTTLNoneShare] = strconv.FormatFloat(float64(none)/float64(probed), 'f', 2, 64)
	meta[MetaTTLNone] = strconv.Itoa(none)
	if len(live) == 0 {
		return meta
	}
	slices.Sort(live)
	secs := func(d time.Duration) string { return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10) }
	meta[MetaTTLMin] = secs(live[0])
	mid := len(live) / 2
	med := live[mid]
	if len(live)%2 == 0 {
		med = (live[mid-1] + live[mid]) / 2
	}
	meta[MetaTTLMedian] = secs(med)
	meta[MetaTTLMax] = secs(live[len(live)-1])
	return meta
}

// Read samples the unit with the store's configured sample.
func (s *Source) Read(ctx context.Context, u piimap.Unit, emit func(piimap.Record) error) error {
	return s.ReadSample(ctx, u, scanner.DefaultSample(s.cfg.Sample), emit)
}

// ReadSample reads a key pattern: a seeded bottom-k sample of smp.Rows of
// its keys (independent of SCAN order, reproducible, never the head of the
// keyspace), or every key when smp.Full. Each field — a JSON path of a
// string value, a hash field, `element`, `member`, a stream entry field,
// and the key's own variable segments `$key` — becomes one record of
// values, in key order.
func (s *Source) ReadSample(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pattern := u.Loc.Name
	if pattern == "" {
		return fmt.Errorf("redis: read: empty key pattern: %w", piimap.ErrNotFound)
	}
	if smp.Full {
		return s.readFull(ctx, u, smp, emit)
	}
	rows := smp.Rows
	if rows <= 0 {
		rows = scanner.DefaultSampleRows
	}
	bk := NewBottomK(rows, uint64(smp.Seed), pattern)
	err := s.keys(ctx, pattern, func(k string) error { bk.Offer(k); return nil })
	if err != nil {
		return s.err(ctx, "read "+pattern, err)
	}
	if bk.Len() == 0 {
		return fmt.Errorf("redis: read %s: no keys match: %w", pattern, piimap.ErrNotFound)
	}
	acc := newAccum(u, smp, s.conf.KeyFields)
	keys := bk.Keys()
	for start := 0; start < len(keys); start += FetchBatch {
		vals, err := Fetch(ctx, s.c, keys[start:min(start+FetchBatch, len(keys))], ScanLimits)
		if err != nil {
			return s.err(ctx, "read "+pattern, err)
		}
		acc.add(vals)
	}
	return acc.flush(ctx, emit)
}

// readFull reads every key of the pattern, emitting one batch of records
// per FetchBatch keys.
func (s *Source) readFull(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	pattern := u.Loc.Name
	seen := map[uint64]bool{}
	var batch []string
	total := 0
	acc := newAccum(u, smp, s.conf.KeyFields)
	flush := func() error {
		vals, err := Fetch(ctx, s.c, batch, ScanLimits)
		if err != nil {
			return err
		}
		batch = batch[:0]
		acc.add(vals)
		return acc.flush(ctx, emit)
	}
	err := s.keys(ctx, pattern, func(k string) error {
		h := fnv.New64a()
		h.Write([]byte(k))
		if sum := h.Sum64(); !seen[sum] {
			seen[sum] = true
			batch = append(batch, k)
			total++
		}
		if len(batch) >= FetchBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return s.err(ctx, "read "+pattern, err)
	}
	if total == 0 {
		return fmt.Errorf("redis: read %s: no keys match: %w", pattern, piimap.ErrNotFound)
	}
	return nil
}

// keys calls fn with every key of the store that belongs to pattern.
func (s *Source) keys(ctx context.Context, pattern string, fn func(string) error) error {
	return PatternKeys(ctx, s.c, s.conf, pattern, fn)
}

// PatternKeys SCANs for the keys of a key pattern within the store's match
// glob and calls fn with each (a key may repeat, as SCAN allows).
func PatternKeys(ctx context.Context, c goredis.UniversalClient, conf Config, pattern string, fn func(string) error) error {
	return ScanKeys(ctx, c, MatchGlob(pattern), conf.ScanCount, func(keys []string) error {
		for _, k := range keys {
			if !Fits(k, pattern) || conf.Match != "" && !GlobMatch(conf.Match, k) {
				continue
			}
			if err := fn(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// err names the step; context errors and emit errors pass through.
func (s *Source) err(ctx context.Context, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if strings.HasPrefix(err.Error(), "redis: ") {
		return err
	}
	return CmdErr(ctx, what, err)
}

// accum gathers one sample's values per field, in key order.
type accum struct {
	u         piimap.Unit
	smp       scanner.Sample
	keyFields bool
	fields    []string
	values    map[string][]string
	meta      map[string]map[string]string
	keys      int
	flushed   bool
}

func newAccum(u piimap.Unit, smp scanner.Sample, keyFields bool) *accum {
	return &accum{u: u, smp: smp, keyFields: keyFields, values: map[string][]string{}, meta: map[string]map[string]string{}}
}

func (a *accum) add(vals []Value) {
	for _, v := range vals {
		if v.Type == TypeNone || v.Type == "" {
			continue // expired or deleted since SCAN
		}
		a.keys++
		if a.keyFields {
			KeyLeaves(v.Key, a.u.Loc.Name, func(f, val string) {
				a.put(f, val, map[string]string{piimap.MetaComment: "variable segment of key pattern " + a.u.Loc.Name})
			})
		}
		v.Leaves(func(path, val string) {
			m := map[string]string{MetaRedisType: v.Type}
			if strings.ContainsAny(path, ".[") || path != FieldValue && v.Type == TypeString {
				m[MetaJSONPath] = path
			}
			a.put(path, val, m)
		})
	}
}

func (a *accum) put(field, val string, meta map[string]string) {
	if !a.smp.Wants(field) {
		return
	}
	if _, ok := a.meta[field]; !ok {
		a.meta[field] = meta
		a.fields = append(a.fields, field)
	}
	if val != "" {
		a.values[field] = append(a.values[field], val)
	}
}

func (a *accum) flush(ctx context.Context, emit func(piimap.Record) error) error {
	for _, f := range a.fields {
		meta := make(map[string]string, len(a.meta[f])+3)
		for k, v := range a.meta[f] {
			meta[k] = v
		}
		meta[piimap.MetaRowsSampled] = strconv.Itoa(a.keys)
		if a.u.Rows > 0 {
			meta[piimap.MetaRowsTotal] = strconv.FormatInt(a.u.Rows, 10)
		}
		vals := a.values[f]
		if scanner.LooksLikeText(vals) {
			meta[piimap.MetaTextField] = "true"
		}
		if err := emit(piimap.Record{Loc: a.u.Loc.WithField(f), Values: vals, Meta: meta}); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	a.values = map[string][]string{}
	a.keys = 0
	a.flushed = true
	return nil
}

var _ scanner.PipelineStager = (*Source)(nil)

// PipelineStage places the store along a data pipeline: a cache.
func (s *Source) PipelineStage() int { return scanner.StageTransient }
