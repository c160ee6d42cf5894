package scanner

import (
	"cmp"
	"context"
	"hash/maphash"
	"maps"
	"slices"
	"strconv"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// unitScan is what reading one unit produced: per-field findings and meta,
// never the values themselves.
type unitScan struct {
	fields    map[string]*fieldScan // "" for a text unit's own findings
	findings  []piimap.Finding
	records   int64
	bytes     int64
	rowsTotal int64
	prints    *unitPrints // field fingerprints; nil unless Options.FingerprintKey
	ids       *unitIDs    // identifier filter keys (idfilter.go); nil unless a full read gets a filter
	whole     bool        // every row of the unit is read (full scan, or a source that cannot sample)
}

type fieldScan struct {
	meta      map[string]string
	findings  []piimap.Finding
	sampled   int // rows behind the latest sample
	exhausted bool
	distinct  distinctCount // distinct non-empty values of the latest sample
	oldest    oldestValue   // oldest value of a record-time column (oldest.go)
	keys      *keySample    // the latest sample's distinct short values, in stores that can probe (inferref_values.go)
}

// distinctCount counts the distinct non-empty values of a field's sample
// by 64-bit hashes, up to maxDistinctTracked of them. When the sample
// holds every row of the unit (unitScan.covers), the counts are recorded
// (lineage.AttrDistinct, AttrNonEmpty): an identity column with no
// repeated value makes its asset an entity table for planning even where
// no constraint says so.
type distinctCount struct {
	seen     map[uint64]struct{}
	nonEmpty int
	capped   bool
}

const maxDistinctTracked = 1 << 16

var distinctSeed = maphash.MakeSeed()

func (d *distinctCount) add(values []string) {
	for _, v := range values {
		if v == "" {
			continue
		}
		d.nonEmpty++
		if d.capped {
			continue
		}
		if d.seen == nil {
			d.seen = map[uint64]struct{}{}
		}
		d.seen[maphash.String(distinctSeed, v)] = struct{}{}
		if len(d.seen) >= maxDistinctTracked {
			d.capped = true
		}
	}
}

func newUnitScan() *unitScan { return &unitScan{fields: map[string]*fieldScan{}} }

func (us *unitScan) field(name string) *fieldScan {
	fs := us.fields[name]
	if fs == nil {
		fs = &fieldScan{meta: map[string]string{}}
		us.fields[name] = fs
	}
	return fs
}

func (us *unitScan) count(rec piimap.Record) {
	us.records++
	us.bytes += int64(len(rec.Data))
	for _, v := range rec.Values {
		us.bytes += int64(len(v))
	}
	if n, err := strconv.ParseInt(rec.Meta[piimap.MetaRowsTotal], 10, 64); err == nil && n > us.rowsTotal {
		us.rowsTotal = n
	}
}

// scanStructured samples the unit, classifies each field, and re-samples
// the fields the classifier finds ambiguous with ×4 rows up to MaxRows.
func (e *engine) scanStructured(ctx context.Context, st *store, u piimap.Unit) (*unitScan, error) {
	us := newUnitScan()
	us.prints = newUnitPrints(e.copyKey())
	_, probing := st.src.(Prober)
	s := DefaultSample(st.cfg.Sample)
	s.Full = s.Full || e.opt.Full
	sampler, canSample := st.src.(Sampler)
	us.prints.setWhole(s.Full || !canSample)
	us.whole = s.Full || !canSample
	if s.Full && canSample {
		us.ids = e.newUnitIDs(st, u)
	}

	read := func(s Sample) error {
		fresh := map[string]bool{}
		emit := func(rec piimap.Record) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			us.count(rec)
			fs := us.field(rec.Loc.Field)
			reset := !fresh[rec.Loc.Field]
			if reset { // a re-sample replaces the field's earlier verdict
				fresh[rec.Loc.Field] = true
				fs.findings, fs.sampled = nil, 0
				fs.distinct = distinctCount{}
				fs.oldest = oldestValue{}
				fs.keys = nil
				if probing && keyClass(rec.Meta[piimap.MetaSQLType]) != "" {
					fs.keys = &keySample{}
				}
			}
			fs.distinct.add(rec.Values)
			fs.keys.add(rec.Values)
			fs.oldest.add(rec.Loc.Field, rec.Meta, rec.Values)
			maps.Copy(fs.meta, rec.Meta)
			n, err := strconv.Atoi(rec.Meta[piimap.MetaRowsSampled])
			if err != nil {
				n = len(rec.Values)
			}
			fs.sampled += n
			fs.findings = e.merge(fs.findings, e.classify(rec))
			us.prints.add(rec, fs.findings, reset)
			us.ids.addRecord(rec)
			return nil
		}
		if canSample {
			return sampler.ReadSample(ctx, u, s, emit)
		}
		return st.src.Read(ctx, u, emit)
	}

	if err := read(s); err != nil {
		return us, err
	}
	e.keepIDFilter(ctx, st, u, us.ids)
	if s.Full || !canSample {
		return us, nil
	}
	amb, adaptive := e.opt.Classifier.(Ambiguity)
	if !adaptive {
		return us, nil
	}
	for rows, ceiling := s.Rows, MaxRows(st.cfg.Sample); rows < ceiling; {
		var again []string
		for _, name := range slices.Sorted(maps.Keys(us.fields)) {
			fs := us.fields[name]
			if fs.sampled < rows { // the unit has no more rows to give
				fs.exhausted = true
			}
			if !fs.exhausted && amb.Ambiguous(fs.findings) {
				again = append(again, name)
			}
		}
		if len(again) == 0 {
			break
		}
		rows = min(rows*growFactor, ceiling)
		e.log.Debug("resample", "store", st.cfg.Name, "unit", u.Loc.Name, "fields", len(again), "rows", rows)
		if err := read(Sample{Rows: rows, Seed: s.Seed, Fields: again}); err != nil {
			return us, err
		}
	}
	return us, nil
}

// scanText reads a text unit in full, classifying its chunks in a bounded
// pool (PerUnit) and merging their findings in chunk order.
func (e *engine) scanText(ctx context.Context, st *store, u piimap.Unit) (*unitScan, error) {
	us := newUnitScan()
	us.ids = e.newUnitIDs(st, u)
	var (
		mu      sync.Mutex
		results = map[int][]piimap.Finding{}
		meta    = map[string]map[string]string{}
		seq     int
		g       errgroup.Group
	)
	g.SetLimit(e.opt.PerUnit)
	err := st.src.Read(ctx, u, func(rec piimap.Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		us.count(rec)
		i := seq
		seq++
		if meta[rec.Loc.Field] == nil {
			meta[rec.Loc.Field] = map[string]string{}
		}
		maps.Copy(meta[rec.Loc.Field], rec.Meta)
		us.ids.seam(rec.Data)
		g.Go(func() error {
			f := e.classify(rec)
			us.ids.addText(rec.Data)
			mu.Lock()
			results[i] = f
			mu.Unlock()
			return nil
		})
		return nil
	})
	_ = g.Wait()
	if err == nil {
		e.keepIDFilter(ctx, st, u, us.ids)
	}
	for i := range seq {
		for _, f := range results[i] {
			fs := us.field(f.Loc.Field)
			fs.findings = e.merge(fs.findings, []piimap.Finding{f})
		}
	}
	for name, m := range meta {
		if name != "" {
			maps.Copy(us.field(name).meta, m)
		}
	}
	return us, err
}

func (e *engine) classify(rec piimap.Record) []piimap.Finding {
	fs := e.opt.Classifier.Classify(rec)
	for i := range fs {
		if fs[i].Loc == (piimap.Location{}) {
			fs[i].Loc = rec.Loc
		}
	}
	return fs
}

func (e *engine) merge(dst, src []piimap.Finding) []piimap.Finding {
	if len(src) == 0 {
		return dst
	}
	if e.opt.Merge != nil {
		return e.opt.Merge(dst, src)
	}
	if m, ok := e.opt.Classifier.(FindingMerger); ok {
		return m.Merge(dst, src)
	}
	return MergeFindings(dst, src)
}

// MergeFindings merges src into dst: findings of the same location and type
// add their hits and sampled counts, take the hit-weighted mean confidence
// (the rule of the stronger one) and the union of their evidence (at most 8
// reasons); others are appended.
func MergeFindings(dst, src []piimap.Finding) []piimap.Finding {
	for _, f := range src {
		i := slices.IndexFunc(dst, func(d piimap.Finding) bool { return d.Loc == f.Loc && d.Type == f.Type })
		if i < 0 {
			f.Evidence = slices.Clone(f.Evidence)
			dst = append(dst, f)
			continue
		}
		d := &dst[i]
		if f.Confidence > d.Confidence {
			d.RuleID = f.RuleID
		}
		if w1, w2 := float64(d.Hits), float64(f.Hits); w1+w2 > 0 {
			d.Confidence = (d.Confidence*w1 + f.Confidence*w2) / (w1 + w2)
		} else {
			d.Confidence = max(d.Confidence, f.Confidence)
		}
		d.Hits += f.Hits
		d.Sampled += f.Sampled
		if d.Masked == "" {
			d.Masked = f.Masked
		}
		for _, ev := range f.Evidence {
			if len(d.Evidence) < 8 && !slices.Contains(d.Evidence, ev) {
				d.Evidence = append(d.Evidence, ev)
			}
		}
	}
	return dst
}

// writeUnit writes the unit's asset node, its field nodes with their
// contains edges, and its findings.
func (e *engine) writeUnit(ctx context.Context, st *store, u piimap.Unit, us *unitScan) error {
	asset := lineage.Node{Kind: lineage.NodeAsset, Loc: u.Loc.Asset(), StoreKind: st.kind, Attrs: assetAttrs(st, u, us)}
	if err := e.w.PutNode(ctx, asset); err != nil {
		return graphErr(err)
	}
	storeLoc := piimap.Location{Store: st.cfg.Name, Namespace: u.Loc.Namespace}
	if err := e.w.PutEdge(ctx, containsEdge(storeLoc, asset.Loc)); err != nil {
		return graphErr(err)
	}
	identity := map[string]string{}
	for key, at := range st.cfg.Identity {
		identity[at] = key
	}
	var found []piimap.Finding
	for _, name := range slices.Sorted(maps.Keys(us.fields)) {
		fs := us.fields[name]
		if name != "" {
			loc := u.Loc.WithField(name)
			n := lineage.Node{Kind: lineage.NodeField, Loc: loc, StoreKind: st.kind, Attrs: fieldAttrs(st, fs, identity[u.Loc.Name+"."+name], us.covers(fs))}
			if err := e.w.PutNode(ctx, n); err != nil {
				return graphErr(err)
			}
			if err := e.w.PutEdge(ctx, containsEdge(asset.Loc, loc)); err != nil {
				return graphErr(err)
			}
		}
		found = append(found, fs.findings...)
	}
	slices.SortFunc(found, func(a, b piimap.Finding) int {
		return cmp.Or(cmp.Compare(a.Loc.Field, b.Loc.Field), cmp.Compare(a.Type, b.Type))
	})
	for _, f := range found {
		if err := e.w.PutFinding(ctx, f); err != nil {
			return graphErr(err)
		}
	}
	us.findings = found
	e.mu.Lock()
	e.findings = append(e.findings, found...)
	e.mu.Unlock()
	return nil
}

func containsEdge(from, to piimap.Location) lineage.Edge {
	return lineage.Edge{Kind: lineage.EdgeContains, From: from, To: to, Source: lineage.SourceScan, Confidence: 1}
}

func storeNode(st *store) lineage.Node {
	attrs := map[string]string{lineage.AttrURL: RedactURL(st.cfg.URL)}
	setNonEmpty(attrs, lineage.AttrTenant, st.cfg.Tenant)
	setNonEmpty(attrs, lineage.AttrEnv, st.cfg.Environment)
	// How the kind names the store's datasets, for map exports: the
	// namespace only where it is not the store's own (the scanned one).
	if dn, err := NamingOf(st.cfg.URL); err == nil {
		setNonEmpty(attrs, lineage.AttrDatasetNamespace, dn.Dataset)
		setNonEmpty(attrs, lineage.AttrDatasetPrefix, dn.Prefix)
	}
	return lineage.Node{Kind: lineage.NodeStore, Loc: piimap.Location{Store: st.cfg.Name, Namespace: namespaceOf(st)}, StoreKind: st.kind, Attrs: attrs}
}

// namespaceOf is the store's OpenLineage namespace as its units report it,
// or the redacted URL when it has none.
func namespaceOf(st *store) string {
	if len(st.units) > 0 {
		return st.units[0].Loc.Namespace
	}
	if n, ok := st.src.(interface{ Namespace() string }); ok {
		return n.Namespace()
	}
	return RedactURL(st.cfg.URL)
}

func assetAttrs(st *store, u piimap.Unit, us *unitScan) map[string]string {
	attrs := map[string]string{}
	for k, v := range u.Meta {
		attrs[k] = v
	}
	attrs[lineage.AttrUnitKind] = u.Kind
	setNonEmpty(attrs, lineage.AttrFormat, u.Format)
	if u.Gzip {
		attrs[lineage.AttrGzip] = "true"
	}
	if rows := max(u.Rows, us.rowsTotal); rows > 0 {
		attrs[lineage.AttrRows] = strconv.FormatInt(rows, 10)
	}
	if u.Size > 0 {
		attrs[lineage.AttrSize] = strconv.FormatInt(u.Size, 10)
	}
	setNonEmpty(attrs, lineage.AttrTenant, st.cfg.Tenant)
	setNonEmpty(attrs, lineage.AttrEnv, st.cfg.Environment)
	return attrs
}

// covers reports whether fs's sample holds every row of the unit: only
// then are its distinct counts the column's (a sample of a fact table
// easily holds no repeated value).
func (us *unitScan) covers(fs *fieldScan) bool {
	return us.whole || fs.exhausted || (us.rowsTotal > 0 && int64(fs.sampled) >= us.rowsTotal)
}

func fieldAttrs(st *store, fs *fieldScan, identity string, complete bool) map[string]string {
	attrs := map[string]string{}
	for _, k := range []string{piimap.MetaSQLType, piimap.MetaNullable, piimap.MetaUnique, piimap.MetaPrimaryKey, piimap.MetaComment, piimap.MetaTextField} {
		setNonEmpty(attrs, k, fs.meta[k])
	}
	setNonEmpty(attrs, lineage.AttrIdentity, identity)
	setNonEmpty(attrs, MetaOldest, fs.oldest.attr(fs.findings))
	if d := fs.distinct; complete && d.nonEmpty > 0 && !d.capped {
		attrs[lineage.AttrDistinct] = strconv.Itoa(len(d.seen))
		attrs[lineage.AttrNonEmpty] = strconv.Itoa(d.nonEmpty)
	}
	setNonEmpty(attrs, lineage.AttrTenant, st.cfg.Tenant)
	setNonEmpty(attrs, lineage.AttrEnv, st.cfg.Environment)
	return attrs
}

func setNonEmpty(m map[string]string, k, v string) {
	if v != "" {
		m[k] = v
	}
}
