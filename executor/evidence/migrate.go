package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// LegacyKeyHolder is a graph that may still hold an installation key, as
// installations did before key directories (lineage/badgerstore).
type LegacyKeyHolder interface {
	// LegacyInstallationKey returns the key kept in the graph, or an
	// error wrapping piimap.ErrNotFound when there is none.
	LegacyInstallationKey(ctx context.Context) ([]byte, error)
	// RemoveLegacyInstallationKey deletes it from the graph.
	RemoveLegacyInstallationKey(ctx context.Context) error
}

// Setup says what SetupKeyDir did.
type Setup string

// What SetupKeyDir did.
const (
	SetupCreated  Setup = "created"  // a new installation: new keys
	SetupMigrated Setup = "migrated" // the graph's keys moved into the directory
	SetupExisting Setup = "existing" // the directory was there and is used as it is
)

// SetupKeyDir makes sure the key directory at path exists for the graph
// docs (which may be nil: no graph yet), as `piimap init` does:
//
//   - a graph that still holds its installation key and sealed signing
//     key (an install from before key directories) has both moved into a
//     new directory, removed from the graph, and the move recorded in the
//     audit log; receipts signed before stay valid (same signing key);
//   - a directory that exists is checked (permissions, keys) and, when
//     the graph still holds the same installation key, the graph's copy
//     is removed; a different key is refused;
//   - otherwise a new directory is created with new keys.
//
// sinks receive the signed audit heads besides audit-head.json.
func SetupKeyDir(ctx context.Context, path string, docs lineage.DocStore, actor string, sinks ...HeadSink) (*KeyDir, Setup, error) {
	kd, what, err := setupKeyDir(ctx, path, docs, actor, sinks)
	if err != nil {
		return nil, "", err
	}
	return kd, what, nil
}

func setupKeyDir(ctx context.Context, path string, docs lineage.DocStore, actor string, sinks []HeadSink) (*KeyDir, Setup, error) {
	withSinks := func(kd *KeyDir, err error) (*KeyDir, error) {
		if kd != nil {
			kd.sinks = append(kd.sinks, sinks...)
		}
		return kd, err
	}
	var legacyKey []byte
	holder, _ := docs.(LegacyKeyHolder)
	if holder != nil {
		k, err := holder.LegacyInstallationKey(ctx)
		switch {
		case err == nil:
			legacyKey = k
		case !errors.Is(err, piimap.ErrNotFound):
			return nil, "", fmt.Errorf("key directory %s: read the graph's old key: %w", path, err)
		}
	}
	_, statErr := os.Stat(path)
	exists := statErr == nil
	if statErr != nil && !errors.Is(statErr, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("key directory %s: %w", path, statErr)
	}
	if exists {
		// An empty directory made by hand is filled like a new one.
		if ents, err := os.ReadDir(path); err == nil && len(ents) == 0 {
			exists = false
		}
	}
	switch {
	case !exists && legacyKey == nil:
		kd, err := withSinks(CreateKeyDir(path))
		return kd, SetupCreated, err
	case !exists:
		return migrateKeys(ctx, path, legacyKey, docs, holder, actor, sinks)
	}
	kd, err := withSinks(OpenKeyDir(path))
	if err != nil {
		return nil, "", err
	}
	if legacyKey == nil {
		if docs != nil && hasLegacySigningKey(ctx, docs) {
			return nil, "", fmt.Errorf("graph holds a sealed signing key but no installation key: it belongs to another installation's key directory; point keys: at that directory: %w", piimap.ErrConfig)
		}
		return kd, SetupExisting, nil
	}
	if !bytes.Equal(legacyKey, kd.ikey) {
		return nil, "", fmt.Errorf("graph still holds an installation key that differs from the one in %s: it was created by another installation; point keys: at an empty path so `piimap init` moves the graph's keys there: %w", path, piimap.ErrConfig)
	}
	if err := removeLegacy(ctx, docs, holder); err != nil {
		return nil, "", err
	}
	keys, err := kd.Keys()
	if err != nil {
		return nil, "", err
	}
	if err := NewAuditLog(docs, keys).Append(ctx, "", "keys.migrate", actor,
		"removed the graph's copy of the installation key; the key directory holds it"); err != nil {
		return nil, "", err
	}
	return kd, SetupMigrated, nil
}

// migrateKeys moves the graph's installation key and signing key into a
// new key directory, then deletes them from the graph.
func migrateKeys(ctx context.Context, path string, ikey []byte, docs lineage.DocStore, holder LegacyKeyHolder, actor string, sinks []HeadSink) (*KeyDir, Setup, error) {
	k, err := deriveKeys(ikey)
	if err != nil {
		return nil, "", err
	}
	hadSigning := hasLegacySigningKey(ctx, docs)
	if hadSigning {
		if err := k.loadSigningKey(ctx, docs); err != nil {
			return nil, "", fmt.Errorf("key directory %s: move the graph's signing key: %w", path, err)
		}
	} else {
		fresh, err := newSigningKey()
		if err != nil {
			return nil, "", err
		}
		k.priv = fresh
	}
	kd, err := writeKeyDir(path, ikey, k.priv)
	if err != nil {
		return nil, "", err
	}
	kd.sinks = append(kd.sinks, sinks...)
	if err := removeLegacy(ctx, docs, holder); err != nil {
		return nil, "", err
	}
	keys, err := kd.Keys()
	if err != nil {
		return nil, "", err
	}
	detail := "moved the installation key from the graph into the key directory and removed it from the graph"
	if hadSigning {
		detail = "moved the installation key and the signing key (public key " + KeyFingerprint(kd.PublicKey()) + ") from the graph into the key directory and removed them from the graph"
	}
	if err := NewAuditLog(docs, keys).Append(ctx, "", "keys.migrate", actor, detail); err != nil {
		return nil, "", err
	}
	return kd, SetupMigrated, nil
}

func newSigningKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return priv, nil
}

func hasLegacySigningKey(ctx context.Context, docs lineage.DocStore) bool {
	_, err := docs.GetDoc(ctx, docKey, signingKeyID)
	return err == nil
}

// CheckNoLegacyKeys fails when the graph still holds a key that belongs
// in the key directory: an install from before key directories, to be
// moved by `piimap init`.
func CheckNoLegacyKeys(ctx context.Context, docs lineage.DocStore, keyDir string) error {
	legacy := hasLegacySigningKey(ctx, docs)
	if h, ok := docs.(LegacyKeyHolder); ok && !legacy {
		_, err := h.LegacyInstallationKey(ctx)
		legacy = err == nil
	}
	if legacy {
		return fmt.Errorf("the graph still holds its keys (an install from before key directories): run `piimap init` to move them into %s and remove them from the graph: %w", keyDir, piimap.ErrConfig)
	}
	return nil
}

func removeLegacy(ctx context.Context, docs lineage.DocStore, holder LegacyKeyHolder) error {
	if hasLegacySigningKey(ctx, docs) {
		del, ok := docs.(lineage.DocDeleter)
		if !ok {
			return fmt.Errorf("graph cannot delete its old signing key: %w", piimap.ErrUnsupported)
		}
		if err := del.DeleteDocs(ctx, docKey, []string{signingKeyID}); err != nil {
			return fmt.Errorf("remove the graph's old signing key: %w", err)
		}
	}
	if holder != nil {
		if err := holder.RemoveLegacyInstallationKey(ctx); err != nil {
			return fmt.Errorf("remove the graph's old installation key: %w", err)
		}
	}
	return nil
}
