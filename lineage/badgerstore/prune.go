package badgerstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// failAbandoned marks runs left "running" by a process that exited before
// Finish as failed. It runs at read-write Open: the directory lock makes
// this process the only writer, so no run can still be in progress.
func (s *Store) failAbandoned() error {
	var abandoned []lineage.ScanRun
	err := s.db.View(func(txn *badger.Txn) error {
		return scanPrefix(context.Background(), txn, []byte(prefixRun), func(_, val []byte) error {
			var r lineage.ScanRun
			if err := json.Unmarshal(val, &r); err != nil {
				return err
			}
			if r.Status == lineage.RunRunning {
				abandoned = append(abandoned, r)
			}
			return nil
		})
	})
	if err != nil || len(abandoned) == 0 {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error {
		for _, r := range abandoned {
			r.Status = lineage.RunFailed
			s.log.Warn("graph: scan run was abandoned before it finished; marked failed", "run", r.ID)
			if err := putJSON(txn, runKey(r.ID), r); err != nil {
				return err
			}
		}
		return nil
	})
}

// Prune deletes old runs, keeping the newest keep finished runs and every
// run after the oldest of them. It returns the IDs it deleted, oldest
// first. Each run is a full snapshot, so this bounds the graph's size.
func (s *Store) Prune(ctx context.Context, keep int) ([]string, error) {
	if keep < 1 {
		return nil, fmt.Errorf("badgerstore: prune: keep %d runs: must be at least 1: %w", keep, piimap.ErrConfig)
	}
	s.runMu.Lock()
	defer s.runMu.Unlock()
	runs, err := s.Runs(ctx)
	if err != nil {
		return nil, err
	}
	kept, cut := 0, -1
	for i := len(runs) - 1; i >= 0; i-- {
		if finished(runs[i].Status) {
			if kept++; kept == keep {
				cut = i
				break
			}
		}
	}
	if cut <= 0 {
		return nil, nil
	}
	var ids []string
	var prefixes [][]byte
	for _, r := range runs[:cut] {
		ids = append(ids, r.ID)
		prefixes = append(prefixes, snapPrefix(r.ID))
	}
	// Drop the run records first: a crash in between leaves unreachable
	// snapshot keys, never a run whose snapshot is half gone.
	if err := s.db.Update(func(txn *badger.Txn) error {
		for _, id := range ids {
			if err := txn.Delete(runKey(id)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("badgerstore: prune: %w", err)
	}
	if err := s.db.DropPrefix(prefixes...); err != nil {
		return nil, fmt.Errorf("badgerstore: prune: drop snapshots: %w", err)
	}
	return ids, nil
}
