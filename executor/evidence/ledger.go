package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// LedgerEntry records that an identifier was forgotten. It holds only the
// identifier's HMAC, so the ledger can be kept after erasure and used to
// replay erasures after a backup restore (see Service.Replay).
type LedgerEntry struct {
	HMAC    string    `json:"hmac"`
	Kind    string    `json:"kind"`
	Request string    `json:"request"`
	At      time.Time `json:"at"`
}

// Ledger is the forget ledger in the DocStore: one entry per erased
// identifier, keyed by its HMAC.
type Ledger struct {
	docs lineage.DocStore
	keys *Keys
}

// NewLedger returns the forget ledger kept in docs, hashing with keys.
func NewLedger(docs lineage.DocStore, keys *Keys) *Ledger {
	return &Ledger{docs: docs, keys: keys}
}

// Record enters one identifier of kind, forgotten by request, as its HMAC.
func (l *Ledger) Record(ctx context.Context, kind, value, request string) error {
	h := l.keys.IdentifierHMAC(kind, value)
	e := LedgerEntry{HMAC: h, Kind: kind, Request: request, At: time.Now().UTC()}
	b, _ := json.Marshal(e)
	if err := l.docs.PutDoc(ctx, docLedger, h, b); err != nil {
		return fmt.Errorf("executor: forget ledger: %w", err)
	}
	return nil
}

// Entries lists the forget ledger.
func (l *Ledger) Entries(ctx context.Context) ([]LedgerEntry, error) {
	var out []LedgerEntry
	err := l.docs.ListDocs(ctx, docLedger, func(id string, data []byte) error {
		var e LedgerEntry
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("executor: ledger entry: %w", piimap.ErrCorrupt)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// Has reports whether an identifier is in the forget ledger.
func (l *Ledger) Has(ctx context.Context, kind, value string) (bool, error) {
	_, err := l.docs.GetDoc(ctx, docLedger, l.keys.IdentifierHMAC(kind, value))
	if errors.Is(err, piimap.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
