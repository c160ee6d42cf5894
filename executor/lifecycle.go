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
	"github.com/piimap/piimap/executor/principal"
)

// The lifecycle before a run (dsar.Status): a request recorded at intake
// (intake.go) is verified by an attestation, planned, then approved, four
// eyes for changes and large exports; Execute (execute.go) takes it from
// there. Re-planning with another digest clears the approvals. Deny and
// Cancel close it. Every step acts as the principal in the context
// (authz.go) and is entered in the audit log with it, refusals too.

// ErrApprover is returned when an approval breaks the four-eyes rule: the
// requester approving their own request, or one person approving twice.
var ErrApprover = errors.New("approver not allowed")

// writes reports whether requests of type t change stores.
func writes(t dsar.Type) bool { return t.Writes() }

// approvalsNeeded is the four-eyes rule for a plan: erasure,
// rectification and restriction need two distinct approvers, and so does
// an access or portability export expecting more records than the
// policy's ExportFourEyesRecords; other requests need one.
func (s *Service) approvalsNeeded(t dsar.Type, p *planning.Plan) int {
	switch t {
	case dsar.Erasure, dsar.Rectification, dsar.Restriction:
		return 2
	}
	if limit := s.exportFourEyes(); limit >= 0 && p != nil {
		var total int64
		for _, st := range p.Steps() {
			total += st.Expected
		}
		if total > limit {
			return 2
		}
	}
	return 1
}

// required is the number of approvals req needs: what its plan set, and
// never fewer than its type's rule.
func (s *Service) required(req *Request) int {
	n := s.approvalsNeeded(req.Type, nil)
	if req.ApprovalsRequired > n {
		n = req.ApprovalsRequired
	}
	return n
}

// Plan derives (or re-derives) the request's plan and stores it
// (principal.PlanRequest). A request must be verified first. After a run
// has started, the frozen plan is returned unchanged.
func (s *Service) Plan(ctx context.Context, id string) (*planning.Plan, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	ctx, actor, err := s.authorize(ctx, principal.PlanRequest, id, req.tenant())
	if err != nil {
		return nil, err
	}
	switch req.Status {
	case dsar.StatusExecuting, dsar.StatusVerifying, dsar.StatusCompleted, dsar.StatusExceptions, dsar.StatusFailed:
		return s.loadPlan(ctx, id)
	}
	if err := req.canMove(dsar.StatusPlanned); err != nil {
		return nil, s.refuse(ctx, id, principal.PlanRequest, actor.Name, err)
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
	case req.Status == dsar.StatusVerified:
		req.transition(dsar.StatusPlanned, actor.Name, "")
	case changed:
		req.Approvals = nil
		req.transition(dsar.StatusPlanned, actor.Name, "plan changed; approvals cleared")
	}
	req.PlanDigest = p.Digest
	req.PolicyHash = s.policy.Hash
	req.ApprovalsRequired = s.approvalsNeeded(req.Type, p)
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("digest=%s steps=%d gaps=%d run=%s policy=%s approvals_required=%d",
		p.Digest, len(p.Steps()), len(p.Gaps), p.ScanRun, shortOr(s.policy.Hash, "none"), req.ApprovalsRequired)
	if err := s.auditLog.Append(ctx, id, "plan", actor.Name, detail); err != nil {
		return nil, err
	}
	return p, nil
}

// Approve records one approval of the request's current plan digest,
// acting as the principal in ctx (principal.ApproveRequest). With
// principals the approver is that principal and by must be empty or its
// own name; without principals (the local bootstrap) by names the
// approver. Names compare normalised (principal.SameName): the requester
// may never approve, and nobody counts twice. Erasure, rectification,
// restriction and large exports need two approvers.
func (s *Service) Approve(ctx context.Context, id, by string) (*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	ctx, actor, err := s.authorize(ctx, principal.ApproveRequest, id, req.tenant())
	if err != nil {
		return nil, err
	}
	by = strings.TrimSpace(by)
	refuse := func(err error) (*Request, error) {
		return nil, s.refuse(ctx, id, principal.ApproveRequest, actor.Name, err)
	}
	switch {
	case !actor.Implied && by != "" && !principal.SameName(by, actor.Name):
		return refuse(fmt.Errorf("executor: approve %s: --by names someone else than principal %s; with principals an approval is the token's principal's own: drop --by: %w", id, actor.Name, ErrActor))
	case !actor.Implied:
		by = actor.Name
	case by == "":
		return nil, fmt.Errorf("executor: approve %s: approver name missing (--by WHO): %w", id, piimap.ErrConfig)
	}
	if req.Status != dsar.StatusPlanned {
		return refuse(fmt.Errorf("executor: approve %s: the request is %s, approvals are given to a planned request: %w", id, req.Status, ErrTransition))
	}
	if principal.SameName(by, req.Requester) {
		return refuse(fmt.Errorf("executor: approve %s: %s filed the request and cannot approve it; another approver must: %w", id, by, ErrApprover))
	}
	for _, a := range req.Approvals {
		if principal.SameName(a.By, by) {
			return refuse(fmt.Errorf("executor: approve %s: %s already approved; a different approver must give the next approval: %w", id, a.By, ErrApprover))
		}
	}
	p, err := s.loadPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Digest != req.PlanDigest || s.digestAt(p, req, req.PolicyHash) != p.Digest {
		return refuse(fmt.Errorf("executor: approve %s: stored plan does not match its digest; re-plan it: %w", id, piimap.ErrPlanChanged))
	}
	if err := planning.CheckBlast(req.forPlanning(), p); err != nil {
		return refuse(fmt.Errorf("%w (blast radius: %s)", err, planning.BlastNote(p)))
	}
	req.Approvals = append(req.Approvals, dsar.Approval{By: by, At: now(), Digest: p.Digest})
	need := s.required(req)
	note := fmt.Sprintf("%d of %d approvals", countApprovals(req), need)
	if countApprovals(req) >= need {
		req.transition(dsar.StatusApproved, by, note)
	} else {
		req.UpdatedAt = now()
	}
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	if err := s.auditLog.Append(ctx, id, "approve", actor.Name, "approver="+by+" digest="+p.Digest+" "+note); err != nil {
		return nil, err
	}
	return req, nil
}

// countApprovals counts the distinct approvers of the current digest who
// are not the requester, names compared normalised.
func countApprovals(req *Request) int {
	var seen []string
	for _, a := range req.Approvals {
		if a.Digest != req.PlanDigest || principal.SameName(a.By, req.Requester) {
			continue
		}
		dup := false
		for _, s := range seen {
			dup = dup || principal.SameName(s, a.By)
		}
		if !dup {
			seen = append(seen, a.By)
		}
	}
	return len(seen)
}

// Deny closes the request as denied (principal.DenyRequest): the
// controller decided not to act on it. reason is required and recorded.
func (s *Service) Deny(ctx context.Context, id, reason string) (*Request, error) {
	return s.close(ctx, id, reason, dsar.StatusDenied, principal.DenyRequest, "request.deny")
}

// Cancel closes the request as cancelled (principal.CancelRequest): it is
// withdrawn before it ran. reason is required and recorded.
func (s *Service) Cancel(ctx context.Context, id, reason string) (*Request, error) {
	return s.close(ctx, id, reason, dsar.StatusCancelled, principal.CancelRequest, "request.cancel")
}

func (s *Service) close(ctx context.Context, id, reason string, to dsar.Status, act principal.Action, action string) (*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	ctx, actor, err := s.authorize(ctx, act, id, req.tenant())
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, fmt.Errorf("executor: %s %s: a --reason is required; it is kept in the audit log: %w", strings.TrimPrefix(action, "request."), id, piimap.ErrConfig)
	}
	if err := req.canMove(to); err != nil {
		return nil, s.refuse(ctx, id, act, actor.Name, err)
	}
	reason = redactFreeText(reason)
	req.transition(to, actor.Name, reason)
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	if err := s.auditLog.Append(ctx, id, action, actor.Name, fmt.Sprintf("reason=%q", reason)); err != nil {
		return nil, err
	}
	return req, nil
}

// Status returns the request (principal.ReadRequest on its tenant).
func (s *Service) Status(ctx context.Context, id string) (*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.authorize(ctx, principal.ReadRequest, id, req.tenant()); err != nil {
		return nil, err
	}
	return req, nil
}

// ListFilter narrows List; empty fields match everything.
type ListFilter struct {
	Tenant string
	Status dsar.Status
	Type   dsar.Type
}

// List returns the requests the acting principal may read, oldest first:
// all of them for a principal of every tenant, else its tenant's. Naming
// another tenant in the filter is refused (and recorded).
func (s *Service) List(ctx context.Context, f ListFilter) ([]*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	actor, err := s.actor(ctx)
	if err != nil {
		return nil, s.refuse(ctx, "", principal.ReadRequest, "unknown", err)
	}
	tenant := f.Tenant
	if tenant == "" && actor.Tenant != principal.AllTenants {
		tenant = actor.Tenant
	}
	if tenant != "" {
		if _, _, err := s.authorize(ctx, principal.ReadRequest, "", tenant); err != nil {
			return nil, err
		}
	} else if _, _, err := s.authorize(ctx, principal.ReadRequest, "", principal.AllTenants); err != nil {
		return nil, err
	}
	out := []*Request{}
	err = s.docs.ListDocs(ctx, docRequest, func(id string, data []byte) error {
		r, err := s.decodeRequest(id, data)
		if err != nil {
			return err
		}
		if (tenant == "" || r.tenant() == tenant) && (f.Status == "" || r.Status == f.Status) && (f.Type == "" || r.Type == f.Type) {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// Age is how long the request has been open at t (or was, when closed).
func (r *Request) Age(t time.Time) time.Duration {
	end := t
	if !r.Status.Open() {
		end = r.UpdatedAt
	}
	return end.Sub(r.CreatedAt)
}

func shortOr(s, none string) string {
	if s == "" {
		return none
	}
	return short(s)
}
