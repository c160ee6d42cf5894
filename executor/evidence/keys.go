package evidence

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/lineage"
)

// Document kinds the evidence keeps in the lineage.DocStore (the request
// flow keeps requests, plans, progress and exceptions beside them).
const (
	docReceipt   = "dsar.receipt"
	docAudit     = "dsar.audit"
	docAuditHead = "dsar.audit_head"
	docLedger    = "dsar.ledger"
	docKey       = "dsar.key"
)

// InstallationKeyer is implemented by DocStores that hold the installation
// key (lineage/badgerstore).
type InstallationKeyer interface {
	InstallationKey(ctx context.Context) ([]byte, error)
}

// Keys holds the keys derived from the installation key: one to seal raw
// identifiers at rest, one to HMAC identifiers for the ledger and digests,
// one for masking tokens, and the receipt and audit signing key pair.
type Keys struct {
	aead    cipher.AEAD
	hmacKey []byte
	maskKey []byte
	priv    ed25519.PrivateKey
	pub     ed25519.PublicKey
	// heads receive every signed audit head, outside the graph: the key
	// directory's audit-head.json and any configured sink.
	heads []HeadSink
	// retired are the public keys of signing keys rotated out: what they
	// signed still verifies.
	retired []ed25519.PublicKey
}

func deriveKey(ikey []byte, label string) []byte {
	m := hmac.New(sha256.New, ikey)
	m.Write([]byte("piimap/executor/v1/" + label))
	return m.Sum(nil)
}

type signingKeyDoc struct {
	Public     string    `json:"public"`
	PrivSealed string    `json:"private_sealed"`
	CreatedAt  time.Time `json:"created_at"`
}

const signingKeyID = "receipt-signing"

// NewKeys derives the keys from the installation key ikey and loads the
// signing key pair kept in docs, creating it the first time. It is the
// layout of installations before key directories, kept for embedding and
// tests; the command line uses a key directory (KeyDir.Keys), so that
// nothing secret is left in the graph.
func NewKeys(ctx context.Context, ikey []byte, docs lineage.DocStore) (*Keys, error) {
	k, err := deriveKeys(ikey)
	if err != nil {
		return nil, err
	}
	if err := k.loadSigningKey(ctx, docs); err != nil {
		return nil, err
	}
	return k, nil
}

// deriveKeys derives the sealing, HMAC and masking keys from ikey.
func deriveKeys(ikey []byte) (*Keys, error) {
	if len(ikey) < 16 {
		return nil, fmt.Errorf("executor: installation key too short (%d bytes): %w", len(ikey), piimap.ErrConfig)
	}
	block, err := aes.NewCipher(deriveKey(ikey, "seal"))
	if err != nil {
		return nil, fmt.Errorf("executor: seal key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("executor: seal key: %w", err)
	}
	return &Keys{aead: aead, hmacKey: deriveKey(ikey, "hmac"), maskKey: deriveKey(ikey, "mask")}, nil
}

// AddHeadSink makes every audit append also write its signed head to h.
func (k *Keys) AddHeadSink(h HeadSink) { k.heads = append(k.heads, h) }

// HeadSinks are where signed audit heads go besides the graph.
func (k *Keys) HeadSinks() []HeadSink { return k.heads }

// loadSigningKey reads the receipt signing key, creating it once.
func (k *Keys) loadSigningKey(ctx context.Context, docs lineage.DocStore) error {
	data, err := docs.GetDoc(ctx, docKey, signingKeyID)
	if errors.Is(err, piimap.ErrNotFound) {
		pub, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return fmt.Errorf("executor: generate signing key: %w", gerr)
		}
		doc := signingKeyDoc{
			Public:     base64.StdEncoding.EncodeToString(pub),
			PrivSealed: base64.StdEncoding.EncodeToString(k.Seal(priv.Seed(), docKey+"/"+signingKeyID)),
			CreatedAt:  time.Now().UTC(),
		}
		b, _ := json.Marshal(doc)
		if err := docs.PutDoc(ctx, docKey, signingKeyID, b); err != nil {
			return fmt.Errorf("executor: store signing key: %w", err)
		}
		data = b
	} else if err != nil {
		return fmt.Errorf("executor: load signing key: %w", err)
	}
	var doc signingKeyDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("executor: signing key doc: %w", piimap.ErrCorrupt)
	}
	sealed, err := base64.StdEncoding.DecodeString(doc.PrivSealed)
	if err != nil {
		return fmt.Errorf("executor: signing key doc: %w", piimap.ErrCorrupt)
	}
	seed, err := k.Open(sealed, docKey+"/"+signingKeyID)
	if err != nil || len(seed) != ed25519.SeedSize {
		return fmt.Errorf("executor: signing key does not open with this installation key: %w", piimap.ErrCorrupt)
	}
	k.priv = ed25519.NewKeyFromSeed(seed)
	k.pub = k.priv.Public().(ed25519.PublicKey)
	if base64.StdEncoding.EncodeToString(k.pub) != doc.Public {
		return fmt.Errorf("executor: signing key pair mismatch: %w", piimap.ErrCorrupt)
	}
	return nil
}

// Seal encrypts plaintext with AES-GCM, binding it to aad (the document's
// kind/id) so a sealed blob cannot be moved to another document.
func (k *Keys) Seal(plain []byte, aad string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("executor: crypto/rand failed: " + err.Error())
	}
	return k.aead.Seal(nonce, nonce, plain, []byte(aad))
}

// Open decrypts what Seal sealed under the same aad; anything else fails
// with an error wrapping piimap.ErrCorrupt.
func (k *Keys) Open(sealed []byte, aad string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return nil, fmt.Errorf("executor: sealed value too short: %w", piimap.ErrCorrupt)
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("executor: sealed value does not open: %w", piimap.ErrCorrupt)
	}
	return plain, nil
}

// IdentifierHMAC is the stable keyed hash of an identifier used by the
// forget ledger and the plan digest: hex HMAC-SHA256 of kind ":" normalised value.
func (k *Keys) IdentifierHMAC(kind, value string) string {
	m := hmac.New(sha256.New, k.hmacKey)
	m.Write([]byte(kind))
	m.Write([]byte{':'})
	n := driver.NormalizeValue(kind, value)
	if kind == piimap.KeyPhone {
		// Phones hash by their digits, as ledgers written before E.164
		// intake did; an E.164 value's digits are its country code and
		// national number, one hash per number.
		n = identifier.Digits(n)
	}
	m.Write([]byte(n))
	return hex.EncodeToString(m.Sum(nil))
}

// MaskKey is the HMAC key handlers use for ModeMask tokens and hashed
// redaction (driver.HandlerOptions.MaskKey).
func (k *Keys) MaskKey() []byte { return k.maskKey }

// PublicKey is the installation's receipt and audit signing key.
func (k *Keys) PublicKey() ed25519.PublicKey { return k.pub }

// RetiredPublicKeys are the public keys of signing keys rotated out.
func (k *Keys) RetiredPublicKeys() []ed25519.PublicKey { return k.retired }

// sign signs msg with the installation's signing key.
func (k *Keys) sign(msg []byte) []byte { return ed25519.Sign(k.priv, msg) }
