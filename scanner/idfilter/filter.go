package idfilter

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/FastFilter/xorfilter"

	"github.com/piimap/piimap"
)

// MaxPartKeys bounds the keys of one part (about 2.4 MB encoded); bigger
// filters are split by key into parts stored as separate documents, so a
// lookup loads only the parts its keys fall in.
const MaxPartKeys = 1 << 21

// maxPartKeys is MaxPartKeys; tests lower it to exercise split filters.
var maxPartKeys = MaxPartKeys

// Version is the version of a unit a filter was built from, as the source
// reported it at enumeration: its size, and its modification time and ETag
// when the source reports them (S3 does; see UnitVersion). A filter applies
// to a location only while the location's version is equal.
type Version struct {
	Size     int64  `json:"size"`
	Modified string `json:"modified,omitempty"`
	ETag     string `json:"etag,omitempty"`
}

// Meta keys of unit meta and asset node attributes a Version is read from.
const (
	MetaModified     = "modified"
	MetaLastModified = "last_modified" // scanner/s3
	MetaETag         = "etag"          // scanner/s3
)

// UnitVersion reads a Version from a unit's size and meta, or equally from
// an asset node's size and attributes (the scanner copies unit meta into
// them).
func UnitVersion(size int64, meta map[string]string) Version {
	v := Version{Size: size, Modified: meta[MetaModified], ETag: meta[MetaETag]}
	if v.Modified == "" {
		v.Modified = meta[MetaLastModified]
	}
	return v
}

// AttrsVersion is UnitVersion of a node's attributes, whose size is the
// decimal lineage.AttrSize ("size"; absent means 0).
func AttrsVersion(attrs map[string]string) Version {
	size, _ := strconv.ParseInt(attrs["size"], 10, 64)
	return UnitVersion(size, attrs)
}

func (v Version) String() string {
	s := fmt.Sprintf("size %d", v.Size)
	if v.Modified != "" {
		s += ", modified " + v.Modified
	}
	if v.ETag != "" {
		s += ", etag " + v.ETag
	}
	return s
}

// Meta describes one stored filter. It holds no value, only counts and
// provenance.
type Meta struct {
	Loc     piimap.Location `json:"loc"`     // store and asset (field empty)
	Format  string          `json:"format"`  // the unit's format
	Version Version         `json:"version"` // the unit version it was built from
	Keys    int             `json:"keys"`    // distinct keys
	BuiltAt time.Time       `json:"built_at"`
	RunID   string          `json:"run"`    // the full scan that built it
	KeyID   string          `json:"key_id"` // Hasher.KeyID of the installation key
	Build   string          `json:"build"`  // random ID tying the parts to this head
	Parts   int             `json:"parts"`  // number of parts (0 for no keys)
	Bits    int             `json:"bits"`   // fingerprint width: 8 or 16
}

// FingerprintBits is the fingerprint width of the filters Build makes when
// Meta.Bits is 0: 8 bits give about 9 bits per key and 0.4% false
// positives, 16 bits about 18 bits per key and 0.0015%. Readers accept
// both. See docs/BENCHMARKS.md for what the false positives cost a lookup.
var FingerprintBits = 8

// part is one built binary fuse filter, of either width; nil holds no key.
type part interface {
	Contains(key uint64) bool
}

// Filter is a built filter: its meta and its parts. A part with no keys is
// nil and holds nothing.
type Filter struct {
	Meta   Meta
	parts  []part
	counts []int // keys per part
}

// Build makes the filter of a unit's distinct keys (Set.Keys, which are
// sorted; others are sorted here). It may reorder keys.
// m.Keys, m.Parts and m.Build are set here.
func Build(m Meta, keys []uint64) (*Filter, error) {
	m.Keys = len(keys)
	m.Parts = partsFor(len(keys))
	if m.Bits == 0 {
		m.Bits = FingerprintBits
	}
	if m.Bits != 8 && m.Bits != 16 {
		return nil, fmt.Errorf("idfilter: %d-bit fingerprints: want 8 or 16: %w", m.Bits, piimap.ErrConfig)
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("idfilter: build id: %w", err)
	}
	m.Build = hex.EncodeToString(id[:])
	f := &Filter{Meta: m, parts: make([]part, m.Parts), counts: make([]int, m.Parts)}
	if m.Parts == 0 {
		return f, nil
	}
	if !slices.IsSorted(keys) {
		slices.Sort(keys)
	}
	// Keys are sorted and partOf is monotonic: each part is a run of keys.
	byPart := make([][]uint64, m.Parts)
	for lo := 0; lo < len(keys); {
		p := partOf(keys[lo], m.Parts)
		hi := lo + sort.Search(len(keys)-lo, func(i int) bool { return partOf(keys[lo+i], m.Parts) > p })
		byPart[p] = keys[lo:hi]
		lo = hi
	}
	for i, ks := range byPart {
		f.counts[i] = len(ks)
		if len(ks) == 0 {
			continue
		}
		var p part
		var err error
		if m.Bits == 16 {
			p, err = buildFuse[uint16](ks)
		} else {
			p, err = buildFuse[uint8](ks)
		}
		if err != nil {
			return nil, fmt.Errorf("idfilter: %s part %d (%d keys): %w", m.Loc, i, len(ks), err)
		}
		f.parts[i] = p
	}
	return f, nil
}

// builders keep the construction buffers of binary fuse filters between
// builds (a scan builds one per object).
var builders = sync.Pool{New: func() any { return new(xorfilter.BinaryFuseBuilder) }}

func buildFuse[T uint8 | uint16](keys []uint64) (*xorfilter.BinaryFuse[T], error) {
	b := builders.Get().(*xorfilter.BinaryFuseBuilder)
	defer builders.Put(b)
	bf, err := xorfilter.BuildBinaryFuse[T](b, keys)
	if err != nil {
		return nil, err
	}
	bf.Fingerprints = slices.Clone(bf.Fingerprints) // they belong to the builder
	return &bf, nil
}

func partsFor(keys int) int { return (keys + maxPartKeys - 1) / maxPartKeys }

// partOf maps a key to one of n parts by its high bits (keys are uniform).
func partOf(key uint64, n int) int {
	return int((key >> 32) * uint64(n) >> 32)
}

// MayContain reports whether key may be in the unit: false means it is
// certainly not, true is wrong for about 0.4% of absent keys.
func (f *Filter) MayContain(key uint64) bool {
	if len(f.parts) == 0 {
		return false
	}
	return mayContain(f.parts[partOf(key, len(f.parts))], key)
}

func mayContain(p part, key uint64) bool {
	return p != nil && p.Contains(key)
}

// FormatCovered reports whether a unit of this unit kind and format can
// get a filter: objects in the formats whose extraction reads them as the
// executor's object handlers match them, byte for byte (text lines, and
// CSV/TSV/JSON/JSONL cells). Parquet is matched by SQL and tables by their
// stores, so they get none. A store kind whose handler matches objects
// this way says so with scanner.IdentifierFilterer (and its executor
// handler likewise), using FormatCovered for the unit.
func FormatCovered(unitKind, format string) bool {
	if unitKind != piimap.UnitObject {
		return false
	}
	switch format {
	case piimap.FormatText, piimap.FormatCSV, piimap.FormatTSV, piimap.FormatJSON, piimap.FormatJSONL:
		return true
	}
	return false
}

// ObjectFormats is embedded by the scanner sources and executor handlers
// of object kinds whose matching follows filter extraction byte for byte
// (files, s3): it implements scanner.IdentifierFilterer and
// driver.IdentifierFiltered with FormatCovered.
type ObjectFormats struct{}

// IdentifierFiltered is FormatCovered.
func (ObjectFormats) IdentifierFiltered(unitKind, format string) bool {
	return FormatCovered(unitKind, format)
}
