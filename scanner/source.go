package scanner

import (
	"context"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Source reads one store. It is read-only by contract: nothing under scanner/
// ever writes to a store.
type Source interface {
	// Enumerate emits every unit (table, object, key pattern, stream) that
	// the store's include/exclude globs select.
	Enumerate(ctx context.Context, emit func(piimap.Unit) error) error
	// Read emits the unit's records: samples of each field's values for
	// structured units, chunks of text for text units.
	Read(ctx context.Context, u piimap.Unit, emit func(piimap.Record) error) error
}

// EdgeDeclarer is implemented by sources that know declared lineage: foreign
// keys, view definitions, query logs.
type EdgeDeclarer interface {
	DeclaredEdges(ctx context.Context, emit func(lineage.Edge) error) error
}

// Closer is implemented by sources holding connections.
type Closer interface{ Close() error }

// StoreConfig is one configured store, as written in piimap.yaml.
type StoreConfig struct {
	Name        string            `yaml:"name" json:"name"`
	URL         string            `yaml:"url" json:"url"`
	Tenant      string            `yaml:"tenant,omitempty" json:"tenant,omitempty"`
	Environment string            `yaml:"environment,omitempty" json:"environment,omitempty"` // prod | non-prod | backup
	Include     []string          `yaml:"include,omitempty" json:"include,omitempty"`
	Exclude     []string          `yaml:"exclude,omitempty" json:"exclude,omitempty"`
	Sample      SampleConfig      `yaml:"sample,omitempty" json:"sample,omitempty"`
	Identity    map[string]string `yaml:"identity,omitempty" json:"identity,omitempty"` // subject key → asset.field
}

// SampleConfig sets sampling for structured units. Rows is the first sample;
// adaptive sampling grows it for ambiguous fields up to MaxRows. Full reads
// every row (and every text byte); it is what identifier filters need.
type SampleConfig struct {
	Rows    int   `yaml:"rows,omitempty" json:"rows,omitempty"`
	MaxRows int   `yaml:"max_rows,omitempty" json:"max_rows,omitempty"`
	Seed    int64 `yaml:"seed,omitempty" json:"seed,omitempty"`
	Full    bool  `yaml:"full,omitempty" json:"full,omitempty"`
}
