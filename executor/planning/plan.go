package planning

import (
	"time"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
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
	// its store's other steps (see driver.Recomputer).
	ActionRecompute = "recompute"
)

// Plan is what a request will do, derived from the latest scan run: per
// store, the steps in execution order with their expected counts, plus every
// gap and exception. Its digest covers the steps, matches (identifiers by
// HMAC), modes, gaps and exceptions, not the counts, which are observations.
type Plan struct {
	Request     string       `json:"request"`
	Type        dsar.Type    `json:"type"`
	ScanRun     string       `json:"scan_run"`
	CreatedAt   time.Time    `json:"created_at"`
	Identifiers []Identifier `json:"identifiers"`
	// Companions are the names and postal addresses on the subject's
	// entity record: on a text line their identifiers attribute to them
	// they are redacted too (driver.Target.Companions); alone they find
	// nothing.
	Companions []Identifier `json:"companions,omitempty"`
	Stores     []StorePlan  `json:"stores"`
	Gaps       []Gap        `json:"gaps"`
	Exceptions []Exception  `json:"exceptions"`
	// Tasks lists the locations people must handle by hand: stores
	// marked `manual: true` and stores whose kind has no handler. A
	// request with tasks completes only when each is done or waived.
	Tasks []Task `json:"tasks,omitempty"`
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

	// Resolved holds, per identifier kind, every value the plan matches
	// on, raw: the forget ledger records them (as HMACs) after an
	// erasure. Never in JSON; the request flow seals it at rest.
	Resolved []ResolvedSet `json:"-"`
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
	Store    string        `json:"store"`
	Asset    string        `json:"asset"`
	Action   string        `json:"action"`
	Target   driver.Target `json:"target"`
	Expected int64         `json:"expected"`
	// PII maps the asset's PII fields to their types (for the data dictionary).
	PII map[string][]string `json:"pii,omitempty"`
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

// ResolvedSet is a set of identifier values of one kind, in insertion
// order, and the fields they were read from.
type ResolvedSet struct {
	Kind   string
	Values []string
	Via    []string
}

// Task is one location a person must handle by hand, with what to do.
// Match carries masked values only (driver.Match.Values is never in JSON).
type Task struct {
	Store        string         `json:"store"`
	Asset        string         `json:"asset"`
	Kind         string         `json:"kind"`   // the store kind
	Action       string         `json:"action"` // erase, rectify, export, find
	Mode         driver.Mode    `json:"mode,omitempty"`
	Reason       string         `json:"reason"` // why piimap does not do it itself
	Instructions string         `json:"instructions"`
	Match        []driver.Match `json:"match,omitempty"`
}
