package planning

import (
	"context"
	"errors"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// Fields a handler cannot match. A Postgres text[] column, or a path into a
// JSON array (tags[], profile.emails[]), cannot be compared in SQL; a match
// on such a field used to fail the whole asset, so a customers table with
// one array column was left entirely alone although its email column
// found the subject's row. Now, when a find or count fails as unsupported,
// each of its matches is counted alone: a field whose match fails that way
// is left out of the asset's matches from then on and reported as a gap of
// its own (kind unsupported, naming the field), and the asset is searched
// again by its other fields. Rows that only such a field would find stay,
// and the gap says so.

// pruneUnsupported counts each field match of ms on asset a alone and
// records the fields whose match the handler refuses as unsupported. It
// reports whether it found any. When no field match works (the asset
// itself is refused: outside the store root, a format the kind cannot
// read), nothing is recorded: the asset's own error stands.
func (d *deriver) pruneUnsupported(ctx context.Context, h driver.Handler, a *assetView, ms []driver.Match) bool {
	type refusal struct {
		field string
		err   error
	}
	var bad []refusal
	worked := false
	for _, m := range ms {
		if m.Field == "" || d.unsupported[fieldKey(piimap.Location{Store: a.store, Name: a.name, Field: m.Field})] {
			continue
		}
		t := driver.Target{Asset: a.name, Format: a.node.Attrs["format"], Gzip: a.node.Attrs["gzip"] == "true", Match: []driver.Match{m}}
		_, err := driver.CountRows(ctx, h, t)
		switch {
		case err == nil:
			worked = true
		case errors.Is(err, piimap.ErrUnsupported) && !errors.Is(err, piimap.ErrOutsideRoot):
			bad = append(bad, refusal{m.Field, err})
		}
	}
	if !worked {
		return false
	}
	for _, b := range bad {
		d.unsupported[fieldKey(piimap.Location{Store: a.store, Name: a.name, Field: b.field})] = true
		d.gaps = append(d.gaps, Gap{Kind: GapUnsupported, Store: a.store, Asset: a.name, Field: b.field,
			Reason: "the subject's values are not searched in this field (" + b.err.Error() + "); the asset's rows its other fields find are still in the plan"})
	}
	return len(bad) > 0
}

// supportedMatches drops the matches on fields of a recorded as
// unsupported.
func (d *deriver) supportedMatches(a *assetView, ms []driver.Match) []driver.Match {
	if len(d.unsupported) == 0 {
		return ms
	}
	out := ms[:0:0]
	for _, m := range ms {
		if m.Field != "" && d.unsupported[fieldKey(piimap.Location{Store: a.store, Name: a.name, Field: m.Field})] {
			continue
		}
		out = append(out, m)
	}
	return out
}
