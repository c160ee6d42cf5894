package piimap

import (
	"encoding/json"
	"errors"
	"strings"
)

// Location names anything piimap knows, down to a field.
//
// Store is the configured store name ("app", "lake"). Namespace follows
// OpenLineage naming: postgres://host:5432, file:///abs/dir,
// duckdb:///abs/file.duckdb, s3://bucket. Name is the asset inside the store:
// `schema.table` for SQL stores, the object key relative to the store root
// for files and S3, the key pattern for Redis, the stream for NATS. Field is
// the column or a JSON path such as `payload.user.email`; it is empty for an
// asset-level location such as a whole log file.
type Location struct {
	Store     string `json:"store"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"asset"`
	Field     string `json:"field,omitempty"`
}

// Asset returns the location with its field cleared.
func (l Location) Asset() Location { l.Field = ""; return l }

// WithField returns the location narrowed to field f.
func (l Location) WithField(f string) Location { l.Field = f; return l }

// String renders store/asset[#field], the stable key used in receipts and
// ground truth ("wh/main.customers#email").
func (l Location) String() string {
	var b strings.Builder
	b.WriteString(l.Store)
	b.WriteByte('/')
	b.WriteString(l.Name)
	if l.Field != "" {
		b.WriteByte('#')
		b.WriteString(l.Field)
	}
	return b.String()
}

// Unit kinds: what a Source enumerates.
const (
	UnitTable      = "table"       // a SQL table or view
	UnitObject     = "object"      // a file or object
	UnitKeyPattern = "key_pattern" // a Redis key pattern
	UnitStream     = "stream"      // a message stream
)

// Formats of object units, detected by content and extension.
const (
	FormatCSV     = "csv"
	FormatTSV     = "tsv"
	FormatJSON    = "json"
	FormatJSONL   = "jsonl"
	FormatParquet = "parquet"
	FormatText    = "text"
)

// Unit is one thing a Source reads independently: a table, an object, a key
// pattern, a stream. A scan records an error per unit and carries on.
type Unit struct {
	Loc    Location          `json:"loc"`
	Kind   string            `json:"kind"`             // UnitTable, UnitObject, ...
	Format string            `json:"format,omitempty"` // for objects: FormatCSV, ...
	Gzip   bool              `json:"gzip,omitempty"`   // object is gzip-compressed
	Size   int64             `json:"size,omitempty"`   // bytes, when known
	Rows   int64             `json:"rows,omitempty"`   // row estimate, when known
	Meta   map[string]string `json:"meta,omitempty"`
}

// Structured reports whether the unit yields per-field values (tables,
// CSV/JSON/Parquet) rather than text chunks.
func (u Unit) Structured() bool {
	return u.Kind != UnitObject || u.Format != FormatText
}

// Record is what a Source emits: either Values, a sample of one field's cells,
// or Data, a chunk of text starting at byte Offset of the unit (Line is the
// 1-based line number of Data's first byte when known).
type Record struct {
	Loc    Location
	Values []string
	Data   []byte
	Offset int64
	Line   int64
	Meta   map[string]string // sql type, column comment, json path, content type, total rows
}

// Meta keys Sources set on records and units.
const (
	MetaSQLType     = "sql_type"
	MetaComment     = "comment"
	MetaNullable    = "nullable"
	MetaUnique      = "unique"      // "true" when the column has a unique/PK constraint
	MetaPrimaryKey  = "primary_key" // "true" for PK columns
	MetaRowsSampled = "rows_sampled"
	MetaRowsTotal   = "rows_total"
	// MetaChangeStamp on a unit is a source's token that changes whenever
	// the unit's content may have (write counters, a modification time):
	// equal stamps mean unchanged. Sources that cannot tell leave it unset.
	MetaChangeStamp = "change_stamp"
	MetaTextField   = "text_field" // "true" when a structured field holds free text (classify spans)
	// MetaSkipped on a unit (an asset attribute in the graph) holds why the
	// unit was listed but never read: a symlink out of the store root, an
	// unsafe name. Its read fails with the reason, a unit error.
	MetaSkipped = "skipped"
)

// Span is one PII match inside text, with byte offsets relative to the
// chunk/value it was found in. It never carries the matched bytes.
type Span struct {
	Type       string  `json:"type"`
	RuleID     string  `json:"rule"`
	Start      int     `json:"offset"`
	End        int     `json:"-"`
	Confidence float64 `json:"confidence"`
}

// Len is the span's length in bytes.
func (s Span) Len() int { return s.End - s.Start }

// Finding is one PII type found at a location. It never holds a raw value.
type Finding struct {
	Loc        Location `json:"loc"`
	Type       string   `json:"type"`
	RuleID     string   `json:"rule"`
	Confidence float64  `json:"confidence"`
	Hits       int      `json:"hits"`
	Sampled    int      `json:"sampled"`
	Evidence   []string `json:"evidence,omitempty"`
	Masked     string   `json:"masked,omitempty"`
}

// Subject identifies one data subject by identifier kind → values, e.g.
// {"email": ["ann@example.com", "ann.smith@work.example"], "user_id": ["42"]}.
// A person may have several values of one kind; each is kept. Values are
// raw PII: they live only in memory and in the request's sealed state,
// never in logs.
type Subject map[string][]string

// UnmarshalJSON accepts the current form (kind → list of values) and the
// earlier one (kind → one value), so requests sealed before several values
// per kind were allowed still open.
func (s *Subject) UnmarshalJSON(b []byte) error {
	var many map[string][]string
	if err := json.Unmarshal(b, &many); err == nil {
		*s = many
		return nil
	}
	var one map[string]string
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	out := make(Subject, len(one))
	for k, v := range one {
		out[k] = []string{v}
	}
	*s = out
	return nil
}

// Subject identifier kinds understood everywhere; configs may add more.
const (
	KeyEmail  = "email"
	KeyUserID = "user_id"
	KeyPhone  = "phone"
)

// PII type names: part of the output contract, keep them stable.
const (
	TypeEmail          = "email"
	TypePhone          = "phone"
	TypePersonName     = "person_name"
	TypePostalAddress  = "postal_address"
	TypeDateOfBirth    = "date_of_birth"
	TypeUSSSN          = "national_id.us_ssn"
	TypeUKNINO         = "national_id.uk_nino"
	TypePassport       = "passport"
	TypeDriversLicense = "drivers_license"
	TypeCreditCard     = "credit_card"
	TypeIBAN           = "iban"
	TypeBankAccount    = "bank_account"
	TypeIPAddress      = "ip_address"
	TypeMACAddress     = "mac_address"
	TypeDeviceID       = "device_id"
	TypeGeoCoordinates = "geo_coordinates"
	TypeUsername       = "username"
	TypeCredential     = "credential"
	TypeUserID         = "user_id"
)

// Sentinel errors callers branch on. Wrap them with %w and the object named.
var (
	ErrNotFound     = errors.New("not found")
	ErrUnsupported  = errors.New("unsupported")
	ErrCorrupt      = errors.New("corrupt input")
	ErrUnreachable  = errors.New("store unreachable")
	ErrInvalidRule  = errors.New("invalid rule")
	ErrConfig       = errors.New("invalid config")
	ErrNotApproved  = errors.New("plan not approved")
	ErrPlanChanged  = errors.New("plan changed since approval")
	ErrInvalidState = errors.New("invalid request state")
	// ErrOutsideRoot marks what file and object stores refuse to read or
	// write: a symlink, a path or key outside the store root, an unsafe
	// name. It also matches ErrUnsupported.
	ErrOutsideRoot error = containmentError{}
)

type containmentError struct{}

func (containmentError) Error() string        { return "unsupported (store root containment)" }
func (containmentError) Is(target error) bool { return target == ErrUnsupported }
