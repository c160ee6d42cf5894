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

// Pipeline stages (PipelineStager): where a kind of store usually sits
// along a data pipeline. Copy detection takes the later stage for the copy
// when two stores hold near-equal values and nothing firmer decides.
const (
	StageUnknown     = 0
	StageOperational = 1 // operational databases
	StageWarehouse   = 2 // warehouses and analytical databases
	StageObjects     = 3 // files and object stores
	StageTransient   = 4 // caches and streams
)

// PipelineStager is implemented by sources that know their pipeline stage.
type PipelineStager interface{ PipelineStage() int }

// StageOf is a source's pipeline stage, StageUnknown when it does not say.
func StageOf(src Source) int {
	if p, ok := src.(PipelineStager); ok {
		return p.PipelineStage()
	}
	return StageUnknown
}

// IdentifierFilterer is implemented by sources whose units a full scan
// can summarise in an identifier filter (scanner/idfilter): the unit's
// bytes are matched by the kind's executor handler exactly as filter
// extraction reads them (text lines; CSV, TSV, JSON and JSONL cells), so a
// filter that rules a value out is a proof. Object kinds embed
// idfilter.ObjectFormats, which answers with idfilter.FormatCovered.
type IdentifierFilterer interface {
	IdentifierFiltered(unitKind, format string) bool
}

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
	// PhoneRegion is the region (ISO 3166 alpha-2, "US", "GB") whose
	// national format this store's phone numbers are written in; numbers
	// with a leading + or an international prefix need none. Empty means
	// the configuration's default (US when unset).
	PhoneRegion string `yaml:"phone_region,omitempty" json:"phone_region,omitempty"`
	// PhoneRegions overrides PhoneRegion per field: "asset.field" → region.
	PhoneRegions map[string]string `yaml:"phone_regions,omitempty" json:"phone_regions,omitempty"`
	// Purge is how an erasure removes the erased bytes physically in a SQL
	// store: none, vacuum (the default for Postgres), vacuum_full, or
	// optimize (MariaDB/MySQL OPTIMIZE TABLE). See executor.Purger.
	Purge string `yaml:"purge,omitempty" json:"purge,omitempty"`
	// Region is where the store keeps its data ("eu", "us-east-1"), as
	// the processing-instructions register names regions; Subprocessor
	// names the third party operating the store ("" when the organisation
	// runs it). `piimap report shadow` checks both against the register.
	Region       string `yaml:"region,omitempty" json:"region,omitempty"`
	Subprocessor string `yaml:"subprocessor,omitempty" json:"subprocessor,omitempty"`
	// Manual marks a store piimap must not write to itself: every
	// request's work there becomes a manual task with instructions
	// (`piimap task list`, `piimap task done`).
	Manual bool `yaml:"manual,omitempty" json:"manual,omitempty"`
	// Retention is how long the store keeps what it holds ("35d", "6w",
	// "720h"): an erasure in an `environment: backup` store is an
	// exception whose expiry date it gives.
	Retention string `yaml:"retention,omitempty" json:"retention,omitempty"`
	// RestrictColumn names the column (SQL stores) that a restriction sets
	// to true on the subject's rows; without it a restriction records an
	// exception for the store's owner to enforce.
	RestrictColumn string `yaml:"restrict_column,omitempty" json:"restrict_column,omitempty"`
}

// Purge options of a SQL store (StoreConfig.Purge).
const (
	PurgeNone       = "none"
	PurgeVacuum     = "vacuum"
	PurgeVacuumFull = "vacuum_full"
	PurgeOptimize   = "optimize"
)

// DefaultTenant is the tenant of a store that names none.
const DefaultTenant = lineage.DefaultTenant

// TenantName is the store's tenant, DefaultTenant when it names none.
func (c StoreConfig) TenantName() string {
	if c.Tenant == "" {
		return DefaultTenant
	}
	return c.Tenant
}

// RegionOf is the phone region of a field ("" field: the store's), "" when
// the configuration sets none.
func (c StoreConfig) RegionOf(asset, field string) string {
	if r := c.PhoneRegions[asset+"."+field]; r != "" && field != "" {
		return r
	}
	return c.PhoneRegion
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

// FormProber is implemented by sources that answer copy probes inside the
// store (the SQL kinds): given the candidate copies' sampled values
// (needles), which of them a field holds, normalised as lineage/fingerprint
// normalises values of its PII type, or in a masked form of them. A
// sampled scan then need not read an original in full to find its copies
// (copypush.go). Read-only, like every Source method.
type FormProber interface {
	ProbeForms(ctx context.Context, u piimap.Unit, field string, q FormQuery) (FormAnswer, error)
}

// FormQuery is one in-store probe of a field.
type FormQuery struct {
	// Type is the field's PII type (a fingerprint.ProbeType).
	Type string
	// PhoneCC is the country calling code of national phone numbers ("1"
	// when empty), as fingerprint.NormalizePhone takes it.
	PhoneCC string
	// Needles are the values to look for, by form: under
	// fingerprint.FormPlain the sha256 hex of normalised values (so no
	// value is sent to the store in clear), else a masked form's values
	// under its name ("sha256_hex").
	Needles map[string][]string
}

// FormAnswer is what a FormProber found: the needles of each form the
// field holds, its number of distinct normalised values, and the forms it
// could not compute (their needles are neither found nor ruled out).
type FormAnswer struct {
	Found       map[string][]string
	Distinct    int64
	Unsupported []string
}
