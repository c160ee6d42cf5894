package executor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/executor/principal"
)

// Execute runs an approved request. The flow, in order:
//
//  0. act as the principal in ctx, who must be allowed to run requests of
//     the request's tenant (authz.go); a refusal is audited;
//  1. check approvals, then freeze the plan: re-derive it and refuse if its
//     digest differs from the approved one (a resumed run uses the stored
//     plan, since the data it resolved from may already be gone);
//  2. erasure/rectification without Apply: a dry run that counts what would
//     change and writes nothing (dryRun, below);
//  3. with Apply: per store (a bounded pool), mark the steps running, call
//     the handler with the store's targets children-first, persist each
//     result, then Verify by re-running every Find (residual must be 0) and
//     ask for the physical purge (apply.go, verify.go, purge.go);
//  4. access/portability: Find every step and write the export package;
//     restriction: Find every step and record it in the exceptions register
//     (readonly.go);
//  5. forget ledger, signed receipt, audit entries.
func (s *Service) Execute(ctx context.Context, id string, ro RunOptions) (*evidence.Receipt, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	ctx, actor, err := s.authorize(ctx, principal.RunRequest, id, req.tenant())
	if err != nil {
		return nil, err
	}
	refuse := func(err error) (*evidence.Receipt, error) {
		return nil, s.refuse(ctx, id, principal.RunRequest, actor.Name, err)
	}
	switch req.Status {
	case dsar.StatusApproved, dsar.StatusExecuting, dsar.StatusVerifying, dsar.StatusCompleted, dsar.StatusExceptions, dsar.StatusFailed:
	case dsar.StatusPlanned:
		return refuse(fmt.Errorf("executor: run %s: %d of %d approvals by distinct approvers; approve it first: %w",
			id, countApprovals(req), s.required(req), piimap.ErrNotApproved))
	default:
		return refuse(fmt.Errorf("executor: run %s: the request is %s, only an approved request runs (allowed next: %s): %w",
			id, req.Status, nextList(req.Status), piimap.ErrNotApproved))
	}
	if n, need := countApprovals(req), s.required(req); n < need {
		return refuse(fmt.Errorf("executor: run %s: %d of %d approvals by distinct approvers: %w", id, n, need, piimap.ErrNotApproved))
	}
	prog, err := s.loadProgress(ctx, id)
	if err != nil {
		return nil, err
	}
	plan, err := s.frozenPlan(ctx, req, ro, prog != nil)
	if err != nil {
		return nil, err
	}
	if (writes(req.Type) && ro.Apply) || req.Type == dsar.Restriction {
		if err := planning.CheckBlast(req.forPlanning(), plan); err != nil {
			return refuse(fmt.Errorf("%w (blast radius: %s)", err, planning.BlastNote(plan)))
		}
	}
	if (req.Type == dsar.Access || req.Type == dsar.Portability) && ro.OutDir == "" {
		return nil, fmt.Errorf("executor: export %s: an output directory is required: %w", req.ID, piimap.ErrConfig)
	}
	if !writes(req.Type) && (req.Type != dsar.Restriction || ro.Apply) {
		// A read-only request is executing while it reads; finishReadOnly
		// closes it. A restriction without Apply is a dry run.
		if err := req.move(dsar.StatusExecuting, actor.Name, "run.start"); err != nil {
			return nil, err
		}
		if err := s.saveRequest(ctx, req); err != nil {
			return nil, err
		}
		if err := s.auditLog.Append(ctx, req.ID, "run.start", actor.Name, "digest="+plan.Digest); err != nil {
			return nil, err
		}
	}
	switch {
	case writes(req.Type) && !ro.Apply:
		return s.dryRun(ctx, req, plan, ro)
	case writes(req.Type):
		return s.apply(ctx, req, plan, prog, ro)
	case req.Type == dsar.Restriction:
		return s.restrict(ctx, req, plan, ro)
	default:
		return s.exportRequest(ctx, req, plan, ro)
	}
}

// frozenPlan returns the plan to execute, refusing with ErrPlanChanged when
// it is not the approved one.
func (s *Service) frozenPlan(ctx context.Context, req *Request, ro RunOptions, started bool) (*planning.Plan, error) {
	if started {
		p, err := s.loadPlan(ctx, req.ID)
		if err != nil {
			return nil, err
		}
		if p.Digest != req.PlanDigest || s.digestAt(p, req, req.PolicyHash) != req.PlanDigest {
			return nil, fmt.Errorf("executor: run %s: stored plan does not match the approved digest: %w", req.ID, piimap.ErrPlanChanged)
		}
		for k, m := range ro.Modes {
			if req.Modes[k] != m {
				return nil, fmt.Errorf("executor: run %s: mode override %s=%s after the run started: %w", req.ID, k, m, piimap.ErrPlanChanged)
			}
		}
		return p, nil
	}
	modes := map[string]driver.Mode{}
	for k, m := range req.Modes {
		modes[k] = m
	}
	for k, m := range ro.Modes {
		if !m.Valid() {
			return nil, fmt.Errorf("executor: mode %q for %s: %w", m, k, piimap.ErrConfig)
		}
		modes[k] = m
	}
	// An export counts what it writes, so an access or portability run
	// re-derives the plan only to check its digest, without reading every
	// location once more to count it; it keeps the approved plan's counts.
	// An erasure recounts: resuming relies on fresh expected counts.
	export := req.Type == dsar.Access || req.Type == dsar.Portability
	p, err := s.derive(ctx, req, modes, !export)
	if err != nil {
		return nil, err
	}
	if p.Digest != req.PlanDigest {
		err := fmt.Errorf("executor: run %s: %s since approval (approved digest %s, now %s); re-plan with piimap dsar plan %s and approve again: %w",
			req.ID, s.changedSince(ctx, req, p), short(req.PlanDigest), short(p.Digest), req.ID, piimap.ErrPlanChanged)
		return nil, s.refuse(ctx, req.ID, principal.RunRequest, actorName(ctx), err)
	}
	if export {
		if err := s.keepCounts(ctx, p); err != nil {
			return nil, err
		}
	}
	if err := s.savePlan(ctx, p); err != nil { // same digest, fresh expected counts
		return nil, err
	}
	return p, nil
}

// changedSince says what moved between the approved plan and p: the scan
// run, the policy, or the plan itself (the data or the map).
func (s *Service) changedSince(ctx context.Context, req *Request, p *planning.Plan) string {
	var what []string
	if old, err := s.loadPlan(ctx, req.ID); err == nil && old.ScanRun != p.ScanRun {
		what = append(what, fmt.Sprintf("the scan run changed (%s, now %s)", old.ScanRun, p.ScanRun))
	}
	if req.PolicyHash != s.policy.Hash {
		what = append(what, fmt.Sprintf("the policy (rules, modes, tenants, instructions) changed (%s, now %s)",
			shortOr(req.PolicyHash, "none"), shortOr(s.policy.Hash, "none")))
	}
	if len(what) == 0 {
		return "the plan changed"
	}
	return strings.Join(what, " and ")
}

// nextList names the statuses a request in status st may move to.
func nextList(st dsar.Status) string {
	var names []string
	for _, n := range st.Next() {
		names = append(names, string(n))
	}
	if len(names) == 0 {
		return "none: the request is closed"
	}
	return strings.Join(names, ", ")
}

// keepCounts copies the stored plan's expected counts into p, a re-derived
// plan with the same digest whose steps were not counted.
func (s *Service) keepCounts(ctx context.Context, p *planning.Plan) error {
	old, err := s.loadPlan(ctx, p.Request)
	if err != nil {
		return err
	}
	counts := map[string]int64{}
	for _, st := range old.Steps() {
		counts[locKey(st.Store, st.Asset)] = st.Expected
	}
	for i := range p.Stores {
		for j := range p.Stores[i].Steps {
			st := &p.Stores[i].Steps[j]
			st.Expected = counts[locKey(st.Store, st.Asset)]
		}
	}
	return nil
}

// short is a digest's first 12 characters, for messages.
func short(d string) string {
	if len(d) > 12 {
		return d[:12]
	}
	return d
}

// dryRun asks each store what an erasure would change; nothing is written
// and the request's state is untouched.
func (s *Service) dryRun(ctx context.Context, req *Request, plan *planning.Plan, ro RunOptions) (*evidence.Receipt, error) {
	r := &evidence.Receipt{Request: req.ID, Type: req.Type, DryRun: true, PlanDigest: plan.Digest, ScanRun: plan.ScanRun, Lineage: plan.Lineage,
		Approvals: req.Approvals, StartedAt: time.Now().UTC(), Exceptions: append([]planning.Exception{}, plan.Exceptions...),
		Gaps: append([]planning.Gap{}, plan.Gaps...), Locations: []evidence.ReceiptLocation{}}
	var mu sync.Mutex
	locs := map[string]evidence.ReceiptLocation{}
	grp, gctx := errgroup.WithContext(ctx)
	grp.SetLimit(s.opt.Concurrency)
	for _, sp := range plan.Stores {
		sp := sp
		grp.Go(func() error {
			h, err := s.openHandler(gctx, req.tenant(), sp.Store, sp.Kind, true)
			if err != nil {
				return err
			}
			defer h.Close()
			targets, _ := writeTargets(sp.Steps)
			var res []driver.Result
			if len(targets) == 0 {
				// only views: nothing would be written
			} else if rf, ok := h.(driver.Rectifier); ok && req.Type == dsar.Rectification {
				res, err = rf.Rectify(gctx, targets, driver.EraseOptions{DryRun: true})
			} else {
				res, err = h.Erase(gctx, targets, driver.EraseOptions{DryRun: true})
			}
			if err != nil {
				return fmt.Errorf("executor: dry run %s: %w", sp.Store, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, x := range res {
				locs[locKey(sp.Store, x.Asset)] = evidence.ReceiptLocation{Store: sp.Store, Asset: x.Asset, Found: x.Found, WouldChange: x.Changed, Status: evidence.LocWouldChange}
				if ro.Progress != nil {
					ro.Progress(Event{Store: sp.Store, Asset: x.Asset, Phase: "dry_run", Found: x.Found, Changed: x.Changed})
				}
			}
			return nil
		})
	}
	if err := grp.Wait(); err != nil {
		return nil, err
	}
	for _, st := range plan.Steps() {
		loc := locs[locKey(st.Store, st.Asset)]
		loc.Store, loc.Asset, loc.Mode, loc.Status = st.Store, st.Asset, st.Target.Mode, evidence.LocWouldChange
		if loc.Action = recomputeLabel(st); loc.Action != "" {
			loc.Found = st.Expected
		}
		r.Locations = append(r.Locations, loc)
	}
	for _, t := range plan.Tasks {
		r.Tasks = append(r.Tasks, evidence.ReceiptTask{Store: t.Store, Asset: t.Asset, Action: t.Action, Status: evidence.TaskPending})
	}
	r.Status = dsar.StatusApproved
	r.CompletedAt = time.Now().UTC()
	s.receipts.Sign(r)
	if err := s.auditLog.Append(ctx, req.ID, "run.dry", actorName(ctx), fmt.Sprintf("digest=%s locations=%d", plan.Digest, len(r.Locations))); err != nil {
		return nil, err
	}
	return r, nil
}

// Replay re-applies every finished erasure in the forget ledger, after a
// backup restore brought erased data back. Each request runs its frozen,
// approved plan again (no new approval: the decision was taken); on an
// estate that holds nothing of the subjects it changes nothing. It returns
// the receipts of the requests replayed.
func (s *Service) Replay(ctx context.Context, ro RunOptions) ([]*evidence.Receipt, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	entries, err := s.Ledger(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []*evidence.Receipt
	for _, e := range entries {
		if seen[e.Request] {
			continue
		}
		seen[e.Request] = true
		if err := s.auditLog.Append(ctx, e.Request, "ledger.replay", actorName(ctx), "re-applying the frozen plan"); err != nil {
			return out, err
		}
		r, err := s.Execute(ctx, e.Request, RunOptions{Apply: true, Progress: ro.Progress})
		if err != nil {
			return out, fmt.Errorf("executor: replay %s: %w", e.Request, err)
		}
		out = append(out, r)
	}
	return out, nil
}
