package redis

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/piimap/piimap/scanner"
)

// Field names of values that have no name of their own.
const (
	FieldValue   = "value"   // a string value that is not a JSON document
	FieldElement = "element" // a list element
	FieldMember  = "member"  // a set or zset member
	FieldKey     = "$key"    // a variable segment of the key name ($key.1, $key.2 when several)
)

// DecodeJSON decodes s when it is a JSON object or array (numbers kept as
// json.Number); ok is false for anything else, scalars included.
func DecodeJSON(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil || dec.More() {
		return nil, false
	}
	return doc, true
}

// Leaves calls emit for every leaf of raw under field name prefix: the
// JSON paths of a JSON object or array (`prefix.user.email`, `prefix[].sku`;
// at the root, without a prefix, `user.email`), or raw itself as prefix.
func Leaves(prefix, raw string, emit func(path, value string)) {
	doc, ok := DecodeJSON(raw)
	if !ok {
		emit(prefix, raw)
		return
	}
	root := prefix
	if prefix == FieldValue {
		root = "" // a JSON string value: fields are its paths
	}
	scanner.FlattenJSON(root, doc, func(path, value string) {
		if path == "$" {
			path = prefix
		}
		emit(path, value)
	})
}

// Leaves calls emit for every leaf field of the value: a string's JSON
// paths (or `value`), a hash's fields (JSON inside a field flattened under
// its name), list elements (`element`, `element.path`), set and zset
// members (`member`…), and stream entry fields.
func (v Value) Leaves(emit func(path, value string)) {
	switch v.Type {
	case TypeString:
		Leaves(FieldValue, v.Str, emit)
	case TypeHash:
		for _, f := range sortedFields(v.Hash) {
			Leaves(f, v.Hash[f], emit)
		}
	case TypeList:
		for _, it := range v.Items {
			Leaves(FieldElement, it.Member, emit)
		}
	case TypeSet, TypeZSet:
		for _, it := range v.Items {
			Leaves(FieldMember, it.Member, emit)
		}
	case TypeStream:
		for _, e := range v.Entries {
			for _, f := range sortedFields(e.Fields) {
				Leaves(f, e.Fields[f], emit)
			}
		}
	}
}

// KeyLeaves calls emit with the key's variable segments under pattern: a
// pattern with one wildcard segment yields field `$key`, one with several
// `$key.1`, `$key.2`, … in order. Nothing is emitted when the key does not
// fit the pattern.
func KeyLeaves(key, pattern string, emit func(field, value string)) {
	ks, _ := splitKey(key)
	ps, _ := splitKey(pattern)
	if len(ks) != len(ps) || !Fits(key, pattern) {
		return
	}
	var idx []int
	for i, p := range ps {
		if strings.Contains(p, "*") {
			idx = append(idx, i)
		}
	}
	for n, i := range idx {
		f := FieldKey
		if len(idx) > 1 {
			f += "." + strconv.Itoa(n+1)
		}
		emit(f, ks[i])
	}
}

func sortedFields(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
