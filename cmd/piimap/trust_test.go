package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/lineage/badgerstore"
)

// TestMain lets the tests that write a config by hand skip `piimap init`:
// a missing key directory is created on first use, except where the path
// says strict-keys (the tests of the binary's behaviour: an error naming
// `piimap init`).
func TestMain(m *testing.M) {
	autoCreateKeys = func(p string) bool { return !strings.Contains(p, "strict-keys") }
	os.Exit(m.Run())
}

const (
	trustRaw  = "ann.trust@example.com"
	trustRaw2 = "bob.trust@example.com"
)

// trustInstall writes a files store holding two subjects and a config
// whose key directory is strict (no auto-creation), runs init and a scan,
// and files one verified access request for the first subject.
func trustInstall(t *testing.T, dir string) (cfg, id string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "users.csv"),
		[]byte("email,name\n"+trustRaw+",Ann\n"+trustRaw2+",Bob\n"), 0o600))
	cfg = filepath.Join(dir, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("graph: ./graph\nkeys: ./strict-keys\nstores:\n  - name: files\n    url: file://./data\n"), 0o600))
	code, _, errs := cli(t, "--config", cfg, "scan")
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "run `piimap init`", "a missing key directory names the fix")
	_, _, errs = cli(t, "--config", cfg, "init")
	require.NotContains(t, errs, "piimap: ")
	mustCLI(t, "--config", cfg, "scan")
	out := mustCLI(t, "--config", cfg, "--json", "dsar", "new", "--type", "access", "--subject", "email="+trustRaw,
		"--attested-by", "dpo", "--attest-method", "passport seen")
	var req struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(out), &req))
	return cfg, req.ID
}

func TestInitKeyDirPermissions(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "piimap.yaml")
	mustCLI(t, "init", "--out", cfg)
	keys := filepath.Join(dir, "piimap-keys")
	fi, err := os.Stat(keys)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o700), fi.Mode().Perm())
	for _, f := range []string{evidence.FileInstallationKey, evidence.FileSigningKey, evidence.FileSigningPub} {
		fi, err := os.Stat(filepath.Join(keys, f))
		require.NoError(t, err)
		require.Equal(t, fs.FileMode(0o600), fi.Mode().Perm(), f)
	}
	before, err := os.ReadFile(filepath.Join(keys, evidence.FileInstallationKey))
	require.NoError(t, err)
	_, _, errs := cli(t, "init", "--out", cfg)
	require.Contains(t, errs, "kept "+cfg)
	after, err := os.ReadFile(filepath.Join(keys, evidence.FileInstallationKey))
	require.NoError(t, err)
	require.Equal(t, before, after, "init never replaces keys")

	require.NoError(t, os.Chmod(keys, 0o755))
	code, _, errs := cli(t, "--config", cfg, "audit", "head")
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "chmod 700 "+keys)
	require.NoError(t, os.Chmod(keys, 0o700))

	// $PIIMAP_KEYS places the key directory of a config without keys:.
	env := filepath.Join(t.TempDir(), "elsewhere")
	t.Setenv("PIIMAP_KEYS", env)
	mustCLI(t, "init", "--out", filepath.Join(t.TempDir(), "piimap.yaml"))
	require.FileExists(t, filepath.Join(env, evidence.FileSigningPub))
}

func TestLegacyGraphKeysMigrated(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gdir := filepath.Join(dir, "graph")
	g, err := badgerstore.Open(gdir) // unbound: the layout before key directories
	require.NoError(t, err)
	ikey, err := g.InstallationKey(ctx)
	require.NoError(t, err)
	old, err := evidence.NewKeys(ctx, ikey, g)
	require.NoError(t, err)
	require.NoError(t, evidence.NewAuditLog(g, old).Append(ctx, "", "scan", "ops", "stores=1"))
	require.NoError(t, g.Close())
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o700))
	cfg := filepath.Join(dir, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("graph: ./graph\nkeys: ./strict-keys\nstores:\n  - name: files\n    url: file://./data\n"), 0o600))

	code, _, errs := cli(t, "--config", cfg, "dsar", "list")
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "piimap init")

	_, _, errs = cli(t, "--config", cfg, "init")
	require.Contains(t, errs, "moved the graph's keys")
	kd, err := evidence.OpenKeyDir(filepath.Join(dir, "strict-keys"))
	require.NoError(t, err)
	k, err := kd.InstallationKey(ctx)
	require.NoError(t, err)
	require.Equal(t, ikey, k)
	require.True(t, kd.PublicKey().Equal(old.PublicKey()), "the signing key moved with it")

	out := mustCLI(t, "--config", cfg, "--json", "audit", "verify")
	var rep evidence.AuditReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.True(t, rep.OK)
	require.Equal(t, 2, rep.Entries, "the move is in the audit log")
	mustCLI(t, "--config", cfg, "dsar", "list")

	// The graph no longer holds the key: a copy of it is useless.
	require.NoError(t, filepath.WalkDir(gdir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, ikey) {
			return fmt.Errorf("%s still holds the installation key", p)
		}
		return err
	}))
}

// TestGraphCopyWithoutKeyDir is the attacker of issue 12 holding a copy
// of the graph directory and not the key directory.
func TestGraphCopyWithoutKeyDir(t *testing.T) {
	if testing.Short() {
		t.Skip("scans a small estate: skipped with -short")
	}
	dir := t.TempDir()
	cfg, id := trustInstall(t, dir)
	status := mustCLI(t, "--config", cfg, "--json", "dsar", "status", id)
	require.NotContains(t, status, trustRaw)
	mustCLI(t, "--config", cfg, "dsar", "plan", id)
	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "dpo")
	mustCLI(t, "--config", cfg, "dsar", "run", id, "--out", filepath.Join(dir, "pkg"))
	origPub := filepath.Join(dir, "strict-keys", evidence.FileSigningPub)
	origHead := filepath.Join(dir, "strict-keys", evidence.FileAuditHead)
	receipt := mustCLI(t, "--config", cfg, "--json", "dsar", "receipt", id)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "receipt.json"), []byte(receipt), 0o600))
	mustCLI(t, "receipt", "verify", filepath.Join(dir, "receipt.json"), "--public-key", origPub)

	// The copy: the graph directory alone, beside a config with a new key
	// directory.
	cp := t.TempDir()
	copyTree(t, filepath.Join(dir, "graph"), filepath.Join(cp, "graph"))
	require.NoError(t, os.MkdirAll(filepath.Join(cp, "data"), 0o700))
	ccfg := filepath.Join(cp, "piimap.yaml")
	require.NoError(t, os.WriteFile(ccfg, []byte("graph: ./graph\nkeys: ./strict-keys\nstores:\n  - name: files\n    url: file://./data\n"), 0o600))
	code, _, _ := cli(t, "--config", ccfg, "dsar", "status", id)
	require.Equal(t, exitError, code, "no key directory, no access")
	mustCLI(t, "--config", ccfg, "init") // the attacker makes keys of their own

	// 1. Sealed identifiers do not open.
	code, out, errs := cli(t, "--config", ccfg, "dsar", "plan", id)
	require.NotEqual(t, 0, code, "the plan needs the sealed identifiers: %s", out)
	require.Contains(t, errs, "does not open")
	require.NotContains(t, out+errs, trustRaw)
	require.NoError(t, filepath.WalkDir(filepath.Join(cp, "graph"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(trustRaw)) {
			return fmt.Errorf("%s holds the raw identifier", filepath.Base(p))
		}
		return err
	}))

	// 2. A receipt forged with the new key does not verify with the
	// original public key, whether it names its own key or the original.
	ckd, err := evidence.OpenKeyDir(filepath.Join(cp, "strict-keys"))
	require.NoError(t, err)
	ckeys, err := ckd.Keys()
	require.NoError(t, err)
	var rc evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(receipt), &rc))
	rc.Locations[0].Found = 0
	evidence.NewReceipts(nil, ckeys, nil).Sign(&rc)
	forged, _ := json.Marshal(rc)
	require.NoError(t, os.WriteFile(filepath.Join(cp, "forged.json"), forged, 0o600))
	code, out, errs = cli(t, "receipt", "verify", filepath.Join(cp, "forged.json"), "--public-key", origPub)
	require.Equal(t, exitError, code)
	require.Contains(t, out, "INVALID")
	require.Contains(t, errs, "another key")
	var orig evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(receipt), &orig))
	rc.PublicKey = orig.PublicKey
	forged, _ = json.Marshal(rc)
	require.NoError(t, os.WriteFile(filepath.Join(cp, "forged2.json"), forged, 0o600))
	code, _, _ = cli(t, "receipt", "verify", filepath.Join(cp, "forged2.json"), "--public-key", origPub)
	require.Equal(t, exitError, code)

	// 3. The audit log truncated and its head re-signed with the new key
	// fails verification against the original key and pinned head, and
	// when put back in place of the original graph.
	cutAndResign(t, filepath.Join(cp, "graph"), ckd)
	code, out, _ = cli(t, "--config", ccfg, "audit", "verify", "--public-key", origPub, "--head", origHead)
	require.Equal(t, exitError, code)
	require.Contains(t, out, "TAMPERED")
	code, _, errs = cli(t, "--config", ccfg, "audit", "verify")
	require.Equal(t, exitError, code, "the new key directory holds no head for this log")
	require.Contains(t, errs, "no signed head outside the graph")

	require.NoError(t, os.RemoveAll(filepath.Join(dir, "graph")))
	copyTree(t, filepath.Join(cp, "graph"), filepath.Join(dir, "graph"))
	code, out, errs = cli(t, "--config", cfg, "--json", "audit", "verify")
	require.Equal(t, exitError, code)
	var rep evidence.AuditReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.False(t, rep.OK)
	require.Contains(t, rep.Problem.What, "re-signed")
	require.Contains(t, errs, "audit verify:")
}

// cutAndResign deletes the audit log's last entry from the graph at gdir
// and re-signs the graph's head for the new end with kd's key, as an
// attacker holding the graph and a key of their own would.
func cutAndResign(t *testing.T, gdir string, kd *evidence.KeyDir) {
	t.Helper()
	ctx := context.Background()
	g, err := badgerstore.Open(gdir)
	require.NoError(t, err)
	defer g.Close()
	var last, prev evidence.AuditEntry
	require.NoError(t, g.ListDocs(ctx, "dsar.audit", func(_ string, b []byte) error {
		prev = last
		return json.Unmarshal(b, &last)
	}))
	require.Greater(t, last.Seq, int64(1))
	require.NoError(t, g.DeleteDocs(ctx, "dsar.audit", []string{fmt.Sprintf("%016d", last.Seq)}))
	raw, err := os.ReadFile(filepath.Join(kd.Path(), evidence.FileSigningKey))
	require.NoError(t, err)
	blk, _ := pem.Decode(raw)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	require.NoError(t, err)
	sig := ed25519.Sign(k.(ed25519.PrivateKey), []byte(fmt.Sprintf("%016d:%s", prev.Seq, prev.Hash)))
	head, _ := json.Marshal(map[string]any{"seq": prev.Seq, "hash": prev.Hash, "sig": base64.StdEncoding.EncodeToString(sig)})
	require.NoError(t, g.PutDoc(ctx, "dsar.audit_head", "head", head))
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	}))
}

func TestAuditVerifyCLIDetectsDeletion(t *testing.T) {
	if testing.Short() {
		t.Skip("scans a small estate: skipped with -short")
	}
	dir := t.TempDir()
	cfg, _ := trustInstall(t, dir)
	mustCLI(t, "--config", cfg, "audit", "verify")
	head := filepath.Join(t.TempDir(), "head.json")
	require.NoError(t, os.WriteFile(head, []byte(mustCLI(t, "--config", cfg, "audit", "head")), 0o600))

	g, err := badgerstore.Open(filepath.Join(dir, "graph"))
	require.NoError(t, err)
	require.NoError(t, g.DeleteDocs(context.Background(), "dsar.audit", []string{fmt.Sprintf("%016d", 1)}))
	require.NoError(t, g.Close())
	code, out, errs := cli(t, "--config", cfg, "audit", "verify", "--head", head)
	require.Equal(t, exitError, code)
	require.Contains(t, out, "audit entry 1: missing")
	require.Contains(t, errs, "deleted")
}

// TestEvidencePack writes the pack of a completed request and checks it
// as its README tells a reader to: every file's SHA-256, the receipt with
// the public key alone, no raw identifier anywhere, the notice escaped.
func TestEvidencePack(t *testing.T) {
	if testing.Short() {
		t.Skip("scans a small estate: skipped with -short")
	}
	dir := t.TempDir()
	cfg, id := trustInstall(t, dir)
	mustCLI(t, "--config", cfg, "dsar", "plan", id)
	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "dpo")
	mustCLI(t, "--config", cfg, "dsar", "run", id, "--out", filepath.Join(dir, "pkg"))
	zipPath := filepath.Join(dir, "out", "evidence.zip")
	mustCLI(t, "--config", cfg, "dsar", "evidence", id, "--out", zipPath)
	code, _, errs := cli(t, "--config", cfg, "dsar", "evidence", id, "--out", zipPath)
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "--force")

	zr, err := zip.OpenReader(zipPath)
	require.NoError(t, err)
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
		files[f.Name] = b
		require.NotContains(t, string(b), trustRaw, "%s holds a raw identifier", f.Name)
	}
	for _, name := range []string{"README.md", "request.json", "attestation.json", "plan.json", "approvals.json",
		"execution-log.json", "verification.json", "receipt.json", "exceptions.json", "signing.pub",
		"notice.md", "notice.html", "manifest.json", "SHA256SUMS"} {
		require.Contains(t, files, name)
	}
	// SHA256SUMS covers every other file but the manifest, which lists the same.
	lines := strings.Split(strings.TrimSpace(string(files["SHA256SUMS"])), "\n")
	require.Len(t, lines, len(files)-2)
	for _, l := range lines {
		sum, name, ok := strings.Cut(l, "  ")
		require.True(t, ok, l)
		got := sha256.Sum256(files[name])
		require.Equal(t, sum, hex.EncodeToString(got[:]), name)
	}
	require.Contains(t, string(files["attestation.json"]), "passport seen")
	require.Contains(t, string(files["README.md"]), "piimap receipt verify receipt.json --public-key signing.pub")
	require.Contains(t, string(files["README.md"]), "sha256sum -c SHA256SUMS")
	require.Contains(t, string(files["verification.json"]), `"receipt_signature": "valid"`)
	require.Contains(t, string(files["notice.md"]), "## What could not be done, and until when")
	require.Contains(t, string(files["notice.html"]), "<td>users.csv</td>")

	ex := t.TempDir()
	for _, name := range []string{"receipt.json", "signing.pub"} {
		require.NoError(t, os.WriteFile(filepath.Join(ex, name), files[name], 0o600))
	}
	out := mustCLI(t, "receipt", "verify", filepath.Join(ex, "receipt.json"), "--public-key", filepath.Join(ex, "signing.pub"))
	require.Contains(t, out, "valid")
	require.Equal(t, files["signing.pub"], mustRead(t, filepath.Join(dir, "strict-keys", evidence.FileSigningPub)))
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

func TestRotateSigningKey(t *testing.T) {
	if testing.Short() {
		t.Skip("scans a small estate: skipped with -short")
	}
	dir := t.TempDir()
	cfg, id := trustInstall(t, dir)
	mustCLI(t, "--config", cfg, "dsar", "plan", id)
	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "dpo")
	mustCLI(t, "--config", cfg, "dsar", "run", id, "--out", filepath.Join(dir, "pkg"))
	keys := filepath.Join(dir, "strict-keys")
	oldPub := mustRead(t, filepath.Join(keys, evidence.FileSigningPub))
	sink := filepath.Join(t.TempDir(), "heads.jsonl")
	t.Setenv("PIIMAP_AUDIT_SINK", sink)
	mustCLI(t, "--config", cfg, "dsar", "new", "--type", "access", "--subject", "email="+trustRaw2) // an append reaches the sink, signed by the old key
	require.Equal(t, 1, strings.Count(string(mustRead(t, sink)), "\n"))

	_, _, errs := cli(t, "--config", cfg, "init", "--rotate-signing-key")
	require.Contains(t, errs, "rotated the signing key")
	newPub := mustRead(t, filepath.Join(keys, evidence.FileSigningPub))
	require.NotEqual(t, oldPub, newPub)
	retired, err := filepath.Glob(filepath.Join(keys, "retired-signing-*.pub"))
	require.NoError(t, err)
	require.Len(t, retired, 1)
	require.Equal(t, oldPub, mustRead(t, retired[0]))

	out := mustCLI(t, "--config", cfg, "audit", "verify")
	require.Contains(t, out, "intact")
	require.Contains(t, mustCLI(t, "--config", cfg, "receipt", "verify", id), "valid", "old receipts verify with the retired key")
	mustCLI(t, "--config", cfg, "dsar", "receipt", id) // dsar receipt checks the signature with the retired key too
	code, _, _ := cli(t, "--config", cfg, "receipt", "verify", id, "--public-key", filepath.Join(keys, evidence.FileSigningPub))
	require.Equal(t, exitError, code, "the new key did not sign the old receipt")
	mustCLI(t, "--config", cfg, "receipt", "verify", id, "--public-key", retired[0])
	lines := strings.Count(string(mustRead(t, sink)), "\n")
	require.GreaterOrEqual(t, lines, 2, "the append-only sink got heads before and after the rotation")

	zipPath := filepath.Join(dir, "ev.zip")
	mustCLI(t, "--config", cfg, "dsar", "evidence", id, "--out", zipPath)
	zr, err := zip.OpenReader(zipPath)
	require.NoError(t, err)
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "signing.pub" || f.Name == "verification.json" {
			rc, err := f.Open()
			require.NoError(t, err)
			b, _ := io.ReadAll(rc)
			rc.Close()
			if f.Name == "signing.pub" {
				require.Equal(t, oldPub, b, "the pack carries the key that signed its receipt")
			} else {
				require.Contains(t, string(b), `"receipt_signature": "valid"`)
			}
		}
	}
}

// TestConfigAuditSink: audit_sink in the config (relative to it) receives
// every signed head, and audit verify checks the log against it.
func TestConfigAuditSink(t *testing.T) {
	dir := t.TempDir()
	cfg, _ := trustInstall(t, dir)
	raw := mustRead(t, cfg)
	require.NoError(t, os.WriteFile(cfg, append(raw, []byte("audit_sink: ./worm/heads.jsonl\n")...), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "worm"), 0o700))
	mustCLI(t, "--config", cfg, "dsar", "new", "--type", "access", "--subject", "email="+trustRaw2, "--allow-duplicate")
	mustCLI(t, "--config", cfg, "dsar", "list")
	heads := string(mustRead(t, filepath.Join(dir, "worm", "heads.jsonl")))
	require.GreaterOrEqual(t, strings.Count(heads, "\n"), 1)
	require.NotContains(t, heads, trustRaw2)
	require.Contains(t, mustCLI(t, "--config", cfg, "audit", "verify"), "intact")
}

// TestFreeTextReasonsMasked: identifiers typed into a reason, an
// attestation or a deny reason are masked before they are stored: no
// graph file, audit line or evidence file holds them.
func TestFreeTextReasonsMasked(t *testing.T) {
	dir := t.TempDir()
	cfg, id := trustInstall(t, dir)
	const email, phone = "carol.typed@example.com", "+1 415 555 0199"
	out := mustCLI(t, "--config", cfg, "--json", "dsar", "new", "--type", "access", "--subject", "email="+trustRaw2,
		"--reason", "asked by "+email+" on "+phone, "--attested-by", "desk of "+email, "--attest-method", "called back "+phone)
	var req struct{ ID, Reason string }
	require.NoError(t, json.Unmarshal([]byte(out), &req))
	require.Contains(t, req.Reason, "c***@e***.com", "the reason keeps its words, the address masked")
	mustCLI(t, "--config", cfg, "dsar", "deny", id, "--reason", "duplicate of what "+email+" sent")
	zipPath := filepath.Join(dir, "ev.zip")
	mustCLI(t, "--config", cfg, "dsar", "evidence", req.ID, "--out", zipPath)
	holds := func(where string, b []byte) {
		for _, raw := range []string{email, phone, "4155550199"} {
			require.False(t, bytes.Contains(b, []byte(raw)), "%s holds %s", where, raw)
		}
	}
	require.NoError(t, filepath.WalkDir(filepath.Join(dir, "graph"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		holds(p, b)
		return nil
	}))
	zr, err := zip.OpenReader(zipPath)
	require.NoError(t, err)
	defer zr.Close()
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		holds(f.Name, b)
	}
	audit := mustCLI(t, "--config", cfg, "audit", "verify", "--json")
	require.NotContains(t, audit, email)
}
