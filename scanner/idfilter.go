package scanner

import (
	"bytes"
	"context"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Identifier filters (scanner/idfilter). On a full read of an object of a
// files or s3 store in a text format (logs, CSV/TSV, JSON, JSONL), with
// Options.FingerprintKey set (the installation key), every text chunk and
// every cell goes through an idfilter.Set as it is classified: only keyed
// hashes of the identifiers are kept, never a value. When the unit has been
// read without error the keys become a filter stored in the graph's
// DocStore under the location, with the unit version it was built from, so
// that the executor can leave the location out of a request whose
// identifiers it rules out. A unit that failed part-way gets no filter (a
// partial filter would say "not here" wrongly), and sampled scans never
// build or replace one: a store is read in full only with Options.Full or
// its sample.full.

// seamWindow is how much text on each side of a chunk boundary is
// re-extracted when a chunk was cut inside a line: more than the longest
// candidate (idfilter.MaxEmailLen) and its boundary bytes.
const seamWindow = 320

// unitIDs collects one unit's identifier keys. set is safe for concurrent
// use; seam and tail belong to the unit's reading goroutine.
type unitIDs struct {
	h    *idfilter.Hasher
	set  *idfilter.Set
	docs lineage.DocStore
	tail []byte // end of the previous chunk after its last newline, at most seamWindow bytes
	win  []byte
}

// newUnitIDs returns the key collector of a unit that gets a filter, or nil.
func (e *engine) newUnitIDs(st *store, u piimap.Unit) *unitIDs {
	f, ok := st.src.(IdentifierFilterer)
	if !(e.opt.Full || st.cfg.Sample.Full) || len(e.opt.FingerprintKey) == 0 || !ok || !f.IdentifierFiltered(u.Kind, u.Format) {
		return nil
	}
	docs, ok := e.opt.Graph.(lineage.DocStore)
	if !ok {
		return nil
	}
	h, err := idfilter.NewHasher(e.opt.FingerprintKey)
	if err != nil {
		e.log.Warn("identifier filter not built", "store", st.cfg.Name, "unit", u.Loc.Name, "err", err)
		return nil
	}
	return &unitIDs{h: h, set: h.NewSet(), docs: docs}
}

// seam is called with each text chunk in order, before it is classified:
// when the previous chunk was cut inside a line, it extracts the text
// around the cut, so that an identifier split by it is still found.
func (ids *unitIDs) seam(data []byte) {
	if ids == nil {
		return
	}
	if len(ids.tail) > 0 {
		head := data
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			head = head[:i]
		}
		ids.win = append(append(ids.win[:0], ids.tail...), head[:min(len(head), seamWindow)]...)
		ids.set.AddText(ids.win)
	}
	switch nl := bytes.LastIndexByte(data, '\n'); {
	case nl < 0 && len(data) >= seamWindow: // one long line goes on
		ids.tail = append(ids.tail[:0], data[len(data)-seamWindow:]...)
	case nl < 0:
		ids.tail = lastBytes(append(ids.tail, data...), seamWindow)
	case nl == len(data)-1:
		ids.tail = ids.tail[:0]
	default:
		ids.tail = lastBytes(append(ids.tail[:0], data[nl+1:]...), seamWindow)
	}
}

func lastBytes(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return b[:copy(b, b[len(b)-n:])]
}

// addText extracts a chunk's keys (any goroutine).
func (ids *unitIDs) addText(data []byte) {
	if ids != nil {
		ids.set.AddText(data)
	}
}

// addRecord extracts the keys of a structured record's field and values.
func (ids *unitIDs) addRecord(rec piimap.Record) {
	if ids != nil && len(rec.Values) > 0 {
		ids.set.AddValues(rec.Loc.Field, rec.Values)
	}
}

// keepIDFilter builds and stores the filter of a unit read in full without
// error. A filter that cannot be built or stored is logged and the scan
// goes on: without it the location is searched as before.
func (e *engine) keepIDFilter(ctx context.Context, st *store, u piimap.Unit, ids *unitIDs) {
	if ids == nil || ctx.Err() != nil {
		return
	}
	start := time.Now()
	m := idfilter.Meta{Loc: u.Loc.Asset(), Format: u.Format, Version: idfilter.UnitVersion(u.Size, u.Meta),
		BuiltAt: time.Now().UTC(), RunID: e.runID, KeyID: ids.h.KeyID()}
	f, err := ids.set.Build(m)
	if err == nil {
		err = idfilter.Put(ctx, ids.docs, f)
	}
	if err != nil {
		e.log.Warn("identifier filter not stored", "store", st.cfg.Name, "unit", u.Loc.Name, "err", err)
		return
	}
	e.log.Debug("identifier filter stored", "store", st.cfg.Name, "unit", u.Loc.Name, "keys", f.Meta.Keys,
		"parts", f.Meta.Parts, "took", time.Since(start))
}
