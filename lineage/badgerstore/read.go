package badgerstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// viewRun runs fn in a read transaction after checking that run exists.
func (s *Store) viewRun(ctx context.Context, run string, fn func(txn *badger.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(txn *badger.Txn) error {
		var r lineage.ScanRun
		if err := getRun(txn, run, &r); err != nil {
			return err
		}
		return fn(txn)
	})
}

// Nodes visits every node of run in (store, asset, field) order; a store
// node comes before its assets and an asset before its fields.
func (s *Store) Nodes(ctx context.Context, run string, fn func(lineage.Node) error) error {
	return s.viewRun(ctx, run, func(txn *badger.Txn) error {
		return scanPrefix(ctx, txn, sectionPrefix(run, secNode), func(key, val []byte) error {
			var n lineage.Node
			if err := json.Unmarshal(val, &n); err != nil {
				return fmt.Errorf("badgerstore: run %s: node %q: %w", run, key, errors.Join(piimap.ErrCorrupt, err))
			}
			return fn(n)
		})
	})
}

// Edges visits the edges leaving (Out) or entering (In) the node at `at`,
// ordered by kind, source and the other end. Both directions are one prefix
// scan.
func (s *Store) Edges(ctx context.Context, run string, at piimap.Location, dir lineage.Direction, fn func(lineage.Edge) error) error {
	sec := byte(secOut)
	if dir == lineage.In {
		sec = secIn
	}
	prefix := appendLoc(sectionPrefix(run, sec), at)
	return s.viewRun(ctx, run, func(txn *badger.Txn) error {
		return scanPrefix(ctx, txn, prefix, func(key, val []byte) error {
			return decodeEdge(run, key, val, fn)
		})
	})
}

// AllEdges visits every edge of run in (from, kind, source, to) order,
// only those of the given kinds when any are given. Kinds are filtered on
// the key, before decoding.
func (s *Store) AllEdges(ctx context.Context, run string, kinds []string, fn func(lineage.Edge) error) error {
	prefix := sectionPrefix(run, secOut)
	return s.viewRun(ctx, run, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			item := it.Item()
			if len(kinds) > 0 {
				_, kind, _, _, err := parseEdgeKey(item.Key()[len(prefix):])
				if err != nil {
					return fmt.Errorf("badgerstore: run %s: edge %q: %w", run, item.Key(), err)
				}
				if !slices.Contains(kinds, kind) {
					continue
				}
			}
			if err := item.Value(func(v []byte) error { return decodeEdge(run, item.Key(), v, fn) }); err != nil {
				return err
			}
		}
		return nil
	})
}

func decodeEdge(run string, key, val []byte, fn func(lineage.Edge) error) error {
	var e lineage.Edge
	if err := json.Unmarshal(val, &e); err != nil {
		return fmt.Errorf("badgerstore: run %s: edge %q: %w", run, key, errors.Join(piimap.ErrCorrupt, err))
	}
	return fn(e)
}

// Findings visits every finding of run in (store, asset, field, type, rule)
// order.
func (s *Store) Findings(ctx context.Context, run string, fn func(piimap.Finding) error) error {
	return s.viewRun(ctx, run, func(txn *badger.Txn) error {
		return scanPrefix(ctx, txn, sectionPrefix(run, secFinding), func(key, val []byte) error {
			var f piimap.Finding
			if err := json.Unmarshal(val, &f); err != nil {
				return fmt.Errorf("badgerstore: run %s: finding %q: %w", run, key, errors.Join(piimap.ErrCorrupt, err))
			}
			return fn(f)
		})
	})
}

// UnitErrors visits the unit errors of run's snapshot, including those
// carried forward with stores the run did not scan, in (store, unit) order.
func (s *Store) UnitErrors(ctx context.Context, run string, fn func(lineage.UnitError) error) error {
	return s.viewRun(ctx, run, func(txn *badger.Txn) error {
		return scanPrefix(ctx, txn, sectionPrefix(run, secError), func(key, val []byte) error {
			var ue lineage.UnitError
			if err := json.Unmarshal(val, &ue); err != nil {
				return fmt.Errorf("badgerstore: run %s: unit error %q: %w", run, key, errors.Join(piimap.ErrCorrupt, err))
			}
			return fn(ue)
		})
	})
}

// PutDoc stores a document durably (the write is synced before return).
func (s *Store) PutDoc(ctx context.Context, kind, id string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validDocName(kind, id); err != nil {
		return fmt.Errorf("badgerstore: put doc %s/%s: %w", kind, id, err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(docKey(kind, id), data) }); err != nil {
		return fmt.Errorf("badgerstore: put doc %s/%s: %w", kind, id, err)
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("badgerstore: put doc %s/%s: sync: %w", kind, id, err)
	}
	return nil
}

// PutDocs stores documents of one kind in a write batch and syncs once
// (lineage.DocBatcher). A crash before it returns may leave some of them
// stored.
func (s *Store) PutDocs(ctx context.Context, kind string, docs []lineage.Doc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, d := range docs {
		if err := validDocName(kind, d.ID); err != nil {
			return fmt.Errorf("badgerstore: put doc %s/%s: %w", kind, d.ID, err)
		}
		if err := wb.Set(docKey(kind, d.ID), d.Data); err != nil {
			return fmt.Errorf("badgerstore: put doc %s/%s: %w", kind, d.ID, err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("badgerstore: put docs %s: %w", kind, err)
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("badgerstore: put docs %s: sync: %w", kind, err)
	}
	return nil
}

// GetDoc returns a copy of a document, or piimap.ErrNotFound.
func (s *Store) GetDoc(ctx context.Context, kind, id string) ([]byte, error) {
	var data []byte
	err := s.ViewDoc(ctx, kind, id, func(b []byte) error {
		data = bytes.Clone(b)
		return nil
	})
	return data, err
}

// ViewDoc lends fn the bytes of a document, read in place (Badger's value
// log is memory-mapped): they are valid only during fn.
func (s *Store) ViewDoc(ctx context.Context, kind, id string, fn func(data []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validDocName(kind, id); err != nil {
		return fmt.Errorf("badgerstore: get doc %s/%s: %w", kind, id, err)
	}
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(docKey(kind, id))
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error {
			if b == nil {
				b = []byte{} // an empty document is not a missing one
			}
			return fn(b)
		})
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return fmt.Errorf("badgerstore: doc %s/%s: %w", kind, id, piimap.ErrNotFound)
	}
	if err != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("badgerstore: get doc %s/%s: %w", kind, id, err)
	}
	return err
}

// DeleteDocs deletes documents of kind, in batches; IDs that have no
// document are skipped.
func (s *Store) DeleteDocs(ctx context.Context, kind string, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, id := range ids {
		if err := validDocName(kind, id); err != nil {
			return fmt.Errorf("badgerstore: delete doc %s/%s: %w", kind, id, err)
		}
		if err := wb.Delete(docKey(kind, id)); err != nil {
			return fmt.Errorf("badgerstore: delete doc %s/%s: %w", kind, id, err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("badgerstore: delete docs %s: %w", kind, err)
	}
	return nil
}

// ListDocs visits the documents of kind in id (byte) order. data is only
// valid during fn.
func (s *Store) ListDocs(ctx context.Context, kind string, fn func(id string, data []byte) error) error {
	if err := validDocName(kind, "x"); err != nil {
		return fmt.Errorf("badgerstore: list docs %s: %w", kind, err)
	}
	prefix := docPrefix(kind)
	return s.db.View(func(txn *badger.Txn) error {
		return scanPrefix(ctx, txn, prefix, func(key, val []byte) error {
			return fn(string(key[len(prefix):]), val)
		})
	})
}

func validDocName(kind, id string) error {
	if kind == "" || id == "" {
		return errors.New("empty kind or id")
	}
	if strings.ContainsRune(kind, 0) || strings.ContainsRune(id, 0) {
		return errors.New("NUL in kind or id")
	}
	return nil
}
