package lineage

import (
	"context"
	"time"

	"github.com/piimap/piimap"
)

// Node kinds.
const (
	NodeStore = "store"
	NodeAsset = "asset"
	NodeField = "field"
)

// Edge kinds.
const (
	EdgeContains    = "contains"
	EdgeReferences  = "references"
	EdgeDerivedFrom = "derived_from"
	EdgeCopyOf      = "copy_of"
)

// EdgeKinds lists every edge kind; add new kinds here too, since
// whole-graph readers select kinds from it.
var EdgeKinds = []string{EdgeContains, EdgeReferences, EdgeDerivedFrom, EdgeCopyOf}

// Edge sources: who told us about an edge.
const (
	SourceScan        = "scan" // contains edges from enumeration
	SourceFK          = "fk"
	SourceView        = "view"
	SourceSQL         = "sql"
	SourceDBT         = "dbt"
	SourceOpenLineage = "openlineage"
	SourceFingerprint = "fingerprint"
	SourceManual      = "manual"
	// SourceInferred marks a `references` edge inferred at scan time
	// (scanner/inferref.go): a name-related child column whose sampled
	// values are contained in a unique parent column of the same store.
	SourceInferred = "inferred"
)

// Column-edge transforms, after OpenLineage's column-lineage facet.
const (
	TransformIdentity       = "identity"
	TransformTransformation = "transformation"
	TransformMasked         = "masked"
)

// Node is a store, an asset or a field. Loc.Field is empty for assets, and
// Loc.Name and Loc.Field are empty for stores.
type Node struct {
	Kind      string            `json:"kind"`       // NodeStore | NodeAsset | NodeField
	Loc       piimap.Location   `json:"loc"`        //
	StoreKind string            `json:"store_kind"` // postgres, duckdb, files, ...
	Attrs     map[string]string `json:"attrs,omitempty"`
}

// Attrs keys used on nodes.
const (
	AttrUnitKind = "unit_kind" // piimap.UnitTable, ...
	AttrFormat   = "format"    // piimap.FormatCSV, ...
	AttrGzip     = "gzip"      // "true"
	AttrRows     = "rows"      // row estimate
	AttrSize     = "size"      // bytes
	AttrSQLType  = "sql_type"
	AttrTenant   = "tenant"
	AttrEnv      = "environment"
	AttrURL      = "url" // stores only; credentials redacted
	// AttrDatasetNamespace and AttrDatasetPrefix (stores only): how the
	// store's kind names its datasets after the OpenLineage naming spec,
	// as the kind's scanner reports it: the namespace, and what a dataset
	// name puts before the asset (a Postgres database and a dot, an S3
	// key prefix, a local directory). See OpenLineageName.
	AttrDatasetNamespace = "dataset_namespace"
	AttrDatasetPrefix    = "dataset_prefix"
	AttrIdentity         = "identity" // fields: subject key kind this field holds ("email", "user_id")
	// AttrDistinct and AttrNonEmpty: distinct and non-empty values of the
	// field, recorded only when the scan read every row of the unit; equal
	// counts on enough rows make the field unique (executor: entity
	// tables).
	AttrDistinct = "distinct"
	AttrNonEmpty = "non_empty"
)

// Edge is a directed relation between two nodes.
type Edge struct {
	Kind       string          `json:"kind"`
	From       piimap.Location `json:"from"`
	To         piimap.Location `json:"to"`
	Source     string          `json:"source"`
	Confidence float64         `json:"confidence"`
	Transform  string          `json:"transform,omitempty"`
	ObservedAt time.Time       `json:"observed_at"`
	// Evidence says briefly why the edge is believed (the masking
	// transform and measured containment of a fingerprint edge, the SQL
	// function of a masking column edge). Never raw values.
	Evidence string `json:"evidence,omitempty"`
}

// UnitError is one unit's failure in a scan. Err never holds raw PII.
type UnitError struct {
	Store string `json:"store"`
	Unit  string `json:"unit"` // asset name, or "" for the store itself
	Err   string `json:"error"`
}

// ScanRun is one scan: the graph keeps a snapshot per run.
type ScanRun struct {
	ID        string    `json:"id"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at,omitempty"`
	Stores    []string  `json:"stores"` // stores scanned in this run
	// Configured lists every store in the configuration at scan time. When
	// set, Finish carries forward only configured stores, so a store removed
	// from the configuration leaves the map instead of lingering forever.
	Configured []string `json:"configured,omitempty"`
	// Rewrites lists edge sources this run writes in full, for every store
	// (`lineage ingest` rebuilding the ingested lineage): Finish carries
	// forward no edge of these sources, so lineage a newer manifest no
	// longer declares leaves the map.
	Rewrites []string    `json:"rewrites,omitempty"`
	Units    int         `json:"units"`
	Records  int64       `json:"records"`
	Findings int         `json:"findings"`
	Errors   []UnitError `json:"errors,omitempty"`
	Status   string      `json:"status"` // running | completed | completed_with_gaps | failed
}

// Run statuses.
const (
	RunRunning  = "running"
	RunComplete = "completed"
	RunGaps     = "completed_with_gaps"
	RunFailed   = "failed"
)

// Direction of an edge traversal.
type Direction int

const (
	Out Direction = iota // edges whose From is the node
	In                   // edges whose To is the node
)

// Writer receives one scan run's graph. Writes are batched by the
// implementation; callers may call it from many goroutines.
type Writer interface {
	PutNode(ctx context.Context, n Node) error
	PutEdge(ctx context.Context, e Edge) error
	PutFinding(ctx context.Context, f piimap.Finding) error
	PutUnitError(ctx context.Context, ue UnitError) error
	// Finish seals the run: Stores not scanned in this run are carried
	// forward from the previous run, so every run's map is complete.
	Finish(ctx context.Context, run ScanRun) error
}

// Graph is the PII location map: per-run snapshots of nodes, edges and
// findings. Implementations: lineage/badgerstore.
type Graph interface {
	BeginRun(ctx context.Context, stores []string) (string, Writer, error)
	Runs(ctx context.Context) ([]ScanRun, error) // oldest first
	Run(ctx context.Context, id string) (ScanRun, error)
	Latest(ctx context.Context) (ScanRun, error) // piimap.ErrNotFound when none
	Nodes(ctx context.Context, run string, fn func(Node) error) error
	Edges(ctx context.Context, run string, at piimap.Location, dir Direction, fn func(Edge) error) error
	Findings(ctx context.Context, run string, fn func(piimap.Finding) error) error
	Close() error
}

// UnitErrorLister is implemented by graphs that keep the unit errors of a
// run's snapshot, including those carried forward with unscanned stores, so
// the map of a `scan --store X` run still lists the gaps of the other stores.
// Without it, callers fall back to ScanRun.Errors.
type UnitErrorLister interface {
	UnitErrors(ctx context.Context, run string, fn func(UnitError) error) error
}

// EdgeLister is implemented by graphs that can visit every edge of a run in
// one pass, in (from, kind, source, to) order, optionally only edges of the
// given kinds (none means all). Whole-graph readers (the map, subject
// paths) prefer it to one Graph.Edges call per node.
type EdgeLister interface {
	AllEdges(ctx context.Context, run string, kinds []string, fn func(Edge) error) error
}

// DocStore keeps small JSON documents beside the graph (requests, plans,
// audit entries, receipts), so each dsar step can run in its own process.
// List visits documents of a kind in key order.
type DocStore interface {
	PutDoc(ctx context.Context, kind, id string, data []byte) error
	GetDoc(ctx context.Context, kind, id string) ([]byte, error) // piimap.ErrNotFound
	ListDocs(ctx context.Context, kind string, fn func(id string, data []byte) error) error
}

// DocDeleter is implemented by DocStores that can delete documents. Scans
// use it to forget the documents kept for locations a store no longer has
// (identifier filters, field sketches); missing IDs are no error.
type DocDeleter interface {
	DeleteDocs(ctx context.Context, kind string, ids []string) error
}

// DocBatcher is implemented by DocStores that can store many documents of
// one kind with one durable write. Each document is stored whole, as by
// PutDoc; a crash during the call may leave some of them stored and others
// not, so it is for documents that stand alone (scans keep one sketch per
// field this way: a sync per document cost a sampled scan over 100 ms).
type DocBatcher interface {
	PutDocs(ctx context.Context, kind string, docs []Doc) error
}

// Doc is one document of a DocBatcher.PutDocs call.
type Doc struct {
	ID   string
	Data []byte
}

// PutDocs stores docs through the store's DocBatcher when it has one, and
// one PutDoc at a time otherwise.
func PutDocs(ctx context.Context, d DocStore, kind string, docs []Doc) error {
	if b, ok := d.(DocBatcher); ok {
		return b.PutDocs(ctx, kind, docs)
	}
	for _, doc := range docs {
		if err := d.PutDoc(ctx, kind, doc.ID, doc.Data); err != nil {
			return err
		}
	}
	return nil
}

// DocViewer is implemented by DocStores that can lend a document's bytes
// without copying them: data is valid only during fn. Readers that look
// at a few bytes of large documents (identifier filters) prefer it.
type DocViewer interface {
	ViewDoc(ctx context.Context, kind, id string, fn func(data []byte) error) error // piimap.ErrNotFound
}
