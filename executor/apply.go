package executor

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
)

// An applied erasure or rectification: per store, one handler call with
// the store's targets children-first, its progress persisted before and
// after (progress.go), then verification and the physical purge; at the
// end the receipt from the progress and, for an erasure, the forget
// ledger. Nothing here plans: the steps and their targets are the frozen
// plan's.

// apply executes an erasure or rectification for real.
func (s *Service) apply(ctx context.Context, req *Request, plan *planning.Plan, prog *progress, ro RunOptions) (*evidence.Receipt, error) {
	rerun := req.Status == dsar.StatusCompleted || req.Status == dsar.StatusExceptions
	if prog == nil {
		prog = &progress{Request: req.ID, Digest: plan.Digest, StartedAt: time.Now().UTC(), Steps: map[string]*stepProgress{}}
		for _, st := range plan.Steps() {
			prog.Steps[locKey(st.Store, st.Asset)] = &stepProgress{Status: stepPending, Expected: st.Expected}
		}
	}
	prog.Runs++
	if err := s.saveProgress(ctx, prog); err != nil {
		return nil, err
	}
	action := "run.start"
	switch {
	case rerun:
		action = "run.rerun"
	case prog.Runs > 1:
		action = "run.resume"
	}
	actor := actorName(ctx)
	if req.Status != dsar.StatusExecuting {
		if err := req.move(dsar.StatusExecuting, actor, action); err != nil {
			return nil, err
		}
		if err := s.saveRequest(ctx, req); err != nil {
			return nil, err
		}
	}
	if err := s.auditLog.Append(ctx, req.ID, action, actor, fmt.Sprintf("run=%d digest=%s apply=true", prog.Runs, plan.Digest)); err != nil {
		return nil, err
	}
	// Phase 1, executing: every store's writes.
	runErr := s.eachStore(ctx, plan, func(ctx context.Context, sp planning.StorePlan) error {
		return s.applyStore(ctx, req, sp, prog, rerun, ro)
	})
	if ctx.Err() != nil {
		_ = s.auditLog.Append(context.WithoutCancel(ctx), req.ID, "run.interrupted", actor, ctx.Err().Error())
		return nil, fmt.Errorf("executor: run %s interrupted (resume by running again): %w", req.ID, ctx.Err())
	}
	// Phase 2, verifying: every Find re-run (residual must be 0), then
	// the physical purge.
	if runErr == nil {
		if err := req.move(dsar.StatusVerifying, actor, fmt.Sprintf("run %d: writes done", prog.Runs)); err != nil {
			return nil, err
		}
		if err := s.saveRequest(ctx, req); err != nil {
			return nil, err
		}
		runErr = s.eachStore(ctx, plan, func(ctx context.Context, sp planning.StorePlan) error {
			h, err := s.openHandler(ctx, req.tenant(), sp.Store, sp.Kind, false)
			if err != nil {
				return s.failSteps(ctx, prog, sp.Steps, err)
			}
			defer h.Close()
			if err := s.verifyStore(ctx, h, req, sp, prog, ro); err != nil {
				return err
			}
			return s.purgeStore(ctx, h, sp.Steps, prog)
		})
		if ctx.Err() != nil {
			_ = s.auditLog.Append(context.WithoutCancel(ctx), req.ID, "verify.interrupted", actor, ctx.Err().Error())
			return nil, fmt.Errorf("executor: verification of %s interrupted (resume by running again): %w", req.ID, ctx.Err())
		}
	}
	r := s.writeReceipt(req, plan, prog)
	if runErr != nil {
		r.Status = dsar.StatusFailed
	} else {
		ts, err := s.ensureTasks(ctx, req, plan)
		if err != nil {
			return nil, err
		}
		withTasks(r, ts)
	}
	if r.Status != dsar.StatusFailed && req.Type == dsar.Erasure {
		if err := s.recordForgotten(ctx, req, plan); err != nil {
			return nil, err
		}
	}
	if err := req.move(r.Status, actor, fmt.Sprintf("run %d", prog.Runs)); err != nil {
		return nil, err
	}
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	var residual int64
	for _, l := range r.Locations {
		residual += l.Residual
	}
	detail := fmt.Sprintf("run=%d status=%s locations=%d residual=%d gaps=%d", prog.Runs, r.Status, len(r.Locations), residual, len(r.Gaps))
	if runErr != nil {
		detail += " error=" + runErr.Error()
	}
	if err := s.auditLog.Append(ctx, req.ID, "verify", actor, detail); err != nil {
		return nil, err
	}
	if err := s.receipts.Save(ctx, r, actorName(ctx)); err != nil {
		return nil, err
	}
	return r, nil
}

// eachStore runs fn for every store of the plan, at most
// Options.Concurrency at once, and returns the first error.
func (s *Service) eachStore(ctx context.Context, plan *planning.Plan, fn func(context.Context, planning.StorePlan) error) error {
	grp, gctx := errgroup.WithContext(ctx)
	grp.SetLimit(s.opt.Concurrency)
	for _, sp := range plan.Stores {
		grp.Go(func() error { return fn(gctx, sp) })
	}
	return grp.Wait()
}

// applyStore erases (or rectifies) one store's pending steps in one handler
// call and persists the results; apply verifies them once every store is
// written.
func (s *Service) applyStore(ctx context.Context, req *Request, sp planning.StorePlan, prog *progress, rerun bool, ro RunOptions) error {
	var todo []planning.Step
	s.progMu.Lock()
	for _, st := range sp.Steps {
		p := prog.Steps[locKey(st.Store, st.Asset)]
		if p.Status == stepDone && !rerun {
			continue
		}
		if p.Status == stepRunning {
			p.Note = "resumed after an interrupted run"
		}
		p.Status = stepRunning
		p.Attempts++
		todo = append(todo, st)
	}
	err := s.saveProgress(ctx, prog)
	s.progMu.Unlock()
	if err != nil {
		return err
	}
	h, err := s.openHandler(ctx, req.tenant(), sp.Store, sp.Kind, false)
	if err != nil {
		return s.failSteps(ctx, prog, sp.Steps, err)
	}
	defer h.Close()
	if len(todo) == 0 { // finished before an interruption elsewhere: verification checks it again
		return nil
	}
	targets, views := writeTargets(todo)
	var results []driver.Result
	if len(targets) == 0 {
		// only views in this store: nothing to write
	} else if req.Type == dsar.Rectification {
		rf, ok := h.(driver.Rectifier)
		if !ok {
			return s.failSteps(ctx, prog, todo, fmt.Errorf("executor: store %s cannot rectify: %w", sp.Store, piimap.ErrUnsupported))
		}
		results, err = rf.Rectify(ctx, targets, driver.EraseOptions{})
	} else {
		results, err = h.Erase(ctx, targets, driver.EraseOptions{})
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // steps stay "running": the next run resumes them
		}
		return s.failSteps(ctx, prog, todo, err)
	}
	if err == nil {
		err = recompute(ctx, h, views)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return s.failSteps(ctx, prog, todo, err)
	}
	byAsset := map[string]driver.Result{}
	for _, r := range results {
		byAsset[r.Asset] = r
	}
	for _, v := range views {
		byAsset[v.Asset] = driver.Result{Asset: v.Asset} // a view changes with its base: nothing of its own
	}
	s.progMu.Lock()
	for _, st := range todo {
		p := prog.Steps[locKey(st.Store, st.Asset)]
		r := byAsset[st.Asset]
		switch {
		case rerun:
			p.Changed += r.Changed // a re-run only adds what reappeared
		case p.Note != "" && r.Found == 0 && p.Found == 0:
			p.Found = p.Expected // committed before the interruption
			p.Changed = p.Expected
		default:
			p.Found, p.Changed = p.Found+r.Found, p.Changed+r.Changed
		}
		p.Status, p.Error = stepDone, ""
	}
	err = s.saveProgress(ctx, prog)
	s.progMu.Unlock()
	if err != nil {
		return err
	}
	for _, st := range todo {
		p := prog.Steps[locKey(st.Store, st.Asset)]
		if ro.Progress != nil {
			ro.Progress(Event{Store: st.Store, Asset: st.Asset, Phase: "erased", Found: p.Found, Changed: p.Changed})
		}
	}
	return nil
}

// failSteps marks steps failed with err and persists it; it returns err.
func (s *Service) failSteps(ctx context.Context, prog *progress, steps []planning.Step, err error) error {
	s.progMu.Lock()
	defer s.progMu.Unlock()
	for _, st := range steps {
		p := prog.Steps[locKey(st.Store, st.Asset)]
		p.Status, p.Error = stepFailed, err.Error()
	}
	if serr := s.saveProgress(ctx, prog); serr != nil {
		return serr
	}
	return err
}

// writeTargets splits steps into the targets a handler writes and the
// recompute steps (views), which it does not.
func writeTargets(steps []planning.Step) ([]driver.Target, []driver.Target) {
	var write, views []driver.Target
	for _, st := range steps {
		if st.Action == planning.ActionRecompute {
			views = append(views, st.Target)
			continue
		}
		write = append(write, st.Target)
	}
	return write, views
}

// recompute refreshes the materialized views among views through the
// handler's Recomputer; plain views, and stores without one, need nothing.
func recompute(ctx context.Context, h driver.Handler, views []driver.Target) error {
	rc, ok := h.(driver.Recomputer)
	if !ok || len(views) == 0 {
		return nil
	}
	if err := rc.Recompute(ctx, views); err != nil {
		return fmt.Errorf("executor: recompute views: %w", err)
	}
	return nil
}

// recomputeLabel is a receipt location's action: recompute for a view,
// else empty (the request's own action).
func recomputeLabel(st planning.Step) string {
	if st.Action == planning.ActionRecompute {
		return planning.ActionRecompute
	}
	return ""
}

// writeReceipt assembles the receipt of an applied run from its progress.
func (s *Service) writeReceipt(req *Request, plan *planning.Plan, prog *progress) *evidence.Receipt {
	r := &evidence.Receipt{Request: req.ID, Type: req.Type, PlanDigest: plan.Digest, ScanRun: plan.ScanRun, Lineage: plan.Lineage,
		Approvals: req.Approvals, Runs: prog.Runs, StartedAt: prog.StartedAt, CompletedAt: time.Now().UTC(),
		Exceptions: append([]planning.Exception{}, plan.Exceptions...), Gaps: append([]planning.Gap{}, plan.Gaps...)}
	status := dsar.StatusCompleted
	for _, st := range plan.Steps() {
		p := prog.Steps[locKey(st.Store, st.Asset)]
		loc := evidence.ReceiptLocation{Store: st.Store, Asset: st.Asset, Mode: st.Target.Mode, Action: recomputeLabel(st), Found: p.Found,
			Changed: p.Changed, Residual: p.Residual, Note: p.Note, Error: p.Error,
			Purge: p.Purge, PurgeDetail: p.PurgeDetail, PurgeAt: p.PurgeAt}
		switch {
		case p.Status == stepFailed || p.Status != stepDone:
			loc.Status = evidence.LocFailed
			status = dsar.StatusFailed
		case p.Residual > 0:
			loc.Status = evidence.LocResidual
			if status != dsar.StatusFailed {
				status = dsar.StatusExceptions
			}
		default:
			loc.Status = evidence.LocDone
		}
		r.Locations = append(r.Locations, loc)
		if p.Purge == driver.PurgeException && p.PurgeAt != nil {
			// Immutable bytes (an object-locked version): an exception
			// with the date they may go.
			at := *p.PurgeAt
			r.Exceptions = append(r.Exceptions, planning.Exception{ID: "retention-" + st.Store + "-" + st.Asset, Kind: driver.ExceptionRetention,
				Request: req.ID, Store: st.Store, Asset: st.Asset, Reason: p.PurgeDetail, ExpiresAt: &at, CreatedAt: r.CompletedAt})
		}
	}
	if (len(r.Gaps) > 0 || len(r.Exceptions) > 0) && status == dsar.StatusCompleted {
		status = dsar.StatusExceptions // a hold, a backup, a retention: left behind, and named
	}
	r.Status = status
	if r.Locations == nil {
		r.Locations = []evidence.ReceiptLocation{}
	}
	return r
}

// recordForgotten enters the request's identifiers, given and resolved,
// in the forget ledger, as HMACs.
func (s *Service) recordForgotten(ctx context.Context, req *Request, plan *planning.Plan) error {
	for _, kind := range identifierKinds(req.subject) {
		for _, v := range req.subject[kind] {
			if err := s.ledger.Record(ctx, kind, v, req.ID); err != nil {
				return err
			}
		}
	}
	for _, r := range plan.Resolved {
		for _, v := range r.Values {
			if err := s.ledger.Record(ctx, r.Kind, v, req.ID); err != nil {
				return err
			}
		}
	}
	return nil
}
