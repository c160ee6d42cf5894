package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"github.com/piimap/piimap"
)

// KeySource supplies the installation key from outside the graph: the key
// directory (executor/evidence.KeyDirRef). A Store with one never keeps a
// key of its own.
type KeySource interface {
	InstallationKey(ctx context.Context) ([]byte, error)
}

// WithKeySource makes the store take its installation key from ks.
func WithKeySource(ks KeySource) Option { return func(c *config) { c.keys = ks } }

var (
	bindMu sync.Mutex
	bound  = map[string]KeySource{}
)

// BindKeySource makes every later Open of the graph directory dir in this
// process take its installation key from ks, as WithKeySource would; nil
// removes the binding. The command line binds the config's key directory
// to its graph when it loads the config, so that every command opening
// the graph, and the executor over it, finds the keys outside it.
func BindKeySource(dir string, ks KeySource) {
	bindMu.Lock()
	defer bindMu.Unlock()
	d := bindKey(dir)
	if ks == nil {
		delete(bound, d)
		return
	}
	bound[d] = ks
}

func boundKeySource(dir string) KeySource {
	bindMu.Lock()
	defer bindMu.Unlock()
	return bound[bindKey(dir)]
}

func bindKey(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return filepath.Clean(dir)
}

// ExternalKeys is the store's KeySource (nil when the graph keeps its own
// key): the executor finds the key directory through it.
func (s *Store) ExternalKeys() any {
	if s.keys == nil {
		return nil
	}
	return s.keys
}

// LegacyInstallationKey returns the installation key kept in the graph by
// installations from before key directories, or an error wrapping
// piimap.ErrNotFound.
func (s *Store) LegacyInstallationKey(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var key []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keyInstallation))
		if err != nil {
			return err
		}
		key, err = item.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("badgerstore: graph %s holds no installation key: %w", s.dir, piimap.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("badgerstore: installation key: %w", err)
	}
	return key, nil
}

// RemoveLegacyInstallationKey deletes the graph's own installation key,
// once it has been moved to the key directory. It drops the key with
// DropPrefix, which flushes the memtable and rewrites the tables holding
// it, so the bytes leave the directory's files rather than linger behind a
// tombstone until compaction. A copy of the graph taken before the move
// still holds the key: rotate it then (docs/TRUST_MODEL.md).
func (s *Store) RemoveLegacyInstallationKey(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	// DropPrefix, not a Delete: it skips keys already deleted, and a
	// tombstone would leave the value in the older tables.
	if err := s.db.DropPrefix([]byte(keyInstallation)); err != nil {
		return fmt.Errorf("badgerstore: remove installation key: drop: %w", err)
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("badgerstore: remove installation key: sync: %w", err)
	}
	return nil
}
