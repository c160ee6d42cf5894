package driver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// ArrowRows converts an Arrow record batch to columns and JSON-able rows.
// Nested types (structs, lists, maps) become their JSON forms.
func ArrowRows(rec arrow.Record) ([]Column, [][]any) {
	sc := rec.Schema()
	cols := make([]Column, sc.NumFields())
	for i, f := range sc.Fields() {
		cols[i] = Column{Name: f.Name, Type: f.Type.String()}
	}
	n := int(rec.NumRows())
	rows := make([][]any, n)
	for r := 0; r < n; r++ {
		row := make([]any, len(cols))
		for c := range cols {
			arr := rec.Column(c)
			if arr.IsNull(r) {
				continue
			}
			row[c] = detach(arr.GetOneForMarshal(r))
		}
		rows[r] = row
	}
	return cols, rows
}

// detach copies values that alias Arrow buffers (strings and bytes are
// zero-copy views), so rows outlive the record they came from.
func detach(v any) any {
	switch x := v.(type) {
	case string:
		return strings.Clone(x)
	case []byte:
		return bytes.Clone(x)
	case json.RawMessage:
		return json.RawMessage(bytes.Clone(x))
	}
	return v
}

// CellString renders one JSON-able cell for CSV output: nil is empty,
// strings are verbatim, numbers and booleans use their JSON text, nested
// values their compact JSON.
func CellString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case []byte:
		return string(x)
	case json.RawMessage:
		return string(x)
	case fmt.Stringer:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// LookupPath reads field (a column or a dotted JSON path) from a row of a
// Batch's Table.
func LookupPath(cols []Column, row []any, field string) (any, bool) {
	for i, c := range cols {
		if c.Name == field && i < len(row) {
			return row[i], true
		}
	}
	parts := strings.Split(field, ".")
	for i, c := range cols {
		if c.Name != parts[0] || i >= len(row) {
			continue
		}
		cur := row[i]
		for _, p := range parts[1:] {
			m, ok := asMap(cur)
			if !ok {
				return nil, false
			}
			if cur, ok = m[p]; !ok {
				return nil, false
			}
		}
		return cur, true
	}
	return nil, false
}

func asMap(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case json.RawMessage:
		var m map[string]any
		if json.Unmarshal(x, &m) == nil {
			return m, true
		}
	}
	return nil, false
}
