package executor

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/scanner"
)

// Document kinds the request flow keeps in the lineage.DocStore (the
// evidence keeps receipts, the audit chain, the ledger and the signing key
// beside them).
const (
	docRequest   = "dsar.request"
	docPlan      = "dsar.plan"
	docProgress  = "dsar.progress"
	docException = "dsar.exception"
)

// Transition is one entry of a request's status history.
type Transition struct {
	Status dsar.Status `json:"status"`
	At     time.Time   `json:"at"`
	By     string      `json:"by,omitempty"`
	Note   string      `json:"note,omitempty"`
}

// Scope is the optional date range a request covers, as the requester
// stated it at intake. It is recorded with the request (and in its audit
// entry); the plan does not filter rows by it.
type Scope struct {
	From  *time.Time `json:"from,omitempty"`
	Until *time.Time `json:"until,omitempty"`
}

// Request is a data-subject request. Its JSON form carries only masked
// identifiers; the raw ones are sealed in the DocStore and held unexported.
type Request struct {
	ID     string    `json:"id"`
	Type   dsar.Type `json:"type"`
	Tenant string    `json:"tenant,omitempty"`
	// Requester is the principal that filed the request (or, without
	// principals, the name given with --requester; "local" when none).
	Requester string                 `json:"requester"`
	Reason    string                 `json:"reason,omitempty"`
	Scope     *Scope                 `json:"scope,omitempty"`
	Subject   map[string][]string    `json:"subject"`           // kind → masked values
	Changes   map[string]string      `json:"changes,omitempty"` // rectification: field/type → masked new value
	Modes     map[string]driver.Mode `json:"modes,omitempty"`   // "store/asset", "store" or "*" → mode
	// Attestation is the controller's statement of the subject's
	// identity; a request is verified once it has one.
	Attestation *dsar.Attestation `json:"attestation,omitempty"`
	// AllowMultiple is the number of entity records (rows of an entity
	// table) the requester accepts the identifiers resolving to; 0 means
	// one. It is covered by the plan digest, so approvals cover it.
	AllowMultiple int         `json:"allow_multiple,omitempty"`
	Status        dsar.Status `json:"status"`
	PlanDigest    string      `json:"plan_digest,omitempty"`
	// PolicyHash is the policy hash the plan digest covers (Policy.Hash).
	PolicyHash string `json:"policy_hash,omitempty"`
	// ApprovalsRequired is the number of distinct approvers the current
	// plan needs (four eyes: 2), set when it is planned.
	ApprovalsRequired int             `json:"approvals_required,omitempty"`
	Approvals         []dsar.Approval `json:"approvals,omitempty"`
	History           []Transition    `json:"history"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
	// DueAt is when the request is due: CreatedAt plus the days the
	// policy gives its type.
	DueAt time.Time `json:"due_at,omitzero"`

	subject piimap.Subject
	changes map[string]string
}

// NewRequestInput is what NewRequest needs. Subject values are raw.
type NewRequestInput struct {
	Type   dsar.Type
	Tenant string
	// Requester: without principals, who asks (free text); with
	// principals, empty or the acting principal's own name.
	Requester string
	Reason    string
	Subject   piimap.Subject
	Changes   map[string]string // rectification only: PII type or field name → new value
	Modes     map[string]driver.Mode
	// AllowMultiple accepts identifiers that resolve to up to this many
	// entity records (see planning.CheckBlast); 0 or 1 means exactly one.
	AllowMultiple int
	// AttestedBy and AttestMethod, when given, record the controller's
	// attestation of the subject's identity at intake: the request is
	// verified at once instead of received.
	AttestedBy, AttestMethod string
	// From and Until are the optional date range of the request.
	From, Until *time.Time
	// AllowDuplicate files the request even when an open request of the
	// same type in the same tenant shares an identifier with it.
	AllowDuplicate bool
}

// ErrTransition is returned for a move the lifecycle does not allow; it
// also matches piimap.ErrInvalidState. Its message lists the allowed next
// steps.
var ErrTransition error = transitionError{}

type transitionError struct{}

func (transitionError) Error() string        { return "transition not allowed" }
func (transitionError) Is(target error) bool { return target == piimap.ErrInvalidState }

// canMove returns nil when the request may move to status to, else an
// error naming the allowed next statuses and what to do.
func (r *Request) canMove(to dsar.Status) error {
	from := r.Status.Canonical()
	if dsar.CanMove(from, to) {
		return nil
	}
	nexts := from.Next()
	allowed := "none: the request is closed"
	if len(nexts) > 0 {
		var names []string
		for _, n := range nexts {
			names = append(names, string(n))
		}
		allowed = strings.Join(names, ", ")
	}
	hint := ""
	switch from {
	case dsar.StatusReceived:
		hint = fmt.Sprintf("; record the identity check first: piimap dsar attest %s --attested-by WHO --attest-method METHOD", r.ID)
	case dsar.StatusVerified:
		hint = fmt.Sprintf("; plan it first: piimap dsar plan %s", r.ID)
	case dsar.StatusPlanned:
		hint = fmt.Sprintf("; it needs its approvals first: piimap dsar approve %s", r.ID)
	}
	return fmt.Errorf("executor: request %s is %s and cannot become %s (allowed next: %s)%s: %w",
		r.ID, from, to, allowed, hint, ErrTransition)
}

// transition moves the request to status s, recording who and why; the
// caller has checked canMove.
func (r *Request) transition(s dsar.Status, by, note string) {
	now := time.Now().UTC()
	r.Status = s
	r.UpdatedAt = now
	r.History = append(r.History, Transition{Status: s, At: now, By: by, Note: note})
}

// move is canMove then transition.
func (r *Request) move(s dsar.Status, by, note string) error {
	if err := r.canMove(s); err != nil {
		return err
	}
	r.transition(s, by, note)
	return nil
}

// Overdue reports whether the request is open past its due date at t.
func (r *Request) Overdue(t time.Time) bool {
	return r.Status.Open() && !r.DueAt.IsZero() && t.After(r.DueAt)
}

// tenant is the request's tenant; requests recorded before every request
// had one belong to scanner.DefaultTenant.
func (r *Request) tenant() string {
	if r.Tenant == "" {
		return scanner.DefaultTenant
	}
	return r.Tenant
}

// forPlanning is what planning reads of the request: its raw identifiers
// and changes included.
func (r *Request) forPlanning() planning.Request {
	return planning.Request{ID: r.ID, Type: r.Type, Tenant: r.tenant(), Subject: r.subject, Changes: r.changes,
		AllowMultiple: r.AllowMultiple}
}

// secrets is the sealed part of a stored request.
type secrets struct {
	Subject piimap.Subject    `json:"subject"`
	Changes map[string]string `json:"changes,omitempty"`
}

type requestDoc struct {
	Request *Request `json:"request"`
	Sealed  string   `json:"sealed"`
}

func maskMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = dsar.MaskDisplay(v)
	}
	return out
}

func (s *Service) saveRequest(ctx context.Context, r *Request) error {
	r.Subject = maskSubject(r.subject)
	r.Changes = maskMap(r.changes)
	plain, err := json.Marshal(secrets{Subject: r.subject, Changes: r.changes})
	if err != nil {
		return fmt.Errorf("executor: request %s: %w", r.ID, err)
	}
	doc := requestDoc{Request: r, Sealed: base64.StdEncoding.EncodeToString(s.keys.Seal(plain, docRequest+"/"+r.ID))}
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("executor: request %s: %w", r.ID, err)
	}
	if err := s.docs.PutDoc(ctx, docRequest, r.ID, b); err != nil {
		return fmt.Errorf("executor: save request %s: %w", r.ID, err)
	}
	return nil
}

// NoRequestError is returned for a request id the installation does not
// hold; it is a piimap.ErrNotFound, and its text tells the user where to
// find the ids.
type NoRequestError struct{ ID string }

func (e *NoRequestError) Error() string {
	return fmt.Sprintf("no request %s (see `piimap dsar list`)", e.ID)
}

// Is makes a NoRequestError a piimap.ErrNotFound.
func (e *NoRequestError) Is(target error) bool { return target == piimap.ErrNotFound }

func (s *Service) loadRequest(ctx context.Context, id string) (*Request, error) {
	b, err := s.docs.GetDoc(ctx, docRequest, id)
	if errors.Is(err, piimap.ErrNotFound) {
		return nil, &NoRequestError{ID: id}
	}
	if err != nil {
		return nil, fmt.Errorf("executor: request %s: %w", id, err)
	}
	return s.decodeRequest(id, b)
}

func (s *Service) decodeRequest(id string, b []byte) (*Request, error) {
	var doc requestDoc
	if err := json.Unmarshal(b, &doc); err != nil || doc.Request == nil {
		return nil, fmt.Errorf("executor: request %s: %w", id, piimap.ErrCorrupt)
	}
	sealed, err := base64.StdEncoding.DecodeString(doc.Sealed)
	if err != nil {
		return nil, fmt.Errorf("executor: request %s: %w", id, piimap.ErrCorrupt)
	}
	plain, err := s.keys.Open(sealed, docRequest+"/"+id)
	if err != nil {
		return nil, fmt.Errorf("executor: request %s: %w", id, err)
	}
	var sec secrets
	if err := json.Unmarshal(plain, &sec); err != nil {
		return nil, fmt.Errorf("executor: request %s secrets: %w", id, piimap.ErrCorrupt)
	}
	r := doc.Request
	r.subject, r.changes = sec.Subject, sec.Changes
	r.Status = r.Status.Canonical()
	for i := range r.History {
		r.History[i].Status = r.History[i].Status.Canonical()
	}
	return r, nil
}

func maskSubject(sub piimap.Subject) map[string][]string {
	if len(sub) == 0 {
		return nil
	}
	out := make(map[string][]string, len(sub))
	for k, vs := range sub {
		for _, v := range vs {
			out[k] = append(out[k], dsar.MaskDisplay(v))
		}
	}
	return out
}

// identifierKinds returns the subject's identifier kinds, sorted.
func identifierKinds(sub piimap.Subject) []string {
	out := make([]string, 0, len(sub))
	for k := range sub {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
