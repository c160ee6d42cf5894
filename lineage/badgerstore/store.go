package badgerstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// ErrLocked is returned by Open when another process holds the directory.
var ErrLocked = errors.New("graph directory is in use by another process")

// InstallationKeySize is the length in bytes of the installation HMAC key.
const InstallationKeySize = 32

// runIDLayout makes run IDs that sort by time as strings.
const runIDLayout = "20060102T150405.000000Z"

var (
	_ lineage.Graph           = (*Store)(nil)
	_ lineage.DocStore        = (*Store)(nil)
	_ lineage.DocViewer       = (*Store)(nil)
	_ lineage.DocDeleter      = (*Store)(nil)
	_ lineage.DocBatcher      = (*Store)(nil)
	_ lineage.UnitErrorLister = (*Store)(nil)
	_ lineage.EdgeLister      = (*Store)(nil)
)

// Store is the Badger-backed lineage.Graph and lineage.DocStore. It is safe
// for concurrent use.
type Store struct {
	db     *badger.DB
	dir    string
	log    *slog.Logger
	now    func() time.Time
	runMu  sync.Mutex // serialises run ID allocation and Finish
	keyMu  sync.Mutex // serialises installation key creation
	closed sync.Once
	// keys, when set, is where the installation key lives: the key
	// directory outside the graph (see KeySource).
	keys KeySource
}

type config struct {
	keys     KeySource
	logger   *slog.Logger
	readOnly bool
	sync     bool
	now      func() time.Time
}

// Option configures Open.
type Option func(*config)

// WithLogger routes Badger's own warnings and errors to l (default
// slog.Default()). Badger's info and debug chatter is dropped unless l is
// enabled at debug level.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithReadOnly opens the directory read-only with a shared lock: several
// readers may open it at once, but not while a writer holds it.
func WithReadOnly() Option { return func(c *config) { c.readOnly = true } }

// WithSyncWrites makes every write durable before it returns. Documents
// and the installation key are always synced; this extends it to the scan
// batches, at a cost in scan speed.
func WithSyncWrites() Option { return func(c *config) { c.sync = true } }

// WithClock sets the clock used for run IDs and timestamps (tests).
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Open opens (creating if needed) the graph in dir. The options are sized
// for a command-line tool on a small machine: small memtables, two
// compactors, a small block cache and no compression, so opening is quick
// and memory stays low.
func Open(dir string, opts ...Option) (*Store, error) {
	cfg := config{logger: slog.Default(), now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	if dir == "" {
		return nil, fmt.Errorf("badgerstore: open: empty directory: %w", piimap.ErrConfig)
	}
	if !cfg.readOnly {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("badgerstore: open %s: %w", dir, err)
		}
	}
	bo := badger.DefaultOptions(dir).
		WithLogger(slogAdapter{cfg.logger}).
		WithReadOnly(cfg.readOnly).
		WithSyncWrites(cfg.sync).
		WithMemTableSize(4 << 20).
		WithNumMemtables(2).
		WithBaseTableSize(2 << 20).
		WithBaseLevelSize(8 << 20).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(12).
		WithValueThreshold(64 << 10).
		WithValueLogFileSize(8 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithBlockCacheSize(8 << 20).
		WithIndexCacheSize(4 << 20).
		WithMetricsEnabled(false).
		WithCompression(options.None)
	db, err := badger.Open(bo)
	if err != nil && !cfg.readOnly && strings.Contains(err.Error(), "while opening memtables") {
		// A process killed right after Badger created a memtable file
		// leaves it empty, and Badger v4.9.6 then refuses to open
		// (dgraph-io/badger#2207). An empty memtable holds no data: drop
		// it and open again.
		if n := removeEmptyMemtables(dir); n > 0 {
			cfg.logger.Warn("badgerstore: removed empty memtable files left by a crash", "dir", dir, "files", n)
			db, err = badger.Open(bo)
		}
	}
	if err != nil {
		if strings.Contains(err.Error(), "Another process is using this Badger database") {
			return nil, fmt.Errorf("badgerstore: open %s: %w (close the other piimap command and retry)", dir, ErrLocked)
		}
		return nil, fmt.Errorf("badgerstore: open %s: %w", dir, err)
	}
	s := &Store{db: db, dir: dir, log: cfg.logger, now: cfg.now, keys: cfg.keys}
	if s.keys == nil {
		s.keys = boundKeySource(dir)
	}
	if !cfg.readOnly {
		if err := s.initSchema(); err != nil {
			_ = db.Close()
			return nil, err
		}
		if err := s.failAbandoned(); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("badgerstore: open %s: abandoned runs: %w", dir, err)
		}
	} else if err := s.checkSchema(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) initSchema() error {
	err := s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keySchema))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return txn.Set([]byte(keySchema), []byte(schemaVersion))
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return checkVersion(s.dir, v) })
	})
	if err != nil {
		return fmt.Errorf("badgerstore: open %s: schema: %w", s.dir, err)
	}
	return nil
}

func (s *Store) checkSchema() error {
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keySchema))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil // empty graph
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return checkVersion(s.dir, v) })
	})
	if err != nil {
		return fmt.Errorf("badgerstore: open %s: schema: %w", s.dir, err)
	}
	return nil
}

func checkVersion(dir string, v []byte) error {
	if string(v) != schemaVersion {
		return fmt.Errorf("graph %s has layout version %q, this piimap reads %q: %w", dir, v, schemaVersion, piimap.ErrUnsupported)
	}
	return nil
}

// Dir is the directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// Close flushes and closes the database. It is safe to call more than once.
func (s *Store) Close() error {
	var err error
	s.closed.Do(func() {
		if e := s.db.Close(); e != nil {
			err = fmt.Errorf("badgerstore: close %s: %w", s.dir, e)
		}
	})
	return err
}

// InstallationKey returns this installation's HMAC and sealing key.
// Identifier filters, fingerprints and the forget ledger HMAC identifiers
// with it, so the same value maps to the same digest across runs but the
// digests are useless outside this installation.
//
// With a KeySource (WithKeySource, BindKeySource: the command line always
// has one) the key comes from the key directory outside the graph, and a
// graph that still holds a key of its own is refused until `piimap init`
// moves it out. Without one (tests, embedding), the key is created once
// and kept in the graph, as installations did before key directories.
func (s *Store) InstallationKey(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.keys != nil {
		if _, err := s.LegacyInstallationKey(ctx); err == nil {
			return nil, fmt.Errorf("badgerstore: graph %s still holds its installation key (an install from before key directories): run `piimap init` to move it into the key directory: %w", s.dir, piimap.ErrConfig)
		}
		key, err := s.keys.InstallationKey(ctx)
		if err != nil {
			return nil, err
		}
		return key, nil
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	var key []byte
	created := false
	err := s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keyInstallation))
		if err == nil {
			key, err = item.ValueCopy(nil)
			return err
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		key = make([]byte, InstallationKeySize)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		created = true
		return txn.Set([]byte(keyInstallation), key)
	})
	if err != nil {
		return nil, fmt.Errorf("badgerstore: installation key: %w", err)
	}
	if len(key) != InstallationKeySize {
		return nil, fmt.Errorf("badgerstore: installation key has %d bytes: %w", len(key), piimap.ErrCorrupt)
	}
	if created {
		if err := s.db.Sync(); err != nil {
			return nil, fmt.Errorf("badgerstore: installation key: sync: %w", err)
		}
	}
	return key, nil
}

// newRunID returns a time-based ID strictly greater than every ID issued
// before in this directory, even if the clock steps back. Callers hold
// runMu; the directory lock makes this process the only writer.
func (s *Store) newRunID(txn *badger.Txn) (string, error) {
	t := s.now().UTC().Truncate(time.Microsecond)
	item, err := txn.Get([]byte(keyLastRun))
	switch {
	case err == nil:
		var last string
		if err := item.Value(func(v []byte) error { last = string(v); return nil }); err != nil {
			return "", err
		}
		lt, perr := time.Parse(runIDLayout, last)
		if perr == nil && !t.After(lt) {
			t = lt.Add(time.Microsecond)
		}
	case !errors.Is(err, badger.ErrKeyNotFound):
		return "", err
	}
	id := t.Format(runIDLayout)
	return id, txn.Set([]byte(keyLastRun), []byte(id))
}

// BeginRun starts a scan run over stores and returns its ID and Writer.
func (s *Store) BeginRun(ctx context.Context, stores []string) (string, lineage.Writer, error) {
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	s.runMu.Lock()
	defer s.runMu.Unlock()
	var run lineage.ScanRun
	err := s.db.Update(func(txn *badger.Txn) error {
		id, err := s.newRunID(txn)
		if err != nil {
			return err
		}
		run = lineage.ScanRun{
			ID:        id,
			StartedAt: s.now().UTC(),
			Stores:    sortedUnique(stores),
			Status:    lineage.RunRunning,
		}
		return putJSON(txn, runKey(id), run)
	})
	if err != nil {
		return "", nil, fmt.Errorf("badgerstore: begin run: %w", err)
	}
	return run.ID, newWriter(s, run), nil
}

// Runs lists every run, oldest first, running and failed ones included.
func (s *Store) Runs(ctx context.Context) ([]lineage.ScanRun, error) {
	var runs []lineage.ScanRun
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixRun), PrefetchValues: true, PrefetchSize: 16})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var r lineage.ScanRun
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &r) }); err != nil {
				return fmt.Errorf("run %s: %w", it.Item().Key()[len(prefixRun):], err)
			}
			runs = append(runs, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("badgerstore: runs: %w", err)
	}
	return runs, nil
}

// Run returns one run's metadata, or piimap.ErrNotFound.
func (s *Store) Run(ctx context.Context, id string) (lineage.ScanRun, error) {
	if err := ctx.Err(); err != nil {
		return lineage.ScanRun{}, err
	}
	var r lineage.ScanRun
	err := s.db.View(func(txn *badger.Txn) error { return getRun(txn, id, &r) })
	return r, err
}

func getRun(txn *badger.Txn, id string, r *lineage.ScanRun) error {
	if id == "" || strings.ContainsAny(id, "/\x00") {
		return fmt.Errorf("badgerstore: run %q: %w", id, piimap.ErrNotFound)
	}
	item, err := txn.Get(runKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return fmt.Errorf("badgerstore: run %s: %w", id, piimap.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("badgerstore: run %s: %w", id, err)
	}
	if err := item.Value(func(v []byte) error { return json.Unmarshal(v, r) }); err != nil {
		return fmt.Errorf("badgerstore: run %s: %w", id, err)
	}
	return nil
}

// Latest returns the newest finished (completed or completed_with_gaps)
// run, or piimap.ErrNotFound when there is none.
func (s *Store) Latest(ctx context.Context) (lineage.ScanRun, error) {
	var r lineage.ScanRun
	var found bool
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		r, found, err = latestBefore(ctx, txn, "")
		return err
	})
	if err != nil {
		return r, fmt.Errorf("badgerstore: latest run: %w", err)
	}
	if !found {
		return r, fmt.Errorf("badgerstore: latest run: %w", piimap.ErrNotFound)
	}
	return r, nil
}

// latestBefore finds the newest finished run whose ID sorts before
// `before` ("" means no bound), scanning run metadata newest first.
func latestBefore(ctx context.Context, txn *badger.Txn, before string) (lineage.ScanRun, bool, error) {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixRun), Reverse: true})
	defer it.Close()
	seek := append([]byte(prefixRun), 0xff)
	if before != "" {
		seek = runKey(before)
	}
	for it.Seek(seek); it.Valid(); it.Next() {
		if err := ctx.Err(); err != nil {
			return lineage.ScanRun{}, false, err
		}
		if before != "" && bytes.Equal(it.Item().Key(), seek) {
			continue
		}
		var r lineage.ScanRun
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &r) }); err != nil {
			return r, false, err
		}
		if finished(r.Status) {
			return r, true, nil
		}
	}
	return lineage.ScanRun{}, false, nil
}

func finished(status string) bool {
	return status == lineage.RunComplete || status == lineage.RunGaps
}

func putJSON(txn *badger.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(key, b)
}

func sortedUnique(ss []string) []string {
	out := make([]string, 0, len(ss))
	seen := make(map[string]bool, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// slogAdapter is Badger's Logger on top of slog: warnings and errors pass,
// info and debug only when the logger is enabled at debug.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Errorf(f string, v ...any) {
	a.l.Error("badger: " + strings.TrimSpace(fmt.Sprintf(f, v...)))
}

func (a slogAdapter) Warningf(f string, v ...any) {
	a.l.Warn("badger: " + strings.TrimSpace(fmt.Sprintf(f, v...)))
}

func (a slogAdapter) Infof(f string, v ...any) { a.debug(f, v...) }

func (a slogAdapter) Debugf(f string, v ...any) { a.debug(f, v...) }

func (a slogAdapter) debug(f string, v ...any) {
	if a.l.Enabled(context.Background(), slog.LevelDebug) {
		a.l.Debug("badger: " + strings.TrimSpace(fmt.Sprintf(f, v...)))
	}
}

// removeEmptyMemtables deletes *.mem files in dir that hold no entries and
// returns how many it removed.
func removeEmptyMemtables(dir string) int {
	matches, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
	n := 0
	for _, m := range matches {
		if noEntries(m) && os.Remove(m) == nil {
			n++
		}
	}
	return n
}

// memHeader is the size of a memtable file's header: an 8-byte key id and a
// 12-byte IV, which Badger writes even when its open then fails.
const memHeader = 20

// noEntries reports whether a memtable file is empty or holds nothing but
// its header and the zeros Badger preallocates.
func noEntries(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	var off int64
	for {
		n, err := f.Read(buf)
		for i, b := range buf[:n] {
			if b != 0 && off+int64(i) >= memHeader {
				return false
			}
		}
		off += int64(n)
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}
