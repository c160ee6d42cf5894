package evidence

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
)

func readZip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
		out[f.Name] = string(data)
	}
	return out
}

func TestWritePackNoticeGapsAndEscaping(t *testing.T) {
	kd, err := CreateKeyDir(filepath.Join(t.TempDir(), "keys"))
	require.NoError(t, err)
	keys, err := kd.Keys()
	require.NoError(t, err)
	until := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	purgeAt := time.Date(2026, 12, 14, 2, 0, 0, 0, time.UTC)
	evil := "<script>alert(1)</script>"
	rc := &Receipt{Request: "dsar-9", Type: dsar.Erasure, Status: dsar.StatusExceptions,
		Locations: []ReceiptLocation{
			{Store: evil, Asset: "users", Found: 2, Changed: 2, Status: LocDone, Purge: driver.PurgePending, PurgeDetail: "vacuum scheduled", PurgeAt: &purgeAt},
			{Store: "crm", Asset: "contacts", Found: 1, Changed: 0, Residual: 1, Status: LocResidual},
		},
		Exceptions:  []planning.Exception{{ID: "hold-1", Kind: "legal_hold", Store: "archive", Reason: "litigation", ExpiresAt: &until}},
		Gaps:        []planning.Gap{{Kind: "unsupported", Store: "mq", Reason: "no handler"}},
		CompletedAt: time.Now().UTC()}
	NewReceipts(nil, keys, nil).Sign(rc)
	req, _ := json.Marshal(map[string]any{"id": "dsar-9", "type": "erasure", "tenant": "acme", "requester": "alice",
		"status": "completed_with_exceptions", "subject": map[string][]string{"email": {"a***@e***.com"}},
		"attestation": map[string]any{"by": "dpo", "method": "passport"},
		"approvals":   []dsar.Approval{{By: "bob"}, {By: "carol"}}})
	var buf bytes.Buffer
	require.NoError(t, WritePack(&buf, PackInput{Request: req, Receipt: rc, PublicKey: kd.PublicKey(),
		Audit: []AuditEntry{{Seq: 1, Request: "dsar-9", Action: "new"}}}))
	files := readZip(t, buf.Bytes())

	html := files["notice.html"]
	require.NotContains(t, html, evil)
	require.Contains(t, html, "&lt;script&gt;")
	md := files["notice.md"]
	require.NotContains(t, md, "<script>")
	for _, want := range []string{"2027-03-01", "litigation", "2026-12-14 02:00 UTC", "vacuum scheduled", "1 records still found", "no handler", "passport"} {
		require.Contains(t, md, want)
		require.Contains(t, html, want)
	}
	require.Contains(t, files["attestation.json"], `"method": "passport"`)
	require.Contains(t, files["approvals.json"], "carol")
	require.Contains(t, files["verification.json"], `"residual_total": 1`)
	require.Contains(t, files["verification.json"], `"receipt_signature": "valid"`)
	_, err = VerifyReceiptJSON([]byte(files["receipt.json"]), kd.PublicKey())
	require.NoError(t, err)
	var man PackManifest
	require.NoError(t, json.Unmarshal([]byte(files["manifest.json"]), &man))
	require.Len(t, man.Files, len(files)-2)
	require.Equal(t, len(man.Files), strings.Count(files["SHA256SUMS"], "\n"))

	// A receipt altered after signing is reported invalid in the pack.
	rc.Locations[1].Residual = 0
	buf.Reset()
	require.NoError(t, WritePack(&buf, PackInput{Request: req, Receipt: rc, PublicKey: kd.PublicKey()}))
	require.Contains(t, readZip(t, buf.Bytes())["verification.json"], `"receipt_signature": "invalid`)

	// No request id: refused.
	require.Error(t, WritePack(io.Discard, PackInput{Request: json.RawMessage(`{}`)}))
}
