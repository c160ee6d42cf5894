package scanner

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/fingerprint"
)

// CopyThreshold is the chance-adjusted containment a field's values must
// reach in another field's for the scan to report it as a copy_of edge.
const CopyThreshold = 0.8

// unitPrints holds the fingerprint builders of one structured unit's fields
// while it is read. It is used by the unit's single reading goroutine only.
// Each value goes straight into a builder; the builders of candidate
// copies keep their needles (PushNeedles normalised values, in memory).
type unitPrints struct {
	key    []byte
	fields map[string]*fieldPrints
	whole  bool // every row of the unit is read (full scan, or a source that cannot sample)
}

// fieldPrints are one field's builders, by the PII type the values were
// fed under: the type is the field's strongest finding so far, which may
// change while a full scan's batches come in.
type fieldPrints struct {
	builders map[string]*fingerprint.Builder
	whole    bool // refed by a full read of the field (readMembers)
}

func newUnitPrints(key []byte) *unitPrints {
	if len(key) == 0 {
		return nil
	}
	return &unitPrints{key: key, fields: map[string]*fieldPrints{}}
}

// setWhole records whether the unit is read in full, which makes its
// sketches worth keeping for later runs.
func (p *unitPrints) setWhole(whole bool) {
	if p != nil {
		p.whole = whole
	}
}

// add feeds one record's values to the builder of the field's strongest
// type after this record was merged (findings). reset drops what earlier
// samples fed: an adaptive re-sample replaces the field's sketch as it
// replaces its findings, so sketch and findings always describe the same
// (final) sample. Free-text fields are not sketched.
func (p *unitPrints) add(rec piimap.Record, findings []piimap.Finding, reset bool) {
	if p == nil || len(rec.Values) == 0 || rec.Meta[piimap.MetaTextField] == "true" {
		return
	}
	fp := p.fields[rec.Loc.Field]
	if fp == nil || reset {
		fp = &fieldPrints{builders: map[string]*fingerprint.Builder{}}
		p.fields[rec.Loc.Field] = fp
	}
	typ := strongestType(findings)
	b := fp.builders[typ]
	if b == nil {
		b = p.newBuilder(typ, p.whole)
		fp.builders[typ] = b
	}
	for _, v := range rec.Values {
		b.Add(v)
	}
}

// sketch returns the field's sketch under its final strongest type, and
// whether it is worth indexing. Values fed before the field's type settled
// (an early full-scan batch without findings) are in another builder and
// are not part of it. An untyped field is kept only when its values take a
// masked shape (hex digests, base64, last four digits): untyped free-form
// columns (ids, amounts, SKUs) overlap by nature and are not personal data.
func (p *unitPrints) sketch(field string, findings []piimap.Finding) (fingerprint.Sketch, *fingerprint.Builder, bool) {
	if p == nil || p.fields[field] == nil {
		return fingerprint.Sketch{}, nil, false
	}
	typ := strongestType(findings)
	b := p.fields[field].builders[typ]
	if b == nil {
		return fingerprint.Sketch{}, nil, false
	}
	s := b.Sketch()
	if s.Plain.Empty() || (typ == "" && s.Plain.Domain == fingerprint.ShapeText) {
		return fingerprint.Sketch{}, nil, false
	}
	return s, b, true
}

// newBuilder starts a field's builder; one that will see every value
// (whole) also keeps its hashes for probing when its type takes probes.
func (p *unitPrints) newBuilder(typ string, whole bool) *fingerprint.Builder {
	var opts []fingerprint.Option
	if typ == "" || fingerprint.ProbeType(typ) {
		// A candidate copy: its needles go to in-store probes.
		opts = append(opts, fingerprint.WithNeedles(PushNeedles))
	}
	if whole {
		// Masked forms as members only: Probe covers masked copies with
		// them, and past MembersMaxHashes the builder sketches them after
		// all. Sketching them too cost 128 MinHash steps per form and value.
		opts = append(opts, fingerprint.WithMembers(MembersMaxHashes), fingerprint.WithDerivedMembersOnly())
	}
	return fingerprint.NewBuilder(p.key, typ, opts...)
}

// strongestType is the type of the most confident finding (then the most
// hits, then the type name, for a stable choice); "" without findings.
func strongestType(fs []piimap.Finding) string {
	best := -1
	for i, f := range fs {
		if best < 0 || cmp.Or(
			cmp.Compare(f.Confidence, fs[best].Confidence),
			cmp.Compare(f.Hits, fs[best].Hits),
			cmp.Compare(fs[best].Type, f.Type)) > 0 {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return fs[best].Type
}

// fieldSketch is one field's finished sketch with the facts that help
// orient near-equal copies.
type fieldSketch struct {
	loc    piimap.Location
	sketch fingerprint.Sketch
	hints  fingerprint.Hints
	whole  bool // built from every row of the unit
	kept   bool // loaded from an earlier run's full scan of an unscanned store
	// members are the field's membership filters when it was read whole
	// and its type takes probes (copyprobe.go), with their encoded form.
	members *fingerprint.Members
	encoded map[string][]byte
	// sample identifies a sampled field's sample (sampleDigest), 0 for
	// a field read whole; readAt is when a whole field was last read in
	// full (zero: now). Kept with the sketch, they let the next scan
	// reuse the filters of a field whose sample has not changed.
	sample uint64
	readAt time.Time
	stamp  string // the unit's change stamp at the full read (unitStamp)
	// needles are the normalised values behind the field's smallest
	// sampled hashes, sent to in-store probes (copypush.go); in memory
	// only, never kept. pushed marks a field probed in its store: members
	// then answer for this run's needles only, and are not kept.
	needles []fingerprint.Needle
	pushed  bool
}

// keepPrints moves a unit's finished sketches to the run. Units that failed
// part-way are left out: a partial read would look like a subset, a copy.
func (e *engine) keepPrints(st *store, u piimap.Unit, us *unitScan) {
	if us == nil || us.prints == nil {
		return
	}
	rows := max(u.Rows, us.rowsTotal)
	var kept []fieldSketch
	piiFields := 0
	for _, fs := range us.fields {
		if len(fs.findings) > 0 {
			piiFields++
		}
	}
	for name, fs := range us.fields {
		s, b, ok := us.prints.sketch(name, fs.findings)
		if !ok {
			continue
		}
		f := fieldSketch{
			loc:    u.Loc.WithField(name),
			sketch: s,
			hints: fingerprint.Hints{Stage: st.stage, Rows: rows, Modified: modified(u),
				Key: fs.meta[piimap.MetaUnique] == "true" || fs.meta[piimap.MetaPrimaryKey] == "true", PIIFields: piiFields},
			whole: us.prints.whole || us.prints.fields[name].whole,
		}
		f.needles = b.Needles()
		if f.whole {
			f.members, f.encoded = e.buildMembers(f.loc, s, b)
		} else {
			f.sample = sampleDigest(s)
		}
		kept = append(kept, f)
	}
	e.noteMembers(st, u, us, rows, fingerprint.Hints{Stage: st.stage, Rows: rows, PIIFields: piiFields})
	us.prints = nil
	e.mu.Lock()
	e.sketches = append(e.sketches, kept...)
	e.mu.Unlock()
}

// modified reads a unit's last modification time from its meta, when the
// source reports one (RFC 3339 under "modified" or "last_modified").
func modified(u piimap.Unit) time.Time {
	for _, k := range []string{"modified", "last_modified"} {
		if t, err := time.Parse(time.RFC3339, u.Meta[k]); err == nil {
			return t
		}
	}
	return time.Time{}
}

// declare remembers the fields a declared edge (a foreign key, a view
// column) links, so fingerprints do not report the same pair again as an
// undeclared copy: a referencing column holds its referent's values by
// design.
func (e *engine) declare(ed lineage.Edge) {
	if len(e.copyKey()) == 0 || ed.From.Field == "" || ed.To.Field == "" {
		return
	}
	a, b := bare(ed.From), bare(ed.To)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.declared == nil {
		e.declared = map[[2]piimap.Location]bool{}
	}
	e.declared[[2]piimap.Location{a, b}] = true
	e.declared[[2]piimap.Location{b, a}] = true
}

func (e *engine) isDeclared(a, b piimap.Location) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.declared[[2]piimap.Location{bare(a), bare(b)}]
}

// bare drops the namespace, which sources fill in unevenly.
func bare(l piimap.Location) piimap.Location { l.Namespace = ""; return l }

// writeCopies indexes the run's field sketches, together with the sketches
// kept from earlier full scans of configured stores this run did not scan,
// finds the fields whose values (or masked forms of them) are contained in
// another field's, and writes one copy_of edge per copy with at least one
// end in this run, except between fields a declared edge already links. A
// sampled field that an earlier full scan sketched is compared as the
// union of both, so a sampled scan still sees the whole of an original.
// The run's whole-unit sketches replace the kept ones. It returns the
// number of edges.
func (e *engine) writeCopies(ctx context.Context, scanned []string) (int, error) {
	e.mu.Lock()
	sketches := e.sketches
	e.sketches = nil
	e.mu.Unlock()
	if len(e.copyKey()) == 0 {
		return 0, nil
	}
	start := time.Now()
	sk := newSketchStore(e.opt.Graph, e.log)
	kept, err := sk.load(ctx)
	if err != nil {
		return 0, err
	}
	sketches = e.withKept(sketches, kept, scanned)
	// Identifier fields of sampled units, read in full against the kept
	// and the run's originals (copyprobe.go).
	e.readMembers(ctx, sketches, kept)
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := sk.save(ctx, e.runID, sketches); err != nil {
		return 0, err
	}
	if len(sketches) < 2 {
		return 0, nil
	}
	slices.SortFunc(sketches, func(a, b fieldSketch) int { return cmp.Compare(a.loc.String(), b.loc.String()) })
	x := fingerprint.NewIndex(fingerprint.IndexOptions{})
	carried := map[piimap.Location]bool{}
	for _, fs := range sketches {
		if err := x.AddWithHints(fs.loc, fs.sketch, fs.hints); err != nil {
			return 0, fmt.Errorf("scanner: fingerprint %s: %w", fs.loc, err)
		}
		if fs.kept {
			carried[bare(fs.loc)] = true
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var edges []lineage.Edge
	for _, ed := range pruneSiblings(fingerprint.Edges(copyMatches(sketches, x), time.Now().UTC())) {
		if carried[bare(ed.From)] && carried[bare(ed.To)] {
			continue // both ends carried forward: so is the edge
		}
		if e.isDeclared(ed.From, ed.To) {
			continue
		}
		if err := e.w.PutEdge(ctx, ed); err != nil {
			return 0, graphErr(err)
		}
		edges = append(edges, ed)
	}
	e.log.Info("fingerprints compared", "fields", len(sketches), "kept", len(carried), "indexed", x.Len(),
		"copies", len(edges), "took", time.Since(start).Round(time.Millisecond).String())
	return len(edges), nil
}

// withKept merges the kept full-scan sketches into the run's sampled
// sketches of the same fields, and adds the kept sketches of configured
// stores the run did not scan.
func (e *engine) withKept(sketches []fieldSketch, kept map[piimap.Location]keptSketch, scanned []string) []fieldSketch {
	if len(kept) == 0 {
		return sketches
	}
	for i, fs := range sketches {
		k, ok := kept[bare(fs.loc)]
		if fs.whole || !ok || k.probed || k.sketch.Type != fs.sketch.Type {
			continue
		}
		if m, err := k.sketch.Merge(fs.sketch); err == nil {
			sketches[i].sketch = m
		}
	}
	configured := map[string]bool{}
	for _, s := range e.opt.Configured {
		configured[s] = true
	}
	for loc, k := range kept {
		if slices.Contains(scanned, loc.Store) || len(configured) > 0 && !configured[loc.Store] {
			continue
		}
		// A field probed in its store keeps only its sample: it is probed
		// there again (pushKept).
		sketches = append(sketches, fieldSketch{loc: k.loc, sketch: k.sketch, hints: k.hints, whole: !k.probed, kept: true,
			members: k.members, pushed: k.probed})
	}
	return sketches
}

// pruneSiblings drops the indirect edges between copies of one original:
// when A and B are both copies of C and A's values are also inside B's
// (a cache of 250 users inside an export of 320 inside a table of 400),
// the edge A → B says only that two copies overlap; A → C and B → C say
// where both came from. Without it every copy of a popular table links to
// every larger copy, and the map shows a mesh instead of the sources.
func pruneSiblings(edges []lineage.Edge) []lineage.Edge {
	type pair struct{ from, to piimap.Location }
	has := map[pair]bool{}
	targets := map[piimap.Location][]piimap.Location{}
	for _, e := range edges {
		f, t := bare(e.From), bare(e.To)
		has[pair{f, t}] = true
		targets[f] = append(targets[f], t)
	}
	out := edges[:0:0]
	for _, e := range edges {
		a, b := bare(e.From), bare(e.To)
		indirect := false
		for _, c := range targets[b] {
			if c != a && has[pair{a, c}] && !has[pair{c, b}] {
				indirect = true
				break
			}
		}
		if !indirect {
			out = append(out, e)
		}
	}
	return out
}
