package executor

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
	Request     string            `json:"request"`
	Type        Type              `json:"type"`
	Status      Status            `json:"status"`
	DryRun      bool              `json:"dry_run,omitempty"`
	Locations   []ReceiptLocation `json:"locations"`
	Exceptions  []Exception       `json:"exceptions"`
	Gaps        []Gap             `json:"gaps"`
	Lineage     []EdgeAction      `json:"lineage,omitempty"`
	PlanDigest  string            `json:"plan_digest"`
	ScanRun     string            `json:"scan_run"`
	Approvals   []Approval        `json:"approvals"`
	Runs        int               `json:"runs,omitempty"`
	Export      *ExportSummary    `json:"export,omitempty"`
	StartedAt   time.Time         `json:"started_at"`
	CompletedAt time.Time         `json:"completed_at"`
	PublicKey   string            `json:"public_key"`
	Signature   string            `json:"signature"`
}

// ReceiptLocation is one asset's outcome.
type ReceiptLocation struct {
	Store       string `json:"store"`
	Asset       string `json:"asset"`
	Mode        Mode   `json:"mode,omitempty"`
	Action      string `json:"action,omitempty"` // recompute for views; empty for the request's own action
	Found       int64  `json:"found"`
	Changed     int64  `json:"changed"`
	WouldChange int64  `json:"would_change,omitempty"`
	Residual    int64  `json:"residual"`
	Status      string `json:"status"`
	Note        string `json:"note,omitempty"`
	Error       string `json:"error,omitempty"`
	// Purge says whether the erased bytes are physically gone, pending
	// (until PurgeAt) or an exception, with PurgeDetail saying how or why.
	Purge       string     `json:"purge,omitempty"`
	PurgeDetail string     `json:"purge_detail,omitempty"`
	PurgeAt     *time.Time `json:"purge_at,omitempty"`
}

// ErrBadSignature is returned by VerifyReceipt.
var ErrBadSignature = errors.New("receipt signature invalid")

func (r Receipt) signingBytes() []byte {
	r.Signature = ""
	b, _ := json.Marshal(r)
	return b
}

func (s *Service) sign(r *Receipt) {
	r.PublicKey = base64.StdEncoding.EncodeToString(s.keys.pub)
	r.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(s.keys.priv, r.signingBytes()))
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

// PublicKey is the installation's receipt signing key.
func (s *Service) PublicKey(ctx context.Context) (ed25519.PublicKey, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	return s.keys.pub, nil
}

func (s *Service) saveReceipt(ctx context.Context, r *Receipt) error {
	s.sign(r)
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("executor: receipt %s: %w", r.Request, err)
	}
	if err := s.docs.PutDoc(ctx, docReceipt, r.Request, b); err != nil {
		return fmt.Errorf("executor: save receipt %s: %w", r.Request, err)
	}
	sum := sha256.Sum256(b)
	return s.audit(ctx, r.Request, "receipt", "", fmt.Sprintf("status=%s sha256=%s", r.Status, hex.EncodeToString(sum[:])))
}
