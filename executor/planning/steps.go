package planning

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/lineage"
)

// actionFor is the action of every step of a request of type t.
func actionFor(t dsar.Type) string {
	switch t {
	case dsar.Erasure:
		return ActionErase
	case dsar.Rectification:
		return ActionRectify
	case dsar.Access, dsar.Portability:
		return ActionExport
	}
	return ActionFind
}

// modeFor picks the erasure mode of an asset: "store/asset", then "store",
// then "*" (only when it suits the asset: text modes for text, row modes
// for rows), then the default: delete rows, redact text.
func modeFor(modes map[string]driver.Mode, store, asset string, text bool) driver.Mode {
	if m, ok := modes[assetKey(store, asset)]; ok {
		return m
	}
	if m, ok := modes[store]; ok {
		return m
	}
	if m, ok := modes["*"]; ok {
		textMode := m == driver.ModeRedact || m == driver.ModeDrop
		if textMode == text || m == driver.ModeMask {
			return m
		}
	}
	if text {
		return driver.ModeRedact
	}
	return driver.ModeDelete
}

// steps turns the resolved sets into per-store steps with counts, and every
// uncovered PII location into a gap.
func (d *deriver) steps(ctx context.Context, p *Plan) error {
	excs, err := d.pl.Exceptions(ctx, d.req.ID)
	if err != nil {
		return err
	}
	now := time.Now()
	action := actionFor(d.req.Type)
	kept := d.keptAssets(excs, now)
	except := func(a *assetView) (Exception, bool) {
		e, ok := kept[a.key]
		return e, ok
	}
	byStore := map[string]*StorePlan{}
	mss := make([][]driver.Match, len(d.v.order))
	for i, key := range d.v.order {
		if !d.failed[key] && !d.v.assets[key].skipped() {
			mss[i] = d.matches(d.v.assets[key])
		}
	}
	skips, err := d.filterSkips(ctx, mss)
	if err != nil {
		return err
	}
	for i, key := range d.v.order {
		a := d.v.assets[key]
		if d.failed[key] || a.skipped() {
			continue // a skipped unit is a scan_error gap (unitErrorGaps)
		}
		ms := mss[i]
		if skips[i] != nil {
			p.Skipped = append(p.Skipped, *skips[i])
			continue
		}
		if len(ms) == 0 {
			if a.hasPII() || d.v.maskedCopyOf(a) != "" {
				d.gaps = append(d.gaps, Gap{Kind: GapNoPath, Store: a.store, Asset: a.name, Reason: d.noPathReason(a)})
			}
			continue
		}
		if action == ActionRectify && a.text() {
			// Free text cannot be corrected in place; never silently
			// "completed": a text asset holding the subject is a gap.
			if gap, ok := d.textRectifyGap(ctx, a, ms); ok {
				d.gaps = append(d.gaps, gap)
			}
			continue
		}
		if action == ActionRectify && len(rectifyChanges(a, d.req.Changes)) == 0 {
			continue // nothing of what is being corrected lives here
		}
		t := driver.Target{Asset: a.name, Format: a.node.Attrs[lineage.AttrFormat], Gzip: a.node.Attrs[lineage.AttrGzip] == "true",
			Match: ms, Fields: a.piiFields()}
		if a.text() {
			t.Companions = d.companionMatches()
		}
		for _, m := range [][]driver.Match{t.Match, t.Companions} {
			for i := range m {
				for _, val := range m[i].Values {
					m[i].Masked = append(m[i].Masked, dsar.MaskDisplay(val))
				}
			}
		}
		stepAction := action
		if action == ActionErase {
			t.Mode = modeFor(d.modes, a.store, a.name, a.text())
		}
		if (action == ActionErase || action == ActionRectify) && a.view() != "" {
			// A view holds nothing of its own: it follows its base tables.
			stepAction, t.Mode = ActionRecompute, ""
		}
		if action == ActionRectify {
			t.Changes = rectifyChanges(a, d.req.Changes)
			t.Fields = slices.Sorted(maps.Keys(t.Changes))
		}
		if why := d.manual(a); why != "" {
			if action == ActionErase || action == ActionRectify {
				if exc, ok := except(a); ok {
					p.Exceptions = append(p.Exceptions, exc)
					continue
				}
			}
			p.Tasks = append(p.Tasks, manualTask(a.store, a.kind, stepAction, why, t))
			continue
		}
		h, err := d.handler(ctx, a.store, a.kind)
		if err != nil {
			d.gaps = append(d.gaps, storeGap(a.store, a.name, err))
			continue
		}
		if action == ActionErase || action == ActionRectify {
			if exc, ok := except(a); ok {
				p.Exceptions = append(p.Exceptions, exc)
				continue
			}
		}
		if t.Mode == driver.ModeExpire {
			exc, why := expiry(a, d.req.ID, now)
			if why != "" {
				d.gaps = append(d.gaps, Gap{Kind: GapUnsupported, Store: a.store, Asset: a.name, Reason: why})
			} else {
				p.Exceptions = append(p.Exceptions, exc)
			}
			continue
		}
		if stepAction == ActionErase {
			if mc, ok := h.(driver.ModeChecker); ok {
				if err := mc.CheckMode(t); err != nil {
					var xe *driver.ExceptionError
					if errors.As(err, &xe) {
						p.Exceptions = append(p.Exceptions, Exception{ID: xe.Kind + "-" + a.store + "-" + a.name, Kind: xe.Kind,
							Request: d.req.ID, Store: a.store, Asset: a.name, Reason: xe.Reason, ExpiresAt: xe.ExpiresAt, CreatedAt: now.UTC()})
						continue
					}
					d.gaps = append(d.gaps, Gap{Kind: unsupportedKind(err), Store: a.store, Asset: a.name, Reason: err.Error()})
					continue
				}
			}
		}
		if stepAction == ActionRectify {
			if _, ok := h.(driver.Rectifier); !ok {
				d.gaps = append(d.gaps, Gap{Kind: GapUnsupported, Store: a.store, Asset: a.name,
					Reason: fmt.Sprintf("store kind %s cannot rectify: %v", a.kind, piimap.ErrUnsupported)})
				continue
			}
			if mc, ok := h.(driver.ModeChecker); ok {
				if err := mc.CheckMode(t); err != nil { // an asset of the kind that cannot (Parquet)
					d.gaps = append(d.gaps, Gap{Kind: unsupportedKind(err), Store: a.store, Asset: a.name, Reason: err.Error()})
					continue
				}
			}
		}
		sp := byStore[a.store]
		if sp == nil {
			sp = &StorePlan{Store: a.store, Kind: a.kind}
			byStore[a.store] = sp
		}
		pii := map[string][]string{}
		for _, f := range a.piiFields() {
			pii[f] = a.fields[f].types
		}
		for _, f := range a.findings {
			if !slices.Contains(pii[""], f.Type) {
				pii[""] = append(pii[""], f.Type)
			}
		}
		sp.Steps = append(sp.Steps, Step{Store: a.store, Asset: a.name, Action: stepAction, Target: t, PII: pii})
	}
	if d.count {
		if err := d.countSteps(ctx, byStore); err != nil {
			return err
		}
	}
	for _, store := range slices.Sorted(maps.Keys(byStore)) {
		sp := byStore[store]
		sp.Steps = recomputeLast(childrenFirst(sp.Steps, d.v.refs))
		p.Stores = append(p.Stores, *sp)
	}
	return nil
}

func (d *deriver) noPathReason(a *assetView) string {
	if e, form, ok := d.v.maskedUnspecific(a); ok {
		return "masked copy of " + e.To.String() + " holds only its " + form + " form, which does not identify the subject"
	}
	if src := d.v.maskedCopyOf(a); src != "" {
		return "masked copy of " + src + ": raw identifiers cannot be matched"
	}
	var kinds []string
	for _, fname := range a.fieldNames() {
		if k := a.fields[fname].identity; k != "" && !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) > 0 {
		return fmt.Sprintf("subject keys here are %v; none known for this subject", kinds)
	}
	if a.text() {
		return "text asset: none of the subject's identifiers is matchable in its text"
	}
	return "no subject key and no references edge reaches this asset"
}

// rectifyChanges maps the fields of a that a rectification applies to onto
// their new values: a change keyed by a field name applies to that field, one
// keyed by a PII type to every field holding that type.
func rectifyChanges(a *assetView, changes map[string]string) map[string]string {
	out := map[string]string{}
	for _, fname := range a.fieldNames() {
		if v, ok := changes[fname]; ok {
			out[fname] = v
			continue
		}
		for _, t := range a.fields[fname].types {
			if v, ok := changes[t]; ok {
				out[fname] = v
				break
			}
		}
	}
	return out
}

// textRectifyGap is the gap of a text asset in a rectification: when the
// asset may hold what is corrected (a changed identifier kind, or a changed
// PII type its scan found) and, counted, holds lines of the subject.
func (d *deriver) textRectifyGap(ctx context.Context, a *assetView, ms []driver.Match) (Gap, bool) {
	var kinds []string
	for _, k := range slices.Sorted(maps.Keys(d.req.Changes)) {
		if d.byKind[k] != nil || a.hasType(k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return Gap{}, false
	}
	lines := "lines"
	if d.count {
		h, err := d.handler(ctx, a.store, a.kind)
		if err != nil {
			return storeGap(a.store, a.name, err), true
		}
		t := driver.Target{Asset: a.name, Format: a.node.Attrs[lineage.AttrFormat], Gzip: a.node.Attrs[lineage.AttrGzip] == "true", Match: ms}
		n, err := driver.CountRows(ctx, h, t)
		if err != nil {
			return Gap{Kind: GapFindFailed, Store: a.store, Asset: a.name, Reason: "count failed: " + err.Error()}, true
		}
		if n == 0 {
			return Gap{}, false
		}
		lines = fmt.Sprintf("%d lines", n)
	}
	return Gap{Kind: GapUnsupported, Store: a.store, Asset: a.name, Reason: fmt.Sprintf(
		"free text cannot be rectified in place: %s hold the subject and the old %s stays; "+
			"redact it with an erasure of this location (mode redact) or correct it by hand", lines, strings.Join(kinds, ", "))}, true
}

// countSteps sets each step's Expected count, reading up to the Planner's
// Concurrency assets at once (ReadEach). A step whose count fails becomes
// a gap; a store left without steps is dropped.
func (d *deriver) countSteps(ctx context.Context, byStore map[string]*StorePlan) error {
	var steps []*Step
	for _, store := range slices.Sorted(maps.Keys(byStore)) {
		for i := range byStore[store].Steps {
			steps = append(steps, &byStore[store].Steps[i])
		}
	}
	failed := make([]error, len(steps))
	store := func(i int) string { return steps[i].Store }
	lanes := func(store string) int { return driver.ParallelReads(d.handlers[store]) }
	err := ReadEach(ctx, d.pl.Concurrency, len(steps), store, lanes, func(ctx context.Context, i int) error {
		n, err := driver.CountRows(ctx, d.handlers[steps[i].Store], steps[i].Target)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		steps[i].Expected, failed[i] = n, err
		return nil
	})
	if err != nil {
		return err
	}
	for i, err := range failed {
		// A field the handler cannot match is left out (unsupported.go)
		// and the step counted again by its other matches.
		st := steps[i]
		a := d.v.assets[assetKey(st.Store, st.Asset)]
		if err == nil || !errors.Is(err, piimap.ErrUnsupported) || a == nil ||
			!d.pruneUnsupported(ctx, d.handlers[st.Store], a, st.Target.Match) {
			continue
		}
		if st.Target.Match = d.supportedMatches(a, st.Target.Match); len(st.Target.Match) > 0 {
			st.Expected, failed[i] = driver.CountRows(ctx, d.handlers[st.Store], st.Target)
		}
	}
	gone := map[*Step]bool{}
	for i, err := range failed {
		if err != nil {
			gone[steps[i]] = true
			kind := GapFindFailed
			if errors.Is(err, piimap.ErrOutsideRoot) {
				kind = GapOutsideRoot
			}
			d.gaps = append(d.gaps, Gap{Kind: kind, Store: steps[i].Store, Asset: steps[i].Asset, Reason: "count failed: " + err.Error()})
		}
	}
	if len(gone) == 0 {
		return nil
	}
	for store, sp := range byStore {
		kept := sp.Steps[:0]
		for i := range sp.Steps {
			if !gone[&sp.Steps[i]] {
				kept = append(kept, sp.Steps[i])
			}
		}
		if sp.Steps = kept; len(kept) == 0 {
			delete(byStore, store)
		}
	}
	return nil
}

// childrenFirst orders a store's steps so that every child asset (the From
// side of a references edge) comes before its parent; ties by name.
func childrenFirst(steps []Step, refs []lineage.Edge) []Step {
	sort.Slice(steps, func(i, j int) bool { return steps[i].Asset < steps[j].Asset })
	idx := map[string]int{}
	for i, s := range steps {
		idx[s.Asset] = i
	}
	// waits[p] = children of p still to place
	waits := make([]map[int]bool, len(steps))
	for _, e := range refs {
		if len(steps) == 0 || e.From.Store != steps[0].Store {
			continue
		}
		c, okc := idx[e.From.Name]
		p, okp := idx[e.To.Name]
		if !okc || !okp || c == p {
			continue
		}
		if waits[p] == nil {
			waits[p] = map[int]bool{}
		}
		waits[p][c] = true
	}
	placed := make([]bool, len(steps))
	out := make([]Step, 0, len(steps))
	for len(out) < len(steps) {
		pick := -1
		for i := range steps {
			if placed[i] {
				continue
			}
			ready := true
			for c := range waits[i] {
				if !placed[c] {
					ready = false
					break
				}
			}
			if ready {
				pick = i
				break
			}
		}
		if pick < 0 { // a reference cycle: break it at the first unplaced asset
			for i := range steps {
				if !placed[i] {
					pick = i
					break
				}
			}
		}
		placed[pick] = true
		out = append(out, steps[pick])
	}
	return out
}

// recomputeLast moves a store's recompute steps (views) after its other
// steps, keeping both groups in order: a view is verified, and a
// materialized view refreshed, once its base tables are done.
func recomputeLast(steps []Step) []Step {
	out := make([]Step, 0, len(steps))
	for _, st := range steps {
		if st.Action != ActionRecompute {
			out = append(out, st)
		}
	}
	for _, st := range steps {
		if st.Action == ActionRecompute {
			out = append(out, st)
		}
	}
	return out
}

// manual says why asset a's work is left to people, "" when piimap does it.
func (d *deriver) manual(a *assetView) string {
	if d.pl.Manual == nil {
		return ""
	}
	return d.pl.Manual(a.store, a.kind)
}

// manualTask is the task for one location a person must handle: what to
// do, where, and how to find the subject's records (fields and masked
// values; the raw identifiers stay sealed in the request).
func manualTask(store, kind, action, why string, t driver.Target) Task {
	var what string
	switch action {
	case ActionErase:
		what = fmt.Sprintf("erase the subject's records (mode %s)", t.Mode)
	case ActionRectify:
		what = "correct the subject's values (" + strings.Join(t.Fields, ", ") + ")"
	case ActionExport:
		what = "export the subject's records and add them to the request's package"
	case ActionRecompute:
		what = "refresh this derived copy from its sources after they are erased"
	default:
		what = "restrict processing of the subject's records (mark them, or stop the processing that reads them)"
	}
	var how []string
	for _, m := range t.Match {
		f := m.Field
		if f == "" {
			f = "(text)"
		}
		how = append(how, fmt.Sprintf("%s by %s %s", f, m.Kind, strings.Join(m.Masked, ", ")))
	}
	ins := fmt.Sprintf("In store %s (%s), asset %s: %s. Match %s; the full identifiers are in the sealed request (dsar status). "+
		"Then record it: piimap task done ID --note WHAT-WAS-DONE.", store, kind, t.Asset, what, strings.Join(how, "; "))
	ms := make([]driver.Match, len(t.Match))
	for i, m := range t.Match {
		m.Values = nil
		ms[i] = m
	}
	return Task{Store: store, Asset: t.Asset, Kind: kind, Action: action, Mode: t.Mode, Reason: why, Instructions: ins, Match: ms}
}

// keptAssets returns the exception that keeps each asset from being
// changed: its own (a hold or register entry covering it, a backup store)
// and, for an erasure, that of a legal hold on a table referencing it
// through a declared foreign key in the same store, transitively: deleting
// the parent rows would fail the constraint, or cascade into the held
// rows. A kept parent's exception names the held table that keeps it.
func (d *deriver) keptAssets(excs []Exception, now time.Time) map[string]Exception {
	kept := map[string]Exception{}
	for _, key := range d.v.order {
		if e, ok := d.exception(excs, d.v.assets[key], now); ok {
			kept[key] = e
		}
	}
	if actionFor(d.req.Type) != ActionErase {
		return kept
	}
	for changed := true; changed; {
		changed = false
		for _, e := range d.v.refs {
			if e.Source != lineage.SourceFK || e.From.Store != e.To.Store {
				continue
			}
			child, parent := assetKey(e.From.Store, e.From.Name), assetKey(e.To.Store, e.To.Name)
			h, ok := kept[child]
			if _, done := kept[parent]; !ok || h.Kind != driver.ExceptionLegalHold || done || d.v.assets[parent] == nil {
				continue
			}
			pe := h
			pe.Store, pe.Asset = e.To.Store, e.To.Name
			pe.Reason = fmt.Sprintf("kept: rows of %s held by %s (%s) reference it by a foreign key; deleting them would fail or cascade into the held rows",
				child, h.ID, h.Reason)
			kept[parent] = pe
			changed = true
		}
	}
	return kept
}
