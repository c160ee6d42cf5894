package badgerstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// writer is one run's lineage.Writer. Puts go into a Badger WriteBatch,
// which commits in the background as it fills; Finish flushes it. The batch
// is internally locked, so writers may be used from many goroutines.
type writer struct {
	s    *Store
	run  lineage.ScanRun
	seq  atomic.Uint64
	mu   sync.Mutex // guards wb replacement, done and errs
	wb   *badger.WriteBatch
	done bool
	errs []lineage.UnitError
}

func newWriter(s *Store, run lineage.ScanRun) *writer {
	return &writer{s: s, run: run, wb: s.db.NewWriteBatch()}
}

func (w *writer) set(key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return errFinished
	}
	return w.wb.Set(key, b)
}

var errFinished = errors.New("run already finished")

func (w *writer) PutNode(ctx context.Context, n lineage.Node) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validNode(n); err != nil {
		return fmt.Errorf("badgerstore: run %s: put node %s: %w", w.run.ID, n.Loc, err)
	}
	if err := w.set(nodeKey(w.run.ID, n.Loc), n); err != nil {
		return fmt.Errorf("badgerstore: run %s: put node %s: %w", w.run.ID, n.Loc, err)
	}
	return nil
}

func validNode(n lineage.Node) error {
	want := ""
	switch {
	case n.Loc.Store == "":
		return errors.New("empty store")
	case n.Loc.Name == "" && n.Loc.Field == "":
		want = lineage.NodeStore
	case n.Loc.Name == "":
		return errors.New("field without asset")
	case n.Loc.Field == "":
		want = lineage.NodeAsset
	default:
		want = lineage.NodeField
	}
	if n.Kind != want {
		return fmt.Errorf("node kind %q, location names a %s", n.Kind, want)
	}
	return nil
}

func (w *writer) PutEdge(ctx context.Context, e lineage.Edge) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.Kind == "" || e.From.Store == "" || e.To.Store == "" {
		return fmt.Errorf("badgerstore: run %s: put edge %s -> %s: kind and both stores required", w.run.ID, e.From, e.To)
	}
	if e.ObservedAt.IsZero() {
		e.ObservedAt = w.s.now().UTC()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("badgerstore: run %s: put edge %s -> %s: %w", w.run.ID, e.From, e.To, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return fmt.Errorf("badgerstore: run %s: put edge: %w", w.run.ID, errFinished)
	}
	if err := w.wb.Set(edgeKey(w.run.ID, secOut, e.From, e.Kind, e.Source, e.To), b); err != nil {
		return fmt.Errorf("badgerstore: run %s: put edge %s -> %s: %w", w.run.ID, e.From, e.To, err)
	}
	if err := w.wb.Set(edgeKey(w.run.ID, secIn, e.To, e.Kind, e.Source, e.From), b); err != nil {
		return fmt.Errorf("badgerstore: run %s: put edge %s -> %s: %w", w.run.ID, e.From, e.To, err)
	}
	return nil
}

// PutFinding stores a finding on its field (or text asset). Findings carry
// masked values only: the caller's Finding type has no field for a raw
// value, and the store adds none.
func (w *writer) PutFinding(ctx context.Context, f piimap.Finding) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if f.Loc.Store == "" || f.Loc.Name == "" || f.Type == "" {
		return fmt.Errorf("badgerstore: run %s: put finding %s: store, asset and type required", w.run.ID, f.Loc)
	}
	if err := w.set(findingKey(w.run.ID, f), f); err != nil {
		return fmt.Errorf("badgerstore: run %s: put finding %s %s: %w", w.run.ID, f.Loc, f.Type, err)
	}
	return nil
}

func (w *writer) PutUnitError(ctx context.Context, ue lineage.UnitError) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ue.Store == "" {
		return fmt.Errorf("badgerstore: run %s: put unit error: empty store", w.run.ID)
	}
	key := unitErrorKey(w.run.ID, ueKey{ue.Store, ue.Unit, w.seq.Add(1)})
	if err := w.set(key, ue); err != nil {
		return fmt.Errorf("badgerstore: run %s: put unit error %s/%s: %w", w.run.ID, ue.Store, ue.Unit, err)
	}
	w.mu.Lock()
	w.errs = append(w.errs, ue)
	w.mu.Unlock()
	return nil
}

// Finish flushes the run's writes, carries forward the stores this run did
// not scan from the previous finished run, and records the run's metadata.
// The run's Stores are those given to BeginRun; run.ID, when set, must match.
func (w *writer) Finish(ctx context.Context, run lineage.ScanRun) error {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return fmt.Errorf("badgerstore: run %s: finish: %w", w.run.ID, errFinished)
	}
	w.done = true
	errs := w.errs
	w.mu.Unlock()

	id := w.run.ID
	if run.ID != "" && run.ID != id {
		w.wb.Cancel()
		return fmt.Errorf("badgerstore: run %s: finish called with run %s", id, run.ID)
	}
	if err := w.wb.Flush(); err != nil {
		return fmt.Errorf("badgerstore: run %s: flush: %w", id, err)
	}
	run.ID = id
	run.StartedAt = w.run.StartedAt
	run.Stores = w.run.Stores
	run.Configured = sortedUnique(run.Configured)
	run.Rewrites = sortedUnique(run.Rewrites)
	if run.EndedAt.IsZero() {
		run.EndedAt = w.s.now().UTC()
	}
	if run.Status == "" || run.Status == lineage.RunRunning {
		run.Status = lineage.RunComplete
		if len(errs) > 0 || len(run.Errors) > 0 {
			run.Status = lineage.RunGaps
		}
	}
	run.Errors = mergeErrors(run.Errors, errs)

	w.s.runMu.Lock()
	defer w.s.runMu.Unlock()
	if finished(run.Status) {
		if err := w.s.carryForward(ctx, run); err != nil {
			return fmt.Errorf("badgerstore: run %s: carry forward: %w", id, err)
		}
	}
	err := w.s.db.Update(func(txn *badger.Txn) error { return putJSON(txn, runKey(id), run) })
	if err != nil {
		return fmt.Errorf("badgerstore: run %s: finish: %w", id, err)
	}
	if err := w.s.db.Sync(); err != nil {
		return fmt.Errorf("badgerstore: run %s: sync: %w", id, err)
	}
	return nil
}

// mergeErrors returns the caller's errors plus those put through the
// writer, without duplicates, in a stable order.
func mergeErrors(a, b []lineage.UnitError) []lineage.UnitError {
	seen := make(map[lineage.UnitError]bool, len(a)+len(b))
	var out []lineage.UnitError
	for _, ue := range slices.Concat(a, b) {
		if !seen[ue] {
			seen[ue] = true
			out = append(out, ue)
		}
	}
	slices.SortStableFunc(out, func(x, y lineage.UnitError) int {
		if c := cmpStr(x.Store, y.Store); c != 0 {
			return c
		}
		return cmpStr(x.Unit, y.Unit)
	})
	return out
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// carryForward copies into run's snapshot the nodes, findings, unit errors
// and edges of every store run did not scan, from the newest finished run
// before it. An edge belongs to the store of its From end; it is carried
// when that store was not scanned and its To end still exists (a scanned To
// store must hold the To node in the new snapshot). With run.Configured
// set, stores outside it are dropped, and so are edges into them; edges
// of the sources in run.Rewrites are never carried.
func (s *Store) carryForward(ctx context.Context, run lineage.ScanRun) error {
	scanned := setOf(run.Stores)
	configured := setOf(run.Configured)
	rewritten := setOf(run.Rewrites)
	keep := func(store string) bool {
		return !scanned[store] && (len(configured) == 0 || configured[store])
	}
	var prev lineage.ScanRun
	var found bool
	if err := s.db.View(func(txn *badger.Txn) error {
		var err error
		prev, found, err = latestBefore(ctx, txn, run.ID)
		return err
	}); err != nil || !found {
		return err
	}

	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	var seq uint64 = 1 << 32 // after any seq this run's writer can have used
	err := s.db.View(func(txn *badger.Txn) error {
		// Nodes, findings and unit errors: the first key component is the store.
		for _, sec := range []byte{secNode, secFinding, secError} {
			from := sectionPrefix(prev.ID, sec)
			err := scanPrefix(ctx, txn, from, func(key, val []byte) error {
				store, rest, err := readComp(key[len(from):])
				if err != nil || !keep(store) {
					return err
				}
				nk := append(sectionPrefix(run.ID, sec), key[len(from):]...)
				if sec == secError {
					unit, _, err := readComp(rest)
					if err != nil {
						return err
					}
					seq++
					nk = unitErrorKey(run.ID, ueKey{store, unit, seq})
				}
				return wb.Set(nk, bytes.Clone(val))
			})
			if err != nil {
				return err
			}
		}
		from := sectionPrefix(prev.ID, secOut)
		return scanPrefix(ctx, txn, from, func(key, val []byte) error {
			at, kind, source, to, err := parseEdgeKey(key[len(from):])
			if err != nil || !keep(at.Store) || rewritten[source] {
				return err
			}
			if len(configured) > 0 && !configured[to.Store] {
				return nil
			}
			if scanned[to.Store] {
				_, err := txn.Get(nodeKey(run.ID, to))
				if errors.Is(err, badger.ErrKeyNotFound) {
					return nil // the target vanished in this run's scan
				}
				if err != nil {
					return err
				}
			}
			v := bytes.Clone(val)
			if err := wb.Set(edgeKey(run.ID, secOut, at, kind, source, to), v); err != nil {
				return err
			}
			return wb.Set(edgeKey(run.ID, secIn, to, kind, source, at), v)
		})
	})
	if err != nil {
		return fmt.Errorf("from run %s: %w", prev.ID, err)
	}
	return wb.Flush()
}

func setOf(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// scanPrefix visits every key under prefix in order. key and val are only
// valid during fn.
func scanPrefix(ctx context.Context, txn *badger.Txn, prefix []byte, fn func(key, val []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		item := it.Item()
		if err := item.Value(func(v []byte) error { return fn(item.Key(), v) }); err != nil {
			return err
		}
	}
	return nil
}
