package scanner

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/fingerprint"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Copies in sampled scans: probes.
//
// Two row samples of one column share almost nothing, so sketches of
// samples find no copy. What finds one is the copy's sample looked up in
// the whole of its original (fingerprint.Probe). So once every unit is
// sampled, the scan reads identifier fields (emails, phones, cards,
// national and account numbers; fingerprint.ProbeType) of sampled units
// once more, in full and only those columns (readMembers), largest unit
// first, skipping the fields whose sample is already contained in one read
// before: those are copies, and their copies are found against the same
// original. The builders of the fields read keep every keyed hash, of the
// values and of each masked form, and buildMembers turns them into binary
// fuse filters (8-bit, ~9 bits a hash, 0.4% false positives, which Probe
// corrects for). Every other field is compared by its sample. A unit of
// more than CopyMaxRows rows is not read again, and its fields are
// compared by sketch only (the log says so).
//
// The filters are kept with the field's sketch in the graph (sketchstore),
// so a later `scan --store` probes against the originals of stores it did
// not scan.

const (
	// MembersMaxHashes bounds the hashes one field's builder keeps for
	// its filters (8 bytes each until built): an email column keeps five
	// per value (the value, sha256, md5, sha1 and base64 forms).
	MembersMaxHashes = 1 << 23
	// DefaultCopyRefresh is how long the filters of a field read in full
	// are reused while its sample stays the same.
	DefaultCopyRefresh = 24 * time.Hour
	// DefaultCopyMaxRows is the largest unit whose identifier fields a
	// sampled scan reads in full for probing.
	DefaultCopyMaxRows = 1_000_000
)

// copyKey is the key fields are fingerprinted with; nil when copy
// detection is off.
func (e *engine) copyKey() []byte {
	if e.opt.NoCopies {
		return nil
	}
	return e.opt.FingerprintKey
}

var errMembersTooLarge = errors.New("more rows than copy_max_rows")

// memberUnit is a sampled unit with fields whose type takes probes: a
// candidate for the full read that makes them probe-able originals.
type memberUnit struct {
	st    *store
	u     piimap.Unit
	types map[string]string // field → its strongest type
	rows  int64
	hints fingerprint.Hints
	stamp string // unitStamp
}

// noteMembers records, when a sampled unit's sketches are kept, its fields
// that could be read in full for probing.
func (e *engine) noteMembers(st *store, u piimap.Unit, us *unitScan, rows int64, hints fingerprint.Hints) {
	if _, ok := st.src.(Sampler); !ok || us.prints == nil || us.prints.whole {
		return
	}
	types := map[string]string{}
	for name, fs := range us.fields {
		if typ := strongestType(fs.findings); name != "" && fs.meta[piimap.MetaTextField] != "true" && fingerprint.ProbeType(typ) {
			types[name] = typ
		}
	}
	if len(types) == 0 {
		return
	}
	e.mu.Lock()
	e.memberUnits = append(e.memberUnits, memberUnit{st: st, u: u, types: types, rows: rows, hints: hints, stamp: unitStamp(u)})
	e.mu.Unlock()
}

// readMembers reads identifier fields of sampled units in full, so that
// the other fields' samples can be probed against them, and replaces
// their sampled sketches with whole ones (kept in the graph like a full
// scan's). Only what can be an original is read: units go largest first
// (then the likelier original: a declared key, the richer record, the
// earlier pipeline stage), and a field whose sample is already contained
// in a field read before it, or kept from an earlier run, is a copy of
// that field and is not read; its own copies are found against the same
// original. A unit over CopyMaxRows is not read, and the log says so; a
// failed read costs only the probes (its fields keep their sampled
// sketches) and is logged.
func (e *engine) readMembers(ctx context.Context, sketches []fieldSketch, kept map[piimap.Location]keptSketch) {
	maxRows := e.opt.CopyMaxRows
	if maxRows == 0 {
		maxRows = DefaultCopyMaxRows
	}
	e.mu.Lock()
	units := slices.Clone(e.memberUnits)
	e.memberUnits = nil
	e.mu.Unlock()
	if len(units) == 0 && !slices.ContainsFunc(sketches, func(fs fieldSketch) bool { return fs.kept && fs.pushed }) {
		return
	}
	// Row counts are often estimates (a copy of 20,000 rows may be listed
	// with 20,192, its original with 20,073): sizes within one band of
	// 25% are taken as equal, and the likelier original goes first.
	band := func(rows int64) int { return int(math.Floor(math.Log(float64(max(rows, 1))) / math.Log(1.25))) }
	slices.SortFunc(units, func(a, b memberUnit) int {
		return cmp.Or(cmp.Compare(band(b.rows), band(a.rows)), cmpBool(b.hints.Key, a.hints.Key),
			cmp.Compare(b.hints.PIIFields, a.hints.PIIFields), cmp.Compare(stageRank(a.hints.Stage), stageRank(b.hints.Stage)),
			cmp.Compare(b.rows, a.rows), cmp.Compare(a.u.Loc.String(), b.u.Loc.String()))
	})
	at := make(map[piimap.Location]int, len(sketches))
	var pool []int // sketches with members
	for i, fs := range sketches {
		at[bare(fs.loc)] = i
		if fs.members != nil {
			pool = append(pool, i)
		}
	}
	explained := func(i int) bool {
		a := &sketches[i]
		for _, j := range pool {
			m := sketches[j].members
			if j == i || m.Type != a.sketch.Type || m.KeyID != a.sketch.KeyID || m.Forms[fingerprint.FormPlain] == nil {
				continue
			}
			est := fingerprint.ProbeEstimate(&a.sketch.Plain, m.Forms[fingerprint.FormPlain], a.sketch.Type, true)
			if est.Adjusted < CopyThreshold || est.Matched < probeMinMatched {
				continue
			}
			// Near-equal (a has about as many rows as the field read has
			// values): when the hints take a for the original, a is read
			// too, so that the other copies find it and not its copy.
			near := max(float64(a.hints.Rows), a.sketch.Plain.Cardinality()) >= 0.8*float64(m.Forms[fingerprint.FormPlain].Len())
			if _, aIsCopy := fingerprint.Orient(a.loc, sketches[j].loc, a.hints, sketches[j].hints); near && !aIsCopy {
				continue
			}
			return true
		}
		return false
	}
	start := time.Now()
	var read, copies, large, reused, pushed int
	ns := collectNeedles(sketches, e.tenantOf)
	// Filters kept from an earlier full read of an unchanged field first:
	// they explain copies as well as a new read would.
	for _, mu := range units {
		for f := range mu.types {
			if i, ok := at[bare(mu.u.Loc.WithField(f))]; ok && !sketches[i].whole && e.reuseMembers(&sketches[i], kept, mu.stamp) {
				reused++
				pool = append(pool, i)
			}
		}
	}
	// Fields kept from an earlier in-store probe of a store this run does
	// not scan: probed again, in their store, with this run's needles.
	pushed += e.pushKept(ctx, sketches, at, &pool, ns)
	// Up to Concurrency reads in flight. The next unit is chosen when a
	// read ends, against every field read so far, so a copy that comes
	// after its original in the order is not read; the fields' sketches
	// and filters are built in the read's goroutine.
	type read1 struct {
		mu     memberUnit
		names  []string
		fields []memberField
		err    error
	}
	done := make(chan read1)
	inflight := 0
	for next := 0; next < len(units) || inflight > 0; {
		for inflight < e.opt.Concurrency && next < len(units) && ctx.Err() == nil {
			mu := units[next]
			next++
			var names, push []string
			for _, f := range slices.Sorted(maps.Keys(mu.types)) {
				i, ok := at[bare(mu.u.Loc.WithField(f))]
				if !ok || sketches[i].whole {
					continue
				}
				if explained(i) {
					copies++
					continue
				}
				names = append(names, f)
			}
			if len(names) > 0 && (maxRows < 0 || mu.rows > maxRows) {
				// Too large to read in full (or full reads are off): the
				// fields the store can probe itself are probed there.
				var rest []string
				if _, ok := mu.st.src.(FormProber); ok && !e.opt.NoPushdown {
					push = names
				} else {
					rest = names
				}
				if len(rest) > 0 && maxRows >= 0 {
					large++
					e.log.Info("copy detection: unit too large to read its identifier fields in full; they are compared by sample only",
						"store", mu.st.cfg.Name, "unit", mu.u.Loc.Name, "fields", len(rest), "rows", mu.rows, "copy_max_rows", maxRows)
				}
				names = nil
			}
			if len(names)+len(push) == 0 {
				continue
			}
			inflight++
			if len(push) > 0 {
				e.log.Info("copy detection: probing identifier fields in their store", "store", mu.st.cfg.Name, "unit", mu.u.Loc.Name,
					"fields", len(push), "rows", mu.rows)
			}
			if len(names) > 0 {
				e.log.Info("copy detection: reading identifier fields in full", "store", mu.st.cfg.Name, "unit", mu.u.Loc.Name,
					"fields", len(names), "rows", mu.rows)
			}
			go func() {
				var fields []memberField
				var err error
				if len(push) > 0 {
					var failed []string
					fields, failed, err = e.pushFields(ctx, mu.st.src, mu, push, sketches, at, ns)
					if len(failed) > 0 {
						e.log.Info("copy detection: fields not probed in their store; they are compared by sample only",
							"store", mu.st.cfg.Name, "unit", mu.u.Loc.Name, "fields", len(failed))
					}
				}
				if err == nil && len(names) > 0 {
					var read []memberField
					read, err = e.readFields(ctx, mu, names, maxRows)
					fields = append(fields, read...)
				}
				done <- read1{mu: mu, names: append(push, names...), fields: fields, err: err}
			}()
		}
		if inflight == 0 {
			break
		}
		r := <-done
		inflight--
		if r.err != nil {
			if ctx.Err() == nil {
				e.log.Warn("copy detection: full read of identifier fields failed; they are compared by sample only",
					"store", r.mu.st.cfg.Name, "unit", r.mu.u.Loc.Name, "fields", len(r.names), "err", r.err)
			}
			continue
		}
		read++
		for _, mf := range r.fields {
			i := at[bare(r.mu.u.Loc.WithField(mf.name))]
			fs := &sketches[i]
			if mf.pushed {
				fs.members, fs.pushed = mf.members, true
				pool = append(pool, i)
				pushed++
				continue
			}
			fs.sketch, fs.whole, fs.readAt, fs.stamp = mf.sketch, true, time.Now().UTC(), r.mu.stamp
			fs.members, fs.encoded = mf.members, mf.encoded
			if fs.members != nil {
				pool = append(pool, i)
			}
		}
	}
	if ctx.Err() != nil {
		return
	}
	e.log.Info("copy detection: identifier fields read in full or probed in their store", "units", read, "fields_probed_in_store", pushed,
		"fields_reused", reused, "skipped_as_copies", copies, "too_large", large, "took", time.Since(start).Round(time.Millisecond).String())
}

// reuseMembers gives a sampled field the filters kept from its last full
// read when its unit's change stamp (unitStamp) and its seeded sample are
// the same as then and the read is younger than CopyRefresh. A unit
// without a stamp is always read again: an unchanged sample alone does not
// show an unchanged table (rows appended past the sample leave it as it
// was). It reports whether it reused.
func (e *engine) reuseMembers(fs *fieldSketch, kept map[piimap.Location]keptSketch, stamp string) bool {
	refresh := e.opt.CopyRefresh
	if refresh == 0 {
		refresh = DefaultCopyRefresh
	}
	k, ok := kept[bare(fs.loc)]
	if refresh < 0 || !ok || k.members == nil || stamp == "" || k.stamp != stamp || k.sample == 0 || k.sample != fs.sample ||
		k.sketch.Type != fs.sketch.Type || k.readAt.IsZero() || time.Since(k.readAt) > refresh {
		return false
	}
	sample := fs.sample
	fs.sketch, fs.whole, fs.members, fs.encoded, fs.readAt, fs.stamp = k.sketch, true, k.members, k.encoded, k.readAt, stamp
	fs.sample = sample
	return true
}

// unitStamp is what shows a unit unchanged since an earlier scan: its
// source's change stamp (piimap.MetaChangeStamp), or its size with its
// modification time and ETag; "" when the source reports none of them.
func unitStamp(u piimap.Unit) string {
	if s := u.Meta[piimap.MetaChangeStamp]; s != "" {
		return s
	}
	v := idfilter.UnitVersion(u.Size, u.Meta)
	if v.Modified == "" && v.ETag == "" {
		return ""
	}
	return v.String()
}

// sampleDigest identifies a sampled sketch: its distinct hashed values and
// how many values it saw.
func sampleDigest(s fingerprint.Sketch) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(s.Values))
	h.Write(b[:])
	for _, v := range s.Plain.KMV {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	return h.Sum64() | 1 // never 0, which means "none"
}

// stageRank orders pipeline stages for reading, unknown last.
func stageRank(s int) int {
	if s == StageUnknown {
		return StageTransient + 1
	}
	return s
}

// probeMinMatched is the fewest values found that explain a field as a
// copy (fingerprint.ProbeOptions' default).
const probeMinMatched = 8

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// memberField is one field read in full: its whole sketch and the
// membership filters built from its kept hashes (nil when none).
type memberField struct {
	name    string
	sketch  fingerprint.Sketch
	members *fingerprint.Members
	encoded map[string][]byte
	pushed  bool // probed in its store (copypush.go): sketch is the sample, members a ProbedSet per form
}

// readFields reads the named fields of a unit in full and builds their
// whole sketches and membership filters. Fields with no value are left
// out (they keep their sampled sketches).
func (e *engine) readFields(ctx context.Context, mu memberUnit, names []string, maxRows int64) ([]memberField, error) {
	builders := make(map[string]*fingerprint.Builder, len(names))
	for _, n := range names {
		// The row limit bounds the hashes; masked forms are kept as
		// members only (Probe covers masked copies of a field with them).
		builders[n] = fingerprint.NewBuilder(e.copyKey(), mu.types[n], fingerprint.WithMembers(math.MaxInt),
			fingerprint.WithDerivedMembersOnly(), fingerprint.WithExpectedValues(int(min(mu.rows+mu.rows/16, maxRows))))
	}
	var values int64
	err := mu.st.src.(Sampler).ReadSample(ctx, mu.u, Sample{Full: true, Seed: mu.st.cfg.Sample.Seed, Fields: names},
		func(rec piimap.Record) error {
			b := builders[rec.Loc.Field]
			if b == nil {
				return nil
			}
			values += int64(len(rec.Values))
			if values > maxRows*int64(len(names)) {
				return errMembersTooLarge
			}
			for _, v := range rec.Values {
				b.Add(v)
			}
			return ctx.Err()
		})
	if err != nil {
		return nil, err
	}
	var out []memberField
	for _, n := range names {
		sk := builders[n].Sketch()
		if sk.Plain.Empty() {
			continue
		}
		mf := memberField{name: n, sketch: sk}
		mf.members, mf.encoded = e.buildMembers(mu.u.Loc.WithField(n), sk, builders[n])
		out = append(out, mf)
	}
	return out, nil
}

// buildMembers turns a whole field's kept hashes into membership filters,
// one per form, and their encoded documents. nil when the builder kept
// none (its type takes no probes, or it passed MembersMaxHashes).
func (e *engine) buildMembers(loc piimap.Location, s fingerprint.Sketch, b *fingerprint.Builder) (*fingerprint.Members, map[string][]byte) {
	keys, ok := b.MemberKeys()
	if !ok {
		if fingerprint.ProbeType(s.Type) {
			e.log.Info("copy detection: field has too many values to probe against; compared by sketch only",
				"field", loc.String(), "values", s.Values)
		}
		return nil, nil
	}
	m := &fingerprint.Members{Type: s.Type, KeyID: s.KeyID, Forms: map[string]fingerprint.Membership{}}
	enc := map[string][]byte{}
	for form, ks := range keys {
		f, err := idfilter.Build(idfilter.Meta{Loc: loc, Format: memberFormat(form), KeyID: strconv.FormatUint(s.KeyID, 16),
			BuiltAt: time.Now().UTC(), RunID: e.runID}, ks)
		if err != nil {
			e.log.Warn("copy detection: membership filter not built", "field", loc.String(), "form", form, "err", err)
			continue
		}
		m.Forms[form] = fuseMembers{f}
		if head, parts := f.Encode(); len(parts) == 0 {
			enc[form] = head
		}
	}
	return m, enc
}

// memberFormat names a form in a filter's meta.
func memberFormat(form string) string {
	if form == fingerprint.FormPlain {
		return "fingerprint:values"
	}
	return "fingerprint:" + form
}

// decodeMembers reads kept membership filters back.
func decodeMembers(typ string, keyID uint64, enc map[string][]byte) (*fingerprint.Members, error) {
	if len(enc) == 0 {
		return nil, nil
	}
	m := &fingerprint.Members{Type: typ, KeyID: keyID, Forms: map[string]fingerprint.Membership{}}
	for form, head := range enc {
		f, err := idfilter.Decode(head, nil)
		if err != nil {
			return nil, fmt.Errorf("form %q: %w", form, err)
		}
		m.Forms[form] = fuseMembers{f}
	}
	return m, nil
}

// fuseMembers is a fingerprint.Membership over a binary fuse filter.
type fuseMembers struct{ f *idfilter.Filter }

func (m fuseMembers) MayContain(h uint64) bool { return m.f.MayContain(h) }
func (m fuseMembers) Len() int                 { return m.f.Meta.Keys }
func (m fuseMembers) FalsePositive() float64 {
	if m.f.Meta.Bits == 16 {
		return 1.0 / 65536
	}
	return 1.0 / 256
}

// copyMatches finds the copies among the run's field sketches: probes where
// an original was read whole, and the sketch index for the pairs no probe
// measured.
func copyMatches(sketches []fieldSketch, x *fingerprint.Index) []fingerprint.Match {
	pf := make([]fingerprint.ProbeField, len(sketches))
	for i, fs := range sketches {
		pf[i] = fingerprint.ProbeField{Loc: fs.loc, Sketch: fs.sketch, Hints: fs.hints, Members: fs.members}
	}
	out, probed := fingerprint.Probe(pf, CopyThreshold, fingerprint.ProbeOptions{})
	for _, m := range x.Pairs(CopyThreshold) {
		if probed[[2]piimap.Location{m.Copy, m.Original}] || probed[[2]piimap.Location{m.Original, m.Copy}] {
			continue
		}
		out = append(out, m)
	}
	return out
}
