package lineage

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Catalog exports: the map in the shapes that Fides, DataHub and
// OpenMetadata read, each field tagged through catalogTerms. Only the map's
// own names, types and confidences go out: never a sampled value.

// fidesKeyUnsafe is what a fides_key may not hold (fideslang: letters,
// digits, _ . < > -).
var fidesKeyUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.<>-]`)

type fidesFile struct {
	Dataset []fidesDataset `yaml:"dataset"`
}

type fidesDataset struct {
	FidesKey    string            `yaml:"fides_key"`
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	FidesMeta   *fidesDatasetMeta `yaml:"fides_meta,omitempty"`
	Collections []fidesCollection `yaml:"collections"`
}

type fidesDatasetMeta struct {
	Namespace map[string]string `yaml:"namespace,omitempty"`
}

type fidesCollection struct {
	Name           string       `yaml:"name"`
	Description    string       `yaml:"description,omitempty"`
	DataCategories []string     `yaml:"data_categories,omitempty"`
	Fields         []fidesField `yaml:"fields"`
}

type fidesField struct {
	Name           string          `yaml:"name"`
	Description    string          `yaml:"description,omitempty"`
	DataCategories []string        `yaml:"data_categories"`
	FidesMeta      *fidesFieldMeta `yaml:"fides_meta,omitempty"`
}

type fidesFieldMeta struct {
	Identity   string           `yaml:"identity,omitempty"`
	PrimaryKey bool             `yaml:"primary_key,omitempty"`
	References []fidesReference `yaml:"references,omitempty"`
}

type fidesReference struct {
	Dataset   string `yaml:"dataset"`
	Field     string `yaml:"field"`
	Direction string `yaml:"direction"`
}

// fidesPlace is where a map location goes in the Fides file: a relational
// asset ("schema.table") becomes collection "table" of a dataset per store
// and schema (its schema in fides_meta.namespace), a file or object asset
// a collection named by its path in the store's dataset.
type fidesPlace struct{ dataset, schema, collection string }

func fidesPlaceOf(l MapLocation) fidesPlace {
	if l.Format == "" {
		if i := strings.LastIndexByte(l.Asset, '.'); i > 0 && i < len(l.Asset)-1 {
			schema := l.Asset[:i]
			return fidesPlace{fidesKey(l.Store + "_" + schema), schema, l.Asset[i+1:]}
		}
	}
	return fidesPlace{fidesKey(l.Store), "", l.Asset}
}

func fidesKey(s string) string { return fidesKeyUnsafe.ReplaceAllString(s, "_") }

// writeFides writes a Fides dataset file (fideslang Dataset resources):
// one dataset per store and schema, a collection per asset, a field per
// map field with data_categories from catalogTerms. Subject keys carry
// fides_meta.identity and references edges fides_meta.references, so a
// Fides DSR graph can traverse from the identity to the rest.
func writeFides(w io.Writer, m *Map) error {
	type collKey struct{ dataset, collection string }
	datasets := map[string]*fidesDataset{}
	colls := map[collKey]*fidesCollection{}
	var dsOrder []string
	var collOrder []collKey
	for _, l := range m.Locations {
		p := fidesPlaceOf(l)
		ds := datasets[p.dataset]
		if ds == nil {
			ds = &fidesDataset{FidesKey: p.dataset, Name: l.Store,
				Description: fmt.Sprintf("piimap map of store %s (%s), scan run %s", l.Store, l.Kind, m.ScanRun)}
			if p.schema != "" {
				ds.Name = l.Store + "." + p.schema
				ds.FidesMeta = &fidesDatasetMeta{Namespace: map[string]string{"schema": p.schema}}
			}
			datasets[p.dataset] = ds
			dsOrder = append(dsOrder, p.dataset)
		}
		ck := collKey{p.dataset, p.collection}
		c := colls[ck]
		if c == nil {
			c = &fidesCollection{Name: p.collection}
			colls[ck] = c
			collOrder = append(collOrder, ck)
		}
		cats := fidesCategories(l)
		if l.Field == "" { // a text asset as a whole
			c.DataCategories = mergeSorted(c.DataCategories, cats)
			c.Description = "text asset: " + strings.Join(locationTypes(l), ", ")
			continue
		}
		f := fidesField{Name: l.Field, Description: piiSummary(l), DataCategories: cats}
		meta := &fidesFieldMeta{}
		if l.SubjectKey && l.Identity != "" {
			meta.Identity = l.Identity
		}
		for _, e := range l.Edges {
			if e.Kind != string(EdgeReferences) {
				continue
			}
			to := fidesPlaceOf(MapLocation{Store: e.To.Store, Asset: e.To.Asset, Format: formatOf(m, e.To)})
			if strings.Contains(to.collection, ".") || strings.Contains(e.To.Field, ".") || e.To.Field == "" {
				continue // a Fides field address cannot name it unambiguously
			}
			meta.References = append(meta.References, fidesReference{Dataset: to.dataset, Field: to.collection + "." + e.To.Field, Direction: "to"})
		}
		if meta.Identity != "" || len(meta.References) > 0 {
			f.FidesMeta = meta
		}
		c.Fields = append(c.Fields, f)
	}
	for _, ck := range collOrder {
		ds := datasets[ck.dataset]
		c := colls[ck]
		if c.Fields == nil {
			c.Fields = []fidesField{}
		}
		ds.Collections = append(ds.Collections, *c)
	}
	out := fidesFile{Dataset: []fidesDataset{}}
	for _, k := range dsOrder {
		out.Dataset = append(out.Dataset, *datasets[k])
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return err
	}
	return enc.Close()
}

// formatOf returns the object format of a map location named by ref (""
// when it is not in the map or not a file asset).
func formatOf(m *Map, ref MapRef) string {
	for _, l := range m.Locations {
		if l.Store == ref.Store && l.Asset == ref.Asset && l.Format != "" {
			return l.Format
		}
	}
	return ""
}

func fidesCategories(l MapLocation) []string {
	var cats []string
	for _, t := range locationTypes(l) {
		cats = mergeSorted(cats, []string{catalogTerm(t).Fides})
	}
	if len(cats) == 0 && (l.SubjectKey || l.JoinKey) {
		cats = []string{"user.unique_id"} // a key on a subject's path identifies the subject
	}
	if len(cats) == 0 {
		cats = []string{"user"} // a derived copy: personal data of unknown kind
	}
	return cats
}

func mergeSorted(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string(nil), a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// dataHubPlatform names a store kind as a DataHub data platform.
func dataHubPlatform(kind string) string {
	switch kind {
	case "files", "":
		return "file"
	}
	return kind
}

// DataHub metadata change proposals, as DataHub's file source reads them.
type dhMCP struct {
	EntityType string   `json:"entityType"`
	EntityURN  string   `json:"entityUrn"`
	ChangeType string   `json:"changeType"`
	AspectName string   `json:"aspectName"`
	Aspect     dhAspect `json:"aspect"`
}

type dhAspect struct {
	JSON any `json:"json"`
}

type dhAuditStamp struct {
	Time  int64  `json:"time"`
	Actor string `json:"actor"`
}

type dhTermAssoc struct {
	URN string `json:"urn"`
}

type dhGlossaryTerms struct {
	Terms      []dhTermAssoc `json:"terms"`
	AuditStamp dhAuditStamp  `json:"auditStamp"`
}

type dhTagAssoc struct {
	Tag string `json:"tag"`
}

type dhGlobalTags struct {
	Tags []dhTagAssoc `json:"tags"`
}

type dhFieldInfo struct {
	FieldPath     string           `json:"fieldPath"`
	Description   string           `json:"description,omitempty"`
	GlossaryTerms *dhGlossaryTerms `json:"glossaryTerms,omitempty"`
	GlobalTags    *dhGlobalTags    `json:"globalTags,omitempty"`
}

type dhEditableSchema struct {
	Created      dhAuditStamp  `json:"created"`
	LastModified dhAuditStamp  `json:"lastModified"`
	Fields       []dhFieldInfo `json:"editableSchemaFieldInfo"`
}

const (
	dhActor        = "urn:li:corpuser:piimap"
	dhGlossaryNode = "urn:li:glossaryNode:piimap"
	dhTagPII       = "urn:li:tag:pii"
)

// DataHubDatasetURN is the dataset URN the datahub format writes for an
// asset: the store kind's platform and the asset's OpenLineage name (S3
// objects as bucket/key), environment PROD.
func DataHubDatasetURN(store, asset string, info StoreInfo) string {
	ns, name := OpenLineageName(store, asset, info)
	if info.Kind == "s3" && strings.HasPrefix(ns, "s3://") {
		name = strings.TrimSuffix(strings.TrimPrefix(ns, "s3://"), "/") + "/" + strings.TrimPrefix(name, "/")
	}
	name = strings.NewReplacer(",", "%2C", "(", "%28", ")", "%29").Replace(name) // URN-reserved
	return fmt.Sprintf("urn:li:dataset:(urn:li:dataPlatform:%s,%s,PROD)", dataHubPlatform(info.Kind), name)
}

// writeDataHub writes a JSON array of metadata change proposals: the
// glossary node "piimap" and one term per PII type in the map (their
// definitions from catalogTerms), then per dataset its fields' glossary
// terms and a "pii" tag (editableSchemaMetadata), and for text assets the
// terms on the dataset itself (glossaryTerms). DataHub's file source
// ingests it.
func writeDataHub(w io.Writer, m *Map, stores map[string]StoreInfo) error {
	stamp := dhAuditStamp{Time: m.GeneratedAt.UnixMilli(), Actor: dhActor}
	out := []dhMCP{{EntityType: "glossaryNode", EntityURN: dhGlossaryNode, ChangeType: "UPSERT", AspectName: "glossaryNodeInfo",
		Aspect: dhAspect{JSON: map[string]any{"name": "piimap", "definition": "Personal data types found by piimap scans."}}}}
	terms := map[string]bool{}
	type dsFields struct {
		urn    string
		fields []dhFieldInfo
		terms  []dhTermAssoc
	}
	byURN := map[string]*dsFields{}
	var order []string
	for _, l := range m.Locations {
		info := stores[l.Store]
		if info.Kind == "" {
			info.Kind = l.Kind
		}
		urn := DataHubDatasetURN(l.Store, l.Asset, info)
		d := byURN[urn]
		if d == nil {
			d = &dsFields{urn: urn}
			byURN[urn] = d
			order = append(order, urn)
		}
		var assoc []dhTermAssoc
		for _, t := range locationTypes(l) {
			ct := catalogTerm(t)
			if !terms[ct.Glossary] {
				terms[ct.Glossary] = true
				out = append(out, dhMCP{EntityType: "glossaryTerm", EntityURN: "urn:li:glossaryTerm:piimap." + ct.Glossary, ChangeType: "UPSERT",
					AspectName: "glossaryTermInfo", Aspect: dhAspect{JSON: map[string]any{
						"name": ct.Glossary, "definition": "piimap PII type " + ct.Type + ": " + ct.Title + ".",
						"termSource": "INTERNAL", "parentNode": dhGlossaryNode}}})
			}
			assoc = append(assoc, dhTermAssoc{URN: "urn:li:glossaryTerm:piimap." + ct.Glossary})
		}
		if l.Field == "" {
			d.terms = append(d.terms, assoc...)
			continue
		}
		fi := dhFieldInfo{FieldPath: l.Field, Description: piiSummary(l), GlobalTags: &dhGlobalTags{Tags: []dhTagAssoc{{Tag: dhTagPII}}}}
		if len(assoc) > 0 {
			fi.GlossaryTerms = &dhGlossaryTerms{Terms: assoc, AuditStamp: stamp}
		}
		d.fields = append(d.fields, fi)
	}
	for _, urn := range order {
		d := byURN[urn]
		if len(d.fields) > 0 {
			out = append(out, dhMCP{EntityType: "dataset", EntityURN: urn, ChangeType: "UPSERT", AspectName: "editableSchemaMetadata",
				Aspect: dhAspect{JSON: dhEditableSchema{Created: stamp, LastModified: stamp, Fields: d.fields}}})
		}
		if len(d.terms) > 0 {
			out = append(out, dhMCP{EntityType: "dataset", EntityURN: urn, ChangeType: "UPSERT", AspectName: "glossaryTerms",
				Aspect: dhAspect{JSON: dhGlossaryTerms{Terms: d.terms, AuditStamp: stamp}}})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// OpenMetadata TagLabel and the column/table shapes its API takes.
type omTagLabel struct {
	TagFQN      string `json:"tagFQN"`
	Source      string `json:"source"`
	LabelType   string `json:"labelType"`
	State       string `json:"state"`
	Description string `json:"description,omitempty"`
}

type omColumn struct {
	Name string       `json:"name"`
	Tags []omTagLabel `json:"tags"`
}

type omEntity struct {
	EntityType         string       `json:"entityType"` // table | container
	FullyQualifiedName string       `json:"fullyQualifiedName"`
	Store              string       `json:"store"`
	Asset              string       `json:"asset"`
	Tags               []omTagLabel `json:"tags,omitempty"`
	Columns            []omColumn   `json:"columns"`
}

type omFile struct {
	Generator string     `json:"generator"`
	ScanRun   string     `json:"scanRun"`
	Entities  []omEntity `json:"entities"`
}

// omQuote quotes an FQN part holding a dot, as OpenMetadata does.
func omQuote(s string) string {
	if strings.ContainsAny(s, `."`) {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// OpenMetadataFQN names an asset as OpenMetadata does: the store is the
// service, a relational asset's OpenLineage name supplies database, schema
// and table, and a file or object asset is one container named by its
// path (quoted).
func OpenMetadataFQN(store, asset string, relational bool, info StoreInfo) string {
	if !relational {
		return omQuote(store) + "." + omQuote(asset)
	}
	_, name := OpenLineageName(store, asset, info)
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = omQuote(p)
	}
	return omQuote(store) + "." + strings.Join(parts, ".")
}

// writeOpenMetadata writes the classification tags per column in
// OpenMetadata's shapes (TagLabel: PII.Sensitive or PII.NonSensitive,
// source Classification, labelType Automated, state Suggested, the
// finding in its description): entities "table" for relational assets
// and "container" for files and objects, text assets tagged as a whole.
func writeOpenMetadata(w io.Writer, m *Map, stores map[string]StoreInfo) error {
	out := omFile{Generator: "piimap", ScanRun: m.ScanRun, Entities: []omEntity{}}
	idx := map[string]int{}
	for _, l := range m.Locations {
		rel := l.Format == ""
		fqn := OpenMetadataFQN(l.Store, l.Asset, rel, stores[l.Store])
		i, ok := idx[fqn]
		if !ok {
			typ := "table"
			if !rel {
				typ = "container"
			}
			out.Entities = append(out.Entities, omEntity{EntityType: typ, FullyQualifiedName: fqn, Store: l.Store, Asset: l.Asset, Columns: []omColumn{}})
			i = len(out.Entities) - 1
			idx[fqn] = i
		}
		var tags []omTagLabel
		for _, p := range l.PII {
			ct := catalogTerm(p.Type)
			fq := "PII.NonSensitive"
			if ct.Sensitive {
				fq = "PII.Sensitive"
			}
			tags = append(tags, omTagLabel{TagFQN: fq, Source: "Classification", LabelType: "Automated", State: "Suggested",
				Description: fmt.Sprintf("piimap: %s (confidence %.2f)", p.Type, p.Confidence)})
		}
		if len(tags) == 0 {
			tags = []omTagLabel{{TagFQN: "PII.NonSensitive", Source: "Classification", LabelType: "Automated", State: "Suggested",
				Description: "piimap: " + role(l)}}
		}
		if l.Field == "" {
			out.Entities[i].Tags = append(out.Entities[i].Tags, tags...)
			continue
		}
		out.Entities[i].Columns = append(out.Entities[i].Columns, omColumn{Name: l.Field, Tags: tags})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
