package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/piimap/piimap"
)

// Execute runs an approved request. The flow, in order:
//
//  1. check approvals, then freeze the plan: re-derive it and refuse if its
//     digest differs from the approved one (a resumed run uses the stored
//     plan, since the data it resolved from may already be gone);
//  2. erasure/rectification without Apply: a dry run that counts what would
//     change and writes nothing;
//  3. with Apply: per store (a bounded pool), mark the steps running, call
//     the handler with the store's targets children-first, persist each
//     result, then Verify by re-running every Find (residual must be 0);
//  4. access/portability: Find every step and write the export package;
//     restriction: Find every step and record it in the exceptions register;
//  5. forget ledger, signed receipt, audit entries.
func (s *Service) Execute(ctx context.Context, id string, ro RunOptions) (*Receipt, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	switch req.Status {
	case StatusApproved, StatusRunning, StatusCompleted, StatusGaps, StatusFailed:
	default:
		return nil, fmt.Errorf("executor: run %s in status %s: %w", id, req.Status, piimap.ErrNotApproved)
	}
	if n := countApprovals(req); n < req.Type.approvalsNeeded() {
		return nil, fmt.Errorf("executor: run %s: %d of %d approvals: %w", id, n, req.Type.approvalsNeeded(), piimap.ErrNotApproved)
	}
	prog, err := s.loadProgress(ctx, id)
	if err != nil {
		return nil, err
	}
	plan, err := s.frozenPlan(ctx, req, ro, prog != nil)
	if err != nil {
		return nil, err
	}
	if (req.Type.writes() && ro.Apply) || req.Type == Restriction {
		if err := checkBlast(req, plan); err != nil {
			_ = s.audit(ctx, req.ID, "run.refused", "", "blast radius: "+blastNote(plan))
			return nil, err
		}
	}
	switch {
	case req.Type.writes() && !ro.Apply:
		return s.dryRun(ctx, req, plan, ro)
	case req.Type.writes():
		return s.apply(ctx, req, plan, prog, ro)
	case req.Type == Restriction:
		return s.restrict(ctx, req, plan, ro)
	default:
		return s.exportRequest(ctx, req, plan, ro)
	}
}

func countApprovals(req *Request) int {
	n := 0
	for _, a := range req.Approvals {
		if a.Digest == req.PlanDigest && a.By != req.Requester {
			n++
		}
	}
	return n
}

// frozenPlan returns the plan to execute, refusing with ErrPlanChanged when
// it is not the approved one.
func (s *Service) frozenPlan(ctx context.Context, req *Request, ro RunOptions, started bool) (*Plan, error) {
	if started {
		p, err := s.loadPlan(ctx, req.ID)
		if err != nil {
			return nil, err
		}
		if p.Digest != req.PlanDigest || s.digest(p, req.changes) != req.PlanDigest {
			return nil, fmt.Errorf("executor: run %s: stored plan does not match the approved digest: %w", req.ID, piimap.ErrPlanChanged)
		}
		for k, m := range ro.Modes {
			if req.Modes[k] != m {
				return nil, fmt.Errorf("executor: run %s: mode override %s=%s after the run started: %w", req.ID, k, m, piimap.ErrPlanChanged)
			}
		}
		return p, nil
	}
	modes := map[string]Mode{}
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
	export := req.Type == Access || req.Type == Portability
	p, err := s.derive(ctx, req, modes, !export)
	if err != nil {
		return nil, err
	}
	if p.Digest != req.PlanDigest {
		_ = s.audit(ctx, req.ID, "run.refused", "", "plan changed: approved="+req.PlanDigest+" now="+p.Digest)
		return nil, fmt.Errorf("executor: run %s: approved %s, now %s: %w", req.ID, short(req.PlanDigest), short(p.Digest), piimap.ErrPlanChanged)
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

// keepCounts copies the stored plan's expected counts into p, a re-derived
// plan with the same digest whose steps were not counted.
func (s *Service) keepCounts(ctx context.Context, p *Plan) error {
	old, err := s.loadPlan(ctx, p.Request)
	if err != nil {
		return err
	}
	counts := map[string]int64{}
	for _, st := range old.Steps() {
		counts[assetKey(st.Store, st.Asset)] = st.Expected
	}
	for i := range p.Stores {
		for j := range p.Stores[i].Steps {
			st := &p.Stores[i].Steps[j]
			st.Expected = counts[assetKey(st.Store, st.Asset)]
		}
	}
	return nil
}

func short(d string) string {
	if len(d) > 12 {
		return d[:12]
	}
	return d
}

// progress is the persisted per-step state of an applied run.
type progress struct {
	Request   string                   `json:"request"`
	Digest    string                   `json:"plan_digest"`
	StartedAt time.Time                `json:"started_at"`
	Runs      int                      `json:"runs"`
	Steps     map[string]*stepProgress `json:"steps"` // store/asset →
}

// Step progress states.
const (
	stepPending = "pending"
	stepRunning = "running"
	stepDone    = "done"
	stepFailed  = "failed"
)

type stepProgress struct {
	Status   string `json:"status"`
	Expected int64  `json:"expected"`
	Found    int64  `json:"found"`
	Changed  int64  `json:"changed"`
	Residual int64  `json:"residual"`
	Attempts int    `json:"attempts"`
	Note     string `json:"note,omitempty"`
	Error    string `json:"error,omitempty"`
	// Physical purge (purge.go), after the writes are verified.
	Purge       string     `json:"purge,omitempty"`
	PurgeDetail string     `json:"purge_detail,omitempty"`
	PurgeAt     *time.Time `json:"purge_at,omitempty"`
}

func (s *Service) loadProgress(ctx context.Context, id string) (*progress, error) {
	b, err := s.docs.GetDoc(ctx, docProgress, id)
	if errors.Is(err, piimap.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("executor: progress %s: %w", id, err)
	}
	var p progress
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("executor: progress %s: %w", id, piimap.ErrCorrupt)
	}
	return &p, nil
}

// saveProgress persists p; callers hold s.progMu when goroutines share p.
func (s *Service) saveProgress(ctx context.Context, p *progress) error {
	b, _ := json.Marshal(p)
	// Persist even when ctx is cancelled: the state of a step that finished
	// must survive the interruption that stops the run.
	if err := s.docs.PutDoc(context.WithoutCancel(ctx), docProgress, p.Request, b); err != nil {
		return fmt.Errorf("executor: save progress %s: %w", p.Request, err)
	}
	return nil
}

// apply executes an erasure or rectification for real.
func (s *Service) apply(ctx context.Context, req *Request, plan *Plan, prog *progress, ro RunOptions) (*Receipt, error) {
	rerun := req.Status == StatusCompleted || req.Status == StatusGaps
	if prog == nil {
		prog = &progress{Request: req.ID, Digest: plan.Digest, StartedAt: time.Now().UTC(), Steps: map[string]*stepProgress{}}
		for _, st := range plan.Steps() {
			prog.Steps[assetKey(st.Store, st.Asset)] = &stepProgress{Status: stepPending, Expected: st.Expected}
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
	if req.Status != StatusRunning {
		req.transition(StatusRunning, "", action)
		if err := s.saveRequest(ctx, req); err != nil {
			return nil, err
		}
	}
	if err := s.audit(ctx, req.ID, action, "", fmt.Sprintf("run=%d digest=%s", prog.Runs, plan.Digest)); err != nil {
		return nil, err
	}
	grp, gctx := errgroup.WithContext(ctx)
	grp.SetLimit(s.opt.Concurrency)
	for _, sp := range plan.Stores {
		sp := sp
		grp.Go(func() error { return s.applyStore(gctx, req, sp, prog, rerun, ro) })
	}
	runErr := grp.Wait()
	if ctx.Err() != nil {
		_ = s.audit(context.WithoutCancel(ctx), req.ID, "run.interrupted", "", ctx.Err().Error())
		return nil, fmt.Errorf("executor: run %s interrupted (resume by running again): %w", req.ID, ctx.Err())
	}
	r := s.writeReceipt(req, plan, prog)
	if runErr != nil {
		r.Status = StatusFailed
	}
	if r.Status != StatusFailed && req.Type == Erasure {
		if err := s.recordForgotten(ctx, req, plan); err != nil {
			return nil, err
		}
	}
	req.transition(r.Status, "", fmt.Sprintf("run %d", prog.Runs))
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	if err := s.saveReceipt(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// applyStore erases (or rectifies) one store's pending steps in one handler
// call, persists the results, then verifies each step.
func (s *Service) applyStore(ctx context.Context, req *Request, sp StorePlan, prog *progress, rerun bool, ro RunOptions) error {
	var todo []Step
	s.progMu.Lock()
	for _, st := range sp.Steps {
		p := prog.Steps[assetKey(st.Store, st.Asset)]
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
	h, err := s.openHandler(ctx, req, sp.Store, sp.Kind, false)
	if err != nil {
		return s.failSteps(ctx, prog, sp.Steps, err)
	}
	defer h.Close()
	if len(todo) == 0 { // finished before an interruption elsewhere: verify again
		if err := s.verifyStore(ctx, h, req, sp, prog, ro); err != nil {
			return err
		}
		return s.purgeStore(ctx, h, sp.Steps, prog)
	}
	targets, views := writeTargets(todo)
	var results []Result
	if len(targets) == 0 {
		// only views in this store: nothing to write
	} else if req.Type == Rectification {
		rf, ok := h.(Rectifier)
		if !ok {
			return s.failSteps(ctx, prog, todo, fmt.Errorf("executor: store %s cannot rectify: %w", sp.Store, piimap.ErrUnsupported))
		}
		results, err = rf.Rectify(ctx, targets, EraseOptions{})
	} else {
		results, err = h.Erase(ctx, targets, EraseOptions{})
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
	byAsset := map[string]Result{}
	for _, r := range results {
		byAsset[r.Asset] = r
	}
	for _, v := range views {
		byAsset[v.Asset] = Result{Asset: v.Asset} // a view changes with its base: nothing of its own
	}
	s.progMu.Lock()
	for _, st := range todo {
		p := prog.Steps[assetKey(st.Store, st.Asset)]
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
		p := prog.Steps[assetKey(st.Store, st.Asset)]
		if ro.Progress != nil {
			ro.Progress(Event{Store: st.Store, Asset: st.Asset, Phase: "erased", Found: p.Found, Changed: p.Changed})
		}
	}
	if err := s.verifyStore(ctx, h, req, sp, prog, ro); err != nil {
		return err
	}
	return s.purgeStore(ctx, h, sp.Steps, prog)
}

// verifyStore re-runs every Find of the store: after erasure the residual
// must be zero; after rectification, no matched row may hold an old value.
func (s *Service) verifyStore(ctx context.Context, h Handler, req *Request, sp StorePlan, prog *progress, ro RunOptions) error {
	for _, st := range sp.Steps {
		res, err := residual(ctx, h, req.Type, st.Target)
		if err != nil {
			return s.failSteps(ctx, prog, []Step{st}, fmt.Errorf("verify: %w", err))
		}
		s.progMu.Lock()
		prog.Steps[assetKey(st.Store, st.Asset)].Residual = res
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

func residual(ctx context.Context, h Handler, t Type, tg Target) (int64, error) {
	if t != Rectification {
		return countRows(ctx, h, tg)
	}
	var n int64
	err := h.Find(ctx, tg, func(b Batch) error {
		cols, rows := b.Table()
		for _, row := range rows {
			for f, want := range tg.Changes {
				if v, ok := lookupPath(cols, row, f); !ok || CellString(v) != want {
					n++
					break
				}
			}
		}
		return nil
	})
	return n, err
}

func (s *Service) failSteps(ctx context.Context, prog *progress, steps []Step, err error) error {
	s.progMu.Lock()
	defer s.progMu.Unlock()
	for _, st := range steps {
		p := prog.Steps[assetKey(st.Store, st.Asset)]
		p.Status, p.Error = stepFailed, err.Error()
	}
	if serr := s.saveProgress(ctx, prog); serr != nil {
		return serr
	}
	return err
}

// writeReceipt assembles the receipt of an applied run from its progress.
func (s *Service) writeReceipt(req *Request, plan *Plan, prog *progress) *Receipt {
	r := &Receipt{Request: req.ID, Type: req.Type, PlanDigest: plan.Digest, ScanRun: plan.ScanRun, Lineage: plan.Lineage,
		Approvals: req.Approvals, Runs: prog.Runs, StartedAt: prog.StartedAt, CompletedAt: time.Now().UTC(),
		Exceptions: append([]Exception{}, plan.Exceptions...), Gaps: append([]Gap{}, plan.Gaps...)}
	status := StatusCompleted
	for _, st := range plan.Steps() {
		p := prog.Steps[assetKey(st.Store, st.Asset)]
		loc := ReceiptLocation{Store: st.Store, Asset: st.Asset, Mode: st.Target.Mode, Action: recomputeLabel(st), Found: p.Found,
			Changed: p.Changed, Residual: p.Residual, Note: p.Note, Error: p.Error,
			Purge: p.Purge, PurgeDetail: p.PurgeDetail, PurgeAt: p.PurgeAt}
		switch {
		case p.Status == stepFailed || p.Status != stepDone:
			loc.Status = LocFailed
			status = StatusFailed
		case p.Residual > 0:
			loc.Status = LocResidual
			if status != StatusFailed {
				status = StatusGaps
			}
		default:
			loc.Status = LocDone
		}
		r.Locations = append(r.Locations, loc)
	}
	if len(r.Gaps) > 0 && status == StatusCompleted {
		status = StatusGaps
	}
	r.Status = status
	if r.Locations == nil {
		r.Locations = []ReceiptLocation{}
	}
	return r
}

// dryRun asks each store what an erasure would change; nothing is written
// and the request's state is untouched.
func (s *Service) dryRun(ctx context.Context, req *Request, plan *Plan, ro RunOptions) (*Receipt, error) {
	r := &Receipt{Request: req.ID, Type: req.Type, DryRun: true, PlanDigest: plan.Digest, ScanRun: plan.ScanRun, Lineage: plan.Lineage,
		Approvals: req.Approvals, StartedAt: time.Now().UTC(), Exceptions: append([]Exception{}, plan.Exceptions...),
		Gaps: append([]Gap{}, plan.Gaps...), Locations: []ReceiptLocation{}}
	var mu sync.Mutex
	locs := map[string]ReceiptLocation{}
	grp, gctx := errgroup.WithContext(ctx)
	grp.SetLimit(s.opt.Concurrency)
	for _, sp := range plan.Stores {
		sp := sp
		grp.Go(func() error {
			h, err := s.openHandler(gctx, req, sp.Store, sp.Kind, true)
			if err != nil {
				return err
			}
			defer h.Close()
			targets, _ := writeTargets(sp.Steps)
			var res []Result
			if len(targets) == 0 {
				// only views: nothing would be written
			} else if rf, ok := h.(Rectifier); ok && req.Type == Rectification {
				res, err = rf.Rectify(gctx, targets, EraseOptions{DryRun: true})
			} else {
				res, err = h.Erase(gctx, targets, EraseOptions{DryRun: true})
			}
			if err != nil {
				return fmt.Errorf("executor: dry run %s: %w", sp.Store, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, x := range res {
				locs[assetKey(sp.Store, x.Asset)] = ReceiptLocation{Store: sp.Store, Asset: x.Asset, Found: x.Found, WouldChange: x.Changed, Status: LocWouldChange}
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
		loc := locs[assetKey(st.Store, st.Asset)]
		loc.Store, loc.Asset, loc.Mode, loc.Status = st.Store, st.Asset, st.Target.Mode, LocWouldChange
		if loc.Action = recomputeLabel(st); loc.Action != "" {
			loc.Found = st.Expected
		}
		r.Locations = append(r.Locations, loc)
	}
	r.Status = StatusApproved
	r.CompletedAt = time.Now().UTC()
	s.sign(r)
	if err := s.audit(ctx, req.ID, "run.dry", "", fmt.Sprintf("digest=%s locations=%d", plan.Digest, len(r.Locations))); err != nil {
		return nil, err
	}
	return r, nil
}

// writeTargets splits steps into the targets a handler writes and the
// recompute steps (views), which it does not.
func writeTargets(steps []Step) ([]Target, []Target) {
	var write, views []Target
	for _, st := range steps {
		if st.Action == ActionRecompute {
			views = append(views, st.Target)
			continue
		}
		write = append(write, st.Target)
	}
	return write, views
}

// recompute refreshes the materialized views among views through the
// handler's Recomputer; plain views, and stores without one, need nothing.
func recompute(ctx context.Context, h Handler, views []Target) error {
	rc, ok := h.(Recomputer)
	if !ok || len(views) == 0 {
		return nil
	}
	if err := rc.Recompute(ctx, views); err != nil {
		return fmt.Errorf("executor: recompute views: %w", err)
	}
	return nil
}

func recomputeLabel(st Step) string {
	if st.Action == ActionRecompute {
		return ActionRecompute
	}
	return ""
}
