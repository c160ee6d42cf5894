package scanner

import (
	"context"
	"errors"
	"fmt"
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
// the whole of its original (fingerprint.Probe). The scan therefore reads
// the identifier fields of a sampled unit once more, in full and only
// those columns (readMembers), after the sample has classified them: the
// fields whose strongest type takes probes (emails, phones, cards,
// national and account numbers; fingerprint.ProbeType). Their builders keep
// every keyed hash, of the values and of each masked form, and keepPrints
// turns them into binary fuse filters (8-bit, ~9 bits a hash, 0.4% false
// positives, which Probe corrects for). Every other field, the copies
// included, is compared by its sample. A unit of more than CopyMaxRows
// rows is not read again, and its fields are compared by sketch only (the
// log says so).
//
// The filters are kept with the field's sketch in the graph (sketchstore),
// so a later `scan --store` probes against the originals of stores it did
// not scan.

const (
	// MembersMaxHashes bounds the hashes one field's builder keeps for
	// its filters (8 bytes each until built): an email column keeps five
	// per value (the value, sha256, md5, sha1 and base64 forms).
	MembersMaxHashes = 1 << 23
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

// readMembers reads, after a sampled unit was classified, its fields whose
// type takes probes in full, and replaces their builders with ones fed
// every value (which keep the hashes for the membership filters). A failed
// read costs only the probes: the fields keep their sampled sketches and
// the log says why.
func (e *engine) readMembers(ctx context.Context, st *store, u piimap.Unit, us *unitScan, sampler Sampler, seed int64) {
	if us.prints == nil || us.prints.whole {
		return
	}
	maxRows := e.opt.CopyMaxRows
	if maxRows == 0 {
		maxRows = DefaultCopyMaxRows
	}
	if maxRows < 0 {
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
	if rows := max(u.Rows, us.rowsTotal); rows > maxRows {
		e.log.Info("copy detection: unit too large to read its identifier fields in full; they are compared by sample only",
			"store", st.cfg.Name, "unit", u.Loc.Name, "rows", rows, "copy_max_rows", maxRows)
		return
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range types {
			if !yield(n) {
				return
			}
		}
	})
	builders := make(map[string]*fingerprint.Builder, len(names))
	for _, n := range names {
		builders[n] = us.prints.newBuilder(types[n], true)
	}
	start := time.Now()
	var values int64
	err := sampler.ReadSample(ctx, u, Sample{Full: true, Seed: seed, Fields: names}, func(rec piimap.Record) error {
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
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		e.log.Warn("copy detection: full read of identifier fields failed; they are compared by sample only",
			"store", st.cfg.Name, "unit", u.Loc.Name, "fields", len(names), "err", err)
		return
	}
	for _, n := range names {
		fp := us.prints.fields[n]
		if fp == nil {
			continue
		}
		fp.builders = map[string]*fingerprint.Builder{types[n]: builders[n]}
		fp.whole = true
	}
	e.log.Debug("copy detection: identifier fields read in full", "store", st.cfg.Name, "unit", u.Loc.Name,
		"fields", len(names), "values", values, "took", time.Since(start).Round(time.Millisecond).String())
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
