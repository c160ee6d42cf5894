package evidence

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/lineage/badgerstore"
)

func TestKeyDirCreateAndPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	_, err := OpenKeyDir(dir)
	require.ErrorIs(t, err, ErrNoKeyDir)
	require.Contains(t, err.Error(), "piimap init")

	kd, err := CreateKeyDir(dir)
	require.NoError(t, err)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o700), fi.Mode().Perm())
	for _, f := range []string{FileInstallationKey, FileSigningKey, FileSigningPub} {
		fi, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
		require.Equal(t, fs.FileMode(0o600), fi.Mode().Perm(), f)
	}
	pubFile, err := os.ReadFile(kd.PublicKeyPath())
	require.NoError(t, err)
	pub, err := ParsePublicKey(pubFile)
	require.NoError(t, err)
	require.True(t, pub.Equal(kd.PublicKey()))

	again, err := OpenKeyDir(dir)
	require.NoError(t, err)
	require.Equal(t, kd.ikey, again.ikey)

	_, err = CreateKeyDir(dir)
	require.ErrorIs(t, err, fs.ErrExist, "an existing key directory is never overwritten")

	require.NoError(t, os.Chmod(dir, 0o755))
	_, err = OpenKeyDir(dir)
	require.ErrorIs(t, err, ErrKeyDirPerm)
	require.Contains(t, err.Error(), "chmod 700 "+dir)
	require.NoError(t, os.Chmod(dir, 0o700))

	require.NoError(t, os.Chmod(filepath.Join(dir, FileSigningKey), 0o640))
	_, err = OpenKeyDir(dir)
	require.ErrorIs(t, err, ErrKeyDirPerm)
	require.Contains(t, err.Error(), "chmod 600 "+filepath.Join(dir, FileSigningKey))
	require.NoError(t, os.Chmod(filepath.Join(dir, FileSigningKey), 0o600))

	// A signing.pub that is not the private key's is refused.
	other, err := CreateKeyDir(filepath.Join(t.TempDir(), "other"))
	require.NoError(t, err)
	require.NoError(t, WriteFileAtomic(kd.PublicKeyPath(), PublicKeyPEM(other.PublicKey())))
	_, err = OpenKeyDir(dir)
	require.ErrorIs(t, err, piimap.ErrCorrupt)
}

// tamperEnv is an audit log of six entries in a Badger graph, its heads
// written to a key directory.
type tamperEnv struct {
	g    *badgerstore.Store
	kd   *KeyDir
	keys *Keys
	log  *AuditLog
}

func newTamperEnv(t *testing.T) *tamperEnv {
	t.Helper()
	g, err := badgerstore.Open(filepath.Join(t.TempDir(), "graph"))
	require.NoError(t, err)
	t.Cleanup(func() { g.Close() })
	kd, err := CreateKeyDir(filepath.Join(t.TempDir(), "keys"))
	require.NoError(t, err)
	keys, err := kd.Keys()
	require.NoError(t, err)
	e := &tamperEnv{g: g, kd: kd, keys: keys, log: NewAuditLog(g, keys)}
	ctx := context.Background()
	for i := 1; i <= 6; i++ {
		require.NoError(t, e.log.Append(ctx, fmt.Sprintf("dsar-%d", i%2), "step", "alice", fmt.Sprintf("n=%d", i)))
	}
	return e
}

func (e *tamperEnv) entry(t *testing.T, seq int64) AuditEntry {
	t.Helper()
	b, err := e.g.GetDoc(context.Background(), docAudit, auditID(seq))
	require.NoError(t, err)
	var a AuditEntry
	require.NoError(t, json.Unmarshal(b, &a))
	return a
}

func (e *tamperEnv) put(t *testing.T, key int64, a AuditEntry) {
	t.Helper()
	b, _ := json.Marshal(a)
	require.NoError(t, e.g.PutDoc(context.Background(), docAudit, auditID(key), b))
}

func (e *tamperEnv) del(t *testing.T, seqs ...int64) {
	t.Helper()
	var ids []string
	for _, s := range seqs {
		ids = append(ids, auditID(s))
	}
	require.NoError(t, e.g.DeleteDocs(context.Background(), docAudit, ids))
}

// resign writes a graph head for the chain's current end, signed by k.
func (e *tamperEnv) resign(t *testing.T, k *Keys) {
	t.Helper()
	entries, err := e.log.Entries(context.Background(), "")
	require.NoError(t, err)
	last := entries[len(entries)-1]
	h := auditHead{Seq: last.Seq, Hash: last.Hash}
	h.Sig = base64.StdEncoding.EncodeToString(k.sign([]byte(auditID(h.Seq) + ":" + h.Hash)))
	b, _ := json.Marshal(h)
	require.NoError(t, e.g.PutDoc(context.Background(), docAuditHead, "head", b))
}

func TestAuditTamperDetected(t *testing.T) {
	ctx := context.Background()
	attacker, err := CreateKeyDir(filepath.Join(t.TempDir(), "attacker"))
	require.NoError(t, err)
	attackerKeys, err := attacker.Keys()
	require.NoError(t, err)

	cases := []struct {
		name   string
		tamper func(t *testing.T, e *tamperEnv)
		seq    int64
		what   string
	}{
		{"modified", func(t *testing.T, e *tamperEnv) {
			a := e.entry(t, 3)
			a.Detail = "n=300"
			e.put(t, 3, a)
		}, 3, "modified"},
		{"deleted", func(t *testing.T, e *tamperEnv) { e.del(t, 4) }, 4, "deleted"},
		{"reordered", func(t *testing.T, e *tamperEnv) {
			a, b := e.entry(t, 2), e.entry(t, 5)
			e.put(t, 2, b)
			e.put(t, 5, a)
		}, 2, "reordered"},
		{"truncated", func(t *testing.T, e *tamperEnv) { e.del(t, 5, 6) }, 5, "truncated"},
		{"truncated and graph head re-signed with the installation's own key", func(t *testing.T, e *tamperEnv) {
			e.del(t, 5, 6)
			e.resign(t, e.keys)
		}, 5, "truncated"},
		{"truncated and re-signed with another key", func(t *testing.T, e *tamperEnv) {
			e.del(t, 5, 6)
			e.resign(t, attackerKeys)
		}, 0, "re-signed"},
		{"modified, chain re-hashed and head re-signed with the installation's key", func(t *testing.T, e *tamperEnv) {
			prev := e.entry(t, 2).Hash
			for s := int64(3); s <= 6; s++ {
				a := e.entry(t, s)
				if s == 3 {
					a.Actor = "mallory"
				}
				a.Prev = prev
				a.Hash = a.digest()
				prev = a.Hash
				e.put(t, s, a)
			}
			e.resign(t, e.keys)
		}, 6, "rewritten"},
		{"external head replaced by one signed with another key", func(t *testing.T, e *tamperEnv) {
			last := e.entry(t, 6)
			require.NoError(t, FileHeadStore{Path: e.kd.HeadPath()}.WriteHead(attackerKeys.SignHead(6, last.Hash, last.At)))
		}, 0, "forged"},
		{"external head deleted", func(t *testing.T, e *tamperEnv) {
			require.NoError(t, os.Remove(e.kd.HeadPath()))
		}, 0, "no signed head outside the graph"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTamperEnv(t)
			rep, err := e.log.Check(ctx, CheckOptions{})
			require.NoError(t, err)
			require.True(t, rep.OK, "intact log: %v", rep.Problem)
			require.Equal(t, 6, rep.Entries)
			require.Equal(t, int64(6), rep.Head.Seq)

			c.tamper(t, e)
			rep, err = e.log.Check(ctx, CheckOptions{})
			require.NoError(t, err)
			require.False(t, rep.OK, "tampering went unnoticed")
			require.Equal(t, c.seq, rep.Problem.Seq, rep.Problem.String())
			require.Contains(t, rep.Problem.What, c.what)
			_, err = e.log.Verify(ctx)
			require.ErrorIs(t, err, ErrAuditTampered)
		})
	}
}

func TestAuditAppendOnlySinkAndPinnedHead(t *testing.T) {
	ctx := context.Background()
	e := newTamperEnv(t)
	pinned, err := e.log.ExternalHead()
	require.NoError(t, err)
	require.NoError(t, VerifyHead(*pinned, e.kd.PublicKey()))

	sink := AppendFileSink{Path: filepath.Join(t.TempDir(), "heads.jsonl")}
	e.keys.AddHeadSink(sink)
	require.NoError(t, e.log.Append(ctx, "", "step", "bob", "n=7"))
	require.NoError(t, e.log.Append(ctx, "", "step", "bob", "n=8"))
	hs, err := sink.ReadHeads()
	require.NoError(t, err)
	require.Len(t, hs, 2)
	require.Equal(t, int64(8), hs[1].Seq)
	fi, err := os.Stat(sink.Path)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())

	// Someone with the key directory truncates to 6, re-signs the graph's
	// head and rewrites audit-head.json: the append-only sink still holds 8.
	e.del(t, 7, 8)
	e.resign(t, e.keys)
	last := e.entry(t, 6)
	require.NoError(t, FileHeadStore{Path: e.kd.HeadPath()}.WriteHead(e.keys.SignHead(6, last.Hash, last.At)))
	rep, err := e.log.Check(ctx, CheckOptions{})
	require.NoError(t, err)
	require.False(t, rep.OK)
	require.Equal(t, int64(7), rep.Problem.Seq)
	require.Contains(t, rep.Problem.What, "truncated")

	// A reader with only the public key and a head pinned long ago.
	r := NewAuditReader(e.g, e.kd.PublicKey())
	rep, err = r.Check(ctx, CheckOptions{Pinned: []SignedHead{*pinned}})
	require.NoError(t, err)
	require.True(t, rep.OK, "the log still holds the pinned entry 6: %v", rep.Problem)
	flip := "0"
	if pinned.Hash[0] == '0' { // a change that changes something, whatever the hash
		flip = "1"
	}
	pinned.Hash = flip + pinned.Hash[1:]
	rep, err = r.Check(ctx, CheckOptions{Pinned: []SignedHead{*pinned}})
	require.NoError(t, err)
	require.False(t, rep.OK, "an altered pinned head no longer verifies")
}

func TestReceiptForgeryFails(t *testing.T) {
	kd, err := CreateKeyDir(filepath.Join(t.TempDir(), "keys"))
	require.NoError(t, err)
	keys, err := kd.Keys()
	require.NoError(t, err)
	rs := NewReceipts(nil, keys, nil)
	r := &Receipt{Request: "dsar-1", Type: dsar.Erasure, Status: dsar.StatusCompleted,
		Locations: []ReceiptLocation{{Store: "app", Asset: "users", Found: 3, Changed: 3, Status: LocDone}},
		StartedAt: time.Now().UTC(), CompletedAt: time.Now().UTC()}
	rs.Sign(r)
	good, _ := json.Marshal(r)
	_, err = VerifyReceiptJSON(good, kd.PublicKey())
	require.NoError(t, err)

	altered := *r
	altered.Locations = []ReceiptLocation{{Store: "app", Asset: "users", Found: 3, Changed: 3, Residual: 0, Status: LocDone, Note: "all gone"}}
	require.ErrorIs(t, VerifyReceipt(altered, kd.PublicKey()), ErrBadSignature)
	b := bytes.Replace(good, []byte(`"found":3`), []byte(`"found":2`), 1)
	_, err = VerifyReceiptJSON(b, kd.PublicKey())
	require.ErrorIs(t, err, ErrBadSignature)

	// Re-signed by another key: self-consistent, but not the installation's.
	other, err := CreateKeyDir(filepath.Join(t.TempDir(), "other"))
	require.NoError(t, err)
	okeys, err := other.Keys()
	require.NoError(t, err)
	forged := altered
	NewReceipts(nil, okeys, nil).Sign(&forged)
	require.NoError(t, VerifyReceipt(forged, nil), "self-signed receipts verify only against their own key")
	err = VerifyReceipt(forged, kd.PublicKey())
	require.ErrorIs(t, err, ErrBadSignature)
	require.Contains(t, err.Error(), "unknown key")
	// The installation's public key put back in, the signature left: fails.
	forged.PublicKey = r.PublicKey
	require.ErrorIs(t, VerifyReceipt(forged, kd.PublicKey()), ErrBadSignature)
}

func TestMigrateLegacyKeys(t *testing.T) {
	ctx := context.Background()
	gdir := filepath.Join(t.TempDir(), "graph")
	g, err := badgerstore.Open(gdir) // no key source: the layout of old installs
	require.NoError(t, err)
	ikey, err := g.InstallationKey(ctx)
	require.NoError(t, err)
	old, err := NewKeys(ctx, ikey, g)
	require.NoError(t, err)
	sealed := old.Seal([]byte("ann@example.com"), "dsar.request/x")
	oldLog := NewAuditLog(g, old)
	require.NoError(t, oldLog.Append(ctx, "x", "new", "alice", "type=erasure"))
	rc := &Receipt{Request: "x", Type: dsar.Erasure, Status: dsar.StatusCompleted}
	NewReceipts(nil, old, nil).Sign(rc)

	kdir := filepath.Join(t.TempDir(), "keys")
	kd, what, err := SetupKeyDir(ctx, kdir, g, "piimap init")
	require.NoError(t, err)
	require.Equal(t, SetupMigrated, what)

	_, err = g.LegacyInstallationKey(ctx)
	require.ErrorIs(t, err, piimap.ErrNotFound, "the graph's copy is removed")
	require.False(t, hasLegacySigningKey(ctx, g))
	require.NoError(t, CheckNoLegacyKeys(ctx, g, kdir))

	keys, err := kd.Keys()
	require.NoError(t, err)
	plain, err := keys.Open(sealed, "dsar.request/x")
	require.NoError(t, err, "what was sealed before still opens")
	require.Equal(t, "ann@example.com", string(plain))
	require.NoError(t, VerifyReceipt(*rc, kd.PublicKey()), "receipts signed before still verify")

	log := NewAuditLog(g, keys)
	entries, err := log.Entries(ctx, "")
	require.NoError(t, err)
	require.Len(t, entries, 2)
	require.Equal(t, "keys.migrate", entries[1].Action)
	require.Equal(t, "piimap init", entries[1].Actor)
	rep, err := log.Check(ctx, CheckOptions{})
	require.NoError(t, err)
	require.True(t, rep.OK, "%v", rep.Problem)

	// Once only: a second setup uses the directory as it is.
	_, what, err = SetupKeyDir(ctx, kdir, g, "piimap init")
	require.NoError(t, err)
	require.Equal(t, SetupExisting, what)

	// The key's bytes have left the graph's files.
	require.NoError(t, g.Close())
	require.NoError(t, filepath.WalkDir(gdir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, ikey) {
			return fmt.Errorf("%s still holds the installation key", p)
		}
		return nil
	}))
}

func TestSetupKeyDirRefusesAnotherInstallationsKey(t *testing.T) {
	ctx := context.Background()
	g, err := badgerstore.Open(filepath.Join(t.TempDir(), "graph"))
	require.NoError(t, err)
	defer g.Close()
	_, err = g.InstallationKey(ctx)
	require.NoError(t, err)
	kdir := filepath.Join(t.TempDir(), "keys")
	_, err = CreateKeyDir(kdir)
	require.NoError(t, err)
	_, _, err = SetupKeyDir(ctx, kdir, g, "test")
	require.ErrorIs(t, err, piimap.ErrConfig)
	require.Contains(t, err.Error(), "differs")
	require.Error(t, CheckNoLegacyKeys(ctx, g, kdir))
}

func TestBoundStoreRefusesLegacyKey(t *testing.T) {
	ctx := context.Background()
	gdir := filepath.Join(t.TempDir(), "graph")
	g, err := badgerstore.Open(gdir)
	require.NoError(t, err)
	_, err = g.InstallationKey(ctx)
	require.NoError(t, err)
	require.NoError(t, g.Close())

	ref := NewKeyDirRef(filepath.Join(t.TempDir(), "keys"), false)
	g, err = badgerstore.Open(gdir, badgerstore.WithKeySource(ref))
	require.NoError(t, err)
	defer g.Close()
	_, err = g.InstallationKey(ctx)
	require.ErrorIs(t, err, piimap.ErrConfig)
	require.Contains(t, err.Error(), "piimap init")
	require.NoError(t, g.RemoveLegacyInstallationKey(ctx))
	_, err = g.InstallationKey(ctx)
	require.True(t, errors.Is(err, ErrNoKeyDir), "missing key directory: %v", err)
}
