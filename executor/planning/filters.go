package planning

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Identifier filters (scanner/idfilter). A full scan leaves, for each text,
// CSV or JSON object of a files or s3 store, a filter of keyed hashes of
// every identifier the object holds. Planning asks it before reading the
// object: when the filter rules out every value the object would be
// searched for, the object is left out of the plan and listed in
// Plan.Skipped with the evidence (the filter's key count, when and by which
// run it was built). Nothing else changes: the object is searched as before
// whenever
//
//   - it has no filter, or the filter was built under another installation
//     key;
//   - the filter was built from another version of the object than the one
//     the latest scan saw (size, modification time, ETag), or than the one
//     the store reports now, for handlers that implement driver.AssetVersioner;
//   - one of the values has a shape the filter's extraction does not
//     guarantee to capture (see lookupKeys), e.g. a short numeric id;
//   - the filter or one of its parts does not decode. That is logged as a
//     warning (slog's default logger) naming the location: a corrupt filter
//     costs time, never coverage, so it is not a gap.
//
// False positives (about 0.4% per value) only mean an object is read for
// nothing; there are no false negatives for the values lookupKeys accepts.

// filterSkips runs filterSkip for the assets of the derivation's order
// (mss[i] being the matches of the i-th), up to the Planner's Concurrency
// at once: reading and checking a filter is a Badger read and a decode
// each. skips[i] is nil where the asset must be searched.
func (d *deriver) filterSkips(ctx context.Context, mss [][]driver.Match) ([]*Skip, error) {
	skips := make([]*Skip, len(mss))
	var todo []int
	for i, ms := range mss {
		a := d.v.assets[d.v.order[i]]
		if len(ms) == 0 {
			continue
		}
		// Open the handlers and the hasher first: the checks share them.
		h, err := d.handler(ctx, a.store, a.kind)
		if err != nil {
			continue // steps reports the store as a gap
		}
		if f, ok := h.(driver.IdentifierFiltered); !ok || !f.IdentifierFiltered(a.node.Attrs[lineage.AttrUnitKind], a.node.Attrs[lineage.AttrFormat]) {
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return skips, nil
	}
	if _, err := d.filterHasher(ctx); err != nil {
		slog.Default().Warn("identifier filters not used; every location is searched", "err", err)
		return skips, nil
	}
	asset := func(j int) *assetView { return d.v.assets[d.v.order[todo[j]]] }
	store := func(j int) string { return asset(j).store }
	lanes := func(string) int { return d.pl.Concurrency }
	err := ReadEach(ctx, d.pl.Concurrency, len(todo), store, lanes, func(ctx context.Context, j int) error {
		if sk, ok := d.filterSkip(ctx, asset(j), mss[todo[j]]); ok {
			skips[todo[j]] = &sk
		}
		return ctx.Err()
	})
	return skips, err
}

// filterSkip reports whether asset a (with matches, of a kind filters
// cover) can be left out of the plan because its identifier filter shows
// that none of the match values can be there.
func (d *deriver) filterSkip(ctx context.Context, a *assetView, ms []driver.Match) (Skip, bool) {
	docs, ok := d.pl.Graph.(lineage.DocStore)
	if !ok {
		docs = d.pl.Docs
	}
	var sk Skip
	var skip bool
	err := idfilter.View(ctx, docs, a.store, a.name, func(st *idfilter.Stored) error {
		sk, skip = d.filterRulesOut(ctx, a, ms, st)
		return nil
	})
	if err != nil {
		if !errors.Is(err, piimap.ErrNotFound) && ctx.Err() == nil {
			filterProblem(a, err)
		}
		return Skip{}, false
	}
	return sk, skip
}

// filterRulesOut is filterSkip once the filter st is read.
func (d *deriver) filterRulesOut(ctx context.Context, a *assetView, ms []driver.Match, st *idfilter.Stored) (Skip, bool) {
	attrs := a.node.Attrs
	if st.Meta.Version != idfilter.AttrsVersion(attrs) {
		return Skip{}, false // the object changed since the filter was built
	}
	h, err := d.filterHasher(ctx)
	if err != nil {
		filterProblem(a, err)
		return Skip{}, false
	}
	if st.Meta.KeyID != h.KeyID() {
		return Skip{}, false // built under another installation key
	}
	if !d.liveVersionMatches(ctx, a, st.Meta.Version) {
		return Skip{}, false
	}
	text := a.text()
	values := 0
	for _, m := range ms {
		if (m.Field == "") != text {
			return Skip{}, false // a match shape the filter was not built for
		}
		for _, v := range m.Values {
			keys, ok, never := lookupKeys(h, m, v)
			switch {
			case never:
				values++
				continue
			case !ok:
				return Skip{}, false
			}
			for _, k := range keys {
				in, err := st.MayContain(ctx, k)
				if err != nil {
					if ctx.Err() == nil {
						filterProblem(a, err)
					}
					return Skip{}, false
				}
				if in {
					return Skip{}, false
				}
			}
			values++
		}
	}
	return Skip{Store: a.store, Asset: a.name, Reason: fmt.Sprintf("identifier filter (%d keys, built %s by run %s) excludes all %d identifiers",
		st.Meta.Keys, st.Meta.BuiltAt.UTC().Format(time.RFC3339), st.Meta.RunID, values)}, true
}

// lookupKeys returns the filter keys under which value v of match m would
// be in the filter if m could match it in the object, following the match
// rules of classifiers/identifier (see executor/driver, match.go):
//
//   - whole-line matches (Field ""; Match.Spans): emails as whole tokens,
//     phones as written numbers whose digits are one of their PhoneForms
//     (once a bracketed trunk 0 after the country code is left out, as
//     extraction leaves it out too), other kinds as whole tokens;
//   - cell matches (MatchValue): emails by case-insensitive equality or as
//     tokens, phones by the digits of the cell or of a written number in
//     it (again one of their PhoneForms), other kinds (keys, references,
//     masked forms) by exact equality.
//
// The object may hold v when any key is in the filter. ok is false when v
// has no key extraction guarantees (the caller must then search the
// object); never is true when the rules can match v nowhere (empty, or a
// phone with no valid form).
func lookupKeys(h *idfilter.Hasher, m driver.Match, v string) (keys []uint64, ok, never bool) {
	if driver.NormalizeValue(m.Kind, v) == "" {
		return nil, false, true
	}
	if identifier.IsNumber(m.Kind) {
		return nil, false, false // no extraction guarantee: the object is searched
	}
	switch m.Kind {
	case piimap.KeyEmail:
		key, ok := h.EmailKey(v)
		return []uint64{key}, ok, false
	case piimap.KeyPhone:
		forms := identifier.PhoneForms(v, m.Region)
		if len(forms) == 0 {
			return nil, false, true
		}
		for _, f := range forms {
			key, ok := h.PhoneFormKey(f)
			if !ok {
				return nil, false, false
			}
			keys = append(keys, key)
		}
		return keys, true, false
	}
	if key, ok := h.TokenKey(v); ok || m.Field == "" {
		return []uint64{key}, ok, false
	}
	if key, ok := h.CellEmailKey(v); ok {
		return []uint64{key}, ok, false
	}
	key, ok := h.DigitsKey(v)
	return []uint64{key}, ok, false
}

// liveVersionMatches asks the store's handler, when it can tell, whether
// the object is still the version the filter was built from: the same
// size, and the same modification time and ETag where both sides know
// them.
func (d *deriver) liveVersionMatches(ctx context.Context, a *assetView, built idfilter.Version) bool {
	h, err := d.handler(ctx, a.store, a.kind)
	if err != nil {
		return false // steps reports the store as a gap
	}
	av, ok := h.(driver.AssetVersioner)
	if !ok {
		return true
	}
	live, err := av.AssetVersion(ctx, a.name)
	if err != nil {
		return false
	}
	same := func(x, y string) bool { return x == "" || y == "" || x == y }
	return live.Size == built.Size && same(live.ETag, built.ETag) && sameTime(live.Modified, built.Modified)
}

// sameTime compares two RFC 3339 times at the coarser of their precisions
// (S3 listings report seconds); either side unknown compares equal.
func sameTime(x, y string) bool {
	if x == "" || y == "" || x == y {
		return true
	}
	tx, errx := time.Parse(time.RFC3339Nano, x)
	ty, erry := time.Parse(time.RFC3339Nano, y)
	if errx != nil || erry != nil {
		return false
	}
	if !strings.Contains(x, ".") || !strings.Contains(y, ".") {
		tx, ty = tx.Truncate(time.Second), ty.Truncate(time.Second)
	}
	return tx.Equal(ty)
}

// filterHasher is the Planner's filter hasher, made once per derivation.
func (d *deriver) filterHasher(ctx context.Context) (*idfilter.Hasher, error) {
	if d.hasher != nil {
		return d.hasher, nil
	}
	h, err := d.pl.FilterHasher(ctx)
	if err != nil {
		return nil, err
	}
	d.hasher = h
	return h, nil
}

// filterProblem logs a filter that exists but cannot be used. The object is
// searched as if it had none.
func filterProblem(a *assetView, err error) {
	slog.Default().Warn("identifier filter not used; the location is searched", "store", a.store, "asset", a.name, "err", err)
}
