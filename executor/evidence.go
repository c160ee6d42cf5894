package executor

import (
	"context"
	"crypto/ed25519"

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
