package evidence

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// The key directory holds every secret of an installation, outside the
// graph directory (DESIGN §6 "Keys"): a copy of the graph alone can
// neither open what is sealed in it nor sign a receipt or an audit head.
//
//	installation.key   32 random bytes, base64: sealing, HMACs, masking tokens, identifier filters
//	signing.key        the Ed25519 signing key, PEM PKCS#8: receipts and audit heads
//	signing.pub        its public key, PEM PKIX: hand it to whoever verifies
//	audit-head.json    the audit chain's last signed head, rewritten atomically on every append
//
// The directory is 0700 and every file 0600; OpenKeyDir refuses looser
// permissions.
const (
	FileInstallationKey = "installation.key"
	FileSigningKey      = "signing.key"
	FileSigningPub      = "signing.pub"
	FileAuditHead       = "audit-head.json"
)

// ErrNoKeyDir is returned when the key directory does not exist.
var ErrNoKeyDir = errors.New("key directory missing")

// ErrKeyDirPerm is returned when the key directory or one of its files is
// readable or writable by others than its owner.
var ErrKeyDirPerm = errors.New("key directory permissions too open")

// installationKeySize is the size of a new installation key.
const installationKeySize = 32

// KeyDir is an opened key directory.
type KeyDir struct {
	path  string
	ikey  []byte
	priv  ed25519.PrivateKey
	sinks []HeadSink // configured besides audit-head.json
}

// AddHeadSink sends every signed audit head to h too (an append-only file).
func (d *KeyDir) AddHeadSink(h HeadSink) { d.sinks = append(d.sinks, h) }

// Path is the directory.
func (d *KeyDir) Path() string { return d.path }

// InstallationKey is the installation (sealing) key.
func (d *KeyDir) InstallationKey(context.Context) ([]byte, error) {
	return append([]byte(nil), d.ikey...), nil
}

// PublicKey is the signing public key.
func (d *KeyDir) PublicKey() ed25519.PublicKey { return d.priv.Public().(ed25519.PublicKey) }

// PublicKeyPath is the file holding the public key (signing.pub).
func (d *KeyDir) PublicKeyPath() string { return filepath.Join(d.path, FileSigningPub) }

// HeadPath is the file holding the audit chain's last signed head.
func (d *KeyDir) HeadPath() string { return filepath.Join(d.path, FileAuditHead) }

// Keys derives the installation's Keys from the directory: nothing is
// read from or written to the graph.
func (d *KeyDir) Keys() (*Keys, error) {
	k, err := deriveKeys(d.ikey)
	if err != nil {
		return nil, err
	}
	k.priv, k.pub = d.priv, d.PublicKey()
	k.heads = append([]HeadSink{FileHeadStore{Path: d.HeadPath()}}, d.sinks...)
	if k.retired, err = d.RetiredPublicKeys(); err != nil {
		return nil, err
	}
	return k, nil
}

// CreateKeyDir creates the key directory at path with a new installation
// key and a new signing key. The directory may exist if it is empty and
// private (0700).
func CreateKeyDir(path string) (*KeyDir, error) {
	ikey := make([]byte, installationKeySize)
	if _, err := rand.Read(ikey); err != nil {
		return nil, fmt.Errorf("key directory %s: random key: %w", path, err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("key directory %s: signing key: %w", path, err)
	}
	return writeKeyDir(path, ikey, priv)
}

// writeKeyDir creates the directory holding ikey and priv; it refuses a
// directory that already holds keys.
func writeKeyDir(path string, ikey []byte, priv ed25519.PrivateKey) (*KeyDir, error) {
	if path == "" {
		return nil, fmt.Errorf("key directory: empty path: set keys: in the config or $PIIMAP_KEYS: %w", piimap.ErrConfig)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("key directory %s: %w", path, err)
	}
	if err := os.Mkdir(path, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("key directory %s: %w", path, err)
	}
	if err := checkPerm(path, true); err != nil {
		return nil, err
	}
	for _, f := range []string{FileInstallationKey, FileSigningKey} {
		if _, err := os.Lstat(filepath.Join(path, f)); err == nil {
			return nil, fmt.Errorf("key directory %s already holds %s: keep it, or move it away to start a new installation: %w", path, f, fs.ErrExist)
		}
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("key directory %s: signing key: %w", path, err)
	}
	pkix, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, fmt.Errorf("key directory %s: public key: %w", path, err)
	}
	files := []struct {
		name string
		data []byte
	}{
		// The public key first and the installation key last: a
		// directory interrupted half way has no installation key and is
		// not taken for a complete one.
		{FileSigningPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})},
		{FileSigningKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})},
		{FileInstallationKey, []byte(base64.StdEncoding.EncodeToString(ikey) + "\n")},
	}
	for _, f := range files {
		if err := WriteFileAtomic(filepath.Join(path, f.name), f.data); err != nil {
			return nil, fmt.Errorf("key directory %s: %w", path, err)
		}
	}
	return OpenKeyDir(path)
}

// OpenKeyDir opens the key directory at path after checking that it and
// its files are private to their owner.
func OpenKeyDir(path string) (*KeyDir, error) {
	if path == "" {
		return nil, fmt.Errorf("key directory: no path: set keys: in the config or $PIIMAP_KEYS: %w", piimap.ErrConfig)
	}
	if err := checkPerm(path, true); err != nil {
		return nil, err
	}
	d := &KeyDir{path: path}
	raw, err := readKeyFile(path, FileInstallationKey)
	if err != nil {
		return nil, err
	}
	d.ikey, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(d.ikey) < 16 {
		return nil, fmt.Errorf("key directory %s: %s is not a base64 key of at least 16 bytes: restore it from your backup: %w", path, FileInstallationKey, piimap.ErrCorrupt)
	}
	raw, err = readKeyFile(path, FileSigningKey)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(raw)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("key directory %s: %s is not a PEM private key: restore it from your backup: %w", path, FileSigningKey, piimap.ErrCorrupt)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	priv, ok := k.(ed25519.PrivateKey)
	if err != nil || !ok {
		return nil, fmt.Errorf("key directory %s: %s is not an Ed25519 key: restore it from your backup: %w", path, FileSigningKey, piimap.ErrCorrupt)
	}
	d.priv = priv
	// signing.pub is for distribution; when present it must be this key's.
	if b, err := os.ReadFile(d.PublicKeyPath()); err == nil {
		pub, perr := ParsePublicKey(b)
		if perr != nil || !pub.Equal(d.PublicKey()) {
			return nil, fmt.Errorf("key directory %s: %s does not match %s: rewrite it from the private key or restore both: %w", path, FileSigningPub, FileSigningKey, piimap.ErrCorrupt)
		}
	}
	return d, nil
}

func readKeyFile(dir, name string) ([]byte, error) {
	p := filepath.Join(dir, name)
	if err := checkPerm(p, false); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("key directory %s: %s: %w", dir, name, err)
	}
	return b, nil
}

// checkPerm refuses a key directory (isDir) or key file that others may
// read or write, and a directory that does not exist.
func checkPerm(p string, isDir bool) error {
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		if isDir {
			return fmt.Errorf("key directory %s does not exist: run `piimap init` to create it (or set keys: in the config or $PIIMAP_KEYS to where it is): %w", p, ErrNoKeyDir)
		}
		return fmt.Errorf("key file %s is missing: restore the key directory from your backup, or run `piimap init` in a new directory for a new installation: %w", p, ErrNoKeyDir)
	}
	if err != nil {
		return fmt.Errorf("key directory %s: %w", p, err)
	}
	if isDir && !fi.IsDir() {
		return fmt.Errorf("key directory %s is not a directory: %w", p, piimap.ErrConfig)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		fix := "chmod 600 " + p
		if isDir {
			fix = "chmod 700 " + p
		}
		return fmt.Errorf("%s has mode %04o, open to other users: run `%s`: %w", p, fi.Mode().Perm(), fix, ErrKeyDirPerm)
	}
	return nil
}

// WriteFileAtomic writes data to path with mode 0600 through a temporary
// file in the same directory, synced and renamed over path.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// ParsePublicKey reads an Ed25519 public key as written to signing.pub
// (PEM PKIX), or as the base64 of its 32 bytes (a receipt's public_key).
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	if blk, _ := pem.Decode(b); blk != nil {
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, errors.New("public key: not an Ed25519 key")
		}
		return pub, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("public key: neither a PEM public key nor the base64 of 32 bytes")
	}
	return ed25519.PublicKey(raw), nil
}

// PublicKeyPEM is pub as written to signing.pub.
func PublicKeyPEM(pub ed25519.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// KeyFingerprint is a short name for a public key: the first 16 hex
// digits of the SHA-256 of its 32 bytes.
func KeyFingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// KeyDirRef is a key directory opened on first use, so that commands that
// need no key (map, scan reports) work before it exists. It is what the
// command line binds to a graph (see badgerstore.BindKeySource).
type KeyDirRef struct {
	path string
	// create, when set, creates a missing directory instead of failing.
	create bool
	sinks  []HeadSink

	mu sync.Mutex
	kd *KeyDir
}

// NewKeyDirRef refers to the key directory at path; with create, a
// missing directory is created on first use (the demo's own installation).
func NewKeyDirRef(path string, create bool, sinks ...HeadSink) *KeyDirRef {
	return &KeyDirRef{path: path, create: create, sinks: sinks}
}

// Path is the directory referred to.
func (r *KeyDirRef) Path() string { return r.path }

// KeyDir opens the directory once.
func (r *KeyDirRef) KeyDir(context.Context) (*KeyDir, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.kd != nil {
		return r.kd, nil
	}
	kd, err := OpenKeyDir(r.path)
	if errors.Is(err, ErrNoKeyDir) && r.create {
		if _, serr := os.Stat(r.path); errors.Is(serr, fs.ErrNotExist) {
			kd, err = CreateKeyDir(r.path)
		}
	}
	if err != nil {
		return nil, err
	}
	for _, h := range r.sinks {
		kd.AddHeadSink(h)
	}
	r.kd = kd
	return kd, nil
}

// InstallationKey is the directory's installation key.
func (r *KeyDirRef) InstallationKey(ctx context.Context) ([]byte, error) {
	kd, err := r.KeyDir(ctx)
	if err != nil {
		return nil, err
	}
	return kd.InstallationKey(ctx)
}

// KeyDirSource is implemented by what can open the key directory
// (*KeyDirRef); the executor finds it behind a DocStore's ExternalKeys.
type KeyDirSource interface {
	KeyDir(ctx context.Context) (*KeyDir, error)
}

// retiredPrefix names the public keys of signing keys rotated out:
// retired-signing-<fingerprint>.pub. Receipts and audit heads they signed
// still verify.
const retiredPrefix = "retired-signing-"

// RetiredPublicKeys returns the public keys of the signing keys rotated out
// of the directory, oldest first by name.
func (d *KeyDir) RetiredPublicKeys() ([]ed25519.PublicKey, error) {
	ents, err := os.ReadDir(d.path)
	if err != nil {
		return nil, fmt.Errorf("key directory %s: %w", d.path, err)
	}
	var out []ed25519.PublicKey
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), retiredPrefix) || !strings.HasSuffix(e.Name(), ".pub") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d.path, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("key directory %s: %w", d.path, err)
		}
		pub, err := ParsePublicKey(b)
		if err != nil {
			return nil, fmt.Errorf("key directory %s: %s: %w", d.path, e.Name(), err)
		}
		out = append(out, pub)
	}
	return out, nil
}

// TrustedPublicKeys is the signing key's public key and the retired ones.
func (d *KeyDir) TrustedPublicKeys() ([]ed25519.PublicKey, error) {
	r, err := d.RetiredPublicKeys()
	if err != nil {
		return nil, err
	}
	return append([]ed25519.PublicKey{d.PublicKey()}, r...), nil
}

// RotateSigningKey replaces the directory's signing key with a new one.
// The old public key stays as retired-signing-<fingerprint>.pub so that
// receipts and audit heads it signed still verify; the private key is
// removed. The rotation is recorded in the audit log of docs (signed by
// the new key, which re-signs the head in the graph and outside it).
func RotateSigningKey(ctx context.Context, d *KeyDir, docs lineage.DocStore, actor string) (*KeyDir, error) {
	oldPub := d.PublicKey()
	oldFP := KeyFingerprint(oldPub)
	retired := filepath.Join(d.path, retiredPrefix+oldFP+".pub")
	if err := WriteFileAtomic(retired, PublicKeyPEM(oldPub)); err != nil {
		return nil, fmt.Errorf("key directory %s: keep the old public key: %w", d.path, err)
	}
	priv, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("key directory %s: signing key: %w", d.path, err)
	}
	// The private key first: a crash between the two writes leaves a
	// signing.pub that does not match, which OpenKeyDir reports.
	if err := WriteFileAtomic(filepath.Join(d.path, FileSigningKey), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})); err != nil {
		return nil, fmt.Errorf("key directory %s: %w", d.path, err)
	}
	if err := WriteFileAtomic(d.PublicKeyPath(), PublicKeyPEM(priv.Public().(ed25519.PublicKey))); err != nil {
		return nil, fmt.Errorf("key directory %s: %w", d.path, err)
	}
	nd, err := OpenKeyDir(d.path)
	if err != nil {
		return nil, err
	}
	nd.sinks = d.sinks
	if docs != nil {
		keys, err := nd.Keys()
		if err != nil {
			return nil, err
		}
		if err := NewAuditLog(docs, keys).Append(ctx, "", "keys.rotate_signing", actor,
			"signing key "+oldFP+" retired (public key kept as "+filepath.Base(retired)+"); new signing key "+KeyFingerprint(nd.PublicKey())); err != nil {
			return nil, err
		}
	}
	return nd, nil
}
