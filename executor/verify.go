package executor

import (
	"context"
	"fmt"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
)

// verifyStore re-runs every Find of the store: after erasure the residual
// must be zero; after rectification, no matched row may hold an old value.
func (s *Service) verifyStore(ctx context.Context, h driver.Handler, req *Request, sp planning.StorePlan, prog *progress, ro RunOptions) error {
	for _, st := range sp.Steps {
		res, err := residual(ctx, h, req.Type, st.Target)
		if err != nil {
			return s.failSteps(ctx, prog, []planning.Step{st}, fmt.Errorf("verify: %w", err))
		}
		s.progMu.Lock()
		prog.Steps[locKey(st.Store, st.Asset)].Residual = res
		err = s.saveProgress(ctx, prog)
		s.progMu.Unlock()
		if err != nil {
			return err
		}
		if ro.Progress != nil {
			ro.Progress(Event{Store: st.Store, Asset: st.Asset, Phase: "verified", Found: res})
		}
	}
	return nil
}

// residual is what one step's Find still selects after an applied run:
// the rows still matching after an erasure, or, after a rectification, the
// matched rows whose changed fields do not all hold their new values.
func residual(ctx context.Context, h driver.Handler, t dsar.Type, tg driver.Target) (int64, error) {
	if t != dsar.Rectification {
		return driver.CountRows(ctx, h, tg)
	}
	var n int64
	err := h.Find(ctx, tg, func(b driver.Batch) error {
		cols, rows := b.Table()
		for _, row := range rows {
			for f, want := range tg.Changes {
				if v, ok := driver.LookupPath(cols, row, f); !ok || driver.CellString(v) != want {
					n++
					break
				}
			}
		}
		return nil
	})
	return n, err
}
