package fingerprint

import (
	"slices"

	"github.com/piimap/piimap"
)

// Membership answers, for one set of keyed hashes (a field's own
// normalised values, or one masked form of them, read in full), whether a
// hash is in the set. A filter may answer true for an absent hash with
// probability FalsePositive; it never answers false for a present one.
type Membership interface {
	MayContain(h uint64) bool
	// Len is the number of distinct hashes in the set.
	Len() int
	// FalsePositive is the chance that MayContain is true for an absent
	// hash (0 for an exact set).
	FalsePositive() float64
}

// Members are the membership sets of one field read in full: its own
// values under FormPlain and each masked form the Builder derives for its
// type under the form's name ("sha256_hex", "md5_hex", ...). They are what
// a sampled copy is probed against (see Probe).
type Members struct {
	Type  string // the field's PII type
	KeyID uint64 // the installation key the hashes were made under
	Forms map[string]Membership
}

// FormPlain names a field's own normalised values among its Members.
const FormPlain = ""

// ProbeType reports whether fields of a PII type take part in probes:
// identifiers whose values name one person each (emails, phones, cards,
// national and account numbers). Names, usernames, addresses and ids
// overlap between unrelated fields by nature (every customer table holds
// "Smith"; every id column holds 1..n), so a sampled one contained in
// another says nothing about a copy.
func ProbeType(typ string) bool {
	switch typ {
	case piimap.TypeEmail, piimap.TypePhone, piimap.TypeUSSSN, piimap.TypeCreditCard, piimap.TypeIBAN,
		piimap.TypeUKNINO, piimap.TypePassport, piimap.TypeBankAccount:
		return true
	}
	return false
}

// MaskedShape reports whether a value shape is one masked forms take
// (hex digests, base64, last four digits): untyped fields of such a shape
// are probed against the masked forms of typed fields.
func MaskedShape(shape string) bool {
	switch shape {
	case ShapeHex32, ShapeHex40, ShapeHex64, ShapeBase64, ShapeLast4:
		return true
	}
	return false
}

// FormShape is the value shape of a masked form ("" for FormPlain or an
// unknown form).
func FormShape(form string) string {
	t, _ := transformNamed(form)
	return t.shape
}

// WithMembers makes the builder also keep every keyed hash it sketches, of
// the values and of each masked form, so that MemberKeys can return the
// field's membership sets. Past max hashes in all the builder drops them
// and MemberKeys reports that: a field that large is compared by its
// sketch only. The hashes take 8 bytes each until MemberKeys.
func WithMembers(max int) Option {
	return func(b *Builder) {
		if max > 0 && ProbeType(b.typ) {
			b.members = make([][]uint64, 1+len(b.tr))
			b.memberMax = max
		}
	}
}

// WithExpectedValues tells a builder made WithMembers about how many
// values it will see (a table's row count), so that it allocates its
// member slices once instead of growing them (a tenth of a full read's
// time went to growing them). At most 1<<20 per form are allocated ahead.
func WithExpectedValues(n int) Option { return func(b *Builder) { b.expect = n } }

// WithDerivedMembersOnly keeps the masked forms as membership hashes only,
// without sketching them: for a builder made WithMembers whose membership
// sets will be kept (Probe then covers masked copies), it skips the
// sketching of each form and value (a MinHash bin and a KMV insert). Sketch
// returns no Derived signatures while the builder keeps its members; if it
// passes its limit, the masked forms' hashes kept so far are sketched then
// and every later one as it comes, so nothing is lost.
func WithDerivedMembersOnly() Option { return func(b *Builder) { b.derivedMembersOnly = true } }

// keep records a sketched hash under a form (0 the values, i+1 the masked
// form tr[i]) for MemberKeys.
func (b *Builder) keep(form int, h uint64) {
	if b.members == nil {
		return
	}
	if b.memberN >= b.memberMax {
		b.dropMembers(form, h)
		return
	}
	ks := b.members[form]
	// Repeats are dropped only when a large slice is full, before it
	// would grow: sorting every 65,536 hashes cost a fifth of a full
	// read's time, and MemberKeys sorts once at the end anyway.
	if len(ks) == cap(ks) && len(ks) >= 1<<20 {
		radixSort(ks)
		n := len(ks)
		ks = slices.Compact(ks)
		b.memberN -= n - len(ks)
	}
	b.members[form] = append(ks, h)
	b.memberN++
}

// dropMembers gives up the members past the limit. A builder that kept
// its masked forms as members only sketches them now, with h (form's
// hash, not kept), and sketches them as they come from here on.
func (b *Builder) dropMembers(form int, h uint64) {
	if b.derivedMembersOnly {
		for i := range b.tr {
			for _, k := range b.members[i+1] {
				b.derived[i].add(k)
			}
		}
		if form > 0 {
			b.derived[form-1].add(h)
		}
		b.derivedMembersOnly = false
	}
	b.members, b.memberOver = nil, true
}

// MemberKeys returns the distinct keyed hashes of every form the builder
// kept (FormPlain for the values, else the masked form's name), sorted,
// and true; or nil and false when the builder was not made WithMembers,
// its type takes no probes, or it passed its limit.
func (b *Builder) MemberKeys() (map[string][]uint64, bool) {
	if b.members == nil || b.memberOver {
		return nil, false
	}
	out := make(map[string][]uint64, len(b.members))
	for i, ks := range b.members {
		form := FormPlain
		if i > 0 {
			form = b.tr[i-1].name
		}
		// Sorted in place (no copy) and kept compacted; the capacity is
		// cut so that a builder that goes on appends to a new array and
		// never changes a slice returned here.
		n := len(ks)
		radixSort(ks)
		ks = slices.Compact(ks)
		b.memberN -= n - len(ks)
		ks = ks[:len(ks):len(ks)]
		b.members[i], out[form] = ks, ks
	}
	return out, true
}

// SetMembership is an exact Membership over sorted distinct hashes.
type SetMembership []uint64

// MayContain reports whether h is in the set.
func (s SetMembership) MayContain(h uint64) bool { _, ok := slices.BinarySearch(s, h); return ok }

// Len is the number of hashes.
func (s SetMembership) Len() int { return len(s) }

// FalsePositive is 0: the set is exact.
func (s SetMembership) FalsePositive() float64 { return 0 }

// radixSort sorts keyed hashes (uniform 64-bit values) in place: an LSD
// radix sort of six 11-bit digits, several times faster than a comparison
// sort on the hundreds of thousands of hashes of a column read in full.
// (16-bit digits took four passes but cleared and summed a 65,536-entry
// count table in each: on a 20,000-hash field that cost more than the
// sorting, and radixSort was 7% of a sampled scan's CPU.)
func radixSort(a []uint64) {
	if len(a) < 1<<10 {
		slices.Sort(a)
		return
	}
	const bits = 11
	tmp := make([]uint64, len(a))
	var count [1 << bits]int
	src, dst := a, tmp
	for shift := uint(0); shift < 64; shift += bits {
		clear(count[:])
		for _, v := range src {
			count[(v>>shift)&(1<<bits-1)]++
		}
		pos := 0
		for i, c := range count {
			count[i] = pos
			pos += c
		}
		for _, v := range src {
			d := (v >> shift) & (1<<bits - 1)
			dst[count[d]] = v
			count[d]++
		}
		src, dst = dst, src
	}
	// Six passes: the result is back in a.
}
