package nats

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

var _ driver.Purger = (*Handler)(nil)

// Purge reports what Erase left of the deleted messages. Erase deletes
// with SecureDeleteMsg for delete and drop: the server overwrites the
// message's record in its block file with random bytes (file storage) or
// drops it from memory (memory storage): gone. A replicated stream
// (replicas > 1) also carries the message in its Raft log until the log
// is compacted after a snapshot, which no one can date: pending. Tombstone
// mode uses DeleteMsg, which only marks the message deleted: its bytes
// stay in the block file until the block is compacted or removed:
// exception. Mirrors and sourcing streams are assets of their own.
func (h *Handler) Purge(ctx context.Context, ts []driver.Target) ([]driver.PurgeReport, error) {
	if h.readOnly {
		return nil, fmt.Errorf("nats: %s: purge: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	var out []driver.PurgeReport
	seen := map[string]bool{}
	for _, t := range ts {
		if seen[t.Asset] {
			continue
		}
		seen[t.Asset] = true
		out = append(out, h.purgeOne(ctx, t, ts))
	}
	return out, nil
}

func (h *Handler) purgeOne(ctx context.Context, t driver.Target, ts []driver.Target) driver.PurgeReport {
	r := driver.PurgeReport{Asset: t.Asset}
	tomb := false
	for _, u := range ts {
		if u.Asset == t.Asset && u.Mode == driver.ModeTombstone {
			tomb = true
		}
	}
	if tomb {
		r.State, r.Detail = driver.PurgeException, "tombstone mode marks messages deleted (DeleteMsg) without overwriting them: the bytes stay in the stream's storage until the block is compacted or removed"
		return r
	}
	s, err := h.stream(ctx, t)
	if err != nil {
		r.State, r.Detail = driver.PurgeException, "purge: cannot read the stream's configuration: "+err.Error()
		return r
	}
	cfg := s.CachedInfo().Config
	how := "messages securely deleted (SecureDeleteMsg): their records in the stream's block files were overwritten"
	if cfg.Storage == jetstream.MemoryStorage {
		how = "messages securely deleted (SecureDeleteMsg) from a memory-storage stream: nothing on disk"
	}
	if cfg.Replicas > 1 {
		r.State, r.Detail = driver.PurgePending, how+"; the stream is replicated, and its Raft log holds the messages until it is compacted after a snapshot (no date can be given)"
		return r
	}
	r.State, r.Detail = driver.PurgeGone, how
	return r
}
