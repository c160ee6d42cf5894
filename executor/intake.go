package executor

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/scanner"
)

// Intake: what a request must be before it is recorded. Every identifier
// is parsed, validated and normalised by classifiers/identifier (partial
// values refused, several values of a kind kept), and every request has a
// tenant that some configured store serves; the tenant bounds every later
// step (planning reads only its part of the map; openHandler refuses
// any other tenant's store).

// ErrIntake wraps every refusal of a request at intake that the requester
// can fix: an identifier that is partial or malformed, too many values, an
// unknown or missing tenant. Its messages name the identifier kind and the
// reason, never a raw value.
// It also matches piimap.ErrConfig, which callers branching on bad input
// already test.
var ErrIntake error = intakeError{}

type intakeError struct{}

func (intakeError) Error() string        { return "request refused" }
func (intakeError) Is(target error) bool { return target == piimap.ErrConfig }

// NewRequest validates and records a request.
func (s *Service) NewRequest(ctx context.Context, in NewRequestInput) (*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	if !in.Type.Valid() {
		return nil, fmt.Errorf("executor: request type %q: %w", in.Type, piimap.ErrConfig)
	}
	if strings.TrimSpace(in.Requester) == "" {
		return nil, fmt.Errorf("executor: request needs a requester: %w", piimap.ErrConfig)
	}
	tenant, err := s.requestTenant(in.Tenant)
	if err != nil {
		return nil, err
	}
	sub, err := s.parseSubject(in.Subject, s.intakeRegion(tenant))
	if err != nil {
		return nil, err
	}
	if in.AllowMultiple < 0 {
		return nil, fmt.Errorf("executor: allow-multiple %d: want a positive count: %w", in.AllowMultiple, ErrIntake)
	}
	if in.Type == dsar.Rectification && len(in.Changes) == 0 {
		return nil, fmt.Errorf("executor: rectification needs changes: %w", piimap.ErrConfig)
	}
	for k, v := range in.Changes {
		// A corrected email or phone must itself be whole: rectifying an
		// address to a bare domain would plant a value that matches others.
		if k == piimap.KeyEmail || k == piimap.KeyPhone {
			if _, err := identifier.Parse(k, v, s.intakeRegion(tenant)); err != nil {
				return nil, fmt.Errorf("executor: change %s: %w: %w", k, err, ErrIntake)
			}
		}
	}
	if in.Type != dsar.Rectification && len(in.Changes) > 0 {
		return nil, fmt.Errorf("executor: changes only apply to rectification: %w", piimap.ErrConfig)
	}
	for k, m := range in.Modes {
		if !m.Valid() {
			return nil, fmt.Errorf("executor: mode %q for %s: %w", m, k, piimap.ErrConfig)
		}
	}
	now := time.Now().UTC()
	r := &Request{ID: newID(now), Type: in.Type, Tenant: tenant, Requester: in.Requester, Reason: in.Reason,
		Modes: in.Modes, AllowMultiple: in.AllowMultiple, CreatedAt: now, subject: sub, changes: in.Changes}
	r.transition(dsar.StatusNew, in.Requester, "")
	if err := s.saveRequest(ctx, r); err != nil {
		return nil, err
	}
	kinds := strings.Join(identifierKinds(sub), ",")
	if err := s.auditLog.Append(ctx, r.ID, "request.new", in.Requester, fmt.Sprintf("type=%s tenant=%s identifiers=%s", in.Type, tenant, kinds)); err != nil {
		return nil, err
	}
	return r, nil
}

// Tenants lists the tenants of the configured stores, sorted (a store that
// names none belongs to scanner.DefaultTenant).
func (s *Service) Tenants() []string {
	set := map[string]bool{}
	for _, sc := range s.stores {
		set[sc.TenantName()] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// requestTenant resolves the tenant of a new request: the one given, which
// must be a configured tenant, or the only configured tenant.
func (s *Service) requestTenant(given string) (string, error) {
	tenants := s.Tenants()
	given = strings.TrimSpace(given)
	if given == "" {
		switch len(tenants) {
		case 0:
			return "", fmt.Errorf("executor: no store is configured, so no tenant can be served: %w", ErrIntake)
		case 1:
			return tenants[0], nil
		}
		return "", fmt.Errorf("executor: the configuration serves %d tenants (%s): name one with --tenant: %w",
			len(tenants), strings.Join(tenants, ", "), ErrIntake)
	}
	if !slices.Contains(tenants, given) {
		return "", fmt.Errorf("executor: tenant %q has no configured store (configured: %s): %w",
			given, strings.Join(tenants, ", "), ErrIntake)
	}
	return given, nil
}

// tenantStores is the configuration restricted to the stores of tenant.
func (s *Service) tenantStores(tenant string) map[string]scanner.StoreConfig {
	out := map[string]scanner.StoreConfig{}
	for name, sc := range s.stores {
		if sc.TenantName() == tenant {
			out[name] = sc
		}
	}
	return out
}

// intakeRegion is the phone region numbers given without a country code
// are read in: Options.PhoneRegion, else the region every store of the
// tenant shares, else identifier.DefaultRegion.
func (s *Service) intakeRegion(tenant string) string {
	if s.opt.PhoneRegion != "" {
		return s.opt.PhoneRegion
	}
	region := ""
	for _, sc := range s.tenantStores(tenant) {
		switch {
		case sc.PhoneRegion == "":
		case region == "":
			region = sc.PhoneRegion
		case region != sc.PhoneRegion:
			return identifier.DefaultRegion
		}
	}
	if region == "" {
		return identifier.DefaultRegion
	}
	return region
}

// parseSubject validates and canonicalises every identifier of a request
// (classifiers/identifier): partial values are refused, values of one kind
// are kept in order with duplicates collapsed, up to
// identifier.MaxValuesPerKind each.
func (s *Service) parseSubject(in piimap.Subject, region string) (piimap.Subject, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("executor: request needs at least one subject identifier: %w", ErrIntake)
	}
	sub := piimap.Subject{}
	for _, k := range identifierKinds(in) {
		if !s.knownKind(k) {
			return nil, fmt.Errorf("executor: subject key %q is not an identity kind (use email, user_id, phone or a configured identity name): %w",
				termKey(k), ErrIntake)
		}
		seen := map[string]bool{}
		for i, raw := range in[k] {
			v, err := identifier.Parse(k, raw, region)
			if err != nil {
				return nil, fmt.Errorf("executor: subject %s value %d: %w: %w", termKey(k), i+1, err, ErrIntake)
			}
			if seen[v] {
				continue
			}
			seen[v] = true
			sub[k] = append(sub[k], v)
		}
		if len(sub[k]) > identifier.MaxValuesPerKind {
			return nil, fmt.Errorf("executor: subject %s: %d values, at most %d per kind: %w",
				k, len(sub[k]), identifier.MaxValuesPerKind, ErrIntake)
		}
	}
	return sub, nil
}

// termKey keeps an identifier kind printable in an error: a kind is a
// config name, not PII, but it came from the command line.
func termKey(k string) string {
	if len(k) > 32 {
		k = k[:32] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, k)
}
