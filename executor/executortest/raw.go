package executortest

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
)

// Row is one row, record, line or message of an asset exactly as the store
// holds it. Fixtures read rows with the store's own client (SQL, a file or
// object read, Redis or NATS commands), never through the handler, so that
// the suite's checks do not trust the code under test.
type Row struct {
	// Key identifies the row across an erasure: a primary key, a record id,
	// a Redis key (and element), a stream sequence. It must not be a field
	// that null or mask modes clear.
	Key string
	// Fields maps each field, named as Target.Fields and Match.Field name
	// it (dotted paths into documents), to its stored value; nil or a
	// missing entry is NULL/absent.
	Fields map[string]any
	// Raw is the row's stored bytes, or a canonical rendering of them; the
	// bystander checksums and the residue search use it. Empty means the
	// canonical JSON of Fields.
	Raw string
}

func (r Row) raw() string {
	if r.Raw != "" {
		return r.Raw
	}
	b, _ := json.Marshal(r.Fields)
	return string(b)
}

// Flatten turns a decoded JSON document into dotted paths: {"user":
// {"email": x}} gives "user.email": x. Arrays stay whole at their path.
// prefix, if not empty, is prepended with a dot.
func Flatten(prefix string, v any) map[string]any {
	out := map[string]any{}
	var walk func(p string, v any)
	walk = func(p string, v any) {
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			for k, x := range m {
				q := k
				if p != "" {
					q = p + "." + k
				}
				walk(q, x)
			}
			return
		}
		if p != "" {
			out[p] = v
		}
	}
	walk(prefix, v)
	return out
}

// JSONRow decodes a stored JSON document into a Row keyed by key; fields are
// flattened under prefix. A document that does not decode keeps its bytes
// as the field prefix (or "data").
func JSONRow(key, prefix string, doc []byte) Row {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		f := prefix
		if f == "" {
			f = "data"
		}
		return Row{Key: key, Fields: map[string]any{f: string(doc)}, Raw: string(doc)}
	}
	return Row{Key: key, Fields: Flatten(prefix, v), Raw: string(doc)}
}

// SQLRows reads every row of a database/sql result; Key is the string form
// of column keyCol, Raw the canonical JSON of the row.
func SQLRows(t testing.TB, rows *sql.Rows, keyCol string) []Row {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatalf("raw read: %v", err)
	}
	var out []Row
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("raw read: %v", err)
		}
		m := map[string]any{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			m[c] = vals[i]
		}
		out = append(out, Row{Key: Str(m[keyCol]), Fields: m})
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("raw read: %v", err)
	}
	return out
}

// MapRows turns plain column maps into Rows keyed by keyCol.
func MapRows(keyCol string, ms []map[string]any) []Row {
	out := make([]Row, 0, len(ms))
	for _, m := range ms {
		out = append(out, Row{Key: Str(m[keyCol]), Fields: m})
	}
	return out
}

// ParseFile splits a stored file (gzip is detected and read through) into
// its records with the standard library alone: format "csv", "tsv" (Key is
// column keyCol), "jsonl" and "json" (an array; Key is field keyCol; blank
// lines are skipped) or "text" (a line; Key is the line's first word). Raw is
// each record's exact bytes.
func ParseFile(t testing.TB, format string, data []byte, keyCol string) []Row {
	t.Helper()
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("raw read: %v", err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatalf("raw read: %v", err)
		}
	}
	var out []Row
	switch format {
	case "csv", "tsv":
		r := csv.NewReader(bytes.NewReader(data))
		if format == "tsv" {
			r.Comma = '\t'
		}
		r.FieldsPerRecord = -1
		head, err := r.Read()
		if err != nil {
			t.Fatalf("raw read: %v", err)
		}
		prev := r.InputOffset()
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("raw read: %v", err)
			}
			m := map[string]any{}
			for i, h := range head {
				if i < len(rec) {
					m[h] = rec[i]
				}
			}
			off := r.InputOffset()
			out = append(out, Row{Key: Str(m[keyCol]), Fields: m, Raw: string(data[prev:off])})
			prev = off
		}
	case "jsonl", "json":
		var docs []json.RawMessage
		if format == "json" {
			if err := json.Unmarshal(data, &docs); err != nil {
				t.Fatalf("raw read: %v", err)
			}
		} else {
			for _, l := range strings.Split(string(data), "\n") {
				if strings.TrimSpace(l) != "" {
					docs = append(docs, json.RawMessage(l))
				}
			}
		}
		for _, d := range docs {
			row := JSONRow("", "", d)
			row.Key = Str(row.Fields[keyCol])
			out = append(out, row)
		}
	case "text":
		for _, l := range strings.SplitAfter(string(data), "\n") {
			if l == "" {
				continue
			}
			w := strings.Fields(l)
			key := ""
			if len(w) > 0 {
				key = w[0]
			}
			out = append(out, Row{Key: key, Fields: map[string]any{"": strings.TrimRight(l, "\r\n")}, Raw: l})
		}
	default:
		t.Fatalf("raw read: unknown format %q", format)
	}
	return out
}

// Str is the string form of a stored value ("" for nil).
func Str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		return fmt.Sprint(x)
	case fmt.Stringer:
		return x.String()
	}
	switch v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprint(v)
}

// rowsByKey indexes rows; a duplicate key is a fixture error.
func rowsByKey(t testing.TB, asset string, rows []Row) map[string]Row {
	t.Helper()
	m := make(map[string]Row, len(rows))
	for _, r := range rows {
		if _, dup := m[r.Key]; dup {
			t.Fatalf("%s: raw reader returned key %q twice: keys must identify rows", asset, r.Key)
		}
		m[r.Key] = r
	}
	return m
}

// rest returns the rows whose keys are not in skip, as sorted key+bytes.
func rest(rows []Row, skip map[string]bool) []string {
	var parts []string
	for _, r := range rows {
		if !skip[r.Key] {
			parts = append(parts, r.Key+" "+r.raw())
		}
	}
	sort.Strings(parts)
	return parts
}
