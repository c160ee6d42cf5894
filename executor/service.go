package executor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

// ErrApprover is returned when an approval breaks the four-eyes rule: the
// requester approving their own request, or one person approving twice.
var ErrApprover = errors.New("approver not allowed")

// Options configure a Service.
type Options struct {
	// InstallationKey seals identifiers and keys the HMACs. When nil, the
	// DocStore's InstallationKey method (lineage/badgerstore) supplies it.
	InstallationKey []byte
	// Handlers override the registry by store kind (tests, embedding).
	Handlers map[string]Opener
	// Concurrency bounds how many stores run at once (default 4).
	Concurrency int
	// IdentityKinds are extra subject key names the config marks as identity
	// fields, accepted by NewRequest beside email, user_id and phone.
	IdentityKinds []string
	// PhoneRegion is the region phone numbers given at intake without a
	// country code are read in; empty: the region the tenant's stores
	// share, else identifier.DefaultRegion.
	PhoneRegion string
}

// Event reports progress of one step to RunOptions.Progress.
type Event struct {
	Store   string `json:"store"`
	Asset   string `json:"asset"`
	Phase   string `json:"phase"` // erased | verified | exported | dry_run | found
	Found   int64  `json:"found"`
	Changed int64  `json:"changed"`
}

// RunOptions tune one Execute.
type RunOptions struct {
	Apply    bool            // erasure/rectification: write; otherwise a dry run
	OutDir   string          // access/portability: export package directory
	Modes    map[string]Mode // mode overrides; a change after approval is a plan change
	Progress func(Event)     // called after each step, from the store's goroutine
}

// Service runs data-subject requests against the stores of one
// installation. All state lives in the DocStore, so each step (new, plan,
// approve, run) can be a separate process.
type Service struct {
	g      lineage.Graph
	docs   lineage.DocStore
	stores map[string]scanner.StoreConfig
	opt    Options

	initMu  sync.Mutex
	keys    *keyring
	auditMu sync.Mutex
	progMu  sync.Mutex
}

// New returns a Service over the graph, the DocStore and the configured stores.
func New(g lineage.Graph, docs lineage.DocStore, stores []scanner.StoreConfig, opt Options) *Service {
	s := &Service{g: g, docs: docs, stores: map[string]scanner.StoreConfig{}, opt: opt}
	for _, sc := range stores {
		s.stores[sc.Name] = sc
	}
	if s.opt.Concurrency <= 0 {
		s.opt.Concurrency = 4
	}
	return s
}

func (s *Service) init(ctx context.Context) error {
	s.initMu.Lock()
	defer s.initMu.Unlock()
	if s.keys != nil {
		return nil
	}
	ikey := s.opt.InstallationKey
	if ikey == nil {
		ik, ok := s.docs.(InstallationKeyer)
		if !ok {
			return fmt.Errorf("executor: no installation key: set Options.InstallationKey or use a DocStore that holds one: %w", piimap.ErrConfig)
		}
		var err error
		if ikey, err = ik.InstallationKey(ctx); err != nil {
			return fmt.Errorf("executor: installation key: %w", err)
		}
	}
	k, err := newKeyring(ctx, ikey, s.docs)
	if err != nil {
		return err
	}
	s.keys = k
	return nil
}

func (s *Service) knownKind(kind string) bool {
	switch kind {
	case piimap.KeyEmail, piimap.KeyUserID, piimap.KeyPhone:
		return true
	}
	if containsStr(s.opt.IdentityKinds, kind) {
		return true
	}
	for _, sc := range s.stores {
		if _, ok := sc.Identity[kind]; ok {
			return true
		}
	}
	return false
}

func newID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "dsar-" + now.Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// NewRequest validates and records a request.
func (s *Service) NewRequest(ctx context.Context, in NewRequestInput) (*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	if !in.Type.Valid() {
		return nil, fmt.Errorf("executor: request type %q: %w", in.Type, piimap.ErrConfig)
	}
	if strings.TrimSpace(in.Requester) == "" {
		return nil, fmt.Errorf("executor: request needs a requester: %w", piimap.ErrConfig)
	}
	tenant, err := s.requestTenant(in.Tenant)
	if err != nil {
		return nil, err
	}
	sub, err := s.parseSubject(in.Subject, s.intakeRegion(tenant))
	if err != nil {
		return nil, err
	}
	if in.AllowMultiple < 0 {
		return nil, fmt.Errorf("executor: allow-multiple %d: want a positive count: %w", in.AllowMultiple, ErrIntake)
	}
	if in.Type == Rectification && len(in.Changes) == 0 {
		return nil, fmt.Errorf("executor: rectification needs changes: %w", piimap.ErrConfig)
	}
	for k, v := range in.Changes {
		// A corrected email or phone must itself be whole: rectifying an
		// address to a bare domain would plant a value that matches others.
		if k == piimap.KeyEmail || k == piimap.KeyPhone {
			if _, err := identifier.Parse(k, v, s.intakeRegion(tenant)); err != nil {
				return nil, fmt.Errorf("executor: change %s: %w: %w", k, err, ErrIntake)
			}
		}
	}
	if in.Type != Rectification && len(in.Changes) > 0 {
		return nil, fmt.Errorf("executor: changes only apply to rectification: %w", piimap.ErrConfig)
	}
	for k, m := range in.Modes {
		if !m.Valid() {
			return nil, fmt.Errorf("executor: mode %q for %s: %w", m, k, piimap.ErrConfig)
		}
	}
	now := time.Now().UTC()
	r := &Request{ID: newID(now), Type: in.Type, Tenant: tenant, Requester: in.Requester, Reason: in.Reason,
		Modes: in.Modes, AllowMultiple: in.AllowMultiple, CreatedAt: now, subject: sub, changes: in.Changes}
	r.transition(StatusNew, in.Requester, "")
	if err := s.saveRequest(ctx, r); err != nil {
		return nil, err
	}
	kinds := strings.Join(identifierKinds(sub), ",")
	if err := s.audit(ctx, r.ID, "request.new", in.Requester, fmt.Sprintf("type=%s tenant=%s identifiers=%s", in.Type, tenant, kinds)); err != nil {
		return nil, err
	}
	return r, nil
}

// Plan derives (or re-derives) the request's plan and stores it. After a run
// has started, the frozen plan is returned unchanged.
func (s *Service) Plan(ctx context.Context, id string) (*Plan, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	switch req.Status {
	case StatusRunning, StatusCompleted, StatusGaps, StatusFailed:
		return s.loadPlan(ctx, id)
	}
	p, err := s.derivePlan(ctx, req, req.Modes)
	if err != nil {
		return nil, err
	}
	if err := s.savePlan(ctx, p); err != nil {
		return nil, err
	}
	changed := req.PlanDigest != "" && req.PlanDigest != p.Digest
	switch {
	case req.Status == StatusNew:
		req.transition(StatusPlanned, "", "")
	case changed:
		req.Approvals = nil
		req.transition(StatusPlanned, "", "plan changed; approvals cleared")
	}
	req.PlanDigest = p.Digest
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("digest=%s steps=%d gaps=%d run=%s", p.Digest, len(p.Steps()), len(p.Gaps), p.ScanRun)
	if err := s.audit(ctx, id, "plan", "", detail); err != nil {
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
	if req.Status != StatusPlanned {
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
	if p.Digest != req.PlanDigest || s.digest(p, req.changes) != p.Digest {
		return nil, fmt.Errorf("executor: approve %s: stored plan does not match its digest: %w", id, piimap.ErrPlanChanged)
	}
	if err := checkBlast(req, p); err != nil {
		_ = s.audit(ctx, id, "approve.refused", by, "blast radius: "+blastNote(p))
		return nil, err
	}
	req.Approvals = append(req.Approvals, Approval{By: by, At: time.Now().UTC(), Digest: p.Digest})
	note := fmt.Sprintf("%d of %d approvals", len(req.Approvals), req.Type.approvalsNeeded())
	if len(req.Approvals) >= req.Type.approvalsNeeded() {
		req.transition(StatusApproved, by, note)
	} else {
		req.UpdatedAt = time.Now().UTC()
	}
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, id, "approve", by, "digest="+p.Digest+" "+note); err != nil {
		return nil, err
	}
	return req, nil
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

// Receipt returns the request's signed receipt.
func (s *Service) Receipt(ctx context.Context, id string) (*Receipt, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	b, err := s.docs.GetDoc(ctx, docReceipt, id)
	if err != nil {
		return nil, fmt.Errorf("executor: receipt %s: %w", id, err)
	}
	var r Receipt
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("executor: receipt %s: %w", id, piimap.ErrCorrupt)
	}
	return &r, nil
}
