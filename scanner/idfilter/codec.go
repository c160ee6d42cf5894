package idfilter

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	mbits "math/bits"

	"github.com/FastFilter/xorfilter"

	"github.com/piimap/piimap"
)

// Binary layout. Every document starts with the magic "PIIF", the format
// version and a type byte, and ends with the CRC-32C (big-endian) of all the
// bytes before it:
//
//	head: "PIIF" 1 'H' uvarint(len) meta-JSON uvarint(inline) part-body×inline crc
//	part: "PIIF" 1 'P' build(16) uvarint(index) part-body crc
//	part-body: uvarint(keys) 0                                   (no keys)
//	         | uvarint(keys) 1 seed(u64) segLen segMask segCount segCountLen fpLen (u32 each) fingerprints
//
// Fingerprints are Meta.Bits wide (8 or 16; 16-bit ones little-endian).
//
// Integers are little-endian. A filter of at most one part is written
// inline in its head (one document); bigger ones have no inline part and
// one part document each. Decoding checks the magic, version, checksum and
// every fuse parameter against the bytes present, so a corrupt or
// truncated document is an error wrapping piimap.ErrCorrupt, never a panic
// or an out-of-range lookup.

// Format versions. A version names the document layout and the key
// extraction a filter was built with, since a filter is only as good as
// the match rules its extraction over-approximates:
//
//	1: phone digit groups joined by space + - ( ), 7 to 15 digits
//	2: also by . and /, 7 to MaxFormDigits digits (classifiers/identifier's
//	   phone runs and their IDD forms; cells' digits likewise)
//	3: also each such sequence without its first lone "0" group after
//	   the first group ("+44 (0)20 7946 0999", whose bracketed trunk 0
//	   the rules leave out)
//
// Documents of an earlier version have the same layout but are never
// trusted: decoding them fails with ErrOutdated, which wraps
// piimap.ErrNotFound (the location has no usable filter and is searched,
// as when it has none, until the next full scan rebuilds it). Put still
// reads their meta to blank their stale parts.
const (
	formatVersion    = 3
	minFormatVersion = 1 // the oldest version Put reads the meta of
)

// ErrOutdated reports a filter document of an earlier format version. It
// wraps piimap.ErrNotFound.
var ErrOutdated = fmt.Errorf("idfilter: filter built by an earlier format version (rebuilt by the next full scan): %w", piimap.ErrNotFound)

const (
	magic    = "PIIF"
	typeHead = 'H'
	typePart = 'P'
	buildLen = 16
	maxParts = 1024 // far above MaxKeys/MaxPartKeys; bounds what a head can make Load allocate
	// maxSegmentLength is the library's cap (xorfilter initializeParameters).
	maxSegmentLength = 262144
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func errCorrupt(format string, args ...any) error {
	return fmt.Errorf("idfilter: "+format+": %w", append(args, piimap.ErrCorrupt)...)
}

// Encode returns the filter's documents: the head, with the part inline
// when there is at most one, and otherwise one document per part.
func (f *Filter) Encode() (head []byte, parts [][]byte) {
	meta, _ := json.Marshal(f.Meta) // strings, numbers and a time: cannot fail
	b := header(typeHead, 16+len(meta))
	b = binary.AppendUvarint(b, uint64(len(meta)))
	b = append(b, meta...)
	if f.Meta.Parts > 1 {
		b = binary.AppendUvarint(b, 0)
		build, _ := hex.DecodeString(f.Meta.Build)
		for i := range f.parts {
			p := header(typePart, 64+partSize(f.parts[i]))
			p = append(p, build...)
			p = binary.AppendUvarint(p, uint64(i))
			parts = append(parts, seal(appendPart(p, f.parts[i], f.counts[i])))
		}
		return seal(b), parts
	}
	b = binary.AppendUvarint(b, uint64(f.Meta.Parts))
	for i := range f.parts {
		b = appendPart(b, f.parts[i], f.counts[i])
	}
	return seal(b), nil
}

// Decode decodes a filter from its head and, when it has more than one
// part, its part documents in order.
func Decode(head []byte, parts [][]byte) (*Filter, error) {
	m, inline, err := decodeHead(head)
	if err != nil {
		return nil, err
	}
	f := &Filter{Meta: m, parts: inline.parts, counts: inline.counts}
	if m.Parts <= 1 {
		return f, nil
	}
	if len(parts) != m.Parts {
		return nil, errCorrupt("%s: %d part documents for %d parts", m.Loc, len(parts), m.Parts)
	}
	f.parts, f.counts = make([]part, m.Parts), make([]int, m.Parts)
	for i, b := range parts {
		if f.parts[i], f.counts[i], err = decodePart(b, m, i); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// DecodeMeta decodes only a head's meta.
func DecodeMeta(head []byte) (Meta, error) {
	m, _, err := decodeHead(head)
	return m, err
}

// decodeAnyMeta decodes the meta of a head of any readable format version,
// outdated ones included.
func decodeAnyMeta(head []byte) (Meta, error) {
	m, _, err := decodeHeadVersion(head, true)
	return m, err
}

func header(typ byte, size int) []byte {
	b := make([]byte, 0, len(magic)+2+size+4)
	return append(append(b, magic...), formatVersion, typ)
}

func seal(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func partSize(p part) int {
	switch f := p.(type) {
	case *xorfilter.BinaryFuse[uint8]:
		return 8 + 5*4 + len(f.Fingerprints)
	case *xorfilter.BinaryFuse[uint16]:
		return 8 + 5*4 + 2*len(f.Fingerprints)
	}
	return 0
}

func appendPart(b []byte, p part, keys int) []byte {
	b = binary.AppendUvarint(b, uint64(keys))
	switch f := p.(type) {
	case *xorfilter.BinaryFuse[uint8]:
		b = appendParams(append(b, 1), f.Seed, f.SegmentLength, f.SegmentLengthMask, f.SegmentCount, f.SegmentCountLength, len(f.Fingerprints))
		return append(b, f.Fingerprints...)
	case *xorfilter.BinaryFuse[uint16]:
		b = appendParams(append(b, 1), f.Seed, f.SegmentLength, f.SegmentLengthMask, f.SegmentCount, f.SegmentCountLength, len(f.Fingerprints))
		for _, v := range f.Fingerprints {
			b = binary.LittleEndian.AppendUint16(b, v)
		}
		return b
	}
	return append(b, 0)
}

func appendParams(b []byte, seed uint64, segLen, mask, segCount, segCountLen uint32, fps int) []byte {
	b = binary.LittleEndian.AppendUint64(b, seed)
	for _, v := range []uint32{segLen, mask, segCount, segCountLen, uint32(fps)} {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// open checks the envelope of a document and returns its body. A sound
// document of an earlier format version is ErrOutdated unless outdated is
// true.
func open(b []byte, typ byte, outdated bool) ([]byte, error) {
	if len(b) < len(magic)+2+4 || !bytes.HasPrefix(b, []byte(magic)) {
		return nil, errCorrupt("not a filter document")
	}
	v := b[len(magic)]
	if v < minFormatVersion || v > formatVersion {
		return nil, errCorrupt("format version %d, want %d", v, formatVersion)
	}
	if b[len(magic)+1] != typ {
		return nil, errCorrupt("document type %q, want %q", b[len(magic)+1], typ)
	}
	n := len(b) - 4
	if crc32.Checksum(b[:n], castagnoli) != binary.BigEndian.Uint32(b[n:]) {
		return nil, errCorrupt("checksum mismatch")
	}
	if v != formatVersion && !outdated {
		return nil, fmt.Errorf("format version %d, current %d: %w", v, formatVersion, ErrOutdated)
	}
	return b[len(magic)+2 : n], nil
}

// inlineParts are the parts a head holds inline.
type inlineParts struct {
	parts  []part
	counts []int
}

// decodeHead decodes a head document: the meta and, for filters of at most
// one part, the part itself. The fingerprints alias b.
func decodeHead(b []byte) (Meta, inlineParts, error) {
	return decodeHeadVersion(b, false)
}

// decodeHeadVersion is decodeHead, accepting documents of an earlier
// format version when outdated is true.
func decodeHeadVersion(b []byte, outdated bool) (Meta, inlineParts, error) {
	var in inlineParts
	body, err := open(b, typeHead, outdated)
	if err != nil {
		return Meta{}, in, err
	}
	r := reader{b: body}
	raw := r.bytes(r.uvarint())
	if r.err != nil {
		return Meta{}, in, errCorrupt("head: %v", r.err)
	}
	var m Meta
	if err := json.Unmarshal(raw, &m); err != nil {
		return Meta{}, in, errCorrupt("head meta: %v", err)
	}
	if m.Bits != 8 && m.Bits != 16 {
		return Meta{}, in, errCorrupt("head meta: %d-bit fingerprints", m.Bits)
	}
	if m.Keys < 0 || m.Keys > MaxKeys || m.Parts < 0 || m.Parts > min(m.Keys, maxParts) || (m.Keys > 0) != (m.Parts > 0) {
		return Meta{}, in, errCorrupt("head meta: %d parts for %d keys", m.Parts, m.Keys)
	}
	if id, err := hex.DecodeString(m.Build); err != nil || len(id) != buildLen {
		return Meta{}, in, errCorrupt("head meta: bad build id")
	}
	n := r.uvarint()
	switch {
	case r.err != nil:
		return Meta{}, in, errCorrupt("head: %v", r.err)
	case m.Parts > 1 && n != 0, m.Parts <= 1 && n != uint64(m.Parts):
		return Meta{}, in, errCorrupt("head: %d inline parts for %d parts", n, m.Parts)
	}
	for range n {
		p, keys, err := r.part(m.Bits)
		if err != nil {
			return Meta{}, in, err
		}
		if keys != m.Keys {
			return Meta{}, in, errCorrupt("head: part of %d keys for %d", keys, m.Keys)
		}
		in.parts, in.counts = append(in.parts, p), append(in.counts, keys)
	}
	if r.rest() != 0 {
		return Meta{}, in, errCorrupt("head: %d trailing bytes", r.rest())
	}
	return m, in, nil
}

// decodePart decodes the part document of index i of the filter whose
// head is m. A part of another build (a half-replaced filter) is corrupt
// for this head.
func decodePart(b []byte, m Meta, i int) (part, int, error) {
	body, err := open(b, typePart, false)
	if err != nil {
		return nil, 0, err
	}
	r := reader{b: body}
	build := r.bytes(buildLen)
	idx := r.uvarint()
	if r.err != nil {
		return nil, 0, errCorrupt("part: %v", r.err)
	}
	if hex.EncodeToString(build) != m.Build {
		return nil, 0, errCorrupt("%s part %d belongs to another build", m.Loc, i)
	}
	if idx != uint64(i) {
		return nil, 0, errCorrupt("%s part %d holds index %d", m.Loc, i, idx)
	}
	p, keys, err := r.part(m.Bits)
	if err != nil {
		return nil, 0, err
	}
	if keys > m.Keys {
		return nil, 0, errCorrupt("%s part %d: %d keys of %d", m.Loc, i, keys, m.Keys)
	}
	if r.rest() != 0 {
		return nil, 0, errCorrupt("%s part %d: %d trailing bytes", m.Loc, i, r.rest())
	}
	return p, keys, nil
}

// reader reads little-endian fields, remembering the first error.
type reader struct {
	b   []byte
	off int
	err error
}

var errShort = errors.New("truncated")

func (r *reader) rest() int { return len(r.b) - r.off }

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(r.rest()) {
		r.err = errShort
		return nil
	}
	out := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return out
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.off += n
	return v
}

func (r *reader) u32() uint32 {
	b := r.bytes(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

// part reads one part body of bits-wide fingerprints and validates its
// fuse parameters so that every lookup stays inside the fingerprints.
func (r *reader) part(bits int) (part, int, error) {
	keys := r.uvarint()
	present := r.bytes(1)
	if r.err != nil {
		return nil, 0, errCorrupt("part: %v", r.err)
	}
	if keys > MaxKeys {
		return nil, 0, errCorrupt("part: %d keys", keys)
	}
	switch {
	case present[0] == 0 && keys == 0:
		return nil, 0, nil
	case present[0] != 1 || keys == 0:
		return nil, 0, errCorrupt("part: presence byte %d for %d keys", present[0], keys)
	}
	seed := r.bytes(8)
	segLen, mask, segCount, segCountLen, fpLen := r.u32(), r.u32(), r.u32(), r.u32(), r.u32()
	if r.err != nil {
		return nil, 0, errCorrupt("part: %v", r.err)
	}
	if segLen == 0 || segLen > maxSegmentLength || mbits.OnesCount32(segLen) != 1 || mask != segLen-1 {
		return nil, 0, errCorrupt("part: segment length %d mask %d", segLen, mask)
	}
	total := (uint64(segCount) + 2) * uint64(segLen)
	if segCount == 0 || uint64(segCountLen) != uint64(segCount)*uint64(segLen) || uint64(fpLen) != total || total >= 1<<31 {
		return nil, 0, errCorrupt("part: %d segments of %d for %d fingerprints", segCount, segLen, fpLen)
	}
	fps := r.bytes(uint64(fpLen) * uint64(bits/8))
	if r.err != nil {
		return nil, 0, errCorrupt("part: fingerprints: %v", r.err)
	}
	s := binary.LittleEndian.Uint64(seed)
	if bits == 16 {
		f := &xorfilter.BinaryFuse[uint16]{Seed: s, SegmentLength: segLen, SegmentLengthMask: mask, SegmentCount: segCount,
			SegmentCountLength: segCountLen, Fingerprints: make([]uint16, fpLen)}
		for i := range f.Fingerprints {
			f.Fingerprints[i] = binary.LittleEndian.Uint16(fps[2*i:])
		}
		return f, int(keys), nil
	}
	return &xorfilter.BinaryFuse[uint8]{Seed: s, SegmentLength: segLen, SegmentLengthMask: mask, SegmentCount: segCount,
		SegmentCountLength: segCountLen, Fingerprints: fps}, int(keys), nil
}
