package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/lineage"
)

// Location statuses in a receipt.
const (
	LocDone        = "done"
	LocResidual    = "residual"
	LocFailed      = "failed"
	LocWouldChange = "would_change"
	LocExported    = "exported"
	LocRestricted  = "restricted"
	LocException   = "exception"
)

// Receipt is the evidence of one request (DESIGN §7): what was found and
// changed where, what remains, the exceptions and gaps, the plan digest it
// executed, and an ed25519 signature over its canonical JSON.
type Receipt struct {
	Request    string               `json:"request"`
	Type       dsar.Type            `json:"type"`
	Status     dsar.Status          `json:"status"`
	DryRun     bool                 `json:"dry_run,omitempty"`
	Locations  []ReceiptLocation    `json:"locations"`
	Exceptions []planning.Exception `json:"exceptions"`
	Gaps       []planning.Gap       `json:"gaps"`
	// Tasks are the request's manual tasks (stores marked manual, kinds
	// without a handler) with who closed each, when and how; a request
	// completes only when every one is done or waived.
	Tasks []ReceiptTask `json:"tasks,omitempty"`
	// Replay names the forget-ledger replay this receipt evidences
	// (`piimap ledger replay`): the store, the ledger window and the
	// requests whose erasures were re-applied.
	Replay      *ReplayInfo           `json:"replay,omitempty"`
	Lineage     []planning.EdgeAction `json:"lineage,omitempty"`
	PlanDigest  string                `json:"plan_digest"`
	ScanRun     string                `json:"scan_run"`
	Approvals   []dsar.Approval       `json:"approvals"`
	Runs        int                   `json:"runs,omitempty"`
	Export      *ExportSummary        `json:"export,omitempty"`
	StartedAt   time.Time             `json:"started_at"`
	CompletedAt time.Time             `json:"completed_at"`
	PublicKey   string                `json:"public_key"`
	Signature   string                `json:"signature"`
}

// ReceiptLocation is one asset's outcome.
type ReceiptLocation struct {
	Store       string      `json:"store"`
	Asset       string      `json:"asset"`
	Mode        driver.Mode `json:"mode,omitempty"`
	Action      string      `json:"action,omitempty"` // recompute for views; empty for the request's own action
	Found       int64       `json:"found"`
	Changed     int64       `json:"changed"`
	WouldChange int64       `json:"would_change,omitempty"`
	Residual    int64       `json:"residual"`
	Status      string      `json:"status"`
	Note        string      `json:"note,omitempty"`
	Error       string      `json:"error,omitempty"`
	// Purge says whether the erased bytes are physically gone, pending
	// (until PurgeAt) or an exception, with PurgeDetail saying how or why.
	Purge       string     `json:"purge,omitempty"`
	PurgeDetail string     `json:"purge_detail,omitempty"`
	PurgeAt     *time.Time `json:"purge_at,omitempty"`
}

// Task statuses.
const (
	TaskOpen    = "open"
	TaskDone    = "done"
	TaskWaived  = "waived"
	TaskPending = "pending" // a dry run: the task would be opened
)

// ReceiptTask is one manual task as a receipt states it.
type ReceiptTask struct {
	ID       string     `json:"id,omitempty"`
	Store    string     `json:"store"`
	Asset    string     `json:"asset"`
	Action   string     `json:"action"`
	Status   string     `json:"status"`
	By       string     `json:"by,omitempty"`
	Note     string     `json:"note,omitempty"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
}

// ReplayInfo describes a forget-ledger replay.
type ReplayInfo struct {
	Store    string     `json:"store"`
	Since    *time.Time `json:"since,omitempty"`
	Requests []string   `json:"requests"`
	// Identifiers is how many ledger entries (HMACs) the replay matched
	// on; the raw values come from the requests' sealed plans.
	Identifiers int `json:"identifiers"`
}

// ErrBadSignature is returned by VerifyReceipt.
var ErrBadSignature = errors.New("receipt signature invalid")

func (r Receipt) signingBytes() []byte {
	r.Signature = ""
	b, _ := json.Marshal(r)
	return b
}

// VerifyReceipt checks a receipt's signature against its embedded public
// key; with trusted set, the key must also equal trusted (the installation's
// key, see Service.PublicKey).
func VerifyReceipt(r Receipt, trusted ed25519.PublicKey) error {
	pub, err := base64.StdEncoding.DecodeString(r.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("executor: receipt %s: public key malformed: %w", r.Request, ErrBadSignature)
	}
	if trusted != nil && !bytes.Equal(pub, trusted) {
		return fmt.Errorf("executor: receipt %s: signed by an unknown key: %w", r.Request, ErrBadSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(r.Signature)
	if err != nil || !ed25519.Verify(pub, r.signingBytes(), sig) {
		return fmt.Errorf("executor: receipt %s: %w", r.Request, ErrBadSignature)
	}
	return nil
}

// VerifyReceiptJSON parses and verifies a receipt as printed by
// `piimap dsar receipt --json`.
func VerifyReceiptJSON(data []byte, trusted ed25519.PublicKey) (*Receipt, error) {
	var r Receipt
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("executor: receipt: %w", err)
	}
	return &r, VerifyReceipt(r, trusted)
}

// Receipts keeps the signed receipts in the DocStore, one per request, and
// records each in the audit chain.
type Receipts struct {
	docs  lineage.DocStore
	keys  *Keys
	audit *AuditLog
}

// NewReceipts returns the receipts kept in docs, signed with keys and
// audited in audit.
func NewReceipts(docs lineage.DocStore, keys *Keys, audit *AuditLog) *Receipts {
	return &Receipts{docs: docs, keys: keys, audit: audit}
}

// Sign sets r's public key and its ed25519 signature over its canonical
// JSON. A dry run's receipt is signed and never saved.
func (rs *Receipts) Sign(r *Receipt) {
	r.PublicKey = base64.StdEncoding.EncodeToString(rs.keys.pub)
	r.Signature = base64.StdEncoding.EncodeToString(rs.keys.sign(r.signingBytes()))
}

// Save signs r, stores it as its request's receipt and appends its
// SHA-256 to the audit chain, as done by actor (the principal whose run
// produced it).
func (rs *Receipts) Save(ctx context.Context, r *Receipt, actor string) error {
	rs.Sign(r)
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("executor: receipt %s: %w", r.Request, err)
	}
	if err := rs.docs.PutDoc(ctx, docReceipt, r.Request, b); err != nil {
		return fmt.Errorf("executor: save receipt %s: %w", r.Request, err)
	}
	sum := sha256.Sum256(b)
	return rs.audit.Append(ctx, r.Request, "receipt", actor, fmt.Sprintf("status=%s sha256=%s", r.Status, hex.EncodeToString(sum[:])))
}

// Load returns the request's stored receipt.
func (rs *Receipts) Load(ctx context.Context, id string) (*Receipt, error) {
	b, err := rs.docs.GetDoc(ctx, docReceipt, id)
	if err != nil {
		return nil, fmt.Errorf("executor: receipt %s: %w", id, err)
	}
	var r Receipt
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("executor: receipt %s: %w", id, piimap.ErrCorrupt)
	}
	return &r, nil
}
