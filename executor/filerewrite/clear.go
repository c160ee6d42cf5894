package filerewrite

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// Null and mask modes, and rectification, on records: the subject's
// record stays, with the values of its PII and match fields replaced by
// null (an empty CSV cell, JSON null) or by their HMAC token
// (driver.MaskToken, which keeps an email's shape), or with the
// corrected fields set. Only that record is re-encoded; every other record
// is copied byte for byte. Parquet does the same through DuckDB
// (parquet.go).

// ModeSupported reports whether records of format can be erased in mode
// by RewriteStream (and Parquet.Rewrite): text takes redact, drop, mask or
// delete (which drops the line); CSV, TSV, JSON, JSON Lines and Parquet
// take delete, null or mask (Parquet.Check checks Parquet's columns too).
func ModeSupported(format string, mode driver.Mode) bool {
	switch format {
	case piimap.FormatText:
		return mode == driver.ModeRedact || mode == driver.ModeDrop || mode == driver.ModeMask || mode == driver.ModeDelete
	case piimap.FormatCSV, piimap.FormatTSV, piimap.FormatJSON, piimap.FormatJSONL, piimap.FormatParquet:
		return mode == driver.ModeDelete || mode == "" || mode == driver.ModeNull || mode == driver.ModeMask
	}
	return false
}

// CheckTarget reports, as an error wrapping piimap.ErrUnsupported, a
// target records of format cannot take: a rectification (Changes) of a
// format RectifySupported refuses, or a mode ModeSupported refuses.
func CheckTarget(format string, t driver.Target) error {
	switch {
	case len(t.Changes) > 0 && !RectifySupported(format):
		return fmt.Errorf("rectification of %s records: %w", format, piimap.ErrUnsupported)
	case len(t.Changes) == 0 && !ModeSupported(format, t.Mode):
		return fmt.Errorf("mode %s for %s records: %w", t.Mode, format, piimap.ErrUnsupported)
	}
	return nil
}

// RectifySupported reports whether records of format can be rectified
// (their fields set to corrected values): CSV, TSV, JSON, JSON Lines and
// Parquet (top-level columns).
func RectifySupported(format string) bool {
	switch format {
	case piimap.FormatCSV, piimap.FormatTSV, piimap.FormatJSON, piimap.FormatJSONL, piimap.FormatParquet:
		return true
	}
	return false
}

// clearer gives the new value of a field: nil for null, a token for
// mask, the corrected value for rectification.
type clearer func(field, old string) any

func newClearer(mode driver.Mode, key []byte) clearer {
	if mode == driver.ModeMask {
		return func(_, old string) any { return driver.MaskToken(key, old) }
	}
	return func(string, string) any { return nil }
}

// rectifier sets each field to its corrected value in changes.
func rectifier(changes map[string]string) clearer {
	return func(field, _ string) any { return changes[field] }
}

// changes reports whether replacing old by v changes the value (so a
// second rectification, or nulling an empty cell, changes nothing).
func changes(old string, v any) bool {
	s, ok := v.(string)
	return !ok || s != old
}

// clearCSV re-encodes one CSV record (its fields rec, its terminator taken
// from raw) with the cells of fields replaced; nil when it has none of
// them.
func clearCSV(raw []byte, rec []string, idx map[string]int, comma rune, fields []string, c clearer) []byte {
	out := append([]string(nil), rec...)
	n := 0
	for _, f := range fields {
		if i, ok := idx[f]; ok && i < len(out) {
			v, _ := c(f, out[i]).(string) // null: an empty cell
			if v != out[i] {
				out[i] = v
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b) // LF inside and after the record (UseCRLF would turn quoted LFs into CRLFs)
	w.Comma = comma
	_ = w.Write(out)
	w.Flush()
	body := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return append(body, raw[len(bytes.TrimRight(raw, "\r\n")):]...) // raw's own terminator
}

// clearJSON re-encodes one JSON value v (decoded from raw) with the values
// at fields (paths as scanner.FlattenJSON names them: a.b, a[] for array
// elements, $ for a scalar root) replaced, keeping raw's surrounding
// whitespace; nil when no value is at those paths.
func clearJSON(raw []byte, v any, fields []string, c clearer) []byte {
	n := 0
	for _, f := range fields {
		v = replacePath(v, f, func(old string, wasNull bool) any {
			nv := c(f, old)
			if (nv == nil) != wasNull || (nv != nil && changes(old, nv)) {
				n++
			}
			return nv
		})
	}
	if n == 0 {
		return nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return raw
	}
	body := bytes.TrimRight(b.Bytes(), "\n")
	lead := raw[:len(raw)-len(bytes.TrimLeft(raw, " \t\r\n"))]
	trail := raw[len(bytes.TrimRight(raw, " \t\r\n")):]
	return append(append(append([]byte(nil), lead...), body...), trail...)
}

// replacePath returns v with every value at path replaced by repl of its
// text (and whether it was null). Keys holding dots are found by trying
// each key as a prefix.
func replacePath(v any, path string, repl func(old string, wasNull bool) any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			switch {
			case path == k:
				x[k] = repl(jsonText(child), child == nil)
			case strings.HasPrefix(path, k+"."):
				x[k] = replacePath(child, path[len(k)+1:], repl)
			case strings.HasPrefix(path, k+"[]"):
				x[k] = replacePath(child, path[len(k):], repl)
			}
		}
		return x
	case []any:
		rest, ok := strings.CutPrefix(path, "[]")
		if !ok {
			return x
		}
		for i, e := range x {
			switch {
			case rest == "":
				x[i] = repl(jsonText(e), e == nil)
			case strings.HasPrefix(rest, "."):
				x[i] = replacePath(e, rest[1:], repl)
			case strings.HasPrefix(rest, "[]"):
				x[i] = replacePath(e, rest, repl)
			}
		}
		return x
	}
	if path == "$" {
		return repl(jsonText(v), v == nil)
	}
	return v
}

// jsonText is a JSON value as FlattenJSON renders a leaf (strings as
// they are, numbers as written), or its JSON text for objects and arrays.
func jsonText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
