package fingerprint

import (
	"encoding/base64"
	"strings"

	"github.com/piimap/piimap/lineage"
)

// Masked-form lookups for consumers of copy_of edges: the executor finds a
// subject's rows in a masked copy by computing the same masked forms of the
// subject's identifiers, normalised exactly as the Builder normalised the
// original's values.

// MaskedForm returns the masked form ("sha256_hex", "md5_hex", "last4", ...)
// the copy side of a masked copy_of edge holds, as Match.Edge named it at
// the start of the edge's evidence. ok is false for an edge that is not a
// masked copy or whose evidence names no known form.
func MaskedForm(e lineage.Edge) (string, bool) {
	if e.Kind != lineage.EdgeCopyOf || e.Transform != lineage.TransformMasked {
		return "", false
	}
	ev := strings.TrimSpace(e.Evidence)
	end := strings.IndexAny(ev, " (;")
	if end < 0 {
		end = len(ev)
	}
	name := ev[:end]
	if _, ok := transformNamed(name); ok {
		return name, true
	}
	return "", false
}

// transformNamed is the masked form named name (allTransforms).
func transformNamed(name string) (transform, bool) {
	for _, t := range allTransforms {
		if t.name == name {
			return t, true
		}
	}
	return transform{}, false
}

// MaskedForms lists the masked forms the Builder sketches for a PII type,
// the forms a masked copy of a field of that type can be recognised in.
func MaskedForms(typ string) []string {
	var out []string
	for _, t := range derivedFor(typ) {
		out = append(out, t.name)
	}
	return out
}

// MaskedSpellings computes the masked form of one raw value of PII type typ
// and returns its spellings a store may hold: the canonical one (what
// NormalizeOpaque reduces a stored value to: lowercase hex, base64 with the
// standard alphabet and no padding, four digits) first, then the common
// alternatives NormalizeOpaque folds onto it (uppercase hex, padded and
// URL-safe base64). It returns nil when the value does not normalise as
// typ or the form does not apply.
func MaskedSpellings(typ, form, raw string) []string {
	norm, ok := NormalizerFor(typ)(raw)
	if !ok {
		return nil
	}
	tr, ok := transformNamed(form)
	if !ok {
		return nil
	}
	vb, ok := tr.fn(nil, norm)
	if !ok {
		return nil
	}
	v := string(vb)
	out := []string{v}
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	switch tr.shape {
	case ShapeHex32, ShapeHex40, ShapeHex64:
		add(strings.ToUpper(v))
	case ShapeBase64:
		if dec, err := base64.RawStdEncoding.DecodeString(v); err == nil {
			add(base64.StdEncoding.EncodeToString(dec))
			add(base64.RawURLEncoding.EncodeToString(dec))
			add(base64.URLEncoding.EncodeToString(dec))
		}
	}
	return out
}

// allTransforms are every masked form a derived signature may be built for.
var allTransforms = []transform{tSHA256, tMD5, tSHA1, tBase64, tLast4, tSHA256Digits}
