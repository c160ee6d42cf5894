package badgerstore

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/piimap/piimap"
)

// Key prefixes. The full layout is documented in doc.go; keep the two in
// step.
const (
	prefixMeta = "meta/"
	prefixRun  = "run/"
	prefixSnap = "snap/"
	prefixDoc  = "doc/"

	keyInstallation = prefixMeta + "installation_key"
	keySchema       = prefixMeta + "schema"
	keyLastRun      = prefixMeta + "last_run"

	schemaVersion = "1"
)

// Sections of one run's snapshot: snap/<run>/<section><rest>.
const (
	secNode    = 'n'
	secOut     = 'o'
	secIn      = 'i'
	secFinding = 'f'
	secError   = 'e'
)

// Component encoding: each component is escaped so it holds no 0x00, then
// terminated by 0x00. 0x00 sorts before every other byte, so "a" < "a-b"
// component-wise and a prefix made of whole components matches exactly the
// keys below it ("app" never matches "app2").
const (
	sep     = 0x00
	esc     = 0x01
	escNul  = 0x01 // 0x00 → 0x01 0x01
	escEsc  = 0x02 // 0x01 → 0x01 0x02
	keySize = 128
)

func appendComp(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case sep:
			b = append(b, esc, escNul)
		case esc:
			b = append(b, esc, escEsc)
		default:
			b = append(b, c)
		}
	}
	return append(b, sep)
}

// readComp decodes one component from b and returns it with the rest.
func readComp(b []byte) (string, []byte, error) {
	i := bytes.IndexByte(b, sep)
	if i < 0 {
		return "", nil, fmt.Errorf("badgerstore: key component unterminated: %w", piimap.ErrCorrupt)
	}
	raw := b[:i]
	if bytes.IndexByte(raw, esc) < 0 {
		return string(raw), b[i+1:], nil
	}
	out := make([]byte, 0, len(raw))
	for j := 0; j < len(raw); j++ {
		if raw[j] != esc {
			out = append(out, raw[j])
			continue
		}
		if j+1 >= len(raw) {
			return "", nil, fmt.Errorf("badgerstore: key escape truncated: %w", piimap.ErrCorrupt)
		}
		j++
		switch raw[j] {
		case escNul:
			out = append(out, sep)
		case escEsc:
			out = append(out, esc)
		default:
			return "", nil, fmt.Errorf("badgerstore: key escape 0x%02x: %w", raw[j], piimap.ErrCorrupt)
		}
	}
	return string(out), b[i+1:], nil
}

// appendLoc encodes the identity of a location: store, asset, field. The
// namespace is an attribute of the store, kept in values, not keys.
func appendLoc(b []byte, l piimap.Location) []byte {
	b = appendComp(b, l.Store)
	b = appendComp(b, l.Name)
	return appendComp(b, l.Field)
}

func readLoc(b []byte) (piimap.Location, []byte, error) {
	var l piimap.Location
	var err error
	if l.Store, b, err = readComp(b); err != nil {
		return l, nil, err
	}
	if l.Name, b, err = readComp(b); err != nil {
		return l, nil, err
	}
	if l.Field, b, err = readComp(b); err != nil {
		return l, nil, err
	}
	return l, b, nil
}

func runKey(id string) []byte { return []byte(prefixRun + id) }

// snapPrefix is snap/<run>/ — every key of one run's snapshot.
func snapPrefix(run string) []byte {
	b := make([]byte, 0, len(prefixSnap)+len(run)+1+keySize)
	b = append(b, prefixSnap...)
	b = append(b, run...)
	return append(b, '/')
}

func sectionPrefix(run string, sec byte) []byte { return append(snapPrefix(run), sec) }

func nodeKey(run string, l piimap.Location) []byte {
	return appendLoc(sectionPrefix(run, secNode), l)
}

// edgeKey is the forward (secOut: from, kind, source, to) or reverse (secIn:
// to, kind, source, from) key of an edge. The source is part of the
// identity: an fk edge and a fingerprint edge between the same fields are
// two pieces of evidence, both kept.
func edgeKey(run string, sec byte, at piimap.Location, kind, source string, other piimap.Location) []byte {
	b := appendLoc(sectionPrefix(run, sec), at)
	b = appendComp(b, kind)
	b = appendComp(b, source)
	return appendLoc(b, other)
}

func findingKey(run string, f piimap.Finding) []byte {
	b := appendLoc(sectionPrefix(run, secFinding), f.Loc)
	b = appendComp(b, f.Type)
	return appendComp(b, f.RuleID)
}

func unitErrorKey(run string, ue ueKey) []byte {
	b := appendComp(sectionPrefix(run, secError), ue.store)
	b = appendComp(b, ue.unit)
	return binary.BigEndian.AppendUint64(b, ue.seq)
}

// ueKey identifies one stored unit error; seq keeps repeated errors
// of the same unit apart.
type ueKey struct {
	store, unit string
	seq         uint64
}

func docPrefix(kind string) []byte { return appendComp([]byte(prefixDoc), kind) }

func docKey(kind, id string) []byte { return append(docPrefix(kind), id...) }

// parseEdgeKey decodes the part of an edge key after its section byte.
func parseEdgeKey(rest []byte) (at piimap.Location, kind, source string, other piimap.Location, err error) {
	if at, rest, err = readLoc(rest); err != nil {
		return
	}
	if kind, rest, err = readComp(rest); err != nil {
		return
	}
	if source, rest, err = readComp(rest); err != nil {
		return
	}
	other, _, err = readLoc(rest)
	return
}
