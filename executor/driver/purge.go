package driver

import (
	"context"
	"time"
)

// Physical purge. A row deleted by SQL, a message deleted from a stream or
// a line rewritten out of a file may still sit in the store's bytes: dead
// tuples until VACUUM, a DuckDB block until a checkpoint reuses it, an old
// object version, an RDB snapshot. A receipt location says which it is,
// honestly: the bytes are gone, pending (and when they will be), or an
// exception (and why), never silence.

// Purge states of a receipt location.
const (
	PurgeGone      = "gone"      // the erased bytes are no longer in the store
	PurgePending   = "pending"   // they will be removed by the store (see PurgeAt)
	PurgeException = "exception" // they stay, for the reason given
)

// PurgeReport is what a handler says of the erased bytes of one asset
// after an applied erasure or rectification.
type PurgeReport struct {
	Asset  string     `json:"asset"`
	State  string     `json:"state"`            // PurgeGone, PurgePending, PurgeException
	Detail string     `json:"detail,omitempty"` // how (VACUUM FULL, rewrite) or why not
	At     *time.Time `json:"at,omitempty"`     // pending: when the store removes them
}

// Purger is implemented by handlers that can remove the erased bytes
// physically (VACUUM, CHECKPOINT, a rewrite, deleting noncurrent object
// versions) or can tell whether they are gone. Execute calls it once per
// store after the writes are verified, with the store's written targets;
// it returns one report per target asset. A handler without it gets an
// exception on every location: piimap cannot say the bytes are gone.
type Purger interface {
	Purge(ctx context.Context, ts []Target) ([]PurgeReport, error)
}
