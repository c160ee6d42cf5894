package idfilter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// DocStore kinds. A filter's head is the document DocKind/ID(store, asset);
// a filter of more than one part keeps part i under PartKind/ID + "#" + i.
const (
	DocKind  = "idfilter"
	PartKind = "idfilter.part"
)

// ID is the document ID of a location's filter: "store/asset".
func ID(store, asset string) string {
	return piimap.Location{Store: store, Name: asset}.String()
}

func partID(id string, i int) string { return id + "#" + strconv.Itoa(i) }

// HeadID is the ID of the head document of the filter a PartKind document
// (ID + "#" + index) belongs to.
func HeadID(partDocID string) string {
	if i := strings.LastIndexByte(partDocID, '#'); i >= 0 {
		return partDocID[:i]
	}
	return partDocID
}

// Put stores f as the filter of its location, replacing the previous one.
// Parts are written before the head, and each part names its build, so a
// reader never combines a new head with old parts or the reverse: it sees
// a mismatch (corrupt for that head) instead. Parts of the previous build
// beyond the new count are blanked.
func Put(ctx context.Context, docs lineage.DocStore, f *Filter) error {
	id := ID(f.Meta.Loc.Store, f.Meta.Loc.Name)
	stale := 0
	if old, err := docs.GetDoc(ctx, DocKind, id); err == nil {
		if m, err := decodeAnyMeta(old); err == nil && m.Parts > f.Meta.Parts && m.Parts > 1 {
			stale = m.Parts
		}
	}
	head, parts := f.Encode()
	for i, p := range parts {
		if err := docs.PutDoc(ctx, PartKind, partID(id, i), p); err != nil {
			return fmt.Errorf("idfilter: store %s part %d: %w", id, i, err)
		}
	}
	if err := docs.PutDoc(ctx, DocKind, id, head); err != nil {
		return fmt.Errorf("idfilter: store %s: %w", id, err)
	}
	for i := len(parts); i < stale; i++ {
		if err := docs.PutDoc(ctx, PartKind, partID(id, i), []byte{}); err != nil {
			return fmt.Errorf("idfilter: blank stale part %s#%d: %w", id, i, err)
		}
	}
	return nil
}

// Stored is a filter read from a DocStore. Its parts are read when a key
// first falls in them. It is safe for concurrent use.
type Stored struct {
	Meta Meta
	docs lineage.DocStore
	id   string

	mu     sync.Mutex
	parts  []part
	loaded []bool
}

// Load reads the head of a location's filter. It returns an error wrapping
// piimap.ErrNotFound when the location has none or only one of an earlier
// format version (ErrOutdated), and piimap.ErrCorrupt when the head does
// not decode.
func Load(ctx context.Context, docs lineage.DocStore, store, asset string) (*Stored, error) {
	id := ID(store, asset)
	b, err := docs.GetDoc(ctx, DocKind, id)
	if err != nil {
		return nil, fmt.Errorf("idfilter: load %s: %w", id, err)
	}
	return newStored(docs, id, b)
}

// View is Load for a look: where the DocStore lends a document's bytes
// (lineage.DocViewer), the head is read in place and the Stored passed to
// fn is valid only during fn. A lookup probes a few bytes of each filter,
// so this saves copying them all. Load's errors are returned wrapped as
// Load wraps them; fn's as they are.
func View(ctx context.Context, docs lineage.DocStore, store, asset string, fn func(*Stored) error) error {
	dv, ok := docs.(lineage.DocViewer)
	if !ok {
		st, err := Load(ctx, docs, store, asset)
		if err != nil {
			return err
		}
		return fn(st)
	}
	id := ID(store, asset)
	var ferr error
	err := dv.ViewDoc(ctx, DocKind, id, func(b []byte) error {
		st, err := newStored(docs, id, b)
		if err != nil {
			return err
		}
		ferr = fn(st)
		return nil
	})
	if err != nil {
		if errors.Is(err, piimap.ErrNotFound) {
			return fmt.Errorf("idfilter: load %s: %w", id, err)
		}
		return err
	}
	return ferr
}

func newStored(docs lineage.DocStore, id string, b []byte) (*Stored, error) {
	m, in, err := decodeHead(b)
	if err != nil {
		return nil, fmt.Errorf("idfilter: load %s: %w", id, err)
	}
	s := &Stored{Meta: m, docs: docs, id: id, parts: make([]part, m.Parts), loaded: make([]bool, m.Parts)}
	if m.Parts <= 1 {
		copy(s.parts, in.parts)
		for i := range s.loaded {
			s.loaded[i] = true
		}
	}
	return s, nil
}

// MayContain reports whether key may be in the unit, reading the key's
// part first if needed. A part that is missing or does not decode is an
// error (wrapping piimap.ErrCorrupt); the caller must then treat the key as
// possibly present.
func (s *Stored) MayContain(ctx context.Context, key uint64) (bool, error) {
	if s.Meta.Parts == 0 {
		return false, nil
	}
	i := partOf(key, s.Meta.Parts)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded[i] {
		b, err := s.docs.GetDoc(ctx, PartKind, partID(s.id, i))
		if errors.Is(err, piimap.ErrNotFound) {
			return true, fmt.Errorf("idfilter: %s part %d missing: %w", s.id, i, piimap.ErrCorrupt)
		}
		if err != nil {
			return true, fmt.Errorf("idfilter: %s part %d: %w", s.id, i, err)
		}
		p, _, err := decodePart(b, s.Meta, i)
		if err != nil {
			return true, fmt.Errorf("idfilter: %s: %w", s.id, err)
		}
		s.parts[i], s.loaded[i] = p, true
	}
	return mayContain(s.parts[i], key), nil
}
