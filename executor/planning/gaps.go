package planning

import (
	"context"
	"errors"
	"fmt"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Gap kinds.
const (
	GapNoPath      = "no_path"
	GapUnitError   = "scan_error"
	GapUnsupported = "unsupported"
	// GapOutsideRoot: a files or S3 location the handler refuses to read
	// or write because it is a symlink, outside the store root or unsafely
	// named (piimap.ErrOutsideRoot).
	GapOutsideRoot = "outside_root"
	GapFindFailed  = "find_failed"
	GapUnconfigued = "unconfigured_store"
	GapLimit       = "resolution_limit"
)

// Gap is a location the plan cannot cover, with the reason. Gaps are never
// silent: they appear in the plan, the receipt and the exit code.
type Gap struct {
	Kind   string `json:"kind"`
	Store  string `json:"store"`
	Asset  string `json:"asset,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// storeGap classifies a handler-open failure as a gap.
func storeGap(store, asset string, err error) Gap {
	kind := GapFindFailed
	switch {
	case errors.Is(err, piimap.ErrOutsideRoot):
		kind = GapOutsideRoot
	case errors.Is(err, piimap.ErrUnsupported):
		kind = GapUnsupported
	case errors.Is(err, piimap.ErrConfig):
		kind = GapUnconfigued
	}
	return Gap{Kind: kind, Store: store, Asset: asset, Reason: err.Error()}
}

// unsupportedKind is the gap kind of a handler's refusal: outside_root for
// a containment refusal, else unsupported.
func unsupportedKind(err error) string {
	if errors.Is(err, piimap.ErrOutsideRoot) {
		return GapOutsideRoot
	}
	return GapUnsupported
}

// unitErrorGaps lists the scan run's unit errors as gaps: a unit the scan
// could not read may hold the subject's data.
func (d *deriver) unitErrorGaps(ctx context.Context) error {
	errs := d.v.run.Errors
	if l, ok := d.pl.Graph.(lineage.UnitErrorLister); ok {
		errs = nil
		err := l.UnitErrors(ctx, d.v.run.ID, func(ue lineage.UnitError) error {
			errs = append(errs, ue)
			return nil
		})
		if err != nil {
			return fmt.Errorf("executor: unit errors of run %s: %w", d.v.run.ID, err)
		}
	}
	for _, ue := range errs {
		if !d.v.ours(ue.Store) {
			continue // another tenant's store: not this request's concern
		}
		d.gaps = append(d.gaps, Gap{Kind: GapUnitError, Store: ue.Store, Asset: ue.Unit, Reason: "scan error: " + ue.Err})
	}
	return nil
}
