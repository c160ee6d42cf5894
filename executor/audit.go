package executor

import (
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
)

// AuditEntry is one link of the hash-chained, append-only audit log. Hash is
// sha256 over the entry's canonical JSON with Hash empty; Prev is the
// previous entry's Hash. Detail never holds raw identifiers.
type AuditEntry struct {
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	Request string    `json:"request,omitempty"`
	Action  string    `json:"action"`
	Actor   string    `json:"actor,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	Prev    string    `json:"prev"`
	Hash    string    `json:"hash"`
}

// auditHead names the chain's last entry, signed so that truncating the log
// is detected too.
type auditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	Sig  string `json:"sig"`
}

// ErrAuditTampered is returned by VerifyAudit when the chain is broken.
var ErrAuditTampered = errors.New("audit chain tampered")

func (e AuditEntry) digest() string {
	e.Hash = ""
	b, _ := json.Marshal(e)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func auditID(seq int64) string { return fmt.Sprintf("%016d", seq) }

func (s *Service) audit(ctx context.Context, request, action, actor, detail string) error {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	head, err := s.auditHead(ctx)
	if err != nil {
		return err
	}
	e := AuditEntry{Seq: head.Seq + 1, At: time.Now().UTC(), Request: request, Action: action,
		Actor: actor, Detail: detail, Prev: head.Hash}
	e.Hash = e.digest()
	b, _ := json.Marshal(e)
	if err := s.docs.PutDoc(ctx, docAudit, auditID(e.Seq), b); err != nil {
		return fmt.Errorf("executor: audit append %d: %w", e.Seq, err)
	}
	nh := auditHead{Seq: e.Seq, Hash: e.Hash}
	nh.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(s.keys.priv, []byte(auditID(nh.Seq)+":"+nh.Hash)))
	hb, _ := json.Marshal(nh)
	if err := s.docs.PutDoc(ctx, docAuditHead, "head", hb); err != nil {
		return fmt.Errorf("executor: audit head %d: %w", e.Seq, err)
	}
	return nil
}

func (s *Service) auditHead(ctx context.Context) (auditHead, error) {
	b, err := s.docs.GetDoc(ctx, docAuditHead, "head")
	if errors.Is(err, piimap.ErrNotFound) {
		return auditHead{}, nil
	}
	if err != nil {
		return auditHead{}, fmt.Errorf("executor: audit head: %w", err)
	}
	var h auditHead
	if err := json.Unmarshal(b, &h); err != nil {
		return auditHead{}, fmt.Errorf("executor: audit head: %w", piimap.ErrCorrupt)
	}
	return h, nil
}

// Audit returns the audit log, oldest first; with request set, only that
// request's entries.
func (s *Service) Audit(ctx context.Context, request string) ([]AuditEntry, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	var out []AuditEntry
	err := s.docs.ListDocs(ctx, docAudit, func(id string, data []byte) error {
		var e AuditEntry
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("executor: audit entry %s: %w", id, piimap.ErrCorrupt)
		}
		if request == "" || e.Request == request {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// VerifyAudit walks the whole chain: sequence numbers contiguous from 1,
// every Prev equal to the previous Hash, every Hash recomputed, and the last
// entry equal to the signed head. It returns the number of entries checked.
func (s *Service) VerifyAudit(ctx context.Context) (int, error) {
	if err := s.init(ctx); err != nil {
		return 0, err
	}
	entries, err := s.Audit(ctx, "")
	if err != nil {
		return 0, err
	}
	prev := ""
	for i, e := range entries {
		if e.Seq != int64(i+1) {
			return i, fmt.Errorf("executor: audit entry %d: sequence gap (found %d): %w", i+1, e.Seq, ErrAuditTampered)
		}
		if e.Prev != prev {
			return i, fmt.Errorf("executor: audit entry %d: prev hash mismatch: %w", e.Seq, ErrAuditTampered)
		}
		if e.digest() != e.Hash {
			return i, fmt.Errorf("executor: audit entry %d: content hash mismatch: %w", e.Seq, ErrAuditTampered)
		}
		prev = e.Hash
	}
	head, err := s.auditHead(ctx)
	if err != nil {
		return len(entries), err
	}
	if head.Seq != int64(len(entries)) || head.Hash != prev {
		return len(entries), fmt.Errorf("executor: audit head %d does not match chain end %d: %w", head.Seq, len(entries), ErrAuditTampered)
	}
	if len(entries) > 0 {
		sig, err := base64.StdEncoding.DecodeString(head.Sig)
		if err != nil || !ed25519.Verify(s.keys.pub, []byte(auditID(head.Seq)+":"+head.Hash), sig) {
			return len(entries), fmt.Errorf("executor: audit head signature invalid: %w", ErrAuditTampered)
		}
	}
	return len(entries), nil
}

// LedgerEntry records that an identifier was forgotten. It holds only the
// identifier's HMAC, so the ledger can be kept after erasure and used to
// replay erasures after a backup restore (see Service.Replay).
type LedgerEntry struct {
	HMAC    string    `json:"hmac"`
	Kind    string    `json:"kind"`
	Request string    `json:"request"`
	At      time.Time `json:"at"`
}

func (s *Service) recordForgotten(ctx context.Context, req *Request, plan *Plan) error {
	for _, kind := range identifierKinds(req.subject) {
		for _, v := range req.subject[kind] {
			if err := s.putLedger(ctx, kind, v, req.ID); err != nil {
				return err
			}
		}
	}
	for _, r := range plan.resolved {
		for _, v := range r.values {
			if err := s.putLedger(ctx, r.kind, v, req.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) putLedger(ctx context.Context, kind, value, request string) error {
	h := s.keys.identifierHMAC(kind, value)
	e := LedgerEntry{HMAC: h, Kind: kind, Request: request, At: time.Now().UTC()}
	b, _ := json.Marshal(e)
	if err := s.docs.PutDoc(ctx, docLedger, h, b); err != nil {
		return fmt.Errorf("executor: forget ledger: %w", err)
	}
	return nil
}

// Ledger lists the forget ledger.
func (s *Service) Ledger(ctx context.Context) ([]LedgerEntry, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	var out []LedgerEntry
	err := s.docs.ListDocs(ctx, docLedger, func(id string, data []byte) error {
		var e LedgerEntry
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("executor: ledger entry: %w", piimap.ErrCorrupt)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// Forgotten reports whether an identifier is in the forget ledger.
func (s *Service) Forgotten(ctx context.Context, kind, value string) (bool, error) {
	if err := s.init(ctx); err != nil {
		return false, err
	}
	_, err := s.docs.GetDoc(ctx, docLedger, s.keys.identifierHMAC(kind, value))
	if errors.Is(err, piimap.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Exception kinds in the exceptions register.
const (
	ExceptionLegalHold   = "legal_hold"
	ExceptionBackup      = "immutable_backup"
	ExceptionUnsupported = "unsupported"
	ExceptionRestriction = "restriction"
	// ExceptionRetention: the store refuses deletes (a JetStream stream
	// with deny_delete); the data leaves only when the store's retention
	// expires it, by ExpiresAt.
	ExceptionRetention = "retention"
)

// ExceptionError is returned by a handler's CheckMode (or Erase) when a
// location cannot be changed for a reason that belongs in the exceptions
// register rather than among the gaps — e.g. a stream that denies deletes
// and expires its messages by retention. Plan records it as an Exception of
// Kind with Reason and ExpiresAt. Err is the sentinel it wraps
// (piimap.ErrUnsupported).
type ExceptionError struct {
	Kind      string
	Reason    string
	ExpiresAt *time.Time
	Err       error
}

func (e *ExceptionError) Error() string { return e.Reason }
func (e *ExceptionError) Unwrap() error { return e.Err }

// Exception is one entry of the exceptions register: a location deliberately
// not (or not yet) changed, and why. Request empty means it applies to every
// request (a standing legal hold); Asset empty covers the whole store.
type Exception struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Request   string     `json:"request,omitempty"`
	Store     string     `json:"store"`
	Asset     string     `json:"asset,omitempty"`
	Reason    string     `json:"reason"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

func (e Exception) covers(store, asset string, now time.Time) bool {
	if e.Store != store || (e.Asset != "" && e.Asset != asset) {
		return false
	}
	return e.ExpiresAt == nil || now.Before(*e.ExpiresAt)
}

// AddException records an exception (e.g. a legal hold on a store).
func (s *Service) AddException(ctx context.Context, e Exception) (Exception, error) {
	if err := s.init(ctx); err != nil {
		return e, err
	}
	if e.Kind == "" || e.Store == "" || e.Reason == "" {
		return e, fmt.Errorf("executor: exception needs kind, store and reason: %w", piimap.ErrConfig)
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
	if e.ID == "" {
		e.ID = fmt.Sprintf("%s-%s-%d", e.Kind, e.Store, e.CreatedAt.UnixNano())
	}
	b, _ := json.Marshal(e)
	if err := s.docs.PutDoc(ctx, docException, e.ID, b); err != nil {
		return e, fmt.Errorf("executor: exception %s: %w", e.ID, err)
	}
	return e, s.audit(ctx, e.Request, "exception."+e.Kind, "", e.Store+"/"+e.Asset+": "+e.Reason)
}

// Exceptions lists the register; with request set, the standing exceptions
// plus that request's own.
func (s *Service) Exceptions(ctx context.Context, request string) ([]Exception, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	var out []Exception
	err := s.docs.ListDocs(ctx, docException, func(id string, data []byte) error {
		var e Exception
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("executor: exception %s: %w", id, piimap.ErrCorrupt)
		}
		if request == "" || e.Request == "" || e.Request == request {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Replay re-applies every finished erasure in the forget ledger, after a
// backup restore brought erased data back. Each request runs its frozen,
// approved plan again (no new approval: the decision was taken); on an
// estate that holds nothing of the subjects it changes nothing. It returns
// the receipts of the requests replayed.
func (s *Service) Replay(ctx context.Context, ro RunOptions) ([]*Receipt, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	entries, err := s.Ledger(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []*Receipt
	for _, e := range entries {
		if seen[e.Request] {
			continue
		}
		seen[e.Request] = true
		if err := s.audit(ctx, e.Request, "ledger.replay", "", "re-applying the frozen plan"); err != nil {
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
