package planning

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"sort"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
)

// digestView is the canonical form hashed into Plan.Digest.
type digestView struct {
	Request    string       `json:"request"`
	Type       dsar.Type    `json:"type"`
	ScanRun    string       `json:"scan_run"`
	Policy     string       `json:"policy,omitempty"`
	Steps      []digestStep `json:"steps"`
	Gaps       []Gap        `json:"gaps"`
	Exceptions []string     `json:"exceptions"`
	Skipped    []string     `json:"skipped,omitempty"`
	Tasks      []string     `json:"tasks,omitempty"`
	Changes    []string     `json:"changes,omitempty"`
	Allowed    int64        `json:"allowed_records,omitempty"`
}

type digestStep struct {
	Store, Asset, Action string
	Mode                 driver.Mode
	Format               string
	Gzip                 bool
	Fields               []string
	Match                []digestMatch
	Companions           []digestMatch `json:",omitempty"`
}

type digestMatch struct {
	Field, Kind string
	HMACs       []string
}

// Digest is the plan's digest without a policy hash: DigestWith(p,
// changes, "", hmac).
func Digest(p *Plan, changes map[string]string, hmac func(kind, value string) string) string {
	return DigestWith(p, changes, "", hmac)
}

// DigestWith is the plan's digest: SHA-256 of its canonical JSON with
// every identifier and every new value as hmac(kind, value), over the scan
// run the plan was derived from, the policy hash (the rules, modes,
// tenants and instructions in force; see the request flow), the steps,
// matches, modes, gaps, exceptions, skipped locations, changes and the
// records allowed, not the counts, which are observations. Approval
// freezes it; a run re-derives the plan and compares, so a new scan run or
// a changed policy after approval asks for a re-plan.
func DigestWith(p *Plan, changes map[string]string, policy string, hmac func(kind, value string) string) string {
	dv := digestView{Request: p.Request, Type: p.Type, ScanRun: p.ScanRun, Policy: policy, Gaps: p.Gaps, Allowed: p.AllowedRecords}
	for _, st := range p.Steps() {
		ds := digestStep{Store: st.Store, Asset: st.Asset, Action: st.Action, Mode: st.Target.Mode,
			Format: st.Target.Format, Gzip: st.Target.Gzip, Fields: st.Target.Fields}
		ds.Match = digestMatches(st.Target.Match, hmac)
		ds.Companions = digestMatches(st.Target.Companions, hmac)
		dv.Steps = append(dv.Steps, ds)
	}
	for _, e := range p.Exceptions {
		dv.Exceptions = append(dv.Exceptions, e.Kind+"|"+e.Store+"|"+e.Asset)
	}
	for _, tk := range p.Tasks {
		dv.Tasks = append(dv.Tasks, tk.Store+"|"+tk.Asset+"|"+tk.Action+"|"+string(tk.Mode))
	}
	for _, sk := range p.Skipped {
		dv.Skipped = append(dv.Skipped, sk.Store+"|"+sk.Asset)
	}
	for _, k := range slices.Sorted(maps.Keys(changes)) {
		dv.Changes = append(dv.Changes, k+"="+hmac(k, changes[k]))
	}
	b, _ := json.Marshal(dv)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// digestMatches is ms with every value as hmac(kind, value), sorted.
func digestMatches(ms []driver.Match, hmac func(kind, value string) string) []digestMatch {
	var out []digestMatch
	for _, m := range ms {
		dm := digestMatch{Field: m.Field, Kind: m.Kind}
		for _, v := range m.Values {
			dm.HMACs = append(dm.HMACs, hmac(m.Kind, v))
		}
		sort.Strings(dm.HMACs)
		out = append(out, dm)
	}
	return out
}
