package executor

import (
	"context"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/planning"
)

// Physical purge, after the writes are verified: each store's handler says
// whether the erased bytes are gone, pending or an exception (see
// driver.Purger); the receipt states it per location.

// purgeStore asks the handler to purge the written targets and records
// the reports in the steps' progress.
func (s *Service) purgeStore(ctx context.Context, h driver.Handler, steps []planning.Step, prog *progress) error {
	targets, _ := writeTargets(steps)
	reports := map[string]driver.PurgeReport{}
	if pg, ok := h.(driver.Purger); ok && len(targets) > 0 {
		rs, err := pg.Purge(ctx, targets)
		if err != nil {
			for _, t := range targets {
				reports[t.Asset] = driver.PurgeReport{Asset: t.Asset, State: driver.PurgeException, Detail: "purge failed: " + err.Error()}
			}
		}
		for _, r := range rs {
			reports[r.Asset] = r
		}
	}
	s.progMu.Lock()
	defer s.progMu.Unlock()
	for _, st := range steps {
		p := prog.Steps[locKey(st.Store, st.Asset)]
		if st.Action == planning.ActionRecompute {
			p.Purge, p.PurgeDetail = driver.PurgeGone, "a view holds no rows of its own"
			continue
		}
		r, ok := reports[st.Asset]
		if !ok {
			r = driver.PurgeReport{State: driver.PurgeException, Detail: "this store kind does not report whether erased bytes are physically gone"}
		}
		p.Purge, p.PurgeDetail, p.PurgeAt = r.State, r.Detail, r.At
	}
	return s.saveProgress(ctx, prog)
}
