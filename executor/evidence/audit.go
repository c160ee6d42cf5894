package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
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

// AuditLog is the installation's audit chain in the DocStore: every entry
// linked to the one before by its hash, and the head signed with the
// installation's key, in the graph and outside it (Keys.HeadSinks). It is
// safe for concurrent use within one process; the graph directory's lock
// keeps other processes out.
type AuditLog struct {
	docs lineage.DocStore
	keys *Keys
	mu   sync.Mutex // one append at a time: each links to the head
}

// NewAuditLog returns the audit chain kept in docs, signed with keys.
func NewAuditLog(docs lineage.DocStore, keys *Keys) *AuditLog {
	return &AuditLog{docs: docs, keys: keys}
}

// Append adds one entry to the chain and signs the new head. detail must
// name counts, digests and locations, never raw identifiers.
func (l *AuditLog) Append(ctx context.Context, request, action, actor, detail string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	head, err := l.head(ctx)
	if err != nil {
		return err
	}
	e := AuditEntry{Seq: head.Seq + 1, At: time.Now().UTC(), Request: request, Action: action,
		Actor: actor, Detail: detail, Prev: head.Hash}
	e.Hash = e.digest()
	b, _ := json.Marshal(e)
	if err := l.docs.PutDoc(ctx, docAudit, auditID(e.Seq), b); err != nil {
		return fmt.Errorf("executor: audit append %d: %w", e.Seq, err)
	}
	nh := auditHead{Seq: e.Seq, Hash: e.Hash}
	nh.Sig = base64.StdEncoding.EncodeToString(l.keys.sign([]byte(auditID(nh.Seq) + ":" + nh.Hash)))
	hb, _ := json.Marshal(nh)
	if err := l.docs.PutDoc(ctx, docAuditHead, "head", hb); err != nil {
		return fmt.Errorf("executor: audit head %d: %w", e.Seq, err)
	}
	// The same head, signed with its time, outside the graph: truncating
	// the log and re-signing the graph's head leaves this one behind.
	if len(l.keys.heads) > 0 {
		sh := l.keys.SignHead(e.Seq, e.Hash, e.At)
		for _, sink := range l.keys.heads {
			if err := sink.WriteHead(sh); err != nil {
				return fmt.Errorf("executor: audit entry %d is in the graph but its head did not reach %s: %w (check the path and its permissions; `piimap audit verify` reports the gap until the next append)", e.Seq, sink, err)
			}
		}
	}
	return nil
}

func (l *AuditLog) head(ctx context.Context) (auditHead, error) {
	b, err := l.docs.GetDoc(ctx, docAuditHead, "head")
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

// Entries returns the audit log, oldest first; with request set, only that
// request's entries.
func (l *AuditLog) Entries(ctx context.Context, request string) ([]AuditEntry, error) {
	var out []AuditEntry
	err := l.docs.ListDocs(ctx, docAudit, func(id string, data []byte) error {
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

// Verify walks the whole chain (see Check) with the installation's public
// key and head sinks. It returns the number of entries checked and an
// error wrapping ErrAuditTampered that names the first bad entry.
func (l *AuditLog) Verify(ctx context.Context) (int, error) {
	rep, err := l.Check(ctx, CheckOptions{})
	if err != nil {
		return 0, err
	}
	if !rep.OK {
		return rep.Entries, fmt.Errorf("executor: %s: %w", rep.Problem, ErrAuditTampered)
	}
	return rep.Entries, nil
}
