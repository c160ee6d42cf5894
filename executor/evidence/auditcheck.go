package evidence

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// SignedHead is the audit chain's last entry as pinned outside the graph:
// its sequence number and hash, when it was appended, and an Ed25519
// signature over the three. `piimap audit head` prints it; anyone holding
// one and the public key can later tell whether a log was cut short.
type SignedHead struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	At        time.Time `json:"at"`
	PublicKey string    `json:"public_key"`
	Sig       string    `json:"sig"`
}

func headMessage(seq int64, hash string, at time.Time) []byte {
	return []byte("piimap audit head v1\n" + strconv.FormatInt(seq, 10) + "\n" + hash + "\n" + at.UTC().Format(time.RFC3339Nano))
}

// SignHead signs the head naming entry seq with hash, appended at at.
func (k *Keys) SignHead(seq int64, hash string, at time.Time) SignedHead {
	at = at.UTC()
	return SignedHead{Seq: seq, Hash: hash, At: at, PublicKey: base64.StdEncoding.EncodeToString(k.pub),
		Sig: base64.StdEncoding.EncodeToString(k.sign(headMessage(seq, hash, at)))}
}

// VerifyHead checks h's signature with pub.
func VerifyHead(h SignedHead, pub ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(h.Sig)
	if err != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, headMessage(h.Seq, h.Hash, h.At), sig) {
		return fmt.Errorf("audit head %d: signature does not verify with key %s", h.Seq, KeyFingerprint(pub))
	}
	return nil
}

// HeadSink keeps signed audit heads outside the graph.
type HeadSink interface {
	WriteHead(SignedHead) error
	// ReadHeads returns the heads kept, oldest first; none when nothing
	// was written yet.
	ReadHeads() ([]SignedHead, error)
	String() string
}

// FileHeadStore keeps the last head in one file, rewritten atomically
// (0600): the key directory's audit-head.json.
type FileHeadStore struct{ Path string }

// WriteHead replaces the file with h.
func (f FileHeadStore) WriteHead(h SignedHead) error {
	b, _ := json.MarshalIndent(h, "", "  ")
	return WriteFileAtomic(f.Path, append(b, '\n'))
}

// ReadHeads returns the head in the file, if any.
func (f FileHeadStore) ReadHeads() ([]SignedHead, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit head %s: %w", f.Path, err)
	}
	var h SignedHead
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("audit head %s: %w", f.Path, piimap.ErrCorrupt)
	}
	return []SignedHead{h}, nil
}

func (f FileHeadStore) String() string { return f.Path }

// AppendFileSink appends every head as one JSON line to a file opened
// O_APPEND (0600), for a file on append-only storage (chattr +a, a WORM
// mount, a log shipper's spool). Every line stays, so a check compares the
// chain with every head ever pinned, not only the last.
type AppendFileSink struct{ Path string }

// WriteHead appends h and syncs the file.
func (f AppendFileSink) WriteHead(h SignedHead) error {
	fh, err := os.OpenFile(f.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit sink %s: %w", f.Path, err)
	}
	b, _ := json.Marshal(h)
	if _, err := fh.Write(append(b, '\n')); err != nil {
		fh.Close()
		return fmt.Errorf("audit sink %s: %w", f.Path, err)
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return fmt.Errorf("audit sink %s: %w", f.Path, err)
	}
	return fh.Close()
}

// ReadHeads returns every line of the sink; a torn last line (a crash
// mid-write) is skipped.
func (f AppendFileSink) ReadHeads() ([]SignedHead, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit sink %s: %w", f.Path, err)
	}
	var out []SignedHead
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var h SignedHead
		if err := json.Unmarshal(line, &h); err != nil {
			if !bytes.HasSuffix(b, []byte("\n")) && !sc.Scan() {
				break // torn last line
			}
			return nil, fmt.Errorf("audit sink %s line %d: %w", f.Path, n, piimap.ErrCorrupt)
		}
		out = append(out, h)
	}
	return out, sc.Err()
}

func (f AppendFileSink) String() string { return f.Path }

// CheckOptions tune Check.
type CheckOptions struct {
	// PublicKey verifies the heads; default the log's own key.
	PublicKey ed25519.PublicKey
	// Retired are public keys of signing keys rotated out (see
	// RotateSigningKey): heads they signed still verify.
	Retired []ed25519.PublicKey
	// Pinned are further heads to hold the chain to (a head printed by
	// `piimap audit head` and kept elsewhere), besides the log's sinks.
	Pinned []SignedHead
}

// AuditProblem is the first thing wrong with the chain.
type AuditProblem struct {
	Seq  int64  `json:"seq"`  // the first bad entry (0: the head itself)
	What string `json:"what"` // what is wrong, for people
}

func (p *AuditProblem) String() string {
	if p.Seq > 0 {
		return fmt.Sprintf("audit entry %d: %s", p.Seq, p.What)
	}
	return "audit log: " + p.What
}

// AuditReport is what Check found.
type AuditReport struct {
	OK       bool          `json:"ok"`
	Entries  int           `json:"entries"`
	Head     *SignedHead   `json:"external_head,omitempty"` // the newest head kept outside the graph
	Problem  *AuditProblem `json:"problem,omitempty"`
	Notes    []string      `json:"notes,omitempty"`
	KeySHA   string        `json:"public_key_fingerprint"`
	Checked  time.Time     `json:"checked_at"`
	LastHash string        `json:"last_hash,omitempty"`
}

// NewAuditReader returns an audit log that can only be read and checked,
// for an auditor holding the graph and the public key but no private key.
func NewAuditReader(docs lineage.DocStore, pub ed25519.PublicKey, sinks ...HeadSink) *AuditLog {
	return &AuditLog{docs: docs, keys: &Keys{pub: pub, heads: sinks}}
}

// Check walks the whole chain and reports the first bad entry:
//   - every entry's hash recomputed from its content (modified);
//   - sequence numbers contiguous from 1 (deleted, reordered);
//   - every entry's prev equal to the hash before it;
//   - the graph's head naming the chain's last entry, signed;
//   - every head kept outside the graph (key directory, sinks, pinned)
//     signed and naming an entry of this chain with the same hash: a head
//     past the chain's end means the log was cut short, even when the
//     graph's own head was re-signed.
func (l *AuditLog) Check(ctx context.Context, opt CheckOptions) (*AuditReport, error) {
	pub := opt.PublicKey
	if pub == nil {
		pub = l.keys.pub
	}
	opt.Retired = append(opt.Retired, l.keys.retired...)
	rep := &AuditReport{KeySHA: KeyFingerprint(pub), Checked: time.Now().UTC()}
	entries, err := l.Entries(ctx, "")
	if err != nil {
		return nil, err
	}
	rep.Entries = len(entries)
	bad := func(seq int64, format string, args ...any) (*AuditReport, error) {
		rep.Problem = &AuditProblem{Seq: seq, What: fmt.Sprintf(format, args...)}
		return rep, nil
	}
	bySeq := map[int64]int{}
	for i, e := range entries {
		bySeq[e.Seq] = i
	}
	prev := ""
	for i, e := range entries {
		want := int64(i + 1)
		if e.Seq != want {
			if j, ok := bySeq[want]; ok {
				return bad(want, "found at position %d instead of %d: the log was reordered", j+1, want)
			}
			return bad(want, "missing (the log goes from %d to %d): an entry was deleted", want-1, e.Seq)
		}
		if e.digest() != e.Hash {
			return bad(e.Seq, "content does not match its hash: the entry was modified")
		}
		if e.Prev != prev {
			return bad(e.Seq, "does not link to entry %d (prev hash differs): an entry before it was replaced", e.Seq-1)
		}
		prev = e.Hash
	}
	rep.LastHash = prev
	n := int64(len(entries))

	head, err := l.head(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case head.Seq > n:
		return bad(n+1, "missing: the graph's head names entry %d but the log ends at %d: the log was truncated", head.Seq, n)
	case head.Seq < n:
		return bad(head.Seq+1, "is past the graph's signed head (entry %d): entries were added without the signing key", head.Seq)
	case n > 0 && head.Hash != prev:
		return bad(n, "does not match the graph's signed head: the entry was replaced")
	case n > 0:
		sig, err := base64.StdEncoding.DecodeString(head.Sig)
		if err != nil || !verifyAny(append([]ed25519.PublicKey{pub}, opt.Retired...), []byte(auditID(head.Seq)+":"+head.Hash), sig) {
			return bad(0, "the graph's head (entry %d) is not signed by key %s: it was re-signed with another key", head.Seq, rep.KeySHA)
		}
	}

	// Heads outside the graph.
	var external []SignedHead
	for _, s := range l.keys.heads {
		hs, err := s.ReadHeads()
		if err != nil {
			return nil, err
		}
		if len(hs) == 0 && n > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("no head in %s yet", s))
		}
		external = append(external, hs...)
	}
	external = append(external, opt.Pinned...)
	if len(l.keys.heads) > 0 && len(external) == 0 && n > 0 {
		return bad(0, "no signed head outside the graph (%s is missing): a truncated log cannot be ruled out; restore the file from your backup or check against a head pinned elsewhere (`audit verify --head FILE`)", l.keys.heads[0])
	}
	for _, h := range external {
		if err := verifyHeadAny(h, pub, opt.Retired); err != nil {
			return bad(0, "%v: the pinned head was forged or re-signed with another key", err)
		}
		switch {
		case h.Seq > n:
			return bad(n+1, "missing: the head pinned outside the graph (signed %s) names entry %d but the log ends at %d: the log was truncated",
				h.At.Format(time.RFC3339), h.Seq, n)
		case h.Seq >= 1 && entries[h.Seq-1].Hash != h.Hash:
			return bad(h.Seq, "does not match the head pinned outside the graph (signed %s): the log was rewritten from here on", h.At.Format(time.RFC3339))
		}
		if rep.Head == nil || h.Seq > rep.Head.Seq {
			hc := h
			rep.Head = &hc
		}
	}
	if rep.Head != nil && rep.Head.Seq < n {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the head outside the graph is %d entries behind the log (an append did not reach it); the graph's signed head covers the rest", n-rep.Head.Seq))
	}
	rep.OK = true
	return rep, nil
}

// ExternalHead returns the newest signed head kept outside the graph, nil
// when there is none.
func (l *AuditLog) ExternalHead() (*SignedHead, error) {
	var best *SignedHead
	for _, s := range l.keys.heads {
		hs, err := s.ReadHeads()
		if err != nil {
			return nil, err
		}
		for i := range hs {
			if best == nil || hs[i].Seq > best.Seq {
				best = &hs[i]
			}
		}
	}
	return best, nil
}

func verifyAny(keys []ed25519.PublicKey, msg, sig []byte) bool {
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, msg, sig) {
			return true
		}
	}
	return false
}

// verifyHeadAny checks h with pub, or with the retired key it names.
func verifyHeadAny(h SignedHead, pub ed25519.PublicKey, retired []ed25519.PublicKey) error {
	err := VerifyHead(h, pub)
	if err == nil {
		return nil
	}
	for _, r := range retired {
		if VerifyHead(h, r) == nil {
			return nil
		}
	}
	return err
}
