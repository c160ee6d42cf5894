package fingerprint

import (
	"fmt"
	"slices"

	"github.com/piimap/piimap"
)

// Merge returns the sketch of the union of the values behind s and o: the
// MinHash minima are the element-wise minimum, the KMV the smallest
// KMVSize distinct hashes of both, and signatures of the same transform are
// merged pairwise (a signature only one side has is kept as is). Both must
// be made under the same installation key and for the same type; a
// sampled scan merges its sample into the last full scan's sketch so the
// field is compared as a whole.
func (s Sketch) Merge(o Sketch) (Sketch, error) {
	if s.KeyID != o.KeyID {
		return Sketch{}, fmt.Errorf("fingerprint: merge sketches of different installation keys: %w", piimap.ErrConfig)
	}
	if s.Type != o.Type {
		return Sketch{}, fmt.Errorf("fingerprint: merge a %q sketch into a %q one: %w", o.Type, s.Type, piimap.ErrUnsupported)
	}
	out := Sketch{Type: s.Type, KeyID: s.KeyID, Seen: s.Seen + o.Seen, Values: s.Values + o.Values}
	out.Plain = mergeSignature(s.Plain, o.Plain)
	if s.Plain.Domain != o.Plain.Domain {
		// An untyped field's dominant shape may differ between a sample
		// and the whole; the larger side decides.
		out.Plain.Domain = s.Plain.Domain
		if o.Plain.Cardinality() > s.Plain.Cardinality() {
			out.Plain.Domain = o.Plain.Domain
		}
	}
	for _, d := range s.Derived {
		i := slices.IndexFunc(o.Derived, func(x Signature) bool { return x.Transform == d.Transform })
		if i < 0 {
			out.Derived = append(out.Derived, d.clone())
			continue
		}
		out.Derived = append(out.Derived, mergeSignature(d, o.Derived[i]))
	}
	for _, d := range o.Derived {
		if !slices.ContainsFunc(s.Derived, func(x Signature) bool { return x.Transform == d.Transform }) {
			out.Derived = append(out.Derived, d.clone())
		}
	}
	return out, nil
}

func mergeSignature(a, b Signature) Signature {
	out := Signature{Transform: a.Transform, Domain: a.Domain}
	for i := range out.Min {
		out.Min[i] = min(a.Min[i], b.Min[i])
	}
	kmv := make([]uint64, 0, min(KMVSize, len(a.KMV)+len(b.KMV)))
	i, j := 0, 0
	for len(kmv) < KMVSize && (i < len(a.KMV) || j < len(b.KMV)) {
		switch {
		case j >= len(b.KMV) || i < len(a.KMV) && a.KMV[i] < b.KMV[j]:
			kmv = append(kmv, a.KMV[i])
			i++
		case i >= len(a.KMV) || b.KMV[j] < a.KMV[i]:
			kmv = append(kmv, b.KMV[j])
			j++
		default: // equal
			kmv = append(kmv, a.KMV[i])
			i++
			j++
		}
	}
	out.KMV = kmv
	return out
}
