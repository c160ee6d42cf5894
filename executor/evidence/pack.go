package evidence

import (
	"archive/zip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
)

// PackInput is everything an evidence pack holds about one request. The
// request flow gathers it (executor.Service.Evidence); WritePack lays it
// out. Nothing in it holds a raw identifier: the request and the plan are
// their masked JSON forms, audit details never quote identifiers.
type PackInput struct {
	// Request is the request as `piimap dsar status --json` prints it.
	Request json.RawMessage
	// Plan is the plan the request was approved on (nil before planning).
	Plan *planning.Plan
	// Audit holds the request's audit entries, oldest first.
	Audit []AuditEntry
	// AuditReport is the check of the whole chain when the pack was made.
	AuditReport *AuditReport
	// Receipt is the signed receipt (nil before a run).
	Receipt *Receipt
	// Exceptions are the register's entries that apply to the request.
	Exceptions []planning.Exception
	// PublicKey is the installation's signing key.
	PublicKey   ed25519.PublicKey
	GeneratedAt time.Time
}

// PackManifest is manifest.json of an evidence pack.
type PackManifest struct {
	Request     string         `json:"request"`
	GeneratedAt time.Time      `json:"generated_at"`
	PublicKey   string         `json:"public_key_fingerprint"`
	Files       []ManifestFile `json:"files"`
}

// packRequest is what the pack reads of the request's JSON; the rest is
// kept as it is in request.json.
type packRequest struct {
	ID        string              `json:"id"`
	Type      dsar.Type           `json:"type"`
	Tenant    string              `json:"tenant"`
	Requester string              `json:"requester"`
	Status    dsar.Status         `json:"status"`
	Subject   map[string][]string `json:"subject"`
	Approvals []dsar.Approval     `json:"approvals"`
	CreatedAt time.Time           `json:"created_at"`
}

// attestation picks the controller's attestation of the subject's identity
// out of the request's JSON, whatever its shape: an object under a key
// naming attestation, or top-level attest* / attested_* fields.
func attestation(raw json.RawMessage) map[string]any {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := map[string]any{}
	for k, v := range m {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "attest") || v == nil {
			continue
		}
		if obj, ok := v.(map[string]any); ok {
			for ok2, ov := range obj {
				out[ok2] = ov
			}
			continue
		}
		out[k] = v
	}
	// A request whose history records a verified step names who moved it.
	if len(out) == 0 {
		if hist, ok := m["history"].([]any); ok {
			for _, h := range hist {
				if t, ok := h.(map[string]any); ok && t["status"] == "verified" {
					out["verified_at"], out["verified_by"], out["note"] = t["at"], t["by"], t["note"]
				}
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// packWriter adds files to the zip and remembers their digests.
type packWriter struct {
	zw    *zip.Writer
	at    time.Time
	files []ManifestFile
}

func (w *packWriter) add(name string, data []byte) error {
	f, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: w.at})
	if err != nil {
		return fmt.Errorf("evidence pack: %s: %w", name, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("evidence pack: %s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	w.files = append(w.files, ManifestFile{Path: name, SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(data))})
	return nil
}

func (w *packWriter) addJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("evidence pack: %s: %w", name, err)
	}
	return w.add(name, append(b, '\n'))
}

// Files of an evidence pack.
const (
	PackReceipt   = "receipt.json"
	PackPublicKey = "signing.pub"
	PackManifestF = "manifest.json"
	PackSums      = "SHA256SUMS"
)

// WritePack writes the evidence pack of one request as a zip to w:
//
//	README.md          how to check the pack offline
//	request.json       the intake: the request with masked identifiers, its history
//	attestation.json   the controller's attestation of the subject's identity, when recorded
//	plan.json          the approved plan (masked), with its digest
//	approvals.json     who approved which plan digest, when
//	execution-log.json the request's audit entries (hash-chained)
//	verification.json  the receipt's signature, the residual per location, the audit chain check
//	receipt.json       the signed receipt
//	exceptions.json    the exceptions register entries that apply
//	signing.pub        the public key the receipt and audit heads verify with
//	notice.md, notice.html  the completion notice for the controller
//	manifest.json, SHA256SUMS  the SHA-256 of every file above
func WritePack(out io.Writer, in PackInput) error {
	var req packRequest
	if err := json.Unmarshal(in.Request, &req); err != nil || req.ID == "" {
		return fmt.Errorf("evidence pack: the request JSON has no id: %w", errOr(err))
	}
	if in.GeneratedAt.IsZero() {
		in.GeneratedAt = time.Now().UTC()
	}
	w := &packWriter{zw: zip.NewWriter(out), at: in.GeneratedAt}
	var indented json.RawMessage
	if b, err := json.MarshalIndent(in.Request, "", "  "); err == nil {
		indented = b
	}
	if err := w.add("request.json", append(indented, '\n')); err != nil {
		return err
	}
	att := attestation(in.Request)
	if att != nil {
		if err := w.addJSON("attestation.json", att); err != nil {
			return err
		}
	}
	if in.Plan != nil {
		if err := w.addJSON("plan.json", in.Plan); err != nil {
			return err
		}
	}
	approvals := req.Approvals
	if approvals == nil && in.Receipt != nil {
		approvals = in.Receipt.Approvals
	}
	if approvals == nil {
		approvals = []dsar.Approval{}
	}
	if err := w.addJSON("approvals.json", approvals); err != nil {
		return err
	}
	audit := in.Audit
	if audit == nil {
		audit = []AuditEntry{}
	}
	if err := w.addJSON("execution-log.json", audit); err != nil {
		return err
	}
	ver := verification(in)
	if err := w.addJSON("verification.json", ver); err != nil {
		return err
	}
	if in.Receipt != nil {
		if err := w.addJSON(PackReceipt, in.Receipt); err != nil {
			return err
		}
	}
	excs := in.Exceptions
	if excs == nil {
		excs = []planning.Exception{}
	}
	if err := w.addJSON("exceptions.json", excs); err != nil {
		return err
	}
	if err := w.add(PackPublicKey, PublicKeyPEM(in.PublicKey)); err != nil {
		return err
	}
	n := buildNotice(req, att, in)
	if err := w.add("notice.md", []byte(n.markdown())); err != nil {
		return err
	}
	html, err := n.html()
	if err != nil {
		return err
	}
	if err := w.add("notice.html", html); err != nil {
		return err
	}
	if err := w.add("README.md", []byte(packReadme(req.ID, in.Receipt != nil, KeyFingerprint(in.PublicKey)))); err != nil {
		return err
	}
	files := append([]ManifestFile(nil), w.files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	var sums strings.Builder
	for _, f := range files {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Path)
	}
	if err := w.addJSON(PackManifestF, PackManifest{Request: req.ID, GeneratedAt: in.GeneratedAt,
		PublicKey: KeyFingerprint(in.PublicKey), Files: files}); err != nil {
		return err
	}
	if err := w.add(PackSums, []byte(sums.String())); err != nil {
		return err
	}
	if err := w.zw.Close(); err != nil {
		return fmt.Errorf("evidence pack: %w", err)
	}
	return nil
}

func errOr(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("empty id")
}

// packVerification is verification.json.
type packVerification struct {
	ReceiptSignature string           `json:"receipt_signature"` // valid | invalid: reason | no receipt
	PublicKey        string           `json:"public_key"`
	Fingerprint      string           `json:"public_key_fingerprint"`
	ResidualTotal    int64            `json:"residual_total"`
	Locations        []packVerifiedAt `json:"locations"`
	AuditChain       *AuditReport     `json:"audit_chain,omitempty"`
}

type packVerifiedAt struct {
	Store    string `json:"store"`
	Asset    string `json:"asset"`
	Found    int64  `json:"found"`
	Changed  int64  `json:"changed"`
	Residual int64  `json:"residual"`
	Status   string `json:"status"`
	Purge    string `json:"purge,omitempty"`
}

func verification(in PackInput) packVerification {
	v := packVerification{ReceiptSignature: "no receipt: the request has not run",
		PublicKey: base64.StdEncoding.EncodeToString(in.PublicKey), Fingerprint: KeyFingerprint(in.PublicKey),
		AuditChain: in.AuditReport, Locations: []packVerifiedAt{}}
	if in.Receipt == nil {
		return v
	}
	if err := VerifyReceipt(*in.Receipt, in.PublicKey); err != nil {
		v.ReceiptSignature = "invalid: " + err.Error()
	} else {
		v.ReceiptSignature = "valid"
	}
	for _, l := range in.Receipt.Locations {
		v.ResidualTotal += l.Residual
		v.Locations = append(v.Locations, packVerifiedAt{Store: l.Store, Asset: l.Asset, Found: l.Found,
			Changed: l.Changed, Residual: l.Residual, Status: l.Status, Purge: l.Purge})
	}
	return v
}

func packReadme(id string, hasReceipt bool, fp string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Evidence pack: request %s\n\n", id)
	b.WriteString(`This pack shows what was done for one data-subject request and lets anyone check it
offline, without piimap's graph and without network access. It holds no raw identifier:
the subject's identifiers appear only masked (a***@e***.com).

## Files

| file | what it is |
|---|---|
| request.json | the intake: type, tenant, requester, masked identifiers, reason, status history |
| attestation.json | who verified the subject's identity, how and when (when recorded) |
| plan.json | the plan that was approved: every location with its expected count, the gaps, its digest |
| approvals.json | each approval: who, when, and the plan digest approved |
| execution-log.json | the request's entries of the hash-chained audit log |
| verification.json | the receipt's signature check, the residual count per location, the audit chain check |
| receipt.json | the signed receipt: found, changed and residual per location, exceptions, gaps |
| exceptions.json | the exceptions register entries that apply (legal holds, backups) with their expiry |
| signing.pub | the installation's Ed25519 public key (PEM) |
| notice.md, notice.html | the completion notice for the controller |
| manifest.json, SHA256SUMS | the SHA-256 of every file above |

## 1. Check that no file was changed

    sha256sum -c SHA256SUMS

Every line must say OK. manifest.json lists the same digests with sizes.

## 2. Check the receipt's signature

`)
	if hasReceipt {
		b.WriteString(`With piimap, given only the public key (no graph, no key directory):

    piimap receipt verify receipt.json --public-key signing.pub

It exits 0 and prints "valid" when the signature holds; 1, with the reason, otherwise.

Without piimap: the signature is Ed25519 over the receipt's JSON as Go's encoding/json
writes it (fields in the order of receipt.json, no spaces) with "signature" set to "".
public_key inside the receipt must equal the key in signing.pub.
`)
	} else {
		b.WriteString("This request has not run yet: the pack holds no receipt.\n")
	}
	fmt.Fprintf(&b, `
## 3. Check the key itself

signing.pub must be the key you were given by the installation, out of band (its
fingerprint, the first 16 hex digits of the SHA-256 of the raw 32-byte key, is %s).
A pack signed by another key proves nothing: anyone can make a key and sign a pack.

## 4. The audit log

execution-log.json holds this request's entries of the installation's audit log. Each
entry's "hash" is the SHA-256 of the entry's JSON with "hash" empty, and "prev" is the
hash of the entry before it in the whole log (other requests' entries sit between, so
the links are checked on the whole log: `+"`piimap audit verify`"+` at the installation, whose
result at the time of the pack is in verification.json under audit_chain).
`, fp)
	return b.String()
}
