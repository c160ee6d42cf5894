package dsar

import "time"

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

// Valid reports whether t is a known request type.
func (t Type) Valid() bool {
	switch t {
	case Access, Erasure, Rectification, Portability, Restriction:
		return true
	}
	return false
}

// Status is a request's state.
type Status string

// Request states. new → planned → approved → running → completed |
// completed_with_gaps | failed. Re-planning with a different digest returns
// an approved request to planned and clears its approvals.
const (
	StatusNew       Status = "new"
	StatusPlanned   Status = "planned"
	StatusApproved  Status = "approved"
	StatusRunning   Status = "running"
	StatusCompleted Status = "completed"
	StatusGaps      Status = "completed_with_gaps"
	StatusFailed    Status = "failed"
)

// Approval is one approver's sign-off on a plan digest.
type Approval struct {
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Digest string    `json:"plan_digest"`
}
