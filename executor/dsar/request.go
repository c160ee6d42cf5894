package dsar

import (
	"slices"
	"time"
)

// Type is a request type.
type Type string

// Request types (DESIGN §6).
const (
	Access        Type = "access"
	Erasure       Type = "erasure"
	Rectification Type = "rectification"
	Portability   Type = "portability"
	Restriction   Type = "restriction"
)

// Types lists the request types.
var Types = []Type{Access, Erasure, Rectification, Portability, Restriction}

// Valid reports whether t is a known request type.
func (t Type) Valid() bool { return slices.Contains(Types, t) }

// Writes reports whether requests of type t change stores.
func (t Type) Writes() bool { return t == Erasure || t == Rectification }

// Status is a request's state.
type Status string

// Request states:
//
//	received → verified → planned → approved → executing → verifying →
//	completed | completed_with_exceptions | failed | denied | cancelled
//
// A request is received at intake and verified once the controller's
// attestation of the subject's identity is recorded. Re-planning with a
// different digest returns an approved request to planned and clears its
// approvals. Read-only requests (access, portability, restriction) finish
// from executing; erasure and rectification pass through verifying, where
// every Find is re-run.
const (
	StatusReceived   Status = "received"
	StatusVerified   Status = "verified"
	StatusPlanned    Status = "planned"
	StatusApproved   Status = "approved"
	StatusExecuting  Status = "executing"
	StatusVerifying  Status = "verifying"
	StatusCompleted  Status = "completed"
	StatusExceptions Status = "completed_with_exceptions"
	StatusFailed     Status = "failed"
	StatusDenied     Status = "denied"
	StatusCancelled  Status = "cancelled"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusReceived, StatusVerified, StatusPlanned, StatusApproved, StatusExecuting,
	StatusVerifying, StatusCompleted, StatusExceptions, StatusFailed, StatusDenied, StatusCancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// legacy maps the status names of requests recorded before the lifecycle
// had its present names.
var legacy = map[Status]Status{"new": StatusReceived, "running": StatusExecuting, "completed_with_gaps": StatusExceptions}

// Canonical returns s under its present name (stored requests may carry
// an older one).
func (s Status) Canonical() Status {
	if n, ok := legacy[s]; ok {
		return n
	}
	return s
}

// Open reports whether a request in status s is still being worked on:
// not finished, denied or cancelled.
func (s Status) Open() bool {
	switch s {
	case StatusCompleted, StatusExceptions, StatusFailed, StatusDenied, StatusCancelled:
		return false
	}
	return true
}

// next is the lifecycle: the statuses each status may move to.
var next = map[Status][]Status{
	StatusReceived:  {StatusVerified, StatusDenied, StatusCancelled},
	StatusVerified:  {StatusPlanned, StatusDenied, StatusCancelled},
	StatusPlanned:   {StatusPlanned, StatusApproved, StatusDenied, StatusCancelled},
	StatusApproved:  {StatusPlanned, StatusExecuting, StatusDenied, StatusCancelled},
	StatusExecuting: {StatusExecuting, StatusVerifying, StatusCompleted, StatusExceptions, StatusFailed},
	StatusVerifying: {StatusExecuting, StatusCompleted, StatusExceptions, StatusFailed},
	// A failed run resumes; a finished erasure is re-applied after a
	// backup restore (ledger replay).
	StatusFailed:     {StatusExecuting, StatusCancelled},
	StatusCompleted:  {StatusExecuting},
	StatusExceptions: {StatusExecuting},
	StatusDenied:     nil,
	StatusCancelled:  nil,
}

// Next lists the statuses a request in status s may move to.
func (s Status) Next() []Status { return slices.Clone(next[s.Canonical()]) }

// CanMove reports whether a request in status from may move to to.
func CanMove(from, to Status) bool { return slices.Contains(next[from.Canonical()], to) }

// Approval is one approver's sign-off on a plan digest.
type Approval struct {
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Digest string    `json:"plan_digest"`
}

// Attestation is the controller's statement that the subject's identity
// was verified: who verified it, how, and when.
type Attestation struct {
	By     string    `json:"by"`
	Method string    `json:"method"`
	At     time.Time `json:"at"`
	// RecordedBy is the principal who entered the attestation.
	RecordedBy string `json:"recorded_by,omitempty"`
}
