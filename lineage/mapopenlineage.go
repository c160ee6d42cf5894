package lineage

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// OpenLineage identifiers written by the openlineage map format.
const (
	OpenLineageProducer   = "https://github.com/piimap/piimap"
	olDatasetEventSchema  = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent"
	olSchemaFacetSchema   = "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
	olColumnLineageSchema = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet"
	// PIIFacetKey is the custom dataset facet holding piimap's findings.
	PIIFacetKey    = "piimap_pii"
	piiFacetSchema = "https://github.com/piimap/piimap/blob/main/lineage/mapopenlineage.go#PIIFacet"
)

// OLDatasetEvent is an OpenLineage DatasetEvent (spec 2-0-2): static
// lineage of one dataset, as opposed to a RunEvent of a job.
type OLDatasetEvent struct {
	EventTime time.Time `json:"eventTime"`
	Producer  string    `json:"producer"`
	SchemaURL string    `json:"schemaURL"`
	Dataset   OLDataset `json:"dataset"`
}

// OLDataset is a dataset named per OpenLineage naming, with its facets.
type OLDataset struct {
	Namespace string   `json:"namespace"`
	Name      string   `json:"name"`
	Facets    OLFacets `json:"facets"`
}

// OLFacets are the dataset facets piimap writes.
type OLFacets struct {
	Schema        *OLSchemaFacet        `json:"schema,omitempty"`
	ColumnLineage *OLColumnLineageFacet `json:"columnLineage,omitempty"`
	PII           *PIIFacet             `json:"piimap_pii,omitempty"`
}

// OLFacetBase is the producer and schema every facet carries.
type OLFacetBase struct {
	Producer  string `json:"_producer"`
	SchemaURL string `json:"_schemaURL"`
}

// OLSchemaFacet lists the dataset's fields that are in the map.
type OLSchemaFacet struct {
	OLFacetBase
	Fields []OLSchemaField `json:"fields"`
}

// OLSchemaField is one field; Description summarises its PII.
type OLSchemaField struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// OLColumnLineageFacet is the column-lineage facet (1-2-0): per output
// field, the input fields it is derived from or copies.
type OLColumnLineageFacet struct {
	OLFacetBase
	Fields map[string]OLColumnLineage `json:"fields"`
}

// OLColumnLineage is one output field's inputs.
type OLColumnLineage struct {
	InputFields []OLInputField `json:"inputFields"`
}

// OLInputField is one input field with how it was transformed.
type OLInputField struct {
	Namespace       string             `json:"namespace"`
	Name            string             `json:"name"`
	Field           string             `json:"field"`
	Transformations []OLTransformation `json:"transformations"`
}

// OLTransformation says how an input became the output: DIRECT with
// subtype IDENTITY (a plain copy) or TRANSFORMATION, masking true for a
// hashed, truncated or encoded copy.
type OLTransformation struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	Description string `json:"description"`
	Masking     bool   `json:"masking"`
}

// PIIFacet is piimap's custom dataset facet: the map's view of the
// dataset — its store, the PII found per field (field "" for a text
// asset as a whole), subject and join keys, and references edges, which
// OpenLineage's column lineage does not express.
type PIIFacet struct {
	OLFacetBase
	Store  string              `json:"store"`
	Kind   string              `json:"kind,omitempty"`
	Asset  string              `json:"asset"`
	Fields map[string]PIIField `json:"fields"`
}

// PIIField is one location of the dataset.
type PIIField struct {
	PII         []MapPII      `json:"pii"`
	SubjectKey  bool          `json:"subject_key"`
	Identity    string        `json:"identity,omitempty"`
	JoinKey     bool          `json:"join_key,omitempty"`
	DerivedCopy bool          `json:"derived_copy,omitempty"`
	References  []OLReference `json:"references,omitempty"`
}

// OLReference is a references edge (a foreign key or join path) from the
// field to another dataset's field.
type OLReference struct {
	Namespace  string  `json:"namespace"`
	Name       string  `json:"name"`
	Field      string  `json:"field"`
	Source     string  `json:"source"`
	Confidence float64 `json:"confidence"`
}

// OpenLineageName returns the OpenLineage namespace and dataset name of an
// asset of the given store. The store's kind decides them (its scanner
// records them on the store node: AttrDatasetNamespace and
// AttrDatasetPrefix), after the OpenLineage naming spec: Postgres puts the
// database before schema.table, S3 names the object key under the store's
// prefix, local files use namespace "file" and the absolute path. A kind
// that says nothing keeps the store's namespace and the asset; a store
// piimap knows nothing about gets namespace piimap://STORE.
func OpenLineageName(store, asset string, info StoreInfo) (namespace, name string) {
	switch {
	case info.DatasetNamespace != "":
		return info.DatasetNamespace, info.DatasetPrefix + asset
	case info.Namespace == "":
		return "piimap://" + store, asset
	}
	return info.Namespace, info.DatasetPrefix + asset
}

// olTransformation maps a column edge to OpenLineage's vocabulary. A
// copy_of edge without a transform is an identity copy; a derived_from
// edge without one is assumed to transform.
func olTransformation(e MapEdge) OLTransformation {
	t := OLTransformation{Type: "DIRECT", Subtype: "TRANSFORMATION",
		Description: fmt.Sprintf("%s from %s, confidence %.2f", e.Kind, e.Source, e.Confidence)}
	switch {
	case e.Transform == TransformMasked:
		t.Masking = true
	case e.Transform == TransformIdentity, e.Transform == "" && e.Kind == EdgeCopyOf:
		t.Subtype = "IDENTITY"
	}
	return t
}

// OpenLineageEvents converts the map into one DatasetEvent per asset that
// has map locations, in map order: a schema facet of its listed fields, a
// columnLineage facet from their derived_from and copy_of edges, and the
// piimap_pii facet. stores names datasets (see OpenLineageName).
func OpenLineageEvents(m *Map, stores map[string]StoreInfo) []OLDatasetEvent {
	base := func(schema string) OLFacetBase { return OLFacetBase{Producer: OpenLineageProducer, SchemaURL: schema} }
	var events []OLDatasetEvent
	var cur *OLDatasetEvent
	for _, l := range m.Locations {
		if cur == nil || cur.Dataset.Facets.PII.Store != l.Store || cur.Dataset.Facets.PII.Asset != l.Asset {
			ns, name := OpenLineageName(l.Store, l.Asset, stores[l.Store])
			events = append(events, OLDatasetEvent{EventTime: m.GeneratedAt, Producer: OpenLineageProducer,
				SchemaURL: olDatasetEventSchema, Dataset: OLDataset{Namespace: ns, Name: name, Facets: OLFacets{
					PII: &PIIFacet{OLFacetBase: base(piiFacetSchema), Store: l.Store, Kind: l.Kind, Asset: l.Asset,
						Fields: map[string]PIIField{}}}}})
			cur = &events[len(events)-1]
		}
		f := cur.Dataset.Facets
		pf := PIIField{PII: l.PII, SubjectKey: l.SubjectKey, Identity: l.Identity, JoinKey: l.JoinKey, DerivedCopy: l.DerivedCopy}
		if l.Field != "" {
			if f.Schema == nil {
				f.Schema = &OLSchemaFacet{OLFacetBase: base(olSchemaFacetSchema)}
			}
			desc := piiSummary(l)
			if r := role(l); r != "" {
				desc = strings.TrimPrefix(desc+"; "+r, "; ")
			}
			f.Schema.Fields = append(f.Schema.Fields, OLSchemaField{Name: l.Field, Description: desc})
		}
		for _, e := range l.Edges {
			ns, name := OpenLineageName(e.To.Store, e.To.Asset, stores[e.To.Store])
			if e.Kind == EdgeReferences {
				pf.References = append(pf.References, OLReference{Namespace: ns, Name: name, Field: e.To.Field,
					Source: e.Source, Confidence: e.Confidence})
				continue
			}
			if !isCopy(e.Kind) || l.Field == "" {
				continue
			}
			if f.ColumnLineage == nil {
				f.ColumnLineage = &OLColumnLineageFacet{OLFacetBase: base(olColumnLineageSchema), Fields: map[string]OLColumnLineage{}}
			}
			cl := f.ColumnLineage.Fields[l.Field]
			cl.InputFields = append(cl.InputFields, OLInputField{Namespace: ns, Name: name, Field: e.To.Field,
				Transformations: []OLTransformation{olTransformation(e)}})
			f.ColumnLineage.Fields[l.Field] = cl
		}
		f.PII.Fields[l.Field] = pf
		cur.Dataset.Facets = f
	}
	return events
}

// writeOpenLineage writes the map's DatasetEvents as one indented JSON
// array ("[]" for an empty map); `jq -c '.[]'` turns it into the JSON
// lines of OpenLineage's file transport, each line ready to POST to an
// OpenLineage endpoint (Marquez /api/v1/lineage).
func writeOpenLineage(w io.Writer, m *Map, stores map[string]StoreInfo) error {
	events := OpenLineageEvents(m, stores)
	if events == nil {
		events = []OLDatasetEvent{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(events)
}
