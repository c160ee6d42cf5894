package executor

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/piimap/piimap"
)

// Step actions.
const (
	ActionErase   = "erase"
	ActionRectify = "rectify"
	ActionExport  = "export"
	ActionFind    = "find"
	// ActionRecompute: the asset is a view the store computes from other
	// assets; it is not written, it changes when they do, and verification
	// checks it like any other step. A materialized view is refreshed after
	// its store's other steps (see Recomputer).
	ActionRecompute = "recompute"
)

// Plan is what a request will do, derived from the latest scan run: per
// store, the steps in execution order with their expected counts, plus every
// gap and exception. Its digest covers the steps, matches (identifiers by
// HMAC), modes, gaps and exceptions, not the counts, which are observations.
type Plan struct {
	Request     string       `json:"request"`
	Type        Type         `json:"type"`
	ScanRun     string       `json:"scan_run"`
	CreatedAt   time.Time    `json:"created_at"`
	Identifiers []Identifier `json:"identifiers"`
	Stores      []StorePlan  `json:"stores"`
	Gaps        []Gap        `json:"gaps"`
	Exceptions  []Exception  `json:"exceptions"`
	// Skipped lists the locations left out because their identifier
	// filter, built on a full scan of the unchanged location, shows that
	// none of the subject's identifiers can be there.
	Skipped []Skip `json:"skipped,omitempty"`
	// Lineage lists every derived or copied location in the request's
	// scope (a copy_of or derived_from edge out of it) with what the plan
	// does about it: delete, recompute, expires, export, or a gap.
	Lineage []EdgeAction `json:"lineage,omitempty"`
	// Entities counts the entity records the identifiers resolve to, per
	// entity table (blast.go); AllowedRecords is how many the request
	// accepts. Erasure, rectification and restriction are refused when a
	// count exceeds it.
	Entities []EntityCount `json:"entities,omitempty"`
	// Unused lists identifier values found on the subject's entity rows
	// but left out of the search because other records hold them too.
	Unused         []Unused `json:"unused,omitempty"`
	AllowedRecords int64    `json:"allowed_records,omitempty"`
	Digest         string   `json:"digest"`

	resolved []resolvedSet
}

// Identifier summarises one identifier kind the plan matches on.
type Identifier struct {
	Kind   string   `json:"kind"`
	Count  int      `json:"count"`
	Masked []string `json:"values"`
	Via    []string `json:"via,omitempty"` // fields the resolved values came from
}

// StorePlan is one store's steps, children before parents.
type StorePlan struct {
	Store string `json:"store"`
	Kind  string `json:"kind"`
	Steps []Step `json:"steps"`
}

// Step is one asset's work.
type Step struct {
	Store    string `json:"store"`
	Asset    string `json:"asset"`
	Action   string `json:"action"`
	Target   Target `json:"target"`
	Expected int64  `json:"expected"`
	// PII maps the asset's PII fields to their types (for the data dictionary).
	PII map[string][]string `json:"pii,omitempty"`
}

// Gap kinds.
const (
	GapNoPath      = "no_path"
	GapUnitError   = "scan_error"
	GapUnsupported = "unsupported"
	// GapOutsideRoot: a files or S3 location the handler refuses to read
	// or write because it is a symlink, outside the store root or unsafely
	// named (piimap.ErrOutsideRoot).
	GapOutsideRoot = "outside_root"
	GapFindFailed  = "find_failed"
	GapUnconfigued = "unconfigured_store"
	GapLimit       = "resolution_limit"
)

// Gap is a location the plan cannot cover, with the reason. Gaps are never
// silent: they appear in the plan, the receipt and the exit code.
type Gap struct {
	Kind   string `json:"kind"`
	Store  string `json:"store"`
	Asset  string `json:"asset,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// Skip is a location a plan leaves out, with the evidence why.
type Skip struct {
	Store  string `json:"store"`
	Asset  string `json:"asset"`
	Reason string `json:"reason"`
}

// Steps returns every step across stores.
func (p *Plan) Steps() []Step {
	var out []Step
	for _, sp := range p.Stores {
		out = append(out, sp.Steps...)
	}
	return out
}

// resolvedSet is a set of identifier values of one kind, in insertion order.
type resolvedSet struct {
	kind   string
	values []string
	via    []string
}

// digestView is the canonical form hashed into Plan.Digest.
type digestView struct {
	Request    string       `json:"request"`
	Type       Type         `json:"type"`
	Steps      []digestStep `json:"steps"`
	Gaps       []Gap        `json:"gaps"`
	Exceptions []string     `json:"exceptions"`
	Skipped    []string     `json:"skipped,omitempty"`
	Changes    []string     `json:"changes,omitempty"`
	Allowed    int64        `json:"allowed_records,omitempty"`
}

type digestStep struct {
	Store, Asset, Action string
	Mode                 Mode
	Format               string
	Gzip                 bool
	Fields               []string
	Match                []digestMatch
}

type digestMatch struct {
	Field, Kind string
	HMACs       []string
}

func (s *Service) digest(p *Plan, changes map[string]string) string {
	dv := digestView{Request: p.Request, Type: p.Type, Gaps: p.Gaps, Allowed: p.AllowedRecords}
	for _, st := range p.Steps() {
		ds := digestStep{Store: st.Store, Asset: st.Asset, Action: st.Action, Mode: st.Target.Mode,
			Format: st.Target.Format, Gzip: st.Target.Gzip, Fields: st.Target.Fields}
		for _, m := range st.Target.Match {
			dm := digestMatch{Field: m.Field, Kind: m.Kind}
			for _, v := range m.Values {
				dm.HMACs = append(dm.HMACs, s.keys.identifierHMAC(m.Kind, v))
			}
			sort.Strings(dm.HMACs)
			ds.Match = append(ds.Match, dm)
		}
		dv.Steps = append(dv.Steps, ds)
	}
	for _, e := range p.Exceptions {
		dv.Exceptions = append(dv.Exceptions, e.Kind+"|"+e.Store+"|"+e.Asset)
	}
	for _, sk := range p.Skipped {
		dv.Skipped = append(dv.Skipped, sk.Store+"|"+sk.Asset)
	}
	for _, k := range sortedKeys(changes) {
		dv.Changes = append(dv.Changes, k+"="+s.keys.identifierHMAC(k, changes[k]))
	}
	b, _ := json.Marshal(dv)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// planSecrets is the sealed part of a stored plan: the raw match values.
type planSecrets struct {
	Values   map[string][]string          `json:"values"`            // "step/match" → values
	Changes  map[string]map[string]string `json:"changes,omitempty"` // "step" → field → new value
	Resolved []secretSet                  `json:"resolved"`
}

type secretSet struct {
	Kind   string   `json:"kind"`
	Values []string `json:"values"`
}

type planDoc struct {
	Plan   *Plan  `json:"plan"`
	Sealed string `json:"sealed"`
}

func (s *Service) savePlan(ctx context.Context, p *Plan) error {
	sec := planSecrets{Values: map[string][]string{}, Changes: map[string]map[string]string{}}
	for i, st := range p.Steps() {
		if len(st.Target.Changes) > 0 {
			sec.Changes[fmt.Sprint(i)] = st.Target.Changes
		}
		for j, m := range st.Target.Match {
			sec.Values[fmt.Sprintf("%d/%d", i, j)] = m.Values
		}
	}
	for _, r := range p.resolved {
		sec.Resolved = append(sec.Resolved, secretSet{Kind: r.kind, Values: r.values})
	}
	plain, _ := json.Marshal(sec)
	doc := planDoc{Plan: p, Sealed: base64.StdEncoding.EncodeToString(s.keys.seal(plain, docPlan+"/"+p.Request))}
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("executor: plan %s: %w", p.Request, err)
	}
	if err := s.docs.PutDoc(ctx, docPlan, p.Request, b); err != nil {
		return fmt.Errorf("executor: save plan %s: %w", p.Request, err)
	}
	return nil
}

func (s *Service) loadPlan(ctx context.Context, id string) (*Plan, error) {
	b, err := s.docs.GetDoc(ctx, docPlan, id)
	if err != nil {
		return nil, fmt.Errorf("executor: plan %s: %w", id, err)
	}
	var doc planDoc
	if err := json.Unmarshal(b, &doc); err != nil || doc.Plan == nil {
		return nil, fmt.Errorf("executor: plan %s: %w", id, piimap.ErrCorrupt)
	}
	sealed, err := base64.StdEncoding.DecodeString(doc.Sealed)
	if err != nil {
		return nil, fmt.Errorf("executor: plan %s: %w", id, piimap.ErrCorrupt)
	}
	plain, err := s.keys.open(sealed, docPlan+"/"+id)
	if err != nil {
		return nil, fmt.Errorf("executor: plan %s: %w", id, err)
	}
	var sec planSecrets
	if err := json.Unmarshal(plain, &sec); err != nil {
		return nil, fmt.Errorf("executor: plan %s secrets: %w", id, piimap.ErrCorrupt)
	}
	p := doc.Plan
	i := 0
	for si := range p.Stores {
		for ti := range p.Stores[si].Steps {
			p.Stores[si].Steps[ti].Target.Changes = sec.Changes[fmt.Sprint(i)]
			ms := p.Stores[si].Steps[ti].Target.Match
			for j := range ms {
				ms[j].Values = sec.Values[fmt.Sprintf("%d/%d", i, j)]
			}
			i++
		}
	}
	for _, r := range sec.Resolved {
		p.resolved = append(p.resolved, resolvedSet{kind: r.Kind, values: r.Values})
	}
	return p, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
