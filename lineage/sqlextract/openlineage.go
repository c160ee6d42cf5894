package sqlextract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// olEvent is the part of an OpenLineage RunEvent we read.
type olEvent struct {
	EventType string      `json:"eventType"`
	Inputs    []olDataset `json:"inputs"`
	Outputs   []olDataset `json:"outputs"`
}

type olDataset struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Facets    struct {
		ColumnLineage *struct {
			Fields map[string]olField `json:"fields"`
		} `json:"columnLineage"`
	} `json:"facets"`
}

type olField struct {
	InputFields []struct {
		Namespace       string `json:"namespace"`
		Name            string `json:"name"`
		Field           string `json:"field"`
		Transformations []struct {
			Type    string `json:"type"`    // DIRECT | INDIRECT
			Subtype string `json:"subtype"` // IDENTITY, TRANSFORMATION, AGGREGATION, JOIN, FILTER, ...
			Masking bool   `json:"masking"`
		} `json:"transformations"`
	} `json:"inputFields"`
	// Facet 1.0 (before per-input transformations).
	TransformationType string `json:"transformationType"` // IDENTITY | MASKED | ...
}

// ParseOpenLineage reads OpenLineage run events — one JSON object, a JSON
// array of them, or JSON lines — and returns the column lineage of their
// outputs' columnLineage facets plus table edges from every input to every
// output. Per input field, the transformations decide the transform:
// DIRECT with masking → masked, DIRECT IDENTITY → identity, any other
// DIRECT → transformation; INDIRECT-only inputs (joins, filters, sorts) do
// not copy values and are skipped. Facet 1.0's field-level
// transformationType (IDENTITY, MASKED) is honoured when no per-input
// transformations are given. Tables are OpenLineage dataset names with the
// namespace in Column.Namespace.
func ParseOpenLineage(r io.Reader) (*Result, error) {
	br := bufio.NewReader(io.LimitReader(r, maxManifest))
	first, err := peekNonSpace(br)
	if err != nil {
		return nil, fmt.Errorf("sqlextract: openlineage: %w: empty input", piimap.ErrCorrupt)
	}
	var events []olEvent
	dec := json.NewDecoder(br)
	if first == '[' {
		if err := dec.Decode(&events); err != nil {
			return nil, fmt.Errorf("sqlextract: openlineage: %w: %v", piimap.ErrCorrupt, err)
		}
	} else {
		for {
			var e olEvent
			err := dec.Decode(&e)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("sqlextract: openlineage: event %d: %w: %v", len(events)+1, piimap.ErrCorrupt, err)
			}
			events = append(events, e)
		}
	}
	res := &Result{Columns: []ColumnEdge{}, Tables: []TableEdge{}, Reads: []string{}}
	for _, e := range events {
		res.Statements++
		for _, in := range e.Inputs {
			res.Reads = append(res.Reads, in.Namespace+"/"+in.Name)
		}
		for _, out := range e.Outputs {
			for _, in := range e.Inputs {
				res.Tables = append(res.Tables, TableEdge{Target: Column{Namespace: out.Namespace, Table: out.Name},
					Source: Column{Namespace: in.Namespace, Table: in.Name}})
			}
			if out.Facets.ColumnLineage == nil {
				continue
			}
			for name, f := range out.Facets.ColumnLineage.Fields {
				for _, in := range f.InputFields {
					t := ""
					for _, tr := range in.Transformations {
						if !strings.EqualFold(tr.Type, "DIRECT") {
							continue
						}
						switch {
						case tr.Masking:
							t = stronger(t, lineage.TransformMasked)
						case strings.EqualFold(tr.Subtype, "IDENTITY"):
							t = stronger(t, lineage.TransformIdentity)
						default:
							t = stronger(t, lineage.TransformTransformation)
						}
					}
					if len(in.Transformations) == 0 {
						switch strings.ToUpper(f.TransformationType) {
						case "IDENTITY", "":
							t = lineage.TransformIdentity
						case "MASKED", "MASKING":
							t = lineage.TransformMasked
						default:
							t = lineage.TransformTransformation
						}
					}
					if t == "" {
						continue // INDIRECT only
					}
					res.Columns = append(res.Columns, ColumnEdge{
						Target:    Column{Namespace: out.Namespace, Table: out.Name, Column: name},
						Source:    Column{Namespace: in.Namespace, Table: in.Name, Column: in.Field},
						Transform: t})
				}
			}
		}
	}
	res.normalize()
	return res, nil
}

func peekNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if !bytes.ContainsRune([]byte(" \t\r\n"), rune(b)) {
			return b, br.UnreadByte()
		}
	}
}
