package redis

import (
	"encoding/json"
	"strings"

	"github.com/piimap/piimap/executor/driver"
	rs "github.com/piimap/piimap/scanner/redis"
)

// op is what an edit does to the subject's parts of a document.
type op int

const (
	opFind    op = iota // match only
	opDelete            // remove the subject's scope (the key, or an array element)
	opNull              // remove the clear fields from the subject's scope
	opMask              // replace them with HMAC tokens
	opRectify           // set the changed fields to their new values
)

func opFor(m driver.Mode) op {
	switch m {
	case driver.ModeNull:
		return opNull
	case driver.ModeMask:
		return opMask
	}
	return opDelete
}

// editor applies one target to documents: a key's value (or one list
// element, set member or stream entry) decoded into a tree whose paths are
// the scanner's field paths.
type editor struct {
	t     driver.Target
	op    op
	clear []string
	mask  func(string) string
}

func newEditor(t driver.Target, o op, mask func(string) string) *editor {
	return &editor{t: t, op: o, clear: t.ClearFields(), mask: mask}
}

// outcome of editing one scope.
type outcome struct {
	matched bool // the subject's data is here
	remove  bool // the whole scope goes (delete mode, or nothing left)
	changed bool // the scope was rewritten in place
}

// apply edits doc (a map or array) in place; prefix is doc's own path.
func (e *editor) apply(doc any, prefix string) (any, outcome) {
	if e.direct(doc, prefix) {
		out := outcome{matched: true}
		switch e.op {
		case opFind:
		case opDelete:
			out.remove = true
		case opNull:
			for _, f := range e.clear {
				if rel, ok := relPath(f, prefix); ok && !strings.Contains(rel, "[]") {
					var gone bool
					if doc, gone = deletePath(doc, rel); gone {
						out.changed = true
					}
				}
			}
			if isEmpty(doc) {
				out.remove = true
			}
		case opMask:
			for _, f := range e.clear {
				if rel, ok := relPath(f, prefix); ok && !strings.Contains(rel, "[]") {
					var ch bool
					if doc, ch = updatePath(doc, rel, func(v string) (string, bool) {
						m := e.mask(v)
						return m, m != v && !strings.HasPrefix(v, "tok_")
					}); ch {
						out.changed = true
					}
				}
			}
		case opRectify:
			for f, nv := range e.t.Changes {
				if rel, ok := relPath(f, prefix); ok && !strings.Contains(rel, "[]") {
					var ch bool
					if doc, ch = updatePath(doc, rel, func(v string) (string, bool) { return nv, v != nv }); ch {
						out.changed = true
					}
				}
			}
		}
		return doc, out
	}
	// The subject may own elements of arrays inside the document.
	var out outcome
	for _, arr := range e.arrayPaths(prefix) {
		elems, ok := lookupArray(doc, arr)
		if !ok {
			continue
		}
		kept := elems[:0:0]
		dirty := false
		for _, el := range elems {
			nel, sub := e.apply(el, joinPath(prefix, arr)+"[]")
			out.matched = out.matched || sub.matched
			switch {
			case sub.remove:
				dirty = true
				continue
			case sub.changed:
				dirty = true
			}
			kept = append(kept, nel)
		}
		if dirty && e.op != opFind {
			doc = setArray(doc, arr, kept)
			out.changed = true
		}
	}
	return doc, out
}

// direct reports whether a match hits a path of doc that is not inside a
// nested array: then doc as a whole is the subject's.
func (e *editor) direct(doc any, prefix string) bool {
	for _, m := range e.t.Match {
		if m.Field == "" {
			hit := false
			walkLeaves(doc, func(v string) {
				hit = hit || m.MatchValue(v)
			})
			if hit {
				return true
			}
			continue
		}
		rel, ok := relPath(m.Field, prefix)
		if !ok || strings.Contains(rel, "[]") {
			continue
		}
		for _, v := range valuesAt(doc, rel) {
			if m.MatchValue(v) {
				return true
			}
		}
	}
	return false
}

// arrayPaths lists the array paths (relative to prefix, without the
// trailing "[]") under which a match field continues.
func (e *editor) arrayPaths(prefix string) []string {
	var out []string
	for _, m := range e.t.Match {
		rel, ok := relPath(m.Field, prefix)
		if !ok {
			continue
		}
		i := strings.Index(rel, "[]")
		if i < 0 {
			continue
		}
		a := rel[:i]
		found := false
		for _, x := range out {
			found = found || x == a
		}
		if !found {
			out = append(out, a)
		}
	}
	return out
}

// relPath is field relative to prefix: "" when they are equal.
func relPath(field, prefix string) (string, bool) {
	if prefix == "" {
		return field, true
	}
	if field == prefix {
		return "", true
	}
	if rest, ok := strings.CutPrefix(field, prefix); ok && (strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "[]")) {
		return strings.TrimPrefix(rest, "."), true
	}
	return "", false
}

func joinPath(prefix, rel string) string {
	switch {
	case prefix == "":
		return rel
	case rel == "":
		return prefix
	case strings.HasPrefix(rel, "[]"):
		return prefix + rel
	}
	return prefix + "." + rel
}

// splitFirst splits a dotted path at the map key that exists in m,
// preferring the whole path (hash fields may hold dots).
func splitFirst(m map[string]any, path string) (string, string, bool) {
	if _, ok := m[path]; ok {
		return path, "", true
	}
	for i := len(path) - 1; i > 0; i-- {
		if path[i] == '.' || strings.HasPrefix(path[i:], "[]") {
			if _, ok := m[path[:i]]; ok {
				return path[:i], strings.TrimPrefix(path[i:], "."), true
			}
		}
	}
	return "", "", false
}

// valuesAt returns the string forms of the scalars at path ("" = v).
func valuesAt(v any, path string) []string {
	if path == "" {
		var out []string
		if s, ok := scalar(v); ok {
			out = append(out, s)
		}
		return out
	}
	if strings.HasPrefix(path, "[]") {
		arr, _ := v.([]any)
		var out []string
		for _, el := range arr {
			out = append(out, valuesAt(el, strings.TrimPrefix(path[2:], "."))...)
		}
		return out
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	k, rest, ok := splitFirst(m, path)
	if !ok {
		return nil
	}
	return valuesAt(m[k], rest)
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

func walkLeaves(v any, fn func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for _, c := range x {
			walkLeaves(c, fn)
		}
	case []any:
		for _, c := range x {
			walkLeaves(c, fn)
		}
	default:
		if s, ok := scalar(v); ok {
			fn(s)
		}
	}
}

// deletePath removes the value at path; path "" removes v itself (nil).
func deletePath(v any, path string) (any, bool) {
	if path == "" {
		return nil, v != nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return v, false
	}
	k, rest, ok := splitFirst(m, path)
	if !ok {
		return v, false
	}
	if rest == "" {
		delete(m, k)
		return m, true
	}
	nv, gone := deletePath(m[k], rest)
	if gone {
		m[k] = nv
	}
	return m, gone
}

// updatePath rewrites the scalar(s) at path with fn.
func updatePath(v any, path string, fn func(string) (string, bool)) (any, bool) {
	if path == "" {
		s, ok := scalar(v)
		if !ok {
			return v, false
		}
		ns, ch := fn(s)
		if !ch {
			return v, false
		}
		return ns, true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return v, false
	}
	k, rest, ok := splitFirst(m, path)
	if !ok {
		return v, false
	}
	nv, ch := updatePath(m[k], rest, fn)
	if ch {
		m[k] = nv
	}
	return m, ch
}

func lookupArray(v any, path string) ([]any, bool) {
	if path == "" {
		a, ok := v.([]any)
		return a, ok
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	k, rest, ok := splitFirst(m, path)
	if !ok {
		return nil, false
	}
	return lookupArray(m[k], rest)
}

func setArray(v any, path string, arr []any) any {
	if path == "" {
		return arr
	}
	m := v.(map[string]any)
	k, rest, _ := splitFirst(m, path)
	m[k] = setArray(m[k], rest, arr)
	return m
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// decodeRaw is a stored string as a document node: JSON objects and arrays
// decoded, anything else kept as the string.
func decodeRaw(s string) (any, bool) {
	if doc, ok := rs.DecodeJSON(s); ok {
		return doc, true
	}
	return s, false
}

// encodeRaw is the inverse of decodeRaw.
func encodeRaw(v any, wasJSON bool) string {
	if s, ok := v.(string); ok && !wasJSON {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
