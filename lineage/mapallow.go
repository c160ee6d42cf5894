package lineage

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/sarif"
)

// Accepted findings and baselines: two ways a team says "we know about
// this one". An allow rule (config `allow:`) keeps the finding in the map,
// marked allowed with its reason; a baseline file lets `scan` and `map`
// report only what appeared since it was written.

// AllowRule accepts findings: path.Match globs over store, asset and field
// ("" matches anything; in a glob `*` does not cross `/`), a PII type (""
// or "*": any) and the reason shown beside the finding.
type AllowRule struct {
	Store  string `yaml:"store" json:"store,omitempty"`
	Asset  string `yaml:"asset" json:"asset,omitempty"`
	Field  string `yaml:"field" json:"field,omitempty"`
	Type   string `yaml:"type" json:"type,omitempty"`
	Reason string `yaml:"reason" json:"reason"`
}

// Validate reports a rule whose globs do not parse or that gives no
// reason.
func (r AllowRule) Validate() error {
	if strings.TrimSpace(r.Reason) == "" {
		return fmt.Errorf("allow rule %s: reason is required (say why the finding is accepted): %w", r, piimap.ErrConfig)
	}
	for _, g := range []string{r.Store, r.Asset, r.Field} {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("allow rule %s: bad glob %q: %w", r, g, piimap.ErrConfig)
		}
	}
	return nil
}

func (r AllowRule) String() string {
	return fmt.Sprintf("{store: %q, asset: %q, field: %q, type: %q}", r.Store, r.Asset, r.Field, r.Type)
}

func globOK(glob, s string) bool {
	if glob == "" {
		return true
	}
	ok, _ := path.Match(glob, s)
	return ok
}

func (r AllowRule) matches(l MapLocation, typ string) bool {
	return globOK(r.Store, l.Store) && globOK(r.Asset, l.Asset) && globOK(r.Field, l.Field) &&
		(r.Type == "" || r.Type == "*" || r.Type == typ)
}

// MarkAllowed marks every finding of m that a rule accepts (the first
// matching rule's reason) and returns how many it marked. The findings
// stay in the map.
func MarkAllowed(m *Map, rules []AllowRule) int {
	n := 0
	for i := range m.Locations {
		l := &m.Locations[i]
		for j := range l.PII {
			for _, r := range rules {
				if r.matches(*l, l.PII[j].Type) {
					l.PII[j].Allowed = r.Reason
					n++
					break
				}
			}
		}
	}
	return n
}

// BaselineVersion is the version of the baseline file format.
const BaselineVersion = 1

// Baseline is a set of findings by stable fingerprint (FindingFingerprint):
// `piimap baseline write` records one, `scan --baseline` and
// `map --baseline` leave its findings out. It names locations and types,
// never a value.
type Baseline struct {
	Version     int               `json:"version"`
	GeneratedAt time.Time         `json:"generated_at"`
	ScanRun     string            `json:"scan_run"`
	Findings    []BaselineFinding `json:"findings"`
}

// BaselineFinding is one accepted finding.
type BaselineFinding struct {
	Fingerprint string `json:"fingerprint"`
	Store       string `json:"store"`
	Asset       string `json:"asset"`
	Field       string `json:"field"`
	Type        string `json:"type"`
}

// FindingFingerprint is the stable fingerprint of a PII type at a
// location: the same in SARIF's partialFingerprints and in baselines, and
// the same in every run that finds it.
func FindingFingerprint(store, asset, field, typ string) string {
	return sarif.Fingerprint(store, asset, field, typ)
}

var fingerprintRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// NewBaseline records every finding of m.
func NewBaseline(m *Map) *Baseline {
	b := &Baseline{Version: BaselineVersion, GeneratedAt: time.Now().UTC(), ScanRun: m.ScanRun, Findings: []BaselineFinding{}}
	for _, l := range m.Locations {
		for _, p := range l.PII {
			b.Findings = append(b.Findings, BaselineFinding{Fingerprint: FindingFingerprint(l.Store, l.Asset, l.Field, p.Type),
				Store: l.Store, Asset: l.Asset, Field: l.Field, Type: p.Type})
		}
	}
	return b
}

// Write writes the baseline as indented JSON.
func (b *Baseline) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}

// ReadBaseline reads and checks a baseline file: its version, and every
// fingerprint well formed and matching the location it names (so an
// edited file is caught, not silently ignored).
func ReadBaseline(r io.Reader) (*Baseline, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var b Baseline
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("baseline: not a piimap baseline file (%v); write one with `piimap baseline write FILE`: %w", err, piimap.ErrConfig)
	}
	if b.Version != BaselineVersion {
		return nil, fmt.Errorf("baseline: version %d, this piimap reads version %d: %w", b.Version, BaselineVersion, piimap.ErrConfig)
	}
	for i, f := range b.Findings {
		if !fingerprintRE.MatchString(f.Fingerprint) || f.Fingerprint != FindingFingerprint(f.Store, f.Asset, f.Field, f.Type) {
			return nil, fmt.Errorf("baseline: finding %d (%s/%s#%s %s): fingerprint does not match; rewrite the file with `piimap baseline write`: %w",
				i+1, f.Store, f.Asset, f.Field, f.Type, piimap.ErrConfig)
		}
	}
	return &b, nil
}

// NewOnly returns a copy of m holding only the findings the baseline does
// not have: a location keeps its new PII types and is left out when it has
// none. Unit errors and coverage gaps stay (they are problems, not
// findings). known counts the findings left out.
func (b *Baseline) NewOnly(m *Map) (out *Map, known int) {
	have := make(map[string]bool, len(b.Findings))
	for _, f := range b.Findings {
		have[f.Fingerprint] = true
	}
	cp := *m
	cp.Locations = []MapLocation{}
	for _, l := range m.Locations {
		var fresh []MapPII
		for _, p := range l.PII {
			if have[FindingFingerprint(l.Store, l.Asset, l.Field, p.Type)] {
				known++
				continue
			}
			fresh = append(fresh, p)
		}
		if len(fresh) == 0 {
			continue
		}
		l.PII = slices.Clone(fresh)
		cp.Locations = append(cp.Locations, l)
	}
	return &cp, known
}
