package fingerprint

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"unsafe"

	"github.com/piimap/piimap"
)

const (
	// K is the number of MinHash bins per signature.
	K = 128
	// KMVSize is the number of smallest distinct hashes kept per signature
	// (a bottom-k / KMV sketch): exact distinct counts and containment up to
	// that many distinct values, about 6% relative error beyond.
	KMVSize = 256
	// dominantShare is the share of an untyped field's values that must
	// have one shape for the field to be compared as that shape.
	dominantShare = 0.8
)

// Signature is the sketch of one set of hashed values: the field's own
// normalised values (Transform "") or one derived form of them.
type Signature struct {
	// Transform names the derived form ("sha256_hex", "last4", ...), "" for
	// the field's own values.
	Transform string
	// Domain groups comparable signatures: a PII type for a typed field's
	// own values, a value shape (hex64, last4, ...) otherwise. Derived
	// signatures take the shape their transform produces.
	Domain string
	// Min holds the one-permutation MinHash bins (ophash.go): the
	// smallest remixed hash falling in each of K bins, math.MaxUint64 for
	// a bin no value fell in.
	Min [K]uint64
	// KMV holds up to KMVSize smallest distinct hashes, ascending.
	KMV []uint64
}

// Empty reports whether the signature saw no value.
func (s *Signature) Empty() bool { return len(s.KMV) == 0 }

// Cardinality estimates the number of distinct values: exact below
// KMVSize, (k-1)/τ beyond (τ the k-th smallest hash as a fraction of 2^64).
func (s *Signature) Cardinality() float64 {
	if len(s.KMV) < KMVSize {
		return float64(len(s.KMV))
	}
	tau := float64(s.KMV[KMVSize-1]) / math.Exp2(64)
	return float64(KMVSize-1) / tau
}

func (s *Signature) add(h uint64) {
	// One-permutation MinHash (ophash.go): one mix, one bin, one compare.
	x := ophMix(h)
	if b := x >> ophShift; x < s.Min[b] {
		s.Min[b] = x
	}
	n := len(s.KMV)
	if n == KMVSize && h >= s.KMV[n-1] {
		return
	}
	i, found := slices.BinarySearch(s.KMV, h)
	if found {
		return
	}
	if n == KMVSize {
		s.KMV = s.KMV[:n-1]
	}
	s.KMV = slices.Insert(s.KMV, i, h)
}

func newSignature(transform, domain string) Signature {
	s := Signature{Transform: transform, Domain: domain, KMV: make([]uint64, 0, 16)}
	for i := range s.Min {
		s.Min[i] = math.MaxUint64
	}
	return s
}

func (s Signature) clone() Signature {
	s.KMV = slices.Clone(s.KMV)
	return s
}

// Sketch is the fingerprint of one field: keyed-hash MinHash and KMV
// signatures of its normalised values and of their derived (masked) forms.
// It holds no raw value, only keyed hashes, and is comparable only with
// sketches made under the same installation key (KeyID).
type Sketch struct {
	Type   string // PII type the builder was made for ("" when untyped)
	KeyID  uint64 // identifies the installation key, not the key itself
	Seen   int64  // values offered to the builder
	Values int64  // values the normaliser accepted
	Plain  Signature
	// Derived are signatures of masked forms of the values, for fields a
	// masked copy may be made of (emails, phones, cards, SSNs, names).
	Derived []Signature
}

// transform is one masked form a copy may hold. fn appends the form of a
// normalised value to dst (the builder reuses one buffer for every value).
type transform struct {
	name, shape, evidence string
	fn                    func(dst []byte, norm string) ([]byte, bool)
}

// appendHex appends the lowercase hex of sum.
func appendHex(dst, sum []byte) []byte { return hex.AppendEncode(dst, sum) }

var (
	tSHA256 = transform{"sha256_hex", ShapeHex64, "sha256 hex of the normalised value",
		func(dst []byte, v string) ([]byte, bool) {
			n := len(dst)
			dst = append(dst, v...) // the value's bytes in the scratch, not a new slice
			s := sha256.Sum256(dst[n:])
			return appendHex(dst[:n], s[:]), true
		}}
	tMD5 = transform{"md5_hex", ShapeHex32, "md5 hex of the normalised value",
		func(dst []byte, v string) ([]byte, bool) {
			n := len(dst)
			dst = append(dst, v...)
			s := md5.Sum(dst[n:])
			return appendHex(dst[:n], s[:]), true
		}}
	tSHA1 = transform{"sha1_hex", ShapeHex40, "sha1 hex of the normalised value",
		func(dst []byte, v string) ([]byte, bool) {
			n := len(dst)
			dst = append(dst, v...)
			s := sha1.Sum(dst[n:])
			return appendHex(dst[:n], s[:]), true
		}}
	// The canonical form NormalizeOpaque gives base64 text: standard
	// alphabet, no padding. Values whose base64 it would not recognise
	// (decoding to control characters) are skipped like it skips them.
	tBase64 = transform{"base64", ShapeBase64, "base64 of the normalised value",
		func(dst []byte, v string) ([]byte, bool) {
			n := len(dst)
			dst = base64.RawStdEncoding.AppendEncode(dst, []byte(v))
			// The checks read dst in place: a string copy per value was a
			// tenth of a full read's hashing time.
			if e := unsafe.String(unsafe.SliceData(dst[n:]), len(dst)-n); len(e) < 8 || allDigits(e) || isHex(e) {
				return dst[:n], false
			}
			return dst, true
		}}
	tLast4 = transform{"last4", ShapeLast4, "last four digits",
		func(dst []byte, v string) ([]byte, bool) {
			if len(v) < 4 || !allDigits(v[len(v)-4:]) {
				return dst, false
			}
			return append(dst, v[len(v)-4:]...), true
		}}
	tSHA256Digits = transform{"sha256_hex_digits", ShapeHex64, "sha256 hex of the E.164 digits without +",
		func(dst []byte, v string) ([]byte, bool) {
			n := len(dst)
			dst = append(dst, strings.TrimPrefix(v, "+")...)
			s := sha256.Sum256(dst[n:])
			return appendHex(dst[:n], s[:]), true
		}}
)

// derivedFor lists the masked forms built for a type. Untyped fields get
// none: they are the candidates for holding masked forms.
func derivedFor(typ string) []transform {
	switch typ {
	case piimap.TypeEmail:
		return []transform{tSHA256, tMD5, tSHA1, tBase64}
	case piimap.TypePhone:
		return []transform{tSHA256, tSHA256Digits, tMD5}
	case piimap.TypeCreditCard, piimap.TypeUSSSN:
		return []transform{tLast4, tSHA256}
	case piimap.TypePersonName, piimap.TypeUsername, piimap.TypeUserID, piimap.TypeIBAN, piimap.TypeUKNINO,
		piimap.TypePassport, piimap.TypeDriversLicense, piimap.TypeBankAccount, piimap.TypeIPAddress:
		return []transform{tSHA256, tMD5, tBase64}
	}
	return nil
}

// transformEvidence describes a transform for edge evidence.
func transformEvidence(name string) string {
	if t, ok := transformNamed(name); ok {
		return t.evidence
	}
	return name
}

// Option configures a Builder.
type Option func(*Builder)

// WithNormalizer replaces the built-in normaliser for the builder's type,
// for callers with a better one (a full E.164 formatter, a locale-aware
// name folder). It must be deterministic and the same across a scan.
func WithNormalizer(n Normalizer) Option { return func(b *Builder) { b.norm, b.customNorm = n, true } }

// WithPhoneCountry sets the country calling code (digits, "44") national
// phone numbers are assumed to be in; the default is "1".
func WithPhoneCountry(cc string) Option {
	return func(b *Builder) {
		if b.typ == piimap.TypePhone {
			b.norm = func(s string) (string, bool) { return NormalizePhone(s, cc) }
		}
	}
}

// WithoutDerived skips the derived (masked-form) signatures.
func WithoutDerived() Option { return func(b *Builder) { b.tr = nil } }

// Builder accumulates one field's sketch from a stream of values. It is
// not safe for concurrent use; use one builder per field and goroutine.
type Builder struct {
	typ     string
	key     sipKey
	keyID   uint64
	norm    Normalizer
	tr      []transform
	seen    int64
	values  int64
	plain   Signature
	derived []Signature
	shapes  map[string]int64 // untyped fields: values per shape

	// WithMembers: every hash sketched, by form (0 the values, i+1 the
	// masked form tr[i]), until memberMax.
	members    [][]uint64
	memberN    int
	memberMax  int
	memberOver bool
	// derivedMembersOnly: masked forms go to members, not signatures.
	derivedMembersOnly bool
	buf                []byte // scratch for masked forms
	nbuf               []byte // scratch for a normalised email
	customNorm         bool   // WithNormalizer replaced the type's normaliser

	// WithNeedles: the normalised values behind the needleMax smallest
	// plain hashes (needles.go).
	needles   map[uint64]string
	needleMax int
	expect    int // WithExpectedValues
}

// NewBuilder starts a sketch of a field of PII type typ ("" when the field
// has no PII type, such as a column of hex digests that may be a masked
// copy), keyed with the installation key.
func NewBuilder(key []byte, typ string, opts ...Option) *Builder {
	b := &Builder{typ: typ, norm: NormalizerFor(typ), tr: derivedFor(typ)}
	b.key, b.keyID = deriveKey(key)
	for _, o := range opts {
		o(b)
	}
	if b.members != nil && b.expect > 0 {
		for i := range b.members {
			b.members[i] = make([]uint64, 0, min(b.expect, 1<<20))
		}
	}
	b.plain = newSignature("", typ)
	for _, t := range b.tr {
		b.derived = append(b.derived, newSignature(t.name, t.shape))
	}
	if !typed(typ) {
		b.shapes = map[string]int64{}
	}
	return b
}

// Add feeds one raw value. Values the normaliser refuses are counted but
// not sketched.
func (b *Builder) Add(value string) {
	b.seen++
	var v string
	var ok bool
	if b.typ == piimap.TypeEmail && !b.customNorm {
		// NormalizeEmail without its allocation, for ASCII addresses.
		b.nbuf, v, ok = appendNormalizedEmail(b.nbuf[:0], value)
	} else {
		v, ok = b.norm(value)
	}
	if !ok {
		return
	}
	b.values++
	h := b.key.sum64(v)
	b.plain.add(h)
	b.keep(0, h)
	if b.needles != nil {
		b.keepNeedle(h, v)
	}
	if b.shapes != nil {
		b.shapes[Shape(v)]++
	}
	for i, t := range b.tr {
		d, ok := t.fn(b.buf[:0], v)
		b.buf = d
		if !ok {
			continue
		}
		h := b.key.sum64b(d)
		if !b.derivedMembersOnly || b.members == nil {
			b.derived[i].add(h)
		}
		b.keep(i+1, h)
	}
}

// Sketch returns the sketch so far; the builder may go on.
func (b *Builder) Sketch() Sketch {
	s := Sketch{Type: b.typ, KeyID: b.keyID, Seen: b.seen, Values: b.values, Plain: b.plain.clone()}
	if b.shapes != nil {
		s.Plain.Domain = ShapeText
		for shape, n := range b.shapes {
			if float64(n) >= dominantShare*float64(b.values) {
				s.Plain.Domain = shape
			}
		}
	}
	for _, d := range b.derived {
		if !d.Empty() {
			s.Derived = append(s.Derived, d.clone())
		}
	}
	return s
}
