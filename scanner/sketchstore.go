package scanner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/fingerprint"
)

// DocFingerprint is the DocStore kind under which the last full-scan sketch
// of each field is kept, keyed by the field's location (namespace dropped).
// A sketch holds keyed hashes only, never a value.
const DocFingerprint = "fingerprint"

// keptSketch is one field's sketch from the last scan that read its unit
// in full.
type keptSketch struct {
	loc     piimap.Location
	sketch  fingerprint.Sketch
	hints   fingerprint.Hints
	members *fingerprint.Members // nil when none were kept
	encoded map[string][]byte
	sample  uint64    // the sample's digest when its full read was made
	readAt  time.Time // when the field was read in full
	stamp   string    // the unit's change stamp then
	// probed marks a field probed in its store (copypush.go), not read in
	// full: sketch is its sample, and a later run probes it again.
	probed bool
}

// keptDoc is the stored form of a keptSketch.
type keptDoc struct {
	Loc        piimap.Location `json:"loc"`
	Run        string          `json:"run"`
	ObservedAt time.Time       `json:"observed_at"`
	Stage      int             `json:"stage,omitempty"`
	Rows       int64           `json:"rows,omitempty"`
	Key        bool            `json:"key,omitempty"`
	PIIFields  int             `json:"pii_fields,omitempty"`
	Modified   time.Time       `json:"modified,omitzero"`
	Sketch     []byte          `json:"sketch"`
	// Members are the field's membership filters by form (copyprobe.go),
	// idfilter documents of keyed hashes.
	Members map[string][]byte `json:"members,omitempty"`
	// Sample is the digest of the field's sample in the scan that read it
	// in full for probing; ReadAt when that read was (copyprobe.go).
	Sample uint64    `json:"sample,omitempty"`
	ReadAt time.Time `json:"read_at,omitzero"`
	Stamp  string    `json:"stamp,omitempty"`
	// ProbedInStore marks a field probed in its store instead of read in
	// full: Sketch is its sample and there are no Members.
	ProbedInStore bool `json:"probed_in_store,omitempty"`
}

// sketchStore keeps sketches in the graph's document store. Graphs without
// one keep nothing, and copies are then found within one run only.
type sketchStore struct {
	docs lineage.DocStore
	log  *slog.Logger
}

func newSketchStore(g lineage.Graph, log *slog.Logger) sketchStore {
	docs, _ := g.(lineage.DocStore)
	return sketchStore{docs: docs, log: log}
}

// save replaces the kept sketch of every field this run read in full or
// probed in its store, in one write when the graph can batch documents
// (lineage.DocBatcher): each kept sketch stands alone, and a sync per
// field was most of the time a sampled scan spent keeping them.
func (s sketchStore) save(ctx context.Context, runID string, sketches []fieldSketch) error {
	if s.docs == nil {
		return nil
	}
	now := time.Now().UTC()
	var docs []lineage.Doc
	for _, fs := range sketches {
		if !fs.whole && !fs.pushed || fs.kept {
			continue
		}
		if !fs.whole {
			fs.encoded, fs.sample, fs.stamp = nil, 0, "" // a ProbedSet answers this run's needles only
		}
		raw, err := fs.sketch.MarshalBinary()
		if err != nil {
			s.log.Warn("fingerprint not kept", "field", fs.loc.String(), "err", err)
			continue
		}
		loc := bare(fs.loc)
		readAt := fs.readAt
		if readAt.IsZero() {
			readAt = now
		}
		b, err := json.Marshal(keptDoc{Loc: loc, Run: runID, ObservedAt: now, Stage: fs.hints.Stage,
			Rows: fs.hints.Rows, Key: fs.hints.Key, PIIFields: fs.hints.PIIFields, Modified: fs.hints.Modified, Sketch: raw, Members: fs.encoded,
			Sample: fs.sample, ReadAt: readAt, Stamp: fs.stamp, ProbedInStore: !fs.whole})
		if err != nil {
			return fmt.Errorf("scanner: keep fingerprint %s: %w", loc, err)
		}
		docs = append(docs, lineage.Doc{ID: loc.String(), Data: b})
	}
	if err := lineage.PutDocs(ctx, s.docs, DocFingerprint, docs); err != nil {
		return graphErr(fmt.Errorf("scanner: keep %d fingerprints: %w", len(docs), err))
	}
	return nil
}

// load reads every kept sketch. A document that does not decode is logged
// and skipped: it only costs a comparison, never a wrong edge.
func (s sketchStore) load(ctx context.Context) (map[piimap.Location]keptSketch, error) {
	out := map[piimap.Location]keptSketch{}
	if s.docs == nil {
		return out, nil
	}
	err := s.docs.ListDocs(ctx, DocFingerprint, func(id string, data []byte) error {
		var d keptDoc
		if err := json.Unmarshal(data, &d); err != nil {
			s.log.Warn("kept fingerprint unreadable", "field", id, "err", err)
			return nil
		}
		var sk fingerprint.Sketch
		if err := sk.UnmarshalBinary(d.Sketch); err != nil {
			s.log.Warn("kept fingerprint unreadable", "field", id, "err", err)
			return nil
		}
		if d.ProbedInStore {
			out[bare(d.Loc)] = keptSketch{loc: d.Loc, sketch: sk, probed: true,
				hints: fingerprint.Hints{Stage: d.Stage, Rows: d.Rows, Key: d.Key, PIIFields: d.PIIFields, Modified: d.Modified}}
			return nil
		}
		members, err := decodeMembers(sk.Type, sk.KeyID, d.Members)
		if err != nil {
			s.log.Warn("kept membership filters unreadable; the field is compared by sketch", "field", id, "err", err)
		}
		out[bare(d.Loc)] = keptSketch{loc: d.Loc, sketch: sk, members: members, encoded: d.Members, sample: d.Sample, readAt: d.ReadAt, stamp: d.Stamp,
			hints: fingerprint.Hints{Stage: d.Stage, Rows: d.Rows, Key: d.Key, PIIFields: d.PIIFields, Modified: d.Modified}}
		return nil
	})
	if err != nil && !errors.Is(err, piimap.ErrNotFound) {
		return nil, graphErr(fmt.Errorf("scanner: kept fingerprints: %w", err))
	}
	return out, nil
}
