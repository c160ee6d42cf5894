package sqlcatalog

import (
	"context"
	"fmt"

	"github.com/piimap/piimap"
)

// Sampler is the skeleton of a SQL Source's ReadSample for the kinds that
// sample inside one read-only transaction.
type Sampler struct {
	Kind   string // error prefix: "postgres"
	Naming string // what a unit name must be: "schema.table", "db.table"
	// Read samples the relation schema.table (in the kind's read-only
	// transaction) and hands each record to emit, stopping on its error.
	Read func(ctx context.Context, u piimap.Unit, schema, table string, emit func(piimap.Record) error) error
	// Wrap names a failure ("sample <asset>") and classifies it.
	Wrap func(ctx context.Context, what string, err error) error
}

// ReadSample runs s.Read for u. The emit Read gets stops the read on the
// caller's error or a cancelled context. An error of the caller's emit is
// returned as is; any other is named by Wrap. A unit name that is not
// schema.table is ErrNotFound.
func (s Sampler) ReadSample(ctx context.Context, u piimap.Unit, emit func(piimap.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	schema, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return fmt.Errorf("%s: sample %s: not a %s name: %w", s.Kind, u.Loc.Name, s.Naming, piimap.ErrNotFound)
	}
	var emitErr error
	err := s.Read(ctx, u, schema, table, func(rec piimap.Record) error {
		if err := emit(rec); err != nil {
			emitErr = err
			return err
		}
		return ctx.Err()
	})
	switch {
	case emitErr != nil:
		return emitErr
	case err != nil:
		return s.Wrap(ctx, "sample "+u.Loc.Name, err)
	}
	return ctx.Err()
}
