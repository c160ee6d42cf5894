package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
)

// The lifecycle before a run: a recorded request (intake.go) is planned,
// then approved, four eyes for changes; Execute (execute.go) takes it from
// there. Re-planning with another digest clears the approvals.

// ErrApprover is returned when an approval breaks the four-eyes rule: the
// requester approving their own request, or one person approving twice.
var ErrApprover = errors.New("approver not allowed")

// writes reports whether requests of type t change stores.
func writes(t dsar.Type) bool { return t == dsar.Erasure || t == dsar.Rectification }

// approvalsNeeded is the four-eyes rule: changes need two approvers.
func approvalsNeeded(t dsar.Type) int {
	if writes(t) {
		return 2
	}
	return 1
}

// Plan derives (or re-derives) the request's plan and stores it. After a run
// has started, the frozen plan is returned unchanged.
func (s *Service) Plan(ctx context.Context, id string) (*planning.Plan, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	switch req.Status {
	case dsar.StatusRunning, dsar.StatusCompleted, dsar.StatusGaps, dsar.StatusFailed:
		return s.loadPlan(ctx, id)
	}
	p, err := s.derive(ctx, req, req.Modes, true)
	if err != nil {
		return nil, err
	}
	if err := s.savePlan(ctx, p); err != nil {
		return nil, err
	}
	changed := req.PlanDigest != "" && req.PlanDigest != p.Digest
	switch {
	case req.Status == dsar.StatusNew:
		req.transition(dsar.StatusPlanned, "", "")
	case changed:
		req.Approvals = nil
		req.transition(dsar.StatusPlanned, "", "plan changed; approvals cleared")
	}
	req.PlanDigest = p.Digest
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("digest=%s steps=%d gaps=%d run=%s", p.Digest, len(p.Steps()), len(p.Gaps), p.ScanRun)
	if err := s.auditLog.Append(ctx, id, "plan", "", detail); err != nil {
		return nil, err
	}
	return p, nil
}

// Approve records one approval of the request's current plan digest.
// Erasure and rectification need two approvers, access, portability and
// restriction one; the requester may never approve.
func (s *Service) Approve(ctx context.Context, id, by string) (*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	by = strings.TrimSpace(by)
	if by == "" {
		return nil, fmt.Errorf("executor: approve %s: approver name missing: %w", id, piimap.ErrConfig)
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if req.Status != dsar.StatusPlanned {
		return nil, fmt.Errorf("executor: approve %s in status %s: %w", id, req.Status, piimap.ErrInvalidState)
	}
	if strings.EqualFold(by, req.Requester) {
		return nil, fmt.Errorf("executor: approve %s: the requester cannot approve: %w", id, ErrApprover)
	}
	for _, a := range req.Approvals {
		if strings.EqualFold(a.By, by) {
			return nil, fmt.Errorf("executor: approve %s: %s already approved: %w", id, by, ErrApprover)
		}
	}
	p, err := s.loadPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Digest != req.PlanDigest || s.digest(p, req) != p.Digest {
		return nil, fmt.Errorf("executor: approve %s: stored plan does not match its digest: %w", id, piimap.ErrPlanChanged)
	}
	if err := planning.CheckBlast(req.forPlanning(), p); err != nil {
		_ = s.auditLog.Append(ctx, id, "approve.refused", by, "blast radius: "+planning.BlastNote(p))
		return nil, err
	}
	req.Approvals = append(req.Approvals, dsar.Approval{By: by, At: time.Now().UTC(), Digest: p.Digest})
	note := fmt.Sprintf("%d of %d approvals", len(req.Approvals), approvalsNeeded(req.Type))
	if len(req.Approvals) >= approvalsNeeded(req.Type) {
		req.transition(dsar.StatusApproved, by, note)
	} else {
		req.UpdatedAt = time.Now().UTC()
	}
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	if err := s.auditLog.Append(ctx, id, "approve", by, "digest="+p.Digest+" "+note); err != nil {
		return nil, err
	}
	return req, nil
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

// Status returns the request.
func (s *Service) Status(ctx context.Context, id string) (*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	return s.loadRequest(ctx, id)
}

// List returns every request, oldest first.
func (s *Service) List(ctx context.Context) ([]*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	var out []*Request
	err := s.docs.ListDocs(ctx, docRequest, func(id string, data []byte) error {
		r, err := s.decodeRequest(id, data)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}
