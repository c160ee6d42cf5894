package executor

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
)

// The requests that only read: access and portability write an export
// package (evidence.Package), restriction records each location in the
// exceptions register. Stores are opened read-only.

// exportRequest writes the access/portability package: per step the
// subject's rows as JSONL and CSV (and Parquet for columnar sources), a data
// dictionary, and a manifest with every file's SHA-256. Stores are read only.
func (s *Service) exportRequest(ctx context.Context, req *Request, plan *planning.Plan, ro RunOptions) (*evidence.Receipt, error) {
	if ro.OutDir == "" {
		return nil, fmt.Errorf("executor: export %s: an output directory is required: %w", req.ID, piimap.ErrConfig)
	}
	pkg, err := evidence.NewPackage(ro.OutDir)
	if err != nil {
		return nil, err
	}
	started := time.Now().UTC()
	var mu sync.Mutex
	locs := map[string]evidence.ReceiptLocation{}
	handlers := map[string]driver.Handler{}
	defer func() {
		for _, h := range handlers {
			h.Close()
		}
	}()
	var steps []planning.Step
	for _, sp := range plan.Stores {
		h, err := s.openHandler(ctx, req.tenant(), sp.Store, sp.Kind, true)
		if err != nil {
			return nil, err
		}
		handlers[sp.Store] = h
		steps = append(steps, sp.Steps...)
	}
	store := func(i int) string { return steps[i].Store }
	lanes := func(store string) int { return driver.ParallelReads(handlers[store]) }
	err = planning.ReadEach(ctx, s.opt.Concurrency, len(steps), store, lanes, func(ctx context.Context, i int) error {
		st := steps[i]
		n, err := pkg.WriteStep(ctx, handlers[st.Store], st)
		if err != nil {
			return fmt.Errorf("executor: export %s/%s: %w", st.Store, st.Asset, err)
		}
		mu.Lock()
		locs[locKey(st.Store, st.Asset)] = evidence.ReceiptLocation{Store: st.Store, Asset: st.Asset, Found: n, Status: evidence.LocExported}
		mu.Unlock()
		if ro.Progress != nil {
			ro.Progress(Event{Store: st.Store, Asset: st.Asset, Phase: "exported", Found: n})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum, err := pkg.Finish(evidence.Manifest{Request: req.ID, Type: req.Type, Subject: req.Subject, PlanDigest: plan.Digest})
	if err != nil {
		return nil, err
	}
	r := &evidence.Receipt{Request: req.ID, Type: req.Type, PlanDigest: plan.Digest, ScanRun: plan.ScanRun, Approvals: req.Approvals,
		StartedAt: started, CompletedAt: time.Now().UTC(), Exceptions: append([]planning.Exception{}, plan.Exceptions...),
		Gaps: append([]planning.Gap{}, plan.Gaps...), Locations: []evidence.ReceiptLocation{}, Export: sum}
	for _, st := range plan.Steps() {
		r.Locations = append(r.Locations, locs[locKey(st.Store, st.Asset)])
	}
	return s.finishReadOnly(ctx, req, plan, r, "export", fmt.Sprintf("files=%d manifest=%s", sum.Files, sum.ManifestSHA256))
}

// finishReadOnly closes a read-only request (access, portability,
// restriction): status, receipt, audit.
func (s *Service) finishReadOnly(ctx context.Context, req *Request, plan *planning.Plan, r *evidence.Receipt, action, detail string) (*evidence.Receipt, error) {
	r.Status = dsar.StatusCompleted
	if len(r.Gaps) > 0 || len(r.Exceptions) > 0 {
		r.Status = dsar.StatusExceptions
	}
	ts, err := s.ensureTasks(ctx, req, plan)
	if err != nil {
		return nil, err
	}
	withTasks(r, ts)
	r.Runs = 1
	actor := actorName(ctx)
	if req.Status != dsar.StatusExecuting {
		if err := req.move(dsar.StatusExecuting, actor, action); err != nil {
			return nil, err
		}
	}
	if err := req.move(r.Status, actor, action); err != nil {
		return nil, err
	}
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	if err := s.auditLog.Append(ctx, req.ID, action, actor, detail+" status="+string(r.Status)); err != nil {
		return nil, err
	}
	if err := s.receipts.Save(ctx, r, actorName(ctx)); err != nil {
		return nil, err
	}
	return r, nil
}

// restrict carries out a restriction of processing. Only locations
// holding the subject's records (the frozen plan's fresh counts) are
// listed. Without Apply it is a dry run: nothing is marked, nothing enters
// the register and the request is untouched. With Apply, a store whose
// handler can mark records (driver.Restricter: a configured
// restrict_column, a Redis key tag) marks the subject's; every other
// location is recorded in the exceptions register as restricted, for its
// owner to enforce, and the receipt says completed_with_exceptions.
func (s *Service) restrict(ctx context.Context, req *Request, plan *planning.Plan, ro RunOptions) (*evidence.Receipt, error) {
	r := &evidence.Receipt{Request: req.ID, Type: req.Type, PlanDigest: plan.Digest, ScanRun: plan.ScanRun, Approvals: req.Approvals,
		StartedAt: time.Now().UTC(), Gaps: append([]planning.Gap{}, plan.Gaps...), Exceptions: []planning.Exception{}, Locations: []evidence.ReceiptLocation{}}
	if !ro.Apply {
		r.DryRun = true
		for _, st := range plan.Steps() {
			if st.Expected == 0 {
				continue
			}
			r.Locations = append(r.Locations, evidence.ReceiptLocation{Store: st.Store, Asset: st.Asset, Found: st.Expected, WouldChange: st.Expected, Status: evidence.LocWouldChange})
		}
		for _, t := range plan.Tasks {
			r.Tasks = append(r.Tasks, evidence.ReceiptTask{Store: t.Store, Asset: t.Asset, Action: t.Action, Status: evidence.TaskPending})
		}
		r.Status = dsar.StatusApproved
		r.CompletedAt = time.Now().UTC()
		s.receipts.Sign(r)
		return r, s.auditLog.Append(ctx, req.ID, "run.dry", actorName(ctx), fmt.Sprintf("digest=%s locations=%d", plan.Digest, len(r.Locations)))
	}
	for _, sp := range plan.Stores {
		var steps []planning.Step
		for _, st := range sp.Steps {
			if st.Expected > 0 {
				steps = append(steps, st)
			}
		}
		if len(steps) == 0 {
			continue
		}
		marked, err := s.markRestricted(ctx, req, sp, steps)
		if err != nil {
			return nil, err
		}
		for _, st := range steps {
			if res, ok := marked[st.Asset]; ok {
				r.Locations = append(r.Locations, evidence.ReceiptLocation{Store: st.Store, Asset: st.Asset, Found: res.Found, Changed: res.Changed,
					Status: evidence.LocRestricted, Note: "records marked restricted in the store"})
				continue
			}
			e, err := s.AddException(ctx, planning.Exception{Kind: driver.ExceptionRestriction, Request: req.ID, Store: st.Store, Asset: st.Asset,
				Reason: "processing restricted at the data subject's request; the store cannot mark records, so enforcement is up to the store's owner"})
			if err != nil {
				return nil, err
			}
			r.Exceptions = append(r.Exceptions, e)
			r.Locations = append(r.Locations, evidence.ReceiptLocation{Store: st.Store, Asset: st.Asset, Found: st.Expected, Status: evidence.LocRestricted,
				Note: "recorded in the exceptions register: " + e.ID})
			if ro.Progress != nil {
				ro.Progress(Event{Store: st.Store, Asset: st.Asset, Phase: "found", Found: st.Expected})
			}
		}
	}
	r.CompletedAt = time.Now().UTC()
	return s.finishReadOnly(ctx, req, plan, r, "restrict", fmt.Sprintf("locations=%d", len(r.Locations)))
}

// markRestricted marks the subject's records of steps in one store when
// its handler can (driver.Restricter); it returns the results by asset,
// none when the store cannot mark (each step then becomes an exception).
func (s *Service) markRestricted(ctx context.Context, req *Request, sp planning.StorePlan, steps []planning.Step) (map[string]driver.Result, error) {
	h, err := s.openHandler(ctx, req.tenant(), sp.Store, sp.Kind, false)
	if err != nil {
		return nil, nil // reported below as an exception per location
	}
	defer h.Close()
	rs, ok := h.(driver.Restricter)
	if !ok || !rs.CanRestrict() {
		return nil, nil
	}
	var ts []driver.Target
	for _, st := range steps {
		if st.Action != planning.ActionRecompute {
			ts = append(ts, st.Target)
		}
	}
	res, err := rs.Restrict(ctx, ts)
	if err != nil {
		return nil, fmt.Errorf("executor: restrict %s: %w", sp.Store, err)
	}
	out := map[string]driver.Result{}
	for _, x := range res {
		out[x.Asset] = x
	}
	if err := s.auditLog.Append(ctx, req.ID, "restrict.mark", actorName(ctx), fmt.Sprintf("store=%s assets=%d", sp.Store, len(out))); err != nil {
		return nil, err
	}
	return out, nil
}
