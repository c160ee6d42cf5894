package executor

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/piimap/piimap"

	"github.com/piimap/piimap/executor/evidence"
)

// What the Service shows of its evidence (executor/evidence): receipts,
// the audit chain and the forget ledger, each read after init has set up
// the installation's keys.

// Receipt returns the request's signed receipt.
func (s *Service) Receipt(ctx context.Context, id string) (*evidence.Receipt, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	return s.receipts.Load(ctx, id)
}

// PublicKey is the installation's receipt signing key.
func (s *Service) PublicKey(ctx context.Context) (ed25519.PublicKey, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	return s.keys.PublicKey(), nil
}

// VerifyReceipt checks a receipt's signature with the installation's
// signing key, or one it rotated out (what a retired key signed stays
// valid).
func (s *Service) VerifyReceipt(ctx context.Context, r *evidence.Receipt) error {
	if err := s.init(ctx); err != nil {
		return err
	}
	err := evidence.VerifyReceipt(*r, s.keys.PublicKey())
	for _, old := range s.keys.RetiredPublicKeys() {
		if err == nil {
			break
		}
		if evidence.VerifyReceipt(*r, old) == nil {
			err = nil
		}
	}
	return err
}

// Audit returns the audit log, oldest first; with request set, only that
// request's entries.
func (s *Service) Audit(ctx context.Context, request string) ([]evidence.AuditEntry, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	return s.auditLog.Entries(ctx, request)
}

// VerifyAudit walks the whole chain: sequence numbers contiguous from 1,
// every Prev equal to the previous Hash, every Hash recomputed, and the last
// entry equal to the signed head. It returns the number of entries checked.
func (s *Service) VerifyAudit(ctx context.Context) (int, error) {
	if err := s.init(ctx); err != nil {
		return 0, err
	}
	return s.auditLog.Verify(ctx)
}

// Ledger lists the forget ledger.
func (s *Service) Ledger(ctx context.Context) ([]evidence.LedgerEntry, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	return s.ledger.Entries(ctx)
}

// Forgotten reports whether an identifier is in the forget ledger.
func (s *Service) Forgotten(ctx context.Context, kind, value string) (bool, error) {
	if err := s.init(ctx); err != nil {
		return false, err
	}
	return s.ledger.Has(ctx, kind, value)
}

// CheckAudit walks the whole audit chain and compares it with the signed
// heads kept outside the graph (the key directory's audit-head.json, any
// sink) and opt.Pinned; see evidence.AuditLog.Check.
func (s *Service) CheckAudit(ctx context.Context, opt evidence.CheckOptions) (*evidence.AuditReport, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	return s.auditLog.Check(ctx, opt)
}

// AuditHead is the newest signed audit head kept outside the graph, for
// pinning elsewhere; nil before the first entry.
func (s *Service) AuditHead(ctx context.Context) (*evidence.SignedHead, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	return s.auditLog.ExternalHead()
}

// Evidence gathers what the evidence pack of request id holds (see
// evidence.WritePack): the request as printed (masked), its stored plan,
// its audit entries, the check of the whole chain, its receipt, the
// exceptions that apply and the public key.
func (s *Service) Evidence(ctx context.Context, id string) (*evidence.PackInput, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("executor: evidence %s: request: %w", id, err)
	}
	in := &evidence.PackInput{Request: raw, PublicKey: s.keys.PublicKey(), GeneratedAt: time.Now().UTC()}
	if in.Plan, err = s.loadPlan(ctx, id); err != nil && !errors.Is(err, piimap.ErrNotFound) {
		return nil, err
	}
	if in.Audit, err = s.auditLog.Entries(ctx, id); err != nil {
		return nil, err
	}
	if in.AuditReport, err = s.auditLog.Check(ctx, evidence.CheckOptions{}); err != nil {
		return nil, err
	}
	rc, err := s.receipts.Load(ctx, id)
	switch {
	case err == nil:
		in.Receipt = rc
		// A receipt signed before a rotation of the signing key is
		// checked, and packed, with the retired key that signed it.
		for _, k := range s.keys.RetiredPublicKeys() {
			if base64.StdEncoding.EncodeToString(k) == rc.PublicKey {
				in.PublicKey = k
			}
		}
	case !errors.Is(err, piimap.ErrNotFound):
		return nil, err
	}
	if in.Exceptions, err = s.Exceptions(ctx, id); err != nil {
		return nil, err
	}
	return in, nil
}
