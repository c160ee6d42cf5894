package executor

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
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
)

// Document kinds the executor keeps in the lineage.DocStore.
const (
	docRequest   = "dsar.request"
	docPlan      = "dsar.plan"
	docProgress  = "dsar.progress"
	docReceipt   = "dsar.receipt"
	docAudit     = "dsar.audit"
	docAuditHead = "dsar.audit_head"
	docLedger    = "dsar.ledger"
	docException = "dsar.exception"
	docKey       = "dsar.key"
)

// InstallationKeyer is implemented by DocStores that hold the installation
// key (lineage/badgerstore).
type InstallationKeyer interface {
	InstallationKey(ctx context.Context) ([]byte, error)
}

// keyring holds the keys derived from the installation key: one to seal raw
// identifiers at rest, one to HMAC identifiers for the ledger and digests,
// one for masking tokens, and the receipt signing key pair.
type keyring struct {
	aead    cipher.AEAD
	hmacKey []byte
	maskKey []byte
	priv    ed25519.PrivateKey
	pub     ed25519.PublicKey
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

func newKeyring(ctx context.Context, ikey []byte, docs docStore) (*keyring, error) {
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
	k := &keyring{aead: aead, hmacKey: deriveKey(ikey, "hmac"), maskKey: deriveKey(ikey, "mask")}
	if err := k.loadSigningKey(ctx, docs); err != nil {
		return nil, err
	}
	return k, nil
}

// loadSigningKey reads the receipt signing key, creating it once.
func (k *keyring) loadSigningKey(ctx context.Context, docs docStore) error {
	data, err := docs.GetDoc(ctx, docKey, signingKeyID)
	if errors.Is(err, piimap.ErrNotFound) {
		pub, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return fmt.Errorf("executor: generate signing key: %w", gerr)
		}
		doc := signingKeyDoc{
			Public:     base64.StdEncoding.EncodeToString(pub),
			PrivSealed: base64.StdEncoding.EncodeToString(k.seal(priv.Seed(), docKey+"/"+signingKeyID)),
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
	seed, err := k.open(sealed, docKey+"/"+signingKeyID)
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

// seal encrypts plaintext with AES-GCM, binding it to aad (the document's
// kind/id) so a sealed blob cannot be moved to another document.
func (k *keyring) seal(plain []byte, aad string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("executor: crypto/rand failed: " + err.Error())
	}
	return k.aead.Seal(nonce, nonce, plain, []byte(aad))
}

func (k *keyring) open(sealed []byte, aad string) ([]byte, error) {
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

// identifierHMAC is the stable keyed hash of an identifier used by the
// forget ledger and the plan digest: hex HMAC-SHA256 of kind ":" normalised value.
func (k *keyring) identifierHMAC(kind, value string) string {
	m := hmac.New(sha256.New, k.hmacKey)
	m.Write([]byte(kind))
	m.Write([]byte{':'})
	n := NormalizeValue(kind, value)
	if kind == piimap.KeyPhone {
		// Phones hash by their digits, as ledgers written before E.164
		// intake did; an E.164 value's digits are its country code and
		// national number, one hash per number.
		n = identifier.Digits(n)
	}
	m.Write([]byte(n))
	return hex.EncodeToString(m.Sum(nil))
}

// MaskToken is the deterministic masking token of a value under key:
// "tok_" and 16 hex digits of HMAC-SHA256. Emails keep their shape
// ("tok_…@redacted.invalid") so format checks downstream still pass.
func MaskToken(key []byte, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	tok := "tok_" + hex.EncodeToString(m.Sum(nil))[:16]
	if strings.Contains(value, "@") {
		return tok + "@redacted.invalid"
	}
	return tok
}

// MaskDisplay renders an identifier for humans without revealing it:
// emails as a***@e***.com, other values as their first and last character
// around asterisks (short values fully starred).
func MaskDisplay(v string) string {
	if at := strings.LastIndexByte(v, '@'); at > 0 {
		local, domain := v[:at], v[at+1:]
		tld := ""
		if dot := strings.LastIndexByte(domain, '.'); dot > 0 {
			tld, domain = domain[dot:], domain[:dot]
		}
		return firstRune(local) + "***@" + firstRune(domain) + "***" + tld
	}
	r := []rune(v)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + "***" + string(r[len(r)-1])
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}
