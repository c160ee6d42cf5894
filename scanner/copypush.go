package scanner

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/fingerprint"
)

// Copies in sampled scans: probes inside the store.
//
// A candidate original too large to read in full (more rows than
// CopyMaxRows) in a store that answers probes itself (FormProber: the SQL
// kinds) is not left to its sample. It is sent the candidate copies'
// needles (the normalised values behind each copy's smallest sampled
// hashes, fingerprint.Needles) and answers, in one read-only query that
// returns nothing but the needles it holds, which of them its field
// holds, plainly or in each masked form of its type. The answer is a
// fingerprint.ProbedSet per form, which Probe and explained() use as they
// use a full read's filters, measuring containment on the needles asked.
// A form the store cannot compute (Postgres has no SHA-1 without
// pgcrypto) is not asked, and the log says so: reading the column to
// compute it would be the full read the table is too large for.
//
// Why only the large ones: on the bench estate (docs/BENCHMARKS.md) an
// in-store probe of a 20,000-row field costs the database 60-230 ms
// (normalising and hashing every value in SQL), about what the full read
// costs piimap (57 ms a field), on the same cores. It wins where a full
// read cannot be made at all.
//
// Nothing of the answer can be kept: it is true only for the needles
// asked. So the graph keeps, for a field probed this way, its sampled
// sketch marked "probed in store" (sketchstore), and a later scan of other
// stores (--store) opens the store again, read-only (Options.Others), and
// probes it with that run's needles (pushKept).
//
// Needles are raw values in memory, in this run, and are never logged or
// written. What a store is sent is fingerprint.SentAs: a typed needle's
// or a base64 text's sha256 hex, a digest or last four digits as they
// are, and only a store of the copy's own tenant is sent it: no value
// travels in clear into another database's statements or logs, and no
// customer's values into another customer's store.

// PushNeedles is how many needles a sampled field sends to in-store
// probes: containment is measured on up to this many of its values.
const PushNeedles = 128

// needleSet is every needle a run can send, deduplicated, by the tenant
// of the candidate copy's store (needles go only to stores of the same
// tenant: one customer's values are never sent to another's database),
// then by the PII type of typed candidate copies and by the value shape
// of untyped ones. Each is kept as it is sent (fingerprint.SentAs: a
// typed value or a base64 text as its sha256 hex).
type needleSet map[string]tenantNeedles

type tenantNeedles struct {
	byType  map[string]map[string]uint64 // type → sha256 hex of the value → hash
	byShape map[string]map[string]uint64 // shape → value (a digest, base64, last four) → hash
}

// candidateCopy reports whether a field's sample may be probed as a copy
// (fingerprint's probeable: an identifier type, or an untyped masked shape,
// with enough values).
func candidateCopy(fs *fieldSketch) bool {
	p := &fs.sketch.Plain
	if len(p.KMV) < 16 {
		return false
	}
	if fs.sketch.Type == "" {
		return fingerprint.MaskedShape(p.Domain)
	}
	return fingerprint.ProbeType(fs.sketch.Type)
}

// collectNeedles gathers the run's needles; tenant names each field's
// store's tenant.
func collectNeedles(sketches []fieldSketch, tenant func(store string) string) needleSet {
	ns := needleSet{}
	for i := range sketches {
		fs := &sketches[i]
		if len(fs.needles) == 0 || !candidateCopy(fs) {
			continue
		}
		tn, ok := ns[tenant(fs.loc.Store)]
		if !ok {
			tn = tenantNeedles{byType: map[string]map[string]uint64{}, byShape: map[string]map[string]uint64{}}
			ns[tenant(fs.loc.Store)] = tn
		}
		m, key := tn.byType, fs.sketch.Type
		if key == "" {
			m, key = tn.byShape, fs.sketch.Plain.Domain
		}
		if m[key] == nil {
			m[key] = map[string]uint64{}
		}
		form := fingerprint.FormPlain
		if fs.sketch.Type == "" {
			form = key // an untyped needle's shape: ShapeBase64 is the base64 form's name
		}
		for _, n := range fs.needles {
			m[key][fingerprint.SentAs(form, n.Value)] = n.Hash
		}
	}
	return ns
}

// query is the probe of a field of type typ in a store of tenant: that
// tenant's needles of its type, and for each masked form of the type its
// needles of that form's shape.
func (ns needleSet) query(tenant, typ string) (FormQuery, map[string]map[string]uint64) {
	q := FormQuery{Type: typ, Needles: map[string][]string{}}
	hashes := map[string]map[string]uint64{}
	add := func(form string, m map[string]uint64) {
		if len(m) > 0 {
			q.Needles[form] = slices.Sorted(maps.Keys(m))
			hashes[form] = m
		}
	}
	tn := ns[tenant]
	add(fingerprint.FormPlain, tn.byType[typ])
	for _, form := range fingerprint.MaskedForms(typ) {
		add(form, tn.byShape[fingerprint.FormShape(form)])
	}
	return q, hashes
}

// pushFields probes fields of a unit inside its store. Each comes back
// with its sampled sketch and a ProbedSet per form asked; a field the
// store cannot probe (a type without an SQL normaliser) comes back in
// failed, for a full read.
func (e *engine) pushFields(ctx context.Context, src Source, mu memberUnit, names []string, sketches []fieldSketch,
	at map[piimap.Location]int, ns needleSet) (out []memberField, failed []string, err error) {
	fp := src.(FormProber)
	for _, name := range names {
		fs := &sketches[at[bare(mu.u.Loc.WithField(name))]]
		q, hashes := ns.query(mu.st.cfg.TenantName(), mu.types[name])
		if len(q.Needles) == 0 {
			// Nothing in the run could be a copy of it: an empty answer.
			out = append(out, memberField{name: name, sketch: fs.sketch, pushed: true,
				members: &fingerprint.Members{Type: fs.sketch.Type, KeyID: fs.sketch.KeyID, Forms: map[string]fingerprint.Membership{}}})
			continue
		}
		t0 := time.Now()
		ans, perr := fp.ProbeForms(ctx, mu.u, name, q)
		e.log.Debug("copy detection: probed in store", "field", mu.u.Loc.WithField(name).String(), "needles", needleCount(q),
			"unsupported", len(ans.Unsupported), "took", time.Since(t0).Round(time.Millisecond).String(), "err", perr)
		if errors.Is(perr, piimap.ErrUnsupported) {
			failed = append(failed, name)
			continue
		}
		if perr != nil {
			return nil, nil, perr
		}
		for _, form := range ans.Unsupported {
			// Not asked: nothing is known of those needles (a ProbedSet
			// would count them absent). The table is too large to read.
			delete(hashes, form)
			e.log.Info("copy detection: a masked form cannot be computed in this store; its copies are compared by sample only",
				"field", mu.u.Loc.WithField(name).String(), "form", form)
		}
		m := &fingerprint.Members{Type: fs.sketch.Type, KeyID: fs.sketch.KeyID, Forms: map[string]fingerprint.Membership{}}
		for form, asked := range hashes {
			var found []uint64
			for _, v := range ans.Found[form] {
				if h, ok := asked[v]; ok {
					found = append(found, h)
				}
			}
			m.Forms[form] = fingerprint.NewProbedSet(slices.Collect(maps.Values(asked)), found, int(ans.Distinct))
		}
		out = append(out, memberField{name: name, sketch: fs.sketch, members: m, pushed: true})
	}
	return out, failed, nil
}

// pushKept probes, in their stores, the fields kept as probed in store
// from earlier runs of stores this run does not scan (Options.Others),
// with this run's needles, and adds them to pool. A store that cannot be
// opened or probed costs only its fields' probes, and is logged. It
// returns the number of fields probed.
func (e *engine) pushKept(ctx context.Context, sketches []fieldSketch, at map[piimap.Location]int, pool *[]int, ns needleSet) int {
	if e.opt.NoPushdown || len(ns) == 0 {
		return 0
	}
	byStore := map[string][]int{}
	for i := range sketches {
		if fs := &sketches[i]; fs.kept && fs.pushed && fs.members == nil {
			byStore[fs.loc.Store] = append(byStore[fs.loc.Store], i)
		}
	}
	n := 0
	for _, name := range slices.Sorted(maps.Keys(byStore)) {
		i := slices.IndexFunc(e.opt.Others, func(c StoreConfig) bool { return c.Name == name })
		if i < 0 {
			continue
		}
		cfg := e.opt.Others[i]
		src, _, err := Open(ctx, cfg)
		if err != nil {
			e.log.Warn("copy detection: store not opened to probe its kept fields; they are compared by sample only",
				"store", name, "err", err)
			continue
		}
		if _, ok := src.(FormProber); ok {
			st := &store{cfg: cfg, src: src, stage: StageOf(src)}
			for _, j := range byStore[name] {
				fs := &sketches[j]
				unit := fs.loc
				unit.Field = ""
				mu := memberUnit{st: st, u: piimap.Unit{Loc: unit, Kind: piimap.UnitTable}, types: map[string]string{fs.loc.Field: fs.sketch.Type}}
				got, _, err := e.pushFields(ctx, src, mu, []string{fs.loc.Field}, sketches, at, ns)
				if err != nil || len(got) == 0 {
					e.log.Warn("copy detection: kept field not probed in its store; it is compared by sample only",
						"field", fs.loc.String(), "err", err)
					continue
				}
				fs.members = got[0].members
				*pool = append(*pool, j)
				n++
			}
		}
		if c, ok := src.(Closer); ok {
			_ = c.Close()
		}
	}
	return n
}

func needleCount(q FormQuery) int {
	n := 0
	for _, vs := range q.Needles {
		n += len(vs)
	}
	return n
}
