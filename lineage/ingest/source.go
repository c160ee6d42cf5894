package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// DocKind is the lineage.DocStore kind sources are kept under.
const DocKind = "lineage_source"

// PartKind holds, in order, the pieces of the payload of a source too big
// for one document (IDs "<source id>.0000", "<source id>.0001", …).
const PartKind = "lineage_source_part"

// maxDoc bounds one stored document: the graph's value-log files are
// 8 MB, and a dbt project of thousands of models has more lineage.
var maxDoc = 4 << 20

// Source kinds.
const (
	KindDBT         = "dbt"                // a dbt manifest.json
	KindOpenLineage = "openlineage"        // OpenLineage events, from a file or `lineage serve`
	KindSQLLog      = "sql_log"            // a PostgreSQL server log
	KindPGStat      = "pg_stat_statements" // pg_stat_statements of a configured postgres store
)

// Kinds lists the source kinds.
var Kinds = []string{KindDBT, KindOpenLineage, KindSQLLog, KindPGStat}

// Source is one ingested input as it is stored: what it was, where it came
// from, and the payload edges are rebuilt from — never raw values. A dbt
// manifest keeps only its extracted column lineage (no SQL); OpenLineage
// events only their job, datasets and column-lineage facets (no SQL facet,
// no error messages); a query log or pg_stat_statements only the statements
// that create lineage, with every literal masked to ?.
type Source struct {
	ID   string `json:"id"`   // content hash of Kind and the payload
	Kind string `json:"kind"` // KindDBT, ...
	// Name is the file path, the HTTP endpoint or "store NAME"; never a
	// URL with credentials.
	Name string `json:"name"`
	// Store pins every relation without a matching namespace to one
	// configured store (`--store`).
	Store      string    `json:"store,omitempty"`
	IngestedAt time.Time `json:"ingested_at"`
	// SupersededBy is set on a dbt manifest when a newer one of the same
	// name was ingested; superseded sources yield no edges.
	SupersededBy string `json:"superseded_by,omitempty"`
	Stats        Stats  `json:"stats"`
	// Parts is set on a stored source whose payload did not fit one
	// document: the payload is then in Parts documents of PartKind.
	Parts int `json:"parts,omitempty"`

	DBT        *DBT        `json:"dbt,omitempty"`
	Events     []Event     `json:"events,omitempty"`
	Statements []Statement `json:"statements,omitempty"`
}

// Stats counts what reading an input found.
type Stats struct {
	Read     int `json:"read"`     // models, events, log statements read
	Kept     int `json:"kept"`     // distinct ones that carry lineage (stored)
	Repeated int `json:"repeated"` // repeats of a kept one (a nightly job's statement)
	Dropped  int `json:"dropped"`  // read, but no lineage: plain SELECTs, DDL, INSERT … VALUES, failed runs
	Failed   int `json:"failed"`   // did not parse
}

// Statement is one lineage-creating statement of a query log or of
// pg_stat_statements, literals masked.
type Statement struct {
	N        int    `json:"n"`                  // its ordinal among the input's statements (1-based)
	SQL      string `json:"sql"`                // sqlextract.MaskLiterals of the statement
	Database string `json:"database,omitempty"` // the database it ran in, when the log says
}

// payload is what edges are rebuilt from.
type payload struct {
	DBT        *DBT        `json:"dbt,omitempty"`
	Events     []Event     `json:"events,omitempty"`
	Statements []Statement `json:"statements,omitempty"`
}

func (s *Source) payload() payload { return payload{s.DBT, s.Events, s.Statements} }

// payloadHash is the source ID: the same content gives the same ID, so
// ingesting it again overwrites the same document.
func payloadHash(s *Source) (string, error) {
	b, err := json.Marshal(struct {
		Kind string `json:"kind"`
		payload
	}{s.Kind, s.payload()})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

func partID(id string, i int) string { return fmt.Sprintf("%s.%04d", id, i) }

// Put stores src under DocKind with a content-hash ID (set on src), its
// IngestedAt defaulting to now. Storing the same content again overwrites
// the same document. A dbt manifest supersedes the earlier manifests of
// the same name (they are kept, marked, and yield no edges).
func Put(ctx context.Context, docs lineage.DocStore, src *Source) error {
	if !slices.Contains(Kinds, src.Kind) {
		return fmt.Errorf("ingest: source %q: unknown kind %q: %w", src.Name, src.Kind, piimap.ErrConfig)
	}
	id, err := payloadHash(src)
	if err != nil {
		return fmt.Errorf("ingest: source %s: %w", src.Name, err)
	}
	src.ID = id
	src.SupersededBy = ""
	src.Parts = 0
	if src.IngestedAt.IsZero() {
		src.IngestedAt = time.Now().UTC()
	}
	if err := putSource(ctx, docs, src); err != nil {
		return err
	}
	if src.Kind != KindDBT {
		return nil
	}
	var older []Source
	err = docs.ListDocs(ctx, DocKind, func(_ string, data []byte) error {
		var s Source
		if json.Unmarshal(data, &s) == nil && s.Kind == KindDBT && s.Name == src.Name && s.ID != src.ID && s.SupersededBy == "" {
			older = append(older, s)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ingest: source %s: list: %w", src.Name, err)
	}
	for _, s := range older {
		s.SupersededBy = src.ID
		if err := putSource(ctx, docs, &s); err != nil {
			return err
		}
	}
	return nil
}

// putSource stores s, its payload split into parts when the document
// would be too big. A source already stored in parts (a header being
// marked superseded) is written back as it is.
func putSource(ctx context.Context, docs lineage.DocStore, s *Source) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("ingest: source %s: %w", s.Name, err)
	}
	if len(b) > maxDoc {
		p, err := json.Marshal(s.payload())
		if err != nil {
			return fmt.Errorf("ingest: source %s: %w", s.Name, err)
		}
		header := *s
		header.DBT, header.Events, header.Statements = nil, nil, nil
		header.Parts = 0
		for off := 0; off < len(p); off += maxDoc {
			part := p[off:min(off+maxDoc, len(p))]
			if err := docs.PutDoc(ctx, PartKind, partID(s.ID, header.Parts), part); err != nil {
				return fmt.Errorf("ingest: store source %s part %d: %w", s.Name, header.Parts, err)
			}
			header.Parts++
		}
		if b, err = json.Marshal(header); err != nil {
			return fmt.Errorf("ingest: source %s: %w", s.Name, err)
		}
	}
	if err := docs.PutDoc(ctx, DocKind, s.ID, b); err != nil {
		return fmt.Errorf("ingest: store source %s: %w", s.Name, err)
	}
	return nil
}

// loadParts reads the payload of a source stored in parts.
func loadParts(ctx context.Context, docs lineage.DocStore, s *Source) error {
	if s.Parts == 0 {
		return nil
	}
	var buf []byte
	for i := range s.Parts {
		b, err := docs.GetDoc(ctx, PartKind, partID(s.ID, i))
		if err != nil {
			return fmt.Errorf("ingest: source %s part %d: %w", s.ID, i, err)
		}
		buf = append(buf, b...)
	}
	var p payload
	if err := json.Unmarshal(buf, &p); err != nil {
		return fmt.Errorf("ingest: source %s: parts: %w", s.ID, piimap.ErrCorrupt)
	}
	s.DBT, s.Events, s.Statements = p.DBT, p.Events, p.Statements
	return nil
}

// List returns every stored source in ID order. A document that does not
// decode is reported in the error (wrapping piimap.ErrCorrupt) after the
// others are returned.
func List(ctx context.Context, docs lineage.DocStore) ([]Source, error) {
	var out []Source
	var bad []string
	err := docs.ListDocs(ctx, DocKind, func(id string, data []byte) error {
		var s Source
		if err := json.Unmarshal(data, &s); err != nil || s.ID != id {
			bad = append(bad, id)
			return nil
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("ingest: list sources: %w", err)
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("ingest: sources %s: %w", strings.Join(bad, ", "), piimap.ErrCorrupt)
	}
	return out, nil
}
