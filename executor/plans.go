package executor

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Plans: executor/planning derives them; the request flow hands it the
// Service's handlers, exceptions register and keys, and keeps each
// request's plan in the DocStore with its raw match values sealed.

// planner is the Planner of one derivation for the Service.
func (s *Service) planner() *planning.Planner {
	return &planning.Planner{Graph: s.g, Docs: s.docs, Stores: s.stores, Concurrency: s.opt.Concurrency,
		Open: func(ctx context.Context, tenant, store, kind string) (driver.Handler, error) {
			return s.openHandler(ctx, tenant, store, kind, true)
		},
		Exceptions:     s.Exceptions,
		FilterHasher:   s.filterHasher,
		IdentifierHMAC: s.keys.IdentifierHMAC,
		Views:          &s.views,
		Manual:         s.manualReason,
	}
}

// derive builds the request's plan from the latest scan run
// (planning.Planner.Derive); count false leaves every step's Expected at 0.
// Its digest covers the policy in force (Policy.Hash) besides the scan run.
func (s *Service) derive(ctx context.Context, req *Request, modes map[string]driver.Mode, count bool) (*planning.Plan, error) {
	p, err := s.planner().Derive(ctx, req.forPlanning(), modes, count)
	if err != nil {
		return nil, err
	}
	p.Digest = s.digestAt(p, req, s.policy.Hash)
	return p, nil
}

// digestAt is the digest of plan p for req under policy hash policy
// (planning.DigestWith).
func (s *Service) digestAt(p *planning.Plan, req *Request, policy string) string {
	return planning.DigestWith(p, req.changes, policy, s.keys.IdentifierHMAC)
}

// filterHasher makes the identifier-filter hasher from the installation
// key, found as Service.init finds it.
func (s *Service) filterHasher(ctx context.Context) (*idfilter.Hasher, error) {
	ikey := s.opt.InstallationKey
	if ikey == nil {
		ik, ok := s.docs.(evidence.InstallationKeyer)
		if !ok {
			return nil, fmt.Errorf("executor: identifier filters: no installation key: %w", piimap.ErrConfig)
		}
		var err error
		if ikey, err = ik.InstallationKey(ctx); err != nil {
			return nil, fmt.Errorf("executor: identifier filters: installation key: %w", err)
		}
	}
	return idfilter.NewHasher(ikey)
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
	Plan   *planning.Plan `json:"plan"`
	Sealed string         `json:"sealed"`
}

func (s *Service) savePlan(ctx context.Context, p *planning.Plan) error {
	sec := planSecrets{Values: map[string][]string{}, Changes: map[string]map[string]string{}}
	for i, st := range p.Steps() {
		if len(st.Target.Changes) > 0 {
			sec.Changes[fmt.Sprint(i)] = st.Target.Changes
		}
		for j, m := range st.Target.Match {
			sec.Values[fmt.Sprintf("%d/%d", i, j)] = m.Values
		}
		for j, m := range st.Target.Companions {
			sec.Values[fmt.Sprintf("%d/c%d", i, j)] = m.Values
		}
	}
	for _, r := range p.Resolved {
		sec.Resolved = append(sec.Resolved, secretSet{Kind: r.Kind, Values: r.Values})
	}
	plain, _ := json.Marshal(sec)
	doc := planDoc{Plan: p, Sealed: base64.StdEncoding.EncodeToString(s.keys.Seal(plain, docPlan+"/"+p.Request))}
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("executor: plan %s: %w", p.Request, err)
	}
	if err := s.docs.PutDoc(ctx, docPlan, p.Request, b); err != nil {
		return fmt.Errorf("executor: save plan %s: %w", p.Request, err)
	}
	return nil
}

func (s *Service) loadPlan(ctx context.Context, id string) (*planning.Plan, error) {
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
	plain, err := s.keys.Open(sealed, docPlan+"/"+id)
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
			cs := p.Stores[si].Steps[ti].Target.Companions
			for j := range cs {
				cs[j].Values = sec.Values[fmt.Sprintf("%d/c%d", i, j)]
			}
			i++
		}
	}
	for _, r := range sec.Resolved {
		p.Resolved = append(p.Resolved, planning.ResolvedSet{Kind: r.Kind, Values: r.Values})
	}
	return p, nil
}
