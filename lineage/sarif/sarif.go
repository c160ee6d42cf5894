package sarif

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"sort"
	"strings"
)

// Version and Schema are the SARIF version and schema URI every log names.
const (
	Version = "2.1.0"
	Schema  = "https://json.schemastore.org/sarif-2.1.0.json"
	// FingerprintKey names piimap's stable result fingerprint in
	// partialFingerprints.
	FingerprintKey = "piimapLocation/v1"
)

// Log is a SARIF log with one run.
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is one run of piimap.
type Run struct {
	Tool       Tool           `json:"tool"`
	ColumnKind string         `json:"columnKind,omitempty"`
	Results    []Result       `json:"results"`
	Properties map[string]any `json:"properties,omitempty"`
}

// Tool is the tool component that produced the run.
type Tool struct {
	Driver Driver `json:"driver"`
}

// Driver is piimap with its rules.
type Driver struct {
	Name           string `json:"name"`
	Version        string `json:"version,omitempty"`
	InformationURI string `json:"informationUri,omitempty"`
	Rules          []Rule `json:"rules"`
}

// Rule is one PII type.
type Rule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription Message        `json:"shortDescription"`
	FullDescription  *Message       `json:"fullDescription,omitempty"`
	DefaultConfig    *RuleConfig    `json:"defaultConfiguration,omitempty"`
	Properties       map[string]any `json:"properties,omitempty"`
}

// RuleConfig is a rule's default level.
type RuleConfig struct {
	Level string `json:"level"`
}

// Message is a plain-text message.
type Message struct {
	Text string `json:"text"`
}

// Result is one finding.
type Result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             Message           `json:"message"`
	Locations           []Location        `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Suppressions        []Suppression     `json:"suppressions,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

// Suppression marks a result accepted (an allow rule): kind "external"
// (configured outside the code) with the rule's reason.
type Suppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// Location is where a result is: a physical (file) or logical (store,
// asset, field) location.
type Location struct {
	Physical *Physical `json:"physicalLocation,omitempty"`
	Logical  []Logical `json:"logicalLocations,omitempty"`
}

// Physical is a file region.
type Physical struct {
	Artifact ArtLoc  `json:"artifactLocation"`
	Region   *Region `json:"region,omitempty"`
}

// ArtLoc names a file, relative to a uriBaseId when one is given.
type ArtLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// Region is a 1-based line with the span's byte offset and length in the
// whole file (SARIF counts columns in characters; a finding knows bytes).
type Region struct {
	StartLine  int64  `json:"startLine"`
	ByteOffset *int64 `json:"byteOffset,omitempty"`
	ByteLength *int64 `json:"byteLength,omitempty"`
}

// Logical is a named place that is not a file: a store, asset or field.
type Logical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// Builder collects rules and results into a Log.
type Builder struct {
	driver  Driver
	rules   map[string]int
	results []Result
	props   map[string]any
	column  string
}

// NewBuilder starts a log for piimap at version (empty: unknown).
func NewBuilder(version string) *Builder {
	return &Builder{driver: Driver{Name: "piimap", Version: version, Rules: []Rule{}}, rules: map[string]int{}}
}

// SetProperty records a run property (the scan run, the graph).
func (b *Builder) SetProperty(k string, v any) {
	if b.props == nil {
		b.props = map[string]any{}
	}
	b.props[k] = v
}

// SetColumnKind says how columns are counted ("unicodeCodePoints" or
// "utf16CodeUnits").
func (b *Builder) SetColumnKind(k string) { b.column = k }

// Rule returns the index of the rule for a PII type, adding it (with the
// title as its description and the level as its default) on first use.
func (b *Builder) Rule(piiType, title, level string) int {
	if i, ok := b.rules[piiType]; ok {
		return i
	}
	r := Rule{ID: RuleID(piiType), Name: ruleName(piiType),
		ShortDescription: Message{Text: "Personal data: " + title},
		FullDescription:  &Message{Text: "piimap found personal data of type " + piiType + " (" + title + ")."},
		DefaultConfig:    &RuleConfig{Level: level},
		Properties:       map[string]any{"tags": []string{"pii", piiType}}}
	b.driver.Rules = append(b.driver.Rules, r)
	b.rules[piiType] = len(b.driver.Rules) - 1
	return b.rules[piiType]
}

// Add appends a result for a PII type (its rule is added when new).
func (b *Builder) Add(piiType, title, level string, r Result) {
	r.RuleIndex = b.Rule(piiType, title, level)
	r.RuleID = RuleID(piiType)
	if r.Level == "" {
		r.Level = level
	}
	if r.Locations == nil {
		r.Locations = []Location{}
	}
	b.results = append(b.results, r)
}

// Log returns the log built so far.
func (b *Builder) Log() Log {
	res := b.results
	if res == nil {
		res = []Result{}
	}
	return Log{Schema: Schema, Version: Version, Runs: []Run{{Tool: Tool{Driver: b.driver}, ColumnKind: b.column, Results: res, Properties: b.props}}}
}

// Write writes the log as indented JSON.
func (b *Builder) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b.Log())
}

// RuleID is the SARIF rule id of a PII type: "pii/<type>".
func RuleID(piiType string) string { return "pii/" + piiType }

// ruleName is the rule's PascalCase name ("NationalIdUsSsn").
func ruleName(piiType string) string {
	var b strings.Builder
	up := true
	for _, r := range piiType {
		isAlnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		switch {
		case !isAlnum:
			up = true
		case up && r >= 'a' && r <= 'z':
			b.WriteRune(r - ('a' - 'A'))
			up = false
		default:
			b.WriteRune(r)
			up = false
		}
	}
	if b.Len() == 0 {
		return "Pii"
	}
	return b.String()
}

// Fingerprint is the stable fingerprint of a finding: a hash of its parts
// (where and which type), never of a value.
func Fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Level maps a confidence to a SARIF level: error at 0.9 and above,
// warning at 0.6, note below.
func Level(confidence float64) string {
	switch {
	case confidence >= 0.9:
		return "error"
	case confidence >= 0.6:
		return "warning"
	}
	return "note"
}

// SortResults orders results by rule, then location, for stable output.
func (b *Builder) SortResults() {
	key := func(r Result) string {
		var s strings.Builder
		s.WriteString(r.RuleID)
		for _, l := range r.Locations {
			if l.Physical != nil {
				s.WriteString("\x00" + l.Physical.Artifact.URI)
			}
			for _, lg := range l.Logical {
				s.WriteString("\x00" + lg.FullyQualifiedName)
			}
		}
		return s.String()
	}
	sort.SliceStable(b.results, func(i, j int) bool { return key(b.results[i]) < key(b.results[j]) })
}
