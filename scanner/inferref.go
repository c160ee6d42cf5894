package scanner

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/sync/errgroup"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Prober is implemented by SQL sources that can check, exactly and
// read-only, whether one column's values occur in another's. The scan uses
// it to infer join keys nobody declared (see inferRefs).
type Prober interface {
	// DistinctSample returns up to n distinct non-null values of field in
	// u, drawn with the store's seeded sampling, as text.
	DistinctSample(ctx context.Context, u piimap.Unit, field string, n int) ([]string, error)
	// CountIn counts how many of values (distinct, as text) occur in
	// field of u, compared exactly.
	CountIn(ctx context.Context, u piimap.Unit, field string, values []string) (int, error)
}

// Inferred join keys: limits and thresholds.
const (
	// InferProbeValues is the most distinct child values probed per pair.
	InferProbeValues = 200
	// InferMinValues is the fewest distinct child values a pair needs: on
	// fewer, containment says too little.
	InferMinValues = 5
	// InferMinContainment is the share of the sampled child values that
	// must exist in the parent column.
	InferMinContainment = 0.95
	// InferMaxPairs bounds the candidate pairs probed per store.
	InferMaxPairs = 300
	// inferProbeTimeout bounds one probe (the stores' own statement
	// timeouts apply inside it).
	inferProbeTimeout = 2 * time.Minute
)

// keyField is one scanned field of a structured unit of a probing store.
type keyField struct {
	unit   piimap.Unit
	field  string
	class  string // keyInt | keyText | ""
	unique bool
	pii    bool     // the field has PII findings (it is found by value, not as a key)
	piiAt  bool     // its unit has a field with PII findings (a table a subject can have a record in)
	sample []string // the scan's sample of its distinct values (keySample), nil when not kept
	rows   int64    // its unit's row count as the scan saw it (0 when unknown)
}

const (
	keyInt  = "int"
	keyText = "text"
)

// inferState collects, during a scan, what inferring join keys needs: the
// fields of every unit read without error in a store that can probe, and
// the child fields of declared foreign keys.
type inferState struct {
	mu       sync.Mutex
	fields   map[string][]keyField    // store → fields
	declared map[piimap.Location]bool // child fields of declared references (namespace dropped)
}

// keepKeys records the fields of a unit read without error, when its store
// can probe.
func (e *engine) keepKeys(st *store, u piimap.Unit, us *unitScan) {
	if _, ok := st.src.(Prober); !ok || us == nil || !u.Structured() {
		return
	}
	var fs []keyField
	piiAt := false
	for name, f := range us.fields {
		if name == "" {
			continue
		}
		piiAt = piiAt || len(f.findings) > 0
		fs = append(fs, keyField{
			unit: u, field: name, class: keyClass(f.meta[piimap.MetaSQLType]),
			unique: f.meta[piimap.MetaUnique] == "true" || f.meta[piimap.MetaPrimaryKey] == "true",
			pii:    len(f.findings) > 0,
			sample: f.keys.values(),
			rows:   us.rowsTotal,
		})
	}
	for i := range fs {
		fs[i].piiAt = piiAt
	}
	e.inferred.mu.Lock()
	defer e.inferred.mu.Unlock()
	if e.inferred.fields == nil {
		e.inferred.fields = map[string][]keyField{}
	}
	e.inferred.fields[st.cfg.Name] = append(e.inferred.fields[st.cfg.Name], fs...)
}

// declaredRef records a declared edge: a `references` edge's child field
// is never given an inferred one.
func (e *engine) declaredRef(ed lineage.Edge) {
	if ed.Kind != lineage.EdgeReferences || ed.From.Field == "" {
		return
	}
	e.inferred.mu.Lock()
	defer e.inferred.mu.Unlock()
	if e.inferred.declared == nil {
		e.inferred.declared = map[piimap.Location]bool{}
	}
	e.inferred.declared[bare(ed.From)] = true
}

// keyClass is the comparable class of a SQL type: integers, text, or ""
// (never a join-key candidate).
func keyClass(sqlType string) string {
	t := strings.ToLower(strings.TrimSpace(sqlType))
	if i := strings.IndexAny(t, "( "); i >= 0 {
		t = t[:i]
	}
	switch t {
	case "smallint", "integer", "int", "bigint", "tinyint", "mediumint", "int2", "int4", "int8",
		"hugeint", "utinyint", "usmallint", "uinteger", "ubigint", "uhugeint", "serial", "bigserial", "smallserial":
		return keyInt
	case "text", "varchar", "character", "char", "bpchar", "citext", "string", "nvarchar", "nchar",
		"tinytext", "mediumtext", "longtext":
		return keyText
	}
	return ""
}

// candidate is one child → parent pair worth probing.
type candidate struct {
	child, parent keyField
	byValue       bool // no name relates them: the values alone must (valueCandidates)
}

// joinCandidates lists the pairs of one store's fields whose names, types
// and keys make an undeclared join key plausible. The name rule, on names
// folded (case-insensitive, `_` and camelCase ignored):
//
//   - the child's name equals the parent's, and the parent is named after
//     its own table (its name starts with the table's singular, and is more
//     than it): invoices.member_id → members.member_id. A generic unique
//     name (`code`, `email`, a bare `id`) never pairs by equality, and a
//     1:1 table's own member_profiles.member_id is never a parent;
//   - the child's name is `<singular of the parent's table>_<parent's
//     name>`: orders.customer_id → customers.id, orders.customer_code →
//     customers.code;
//   - the child's name is a key's name (a suffix id, no, nr, num, number,
//     nummer, ref, key, code, fk; keyStem) whose stem of three letters or
//     more begins the singular of the parent's table: orders.cust_no →
//     customers.id, auftraege.kunde_nr → kunden.knr, invoices.client_ref →
//     clients.id.
//
// Singular: `…ies` → `…y`, `…ses`/`…xes` drop `es`, else a trailing `s`
// (not `ss`) is dropped. The parent must be unique (PRIMARY KEY or a
// single-column UNIQUE constraint) and in another table, which gives the
// direction; both must be integers or both text; a child with a declared
// reference is skipped, and so is a unique child keyed like its parent in a
// table of the same name (archive.members.member_id: a copy, not a
// reference). No other name heuristic applies: `referrer_id` never pairs
// with customers.id. Pairs no name relates are left to valueCandidates,
// which asks more of the values.
func joinCandidates(fields []keyField, declared map[piimap.Location]bool) []candidate {
	folded := make([]string, len(fields))
	for i, f := range fields {
		folded[i] = foldName(f.field)
	}
	abbrevOf := abbreviatedTables(fields, folded)
	var out []candidate
	for _, p := range fields {
		if !p.unique || p.class == "" {
			continue
		}
		pt := tableSingular(p.unit.Loc.Name)
		pn := foldName(p.field)
		owned := pt != "" && pn != pt && strings.HasPrefix(pn, pt) // members.member_id, accounts.account_no
		for i, c := range fields {
			if c.unit.Loc.Name == p.unit.Loc.Name || c.class != p.class || declared[bare(c.unit.Loc.WithField(c.field))] {
				continue
			}
			cn := folded[i]
			same := cn == pn && owned
			abbrev := pt != "" && abbrevOf[i] == pt
			if !same && (pt == "" || cn != pt+pn) && !abbrev {
				continue
			}
			if same && c.unique && tableSingular(c.unit.Loc.Name) == pt {
				continue // archive.members ↔ public.members: copies, not a reference
			}
			out = append(out, candidate{child: c, parent: p})
		}
	}
	slices.SortFunc(out, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.child.unit.Loc.Name, b.child.unit.Loc.Name), cmp.Compare(a.child.field, b.child.field),
			cmp.Compare(a.parent.unit.Loc.Name, b.parent.unit.Loc.Name), cmp.Compare(a.parent.field, b.parent.field))
	})
	return out
}

// abbreviatedTables returns, per field, the singular of the table its key
// name abbreviates (keyStem of three letters or more beginning that
// singular), or "": of several such tables other than the field's own, the
// shortest singular (member_id names members, not member_profiles).
func abbreviatedTables(fields []keyField, folded []string) []string {
	var singulars []string
	owner := map[string]string{} // singular → a table with it
	for _, f := range fields {
		if !f.unique {
			continue
		}
		if t := tableSingular(f.unit.Loc.Name); t != "" && owner[t] == "" {
			owner[t] = f.unit.Loc.Name
			singulars = append(singulars, t)
		}
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		stem := keyStem(folded[i])
		if len(stem) < 3 {
			continue
		}
		own := tableSingular(f.unit.Loc.Name)
		if strings.HasPrefix(own, stem) {
			continue // members.member_id, kunden.kundennr: its own table's key
		}
		for _, t := range singulars {
			if t == own || !strings.HasPrefix(t, stem) {
				continue
			}
			if out[i] == "" || len(t) < len(out[i]) {
				out[i] = t
			}
		}
	}
	return out
}

// keySuffixes are the endings that make a column name a key's name, longest
// first within each family.
var keySuffixes = []string{"number", "nummer", "num", "nr", "no", "id", "ref", "key", "code", "fk"}

// keyStem is a folded column name less one key suffix and a leading `fk`
// (cust_no → cust, kundennummer → kunden, fk_client_id → client), or ""
// when it has no key suffix: a column named like a key of its table.
func keyStem(folded string) string {
	for _, suf := range keySuffixes {
		if stem, ok := strings.CutSuffix(folded, suf); ok && stem != "" {
			if rest, ok := strings.CutPrefix(stem, "fk"); ok && len(rest) >= 3 {
				stem = rest
			}
			return stem
		}
	}
	return ""
}

// foldName lowercases a name and drops `_`, so member_id, memberId and
// MemberID compare equal.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '_' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// tableSingular is the folded singular of an asset's table name (the part
// after the schema or database).
func tableSingular(asset string) string {
	t := foldName(tableOf(asset))
	switch {
	case strings.HasSuffix(t, "ies") && len(t) > 3:
		return t[:len(t)-3] + "y"
	case strings.HasSuffix(t, "ses") || strings.HasSuffix(t, "xes"):
		return t[:len(t)-2]
	case strings.HasSuffix(t, "s") && !strings.HasSuffix(t, "ss"):
		return t[:len(t)-1]
	}
	return t
}

// inferRefs infers join keys nobody declared in every store that can
// probe (Prober: the SQL kinds), after its units are scanned: for each
// candidate pair (joinCandidates, at most InferMaxPairs per store) it
// samples up to InferProbeValues distinct child values and counts how many
// exist in the parent. With at least InferMinValues values and a
// containment of at least InferMinContainment, it writes a `references`
// edge child → parent (source inferred, confidence the containment) whose
// evidence names the measure and the name rule, never values. A failing
// probe is logged and gives no edge. Stores are probed concurrently
// (Options.Concurrency), each one pair at a time.
func (e *engine) inferRefs(ctx context.Context, stores []*store) error {
	for _, ed := range e.opt.Declared { // written later; they win too
		e.declaredRef(ed)
	}
	e.inferred.mu.Lock()
	byStore := e.inferred.fields
	declared := e.inferred.declared
	e.inferred.mu.Unlock()
	if len(byStore) == 0 {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.opt.Concurrency)
	for _, st := range stores {
		pr, ok := st.src.(Prober)
		if !ok || len(byStore[st.cfg.Name]) == 0 {
			continue
		}
		g.Go(func() error { return e.inferStore(gctx, st, pr, byStore[st.cfg.Name], declared) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

func (e *engine) inferStore(ctx context.Context, st *store, pr Prober, fields []keyField, declared map[piimap.Location]bool) error {
	cands := joinCandidates(fields, declared)
	if len(cands) > InferMaxPairs {
		e.log.Warn("join key inference: too many candidate pairs, probing the first", "store", st.cfg.Name,
			"candidates", len(cands), "probed", InferMaxPairs)
		cands = cands[:InferMaxPairs]
	}
	byValue := valueCandidates(fields, declared, cands)
	if len(byValue) > InferMaxValuePairs {
		e.log.Warn("join key inference: too many value-only candidate pairs, probing the first", "store", st.cfg.Name,
			"candidates", len(byValue), "probed", InferMaxValuePairs)
		byValue = byValue[:InferMaxValuePairs]
	}
	cands = append(cands, byValue...)
	samples := map[piimap.Location][]string{}
	failed := map[piimap.Location]bool{}
	linked := map[piimap.Location]bool{} // children given an edge already
	now := time.Now().UTC()
	n := 0
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return err
		}
		from := c.child.unit.Loc.WithField(c.child.field)
		to := c.parent.unit.Loc.WithField(c.parent.field)
		if failed[from] || c.byValue && linked[from] {
			continue
		}
		vals, ok := samples[from]
		if c.byValue {
			vals, ok = c.child.sample, true // the scan's own sample (valueCandidates checked its size)
		}
		if !ok {
			pctx, cancel := context.WithTimeout(ctx, inferProbeTimeout)
			v, err := pr.DistinctSample(pctx, c.child.unit, c.child.field, InferProbeValues)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				e.log.Warn("join key inference: sample failed, no edge", "store", st.cfg.Name,
					"unit", c.child.unit.Loc.Name, "field", c.child.field, "err", ScrubError(err))
				failed[from] = true
				continue
			}
			vals = dedupe(v, InferProbeValues)
			samples[from] = vals
		}
		if len(vals) < InferMinValues || c.byValue && len(vals) < valueMinValues(c.parent.class) {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, inferProbeTimeout)
		hit, err := pr.CountIn(pctx, c.parent.unit, c.parent.field, vals)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e.log.Warn("join key inference: probe failed, no edge", "store", st.cfg.Name,
				"from", from.Name+"."+from.Field, "to", to.Name+"."+to.Field, "err", ScrubError(err))
			continue
		}
		hit = min(hit, len(vals))
		ratio := float64(hit) / float64(len(vals))
		if ratio < InferMinContainment {
			continue
		}
		evidence := fmt.Sprintf("containment %.3f on %d sampled values; name %s → %s.%s",
			ratio, len(vals), c.child.field, tableOf(c.parent.unit.Loc.Name), c.parent.field)
		if c.byValue {
			ev, ok, err := e.valueEvidence(ctx, pr, c, vals, hit)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				e.log.Warn("join key inference: chance probe failed, no edge", "store", st.cfg.Name,
					"from", from.Name+"."+from.Field, "to", to.Name+"."+to.Field, "err", ScrubError(err))
				continue
			}
			if !ok {
				continue
			}
			evidence = fmt.Sprintf("containment %.3f on %d sampled values; %s", ratio, len(vals), ev)
		}
		ed := lineage.Edge{
			Kind: lineage.EdgeReferences, From: from, To: to, Source: lineage.SourceInferred,
			Confidence: ratio, ObservedAt: now, Evidence: evidence,
		}
		if err := e.w.PutEdge(ctx, ed); err != nil {
			return graphErr(err)
		}
		e.declare(ed)
		linked[from] = true
		n++
	}
	e.log.Info("join keys inferred", "store", st.cfg.Name, "candidates", len(cands), "edges", n)
	return nil
}

// dedupe drops empty and repeated values, keeping at most n.
func dedupe(vals []string, n int) []string {
	seen := make(map[string]bool, len(vals))
	out := vals[:0:0]
	for _, v := range vals {
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
		if len(out) == n {
			break
		}
	}
	return out
}

// tableOf is an asset's table name: the SQL kinds name assets
// `schema.table` (`db.table`), split at the first dot.
func tableOf(asset string) string {
	if i := strings.IndexByte(asset, '.'); i >= 0 {
		return asset[i+1:]
	}
	return asset
}
