package driver

import (
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
)

// Mode is how an erasure treats the subject's data at one location.
type Mode string

// Erasure modes. Structured stores default to ModeDelete, text assets to
// ModeRedact.
const (
	ModeDelete    Mode = "delete"    // remove the subject's rows
	ModeNull      Mode = "null"      // set the row's PII and key fields to NULL
	ModeMask      Mode = "mask"      // replace them with HMAC tokens (format-preserving for emails)
	ModeTombstone Mode = "tombstone" // reserved for stores that mark rows deleted
	ModeRedact    Mode = "redact"    // text: replace the identifier with [REDACTED]
	ModeDrop      Mode = "drop"      // text: drop the whole line
	// ModeExpire leaves the data to expire by the TTL or retention the
	// scan measured: allowed only where every probed key has a TTL (or the
	// stream a max_age), and recorded as a retention exception with the
	// expiry date instead of a write.
	ModeExpire Mode = "expire"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool {
	switch m {
	case ModeDelete, ModeNull, ModeMask, ModeTombstone, ModeRedact, ModeDrop, ModeExpire:
		return true
	}
	return false
}

// Match kinds beyond the subject identifier kinds (email, phone, user_id and
// configured identity names): key values resolved from rows.
const (
	KindKey = "key" // values of a key field, resolved from the subject's rows
	KindRef = "ref" // a child field matched against its parent key's values
)

// Match selects the rows whose Field holds one of Values. Kind decides the
// comparison (classifiers/identifier): emails compare case-insensitively
// and also match as a whole token inside free text, phones compare in
// E.164 (the stored number read in Region) or as a whole written number in
// text, all other kinds compare the value's string form exactly. An empty Field means
// the whole line of a text asset.
//
// Values are raw identifiers: they never appear in JSON, logs or errors.
type Match struct {
	Field  string   `json:"field,omitempty"`
	Kind   string   `json:"kind"`
	Via    string   `json:"via,omitempty"`    // why this match exists: "identity email", "references main.customers.id"
	Masked []string `json:"values,omitempty"` // masked forms for display
	Values []string `json:"-"`
	// Region is the phone region (ISO 3166 alpha-2) the field's or store's
	// numbers are written in; phone values are E.164 and compare with
	// stored numbers read in this region (identifier.PhoneForms).
	Region string `json:"region,omitempty"`
}

// Target is one asset of one store holding the subject's data, and how to
// find and erase it. A row belongs to the subject when any Match matches.
type Target struct {
	Asset  string   `json:"asset"`
	Format string   `json:"format,omitempty"` // objects: piimap.FormatCSV, ...
	Gzip   bool     `json:"gzip,omitempty"`
	Match  []Match  `json:"match"`
	Mode   Mode     `json:"mode,omitempty"`
	Fields []string `json:"fields,omitempty"` // PII fields; null/mask modes clear these and the match fields
	// Companions are values of the subject's entity record that cannot
	// find the subject by themselves (a name namesakes share, a postal
	// address a household shares) and are redacted only on text lines
	// that one of Match already attributes to the subject (LineSpans).
	// A handler that does not rewrite text lines ignores them.
	Companions []Match `json:"companions,omitempty"`
	// Changes holds rectification values by PII type or field name; raw, sealed at rest.
	Changes map[string]string `json:"-"`
}

// ClearFields is the sorted set of fields null/mask modes rewrite: the PII
// fields plus every match field, so that the row no longer matches afterwards
// and a second erasure changes nothing.
func (t Target) ClearFields() []string {
	set := map[string]bool{}
	for _, f := range t.Fields {
		set[f] = true
	}
	for _, m := range t.Match {
		if m.Field != "" {
			set[m.Field] = true
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Column names one column of a Batch.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

// Batch is a slice of the subject's rows from one Find. Arrow-backed
// handlers set Record (valid only during the emit callback; Retain it to
// keep it); others set Columns and Rows. Use Batch.Table for a uniform view.
type Batch struct {
	Record  arrow.Record
	Columns []Column
	Rows    [][]any
}

// Len is the number of rows in the batch.
func (b Batch) Len() int {
	if b.Record != nil {
		return int(b.Record.NumRows())
	}
	return len(b.Rows)
}

// Table returns the batch as columns and JSON-able rows.
func (b Batch) Table() ([]Column, [][]any) {
	if b.Record == nil {
		return b.Columns, b.Rows
	}
	return ArrowRows(b.Record)
}

// Result is what one Erase/Rectify did at one asset. In a dry run Changed
// counts what would change.
type Result struct {
	Asset   string `json:"asset"`
	Found   int64  `json:"found"`
	Changed int64  `json:"changed"`
}
