package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/principal"
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

// ErrDuplicate is returned by NewRequest when an open request of the same
// type in the same tenant already shares an identifier with the new one;
// file it anyway with NewRequestInput.AllowDuplicate.
var ErrDuplicate = errors.New("duplicate request")

// ErrActor is returned when a request names as requester or approver
// someone other than the principal acting: with principals, a command acts
// only as its token's principal.
var ErrActor = errors.New("acting for someone else")

// NewRequest validates and records a request, acting as the principal in
// ctx (principal.CreateRequest on the tenant). With AttestedBy and
// AttestMethod it is verified at once, else received.
func (s *Service) NewRequest(ctx context.Context, in NewRequestInput) (*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	actor, err := s.actor(ctx)
	if err != nil {
		return nil, s.refuse(ctx, "", principal.CreateRequest, "unknown", err)
	}
	if !in.Type.Valid() {
		return nil, fmt.Errorf("executor: request type %q: %w", in.Type, piimap.ErrConfig)
	}
	given := in.Tenant
	if strings.TrimSpace(given) == "" && actor.Tenant != principal.AllTenants {
		given = actor.Tenant // a principal of one tenant files for it
	}
	tenant, err := s.requestTenant(given)
	if err != nil {
		return nil, err
	}
	ctx, actor, err = s.authorize(ctx, principal.CreateRequest, "", tenant)
	if err != nil {
		return nil, err
	}
	requester := strings.TrimSpace(in.Requester)
	switch {
	case !actor.Implied && requester != "" && !principal.SameName(requester, actor.Name):
		return nil, s.refuse(ctx, "", principal.CreateRequest, actor.Name,
			fmt.Errorf("executor: new request: --requester names someone else than principal %s; with principals a request is filed by its token's principal: drop --requester: %w", actor.Name, ErrActor))
	case !actor.Implied || requester == "":
		requester = actor.Name
	}
	attest := strings.TrimSpace(in.AttestedBy) != "" || strings.TrimSpace(in.AttestMethod) != ""
	if attest {
		if err := checkAttestation(in.AttestedBy, in.AttestMethod); err != nil {
			return nil, err
		}
		if ctx, _, err = s.authorize(ctx, principal.AttestRequest, "", tenant); err != nil {
			return nil, err
		}
	}
	if in.From != nil && in.Until != nil && in.Until.Before(*in.From) {
		return nil, fmt.Errorf("executor: date range: --until is before --from: %w", ErrIntake)
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
	if !in.AllowDuplicate {
		dup, err := s.openDuplicate(ctx, tenant, in.Type, sub)
		if err != nil {
			return nil, err
		}
		if dup != nil {
			return nil, s.refuse(ctx, dup.ID, principal.CreateRequest, actor.Name,
				fmt.Errorf("executor: new %s request: request %s (%s, filed %s) is open in tenant %s for an identifier of this one; follow that one, or file anyway with --allow-duplicate: %w",
					in.Type, dup.ID, dup.Status, dup.CreatedAt.Format("2006-01-02"), tenant, ErrDuplicate))
		}
	}
	created := now()
	r := &Request{ID: newID(created), Type: in.Type, Tenant: tenant, Requester: requester, Reason: redactFreeText(in.Reason),
		Modes: in.Modes, AllowMultiple: in.AllowMultiple, CreatedAt: created, subject: sub, changes: in.Changes,
		DueAt: created.AddDate(0, 0, s.dueDays(in.Type))}
	if in.From != nil || in.Until != nil {
		r.Scope = &Scope{From: in.From, Until: in.Until}
	}
	r.transition(dsar.StatusReceived, actor.Name, "")
	if attest {
		r.Attestation = &dsar.Attestation{By: redactFreeText(strings.TrimSpace(in.AttestedBy)), Method: redactFreeText(strings.TrimSpace(in.AttestMethod)), At: created, RecordedBy: actor.Name}
		r.transition(dsar.StatusVerified, actor.Name, "identity attested at intake")
	}
	if err := s.saveRequest(ctx, r); err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("type=%s tenant=%s requester=%s identifiers=%s due=%s", in.Type, tenant, requester,
		strings.Join(identifierKinds(sub), ","), r.DueAt.Format("2006-01-02"))
	if r.Scope != nil {
		detail += " range=" + scopeString(r.Scope)
	}
	if in.AllowDuplicate {
		detail += " allow_duplicate=true"
	}
	if in.Reason != "" {
		detail += fmt.Sprintf(" reason=%q", r.Reason)
	}
	if err := s.auditLog.Append(ctx, r.ID, "request.new", actor.Name, detail); err != nil {
		return nil, err
	}
	if attest {
		if err := s.auditAttest(ctx, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Attest records the controller's attestation of the subject's identity
// (who verified it and how) and moves the request from received to
// verified (principal.AttestRequest).
func (s *Service) Attest(ctx context.Context, id, by, method string) (*Request, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	ctx, actor, err := s.authorize(ctx, principal.AttestRequest, id, req.tenant())
	if err != nil {
		return nil, err
	}
	if err := checkAttestation(by, method); err != nil {
		return nil, err
	}
	if err := req.canMove(dsar.StatusVerified); err != nil {
		return nil, s.refuse(ctx, id, principal.AttestRequest, actor.Name, err)
	}
	req.Attestation = &dsar.Attestation{By: redactFreeText(strings.TrimSpace(by)), Method: redactFreeText(strings.TrimSpace(method)), At: now(), RecordedBy: actor.Name}
	req.transition(dsar.StatusVerified, actor.Name, "identity attested")
	if err := s.saveRequest(ctx, req); err != nil {
		return nil, err
	}
	return req, s.auditAttest(ctx, req)
}

func (s *Service) auditAttest(ctx context.Context, r *Request) error {
	a := r.Attestation
	return s.auditLog.Append(ctx, r.ID, "request.attest", actorName(ctx),
		fmt.Sprintf("attested_by=%q method=%q at=%s", a.By, a.Method, a.At.Format(time.RFC3339)))
}

// checkAttestation requires both who verified the subject and how.
func checkAttestation(by, method string) error {
	if strings.TrimSpace(by) == "" || strings.TrimSpace(method) == "" {
		return fmt.Errorf("executor: an attestation needs both --attested-by WHO and --attest-method METHOD (how the controller verified the subject, e.g. id-document, account-login): %w", ErrIntake)
	}
	return nil
}

// openDuplicate returns an open request of type t in tenant that shares
// an identifier with sub, or nil.
func (s *Service) openDuplicate(ctx context.Context, tenant string, t dsar.Type, sub piimap.Subject) (*Request, error) {
	var dup *Request
	err := s.docs.ListDocs(ctx, docRequest, func(id string, data []byte) error {
		if dup != nil {
			return nil
		}
		r, err := s.decodeRequest(id, data)
		if err != nil {
			return err
		}
		if r.Type != t || r.tenant() != tenant || !r.Status.Open() {
			return nil
		}
		for kind, vs := range sub {
			for _, v := range vs {
				if slices.Contains(r.subject[kind], v) {
					dup = r
					return nil
				}
			}
		}
		return nil
	})
	return dup, err
}

func scopeString(sc *Scope) string {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	}
	return day(sc.From) + ".." + day(sc.Until)
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
