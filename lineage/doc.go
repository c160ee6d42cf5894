// Package lineage is piimap's model of where personal data lives and how it
// moves: the graph of stores, assets and fields, the findings on them, and
// the edges between them, kept as one snapshot per scan run.
//
// # The graph
//
// Nodes are stores, assets (tables, objects, key patterns, streams) and
// fields. Edges are contains (store → asset → field), references (a
// foreign key or join path, child → parent), derived_from (a view or ETL
// column → its source) and copy_of (a copy → its original, inferred from
// fingerprints; masked copies carry transform "masked"). Every edge says
// who told us (source), how sure we are (confidence) and when
// (observed_at). Findings attach to fields, or to a whole text asset, and
// hold masked values only: the graph never holds raw PII.
//
// A scan writes through a Writer obtained from Graph.BeginRun and seals the
// run with Finish, which carries forward the stores the run did not scan so
// every run's snapshot is the whole estate. The Badger implementation is
// lineage/badgerstore; lineage/lineagetest holds the conformance suite and
// an in-memory Graph for tests. This package imports no store package.
//
// # The map
//
// BuildMap turns one run into the PII location map (DESIGN §7): every
// field and text asset holding PII, every subject key (a field marked with
// an identity attribute, or holding emails, phones or user IDs), every join
// key on a subject's path, and every field derived from or copying one of
// those. A subject's path starts at the assets holding a key and walks
// references edges into child tables (orders.customer_id → customers.id
// makes orders the subject's, order_items.order_id → orders.id then makes
// order_items the subject's) and derived_from/copy_of edges into copies;
// references edges leading away from the subject (order_items.sku →
// products.sku) are not followed. WriteMap renders a map as json, an
// aligned table, csv, Markdown, Graphviz dot, a Mermaid flowchart,
// OpenLineage DatasetEvents (schema, columnLineage and piimap_pii facets;
// datasets named after OpenLineage naming, with the namespaces MapStores
// reads from the store nodes) or one self-contained html page that draws
// the graph in SVG with filters by PII type and store and a details panel
// (its script and stylesheet are embedded from web/ and admitted by hash
// under a Content-Security-Policy that forbids every network access). Names
// that came from the scanned stores are escaped for each format.
//
// DiffMaps and Diff compare the maps of two runs: locations added and
// removed, PII types and confidences changed per location, roles, edges
// and gaps; WriteDiffText renders the result for `piimap diff`.
//
// # Traversals
//
// Reach is a breadth-first, cycle-safe walk along chosen edge kinds in one
// direction with a depth limit; TraceLineage turns it into the tree that
// `piimap lineage NODE --up|--down` prints (ResolveNode parses NODE).
// SubjectPaths gives the shortest path from a subject key to each PII
// location it reaches, and Orphans the PII locations no key reaches — the
// coverage gaps a DSAR would otherwise silently miss.
package lineage
