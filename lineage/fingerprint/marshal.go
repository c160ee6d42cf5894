package fingerprint

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/piimap/piimap"
)

// Binary layout (all integers little-endian unless varint):
//
//	"PMFS" version(1)=2               (1: K-permutation MinHash, not read)
//	uvarint K, uvarint KMVSize        must equal this build's constants
//	uint64 key ID
//	string type                       uvarint length + bytes (≤ 64)
//	varint seen, varint values
//	uvarint signature count (1..1+maxDerived); the first is the plain one
//	per signature: string transform, string domain, K × uint64 bins,
//	               uvarint n (≤ KMVSize), n × uint64 strictly ascending
const (
	magic      = "PMFS"
	version    = 2
	maxStr     = 64
	maxDerived = 8
)

var errShort = errors.New("truncated")

// MarshalBinary encodes the sketch for storage (a few KB per signature).
func (s Sketch) MarshalBinary() ([]byte, error) {
	if len(s.Derived) > maxDerived {
		return nil, fmt.Errorf("fingerprint: marshal sketch: %d derived signatures: %w", len(s.Derived), piimap.ErrUnsupported)
	}
	b := make([]byte, 0, 64+(1+len(s.Derived))*(K+KMVSize)*8)
	b = append(b, magic...)
	b = append(b, version)
	b = binary.AppendUvarint(b, K)
	b = binary.AppendUvarint(b, KMVSize)
	b = binary.LittleEndian.AppendUint64(b, s.KeyID)
	b = appendStr(b, s.Type)
	b = binary.AppendVarint(b, s.Seen)
	b = binary.AppendVarint(b, s.Values)
	b = binary.AppendUvarint(b, uint64(1+len(s.Derived)))
	for _, sig := range append([]Signature{s.Plain}, s.Derived...) {
		b = appendStr(b, sig.Transform)
		b = appendStr(b, sig.Domain)
		for _, m := range sig.Min {
			b = binary.LittleEndian.AppendUint64(b, m)
		}
		b = binary.AppendUvarint(b, uint64(len(sig.KMV)))
		for _, h := range sig.KMV {
			b = binary.LittleEndian.AppendUint64(b, h)
		}
	}
	return b, nil
}

func appendStr(b []byte, s string) []byte {
	if len(s) > maxStr {
		s = s[:maxStr]
	}
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// UnmarshalBinary decodes and validates a sketch; any malformed input
// yields an error wrapping piimap.ErrCorrupt.
func (s *Sketch) UnmarshalBinary(data []byte) error {
	if err := s.unmarshal(data); err != nil {
		return fmt.Errorf("fingerprint: unmarshal sketch: %w: %w", piimap.ErrCorrupt, err)
	}
	return nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) u64() uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.err = errShort
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > maxStr || n > uint64(len(r.b)) {
		r.err = fmt.Errorf("string of %d bytes", n)
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (s *Sketch) unmarshal(data []byte) error {
	if len(data) < len(magic)+1 || string(data[:len(magic)]) != magic {
		return errors.New("bad magic")
	}
	if v := data[len(magic)]; v != version {
		if v < version {
			return fmt.Errorf("version %d, written by an earlier piimap (this one reads %d): scan the field's store again to replace it", v, version)
		}
		return fmt.Errorf("version %d, written by a later piimap (this one reads %d)", v, version)
	}
	r := &reader{b: data[len(magic)+1:]}
	if k, m := r.uvarint(), r.uvarint(); r.err == nil && (k != K || m != KMVSize) {
		return fmt.Errorf("sketch size %d/%d, want %d/%d", k, m, K, KMVSize)
	}
	var out Sketch
	out.KeyID = r.u64()
	out.Type = r.str()
	out.Seen, out.Values = r.varint(), r.varint()
	nsig := r.uvarint()
	if r.err != nil {
		return r.err
	}
	if out.Values < 0 || out.Seen < out.Values {
		return fmt.Errorf("counts %d/%d", out.Values, out.Seen)
	}
	if nsig < 1 || nsig > 1+maxDerived {
		return fmt.Errorf("%d signatures", nsig)
	}
	for i := range nsig {
		sig := Signature{Transform: r.str(), Domain: r.str()}
		for j := range sig.Min {
			sig.Min[j] = r.u64()
		}
		n := r.uvarint()
		if r.err != nil {
			return r.err
		}
		if n > KMVSize || n*8 > uint64(len(r.b)) {
			return fmt.Errorf("kmv of %d hashes", n)
		}
		sig.KMV = make([]uint64, n)
		for j := range sig.KMV {
			sig.KMV[j] = r.u64()
			if j > 0 && sig.KMV[j] <= sig.KMV[j-1] {
				return errors.New("kmv not ascending")
			}
		}
		if (i == 0) != (sig.Transform == "") {
			return errors.New("plain signature must come first, alone")
		}
		if i == 0 {
			out.Plain = sig
		} else {
			out.Derived = append(out.Derived, sig)
		}
	}
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%d trailing bytes", len(r.b))
	}
	*s = out
	return nil
}
