package driver

import (
	"context"

	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Handler finds and erases a subject's data in one store. Implementations
// live in executor/<kind>; they are the only code in piimap that writes to a
// store. Erase receives the store's targets children-first and must be
// idempotent: erasing again changes nothing.
type Handler interface {
	Find(ctx context.Context, t Target, emit func(Batch) error) error
	Erase(ctx context.Context, ts []Target, opt EraseOptions) ([]Result, error)
	Close() error
}

// EraseOptions tune one Erase call.
type EraseOptions struct {
	DryRun bool // count only; write nothing
}

// HandlerOptions are passed to an Opener.
type HandlerOptions struct {
	ReadOnly bool   // plan and access: the handler must not write
	MaskKey  []byte // HMAC key for ModeMask and hashed redaction
}

// Opener opens a Handler for one configured store.
type Opener func(ctx context.Context, store scanner.StoreConfig, opt HandlerOptions) (Handler, error)

// Counter is implemented by handlers that count matches without reading rows.
type Counter interface {
	Count(ctx context.Context, t Target) (int64, error)
}

// ParallelReader is implemented by handlers whose Find and Count may run
// concurrently for different assets of their store (files, objects).
// ParallelReads is how many at once; planning counts and exports then read
// that many of the store's assets together, within the Service's
// Concurrency. Handlers without it read one asset at a time.
type ParallelReader interface {
	ParallelReads() int
}

// Rectifier is implemented by handlers that can correct a subject's values in
// place: every matched row's fields whose PII type or name is a key of
// Target.Changes get the new value.
type Rectifier interface {
	Rectify(ctx context.Context, ts []Target, opt EraseOptions) ([]Result, error)
}

// Recomputer is implemented by handlers of stores with materialized views:
// Recompute refreshes the views named by the targets' assets from their
// base tables (Postgres: REFRESH MATERIALIZED VIEW). Execute calls it after
// the store's other steps; a plain view needs no call.
type Recomputer interface {
	Recompute(ctx context.Context, ts []Target) error
}

// Restricter is implemented by handlers of stores that can mark a
// subject's records as restricted (a restriction of processing): a
// configured column set to true (scanner.StoreConfig.RestrictColumn), a
// Redis key tag. CanRestrict says whether this store is configured for it;
// Restrict marks the rows of each target and is idempotent.
type Restricter interface {
	CanRestrict() bool
	Restrict(ctx context.Context, ts []Target) ([]Result, error)
}

// ModeChecker is implemented by handlers that support only some modes for
// some targets, or can rectify only some (a target with Changes); Plan
// turns an error into an explicit gap, or an *ExceptionError into an
// entry of the exceptions register.
type ModeChecker interface {
	CheckMode(t Target) error
}

// ParquetExporter is implemented by handlers of columnar sources: it writes
// the subject's rows of t to a Parquet file at path and returns the count.
type ParquetExporter interface {
	ExportParquet(ctx context.Context, t Target, path string) (int64, error)
}

// IdentifierFiltered is implemented by handlers that match an object's
// values byte for byte as identifier filter extraction reads them (the
// scanner side says the same with scanner.IdentifierFilterer): planning
// leaves an asset out of a plan because its filter rules every value out
// only when the asset's handler says so for its unit kind and format
// (idfilter.FormatCovered is the usual answer).
type IdentifierFiltered interface {
	IdentifierFiltered(unitKind, format string) bool
}

// AssetVersioner is implemented by handlers that can report an asset's
// current version cheaply (a stat, a HEAD request). When the store's
// handler implements it, an identifier filter is used only if the object
// is still the version it was built from, so data appended since the
// latest scan is never skipped. Without it, the latest scan's version is
// trusted. Planning calls it for several assets at once.
type AssetVersioner interface {
	AssetVersion(ctx context.Context, asset string) (idfilter.Version, error)
}

// CountRows counts the rows of t in h's store: by Count when h is a
// Counter, else by reading them with Find.
func CountRows(ctx context.Context, h Handler, t Target) (int64, error) {
	if c, ok := h.(Counter); ok {
		return c.Count(ctx, t)
	}
	var n int64
	err := h.Find(ctx, t, func(b Batch) error { n += int64(b.Len()); return nil })
	return n, err
}

// ParallelReads is how many assets of h's store may be read at once: its
// ParallelReader count, else one.
func ParallelReads(h Handler) int {
	if pr, ok := h.(ParallelReader); ok {
		return pr.ParallelReads()
	}
	return 1
}
