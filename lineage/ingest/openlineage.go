package ingest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/piimap/piimap"
)

// Event is the stored projection of an OpenLineage RunEvent, JobEvent or
// DatasetEvent: its job and the datasets with their column-lineage facets.
// Everything else (the SQL facet, error messages, schemas, run facets) is
// dropped on the way in: it is not lineage, and may hold values.
type Event struct {
	Job     *Job      `json:"job,omitempty"` // nil for a DatasetEvent
	Inputs  []Dataset `json:"inputs,omitempty"`
	Outputs []Dataset `json:"outputs,omitempty"`
}

// Job names an OpenLineage job.
type Job struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Dataset is an OpenLineage dataset with its columnLineage facet.
type Dataset struct {
	Namespace string         `json:"namespace"`
	Name      string         `json:"name"`
	Facets    *DatasetFacets `json:"facets,omitempty"`
}

// DatasetFacets keeps the one facet lineage is read from.
type DatasetFacets struct {
	ColumnLineage *ColumnLineage `json:"columnLineage,omitempty"`
}

// ColumnLineage is the columnLineage dataset facet (1.0 to 1.2).
type ColumnLineage struct {
	Fields map[string]ColumnField `json:"fields"`
}

// ColumnField is one output column's inputs.
type ColumnField struct {
	InputFields []InputField `json:"inputFields"`
	// TransformationType is facet 1.0's field-level IDENTITY | MASKED.
	TransformationType string `json:"transformationType,omitempty"`
}

// InputField is one input column with how it reaches the output.
type InputField struct {
	Namespace       string           `json:"namespace"`
	Name            string           `json:"name"`
	Field           string           `json:"field"`
	Transformations []Transformation `json:"transformations,omitempty"`
}

// Transformation is facet 1.2's per-input transformation (its free-text
// description is dropped).
type Transformation struct {
	Type    string `json:"type"`
	Subtype string `json:"subtype,omitempty"`
	Masking bool   `json:"masking,omitempty"`
}

// rawEvent is what is read from an incoming event: the projection plus
// the fields validation needs.
type rawEvent struct {
	EventType string    `json:"eventType"`
	EventTime string    `json:"eventTime"`
	Job       *Job      `json:"job"`
	Inputs    []Dataset `json:"inputs"`
	Outputs   []Dataset `json:"outputs"`
	Dataset   *Dataset  `json:"dataset"` // DatasetEvent
}

var eventTypes = []string{"START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"}

// project validates one event and returns its stored form, or ok false for
// an event that carries no lineage (a failed or aborted run, no datasets).
func (e rawEvent) project() (ev Event, ok bool, err error) {
	if e.EventTime == "" {
		return ev, false, errors.New("eventTime is required")
	}
	if _, err := time.Parse(time.RFC3339Nano, e.EventTime); err != nil {
		return ev, false, fmt.Errorf("eventTime %q is not RFC 3339", clip(e.EventTime))
	}
	if e.EventType != "" && !slices.Contains(eventTypes, strings.ToUpper(e.EventType)) {
		return ev, false, fmt.Errorf("eventType %q is not one of %s", clip(e.EventType), strings.Join(eventTypes, ", "))
	}
	if e.Dataset != nil { // DatasetEvent: static lineage of one dataset
		if err := checkDataset(*e.Dataset); err != nil {
			return ev, false, fmt.Errorf("dataset: %w", err)
		}
		ev.Outputs = []Dataset{*e.Dataset}
	} else {
		if e.Job == nil || e.Job.Namespace == "" || e.Job.Name == "" {
			return ev, false, errors.New("job.namespace and job.name are required")
		}
		ev.Job = e.Job
		for i, d := range e.Inputs {
			if err := checkDataset(d); err != nil {
				return ev, false, fmt.Errorf("inputs[%d]: %w", i, err)
			}
			d.Facets = nil // input facets carry no lineage
			ev.Inputs = append(ev.Inputs, d)
		}
		for i, d := range e.Outputs {
			if err := checkDataset(d); err != nil {
				return ev, false, fmt.Errorf("outputs[%d]: %w", i, err)
			}
			ev.Outputs = append(ev.Outputs, d)
		}
	}
	switch strings.ToUpper(e.EventType) {
	case "FAIL", "ABORT":
		return ev, false, nil // a failed run wrote nothing we can trust
	}
	if len(ev.Outputs) == 0 {
		return ev, false, nil
	}
	hasLineage := len(ev.Inputs) > 0
	for _, o := range ev.Outputs {
		hasLineage = hasLineage || (o.Facets != nil && o.Facets.ColumnLineage != nil && len(o.Facets.ColumnLineage.Fields) > 0)
	}
	return ev, hasLineage, nil
}

func checkDataset(d Dataset) error {
	if d.Namespace == "" || d.Name == "" {
		return errors.New("namespace and name are required")
	}
	if d.Facets != nil && d.Facets.ColumnLineage != nil {
		for f, cf := range d.Facets.ColumnLineage.Fields {
			for i, in := range cf.InputFields {
				if in.Namespace == "" || in.Name == "" || in.Field == "" {
					return fmt.Errorf("columnLineage field %q: inputFields[%d]: namespace, name and field are required", clip(f), i)
				}
			}
		}
	}
	return nil
}

// clip shortens what an error quotes from the input.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// DecodeEvents reads OpenLineage events — one JSON object, a JSON array of
// them, or JSON lines — validates each, and returns the stored forms of
// those that carry lineage, deduplicated. Stats counts the events read,
// the distinct ones kept, and the valid ones that carry no lineage (failed
// runs, events without outputs). Any invalid event is an error wrapping
// piimap.ErrCorrupt that names it by position.
func DecodeEvents(r io.Reader) (events []Event, st Stats, err error) {
	br := bufio.NewReader(io.LimitReader(r, maxInput))
	first, err := peekNonSpace(br)
	if err != nil {
		return nil, st, fmt.Errorf("openlineage: %w: no events", piimap.ErrCorrupt)
	}
	var raws []json.RawMessage
	dec := json.NewDecoder(br)
	if first == '[' {
		if err := dec.Decode(&raws); err != nil {
			return nil, st, fmt.Errorf("openlineage: %w: %s", piimap.ErrCorrupt, scrubJSONError(err))
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return nil, st, fmt.Errorf("openlineage: %w: data after the array", piimap.ErrCorrupt)
		}
	} else {
		for {
			var m json.RawMessage
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, st, fmt.Errorf("openlineage: event %d: %w: %s", len(raws)+1, piimap.ErrCorrupt, scrubJSONError(err))
			}
			raws = append(raws, m)
		}
	}
	if len(raws) == 0 {
		return nil, st, fmt.Errorf("openlineage: %w: no events", piimap.ErrCorrupt)
	}
	seen := map[[32]byte]bool{}
	for i, m := range raws {
		var e rawEvent
		if err := json.Unmarshal(m, &e); err != nil {
			return nil, st, fmt.Errorf("openlineage: event %d: %w: not an event object: %s", i+1, piimap.ErrCorrupt, scrubJSONError(err))
		}
		ev, ok, err := e.project()
		if err != nil {
			return nil, st, fmt.Errorf("openlineage: event %d: %w: %v", i+1, piimap.ErrCorrupt, err)
		}
		if !ok {
			st.Dropped++
			continue
		}
		b, _ := json.Marshal(ev)
		if h := sha256.Sum256(b); seen[h] {
			st.Repeated++
		} else {
			seen[h] = true
			events = append(events, ev)
		}
	}
	st.Read, st.Kept = len(raws), len(events)
	return events, st, nil
}

// ReadOpenLineage reads a file of OpenLineage events (a JSON array or JSON
// lines) into one source named name.
func ReadOpenLineage(r io.Reader, name string) (*Source, error) {
	events, st, err := DecodeEvents(r)
	if err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", name, err)
	}
	return &Source{Kind: KindOpenLineage, Name: name, Events: events, Stats: st}, nil
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
