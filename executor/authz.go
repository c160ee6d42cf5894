package executor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/principal"
)

// Authority: every Service method that reads or changes a request, a
// receipt or the map acts as a principal (executor/principal): the one
// the caller put in the context with principal.NewContext (the command
// line resolves PIIMAP_TOKEN with Authenticate), else, while no principal
// exists, principal.Local. The method checks the principal's role and
// tenant with principal.Authorize; a refusal is entered in the audit log
// with the principal and the reason before it is returned, so refused
// attempts are evidence too.

// Policy is the installation's request policy, from the config.
type Policy struct {
	// DueDays is the number of days a request of each type is due in;
	// types not named are due in DefaultDueDays.
	DueDays map[dsar.Type]int
	// ExportFourEyesRecords: an access or portability plan expecting more
	// records than this needs two approvers (default
	// DefaultExportFourEyesRecords; negative: never).
	ExportFourEyesRecords int64
	// Hash covers what the installation's plans depend on besides the
	// graph: rules, store modes, tenants, processing instructions. It is
	// part of every plan digest, so a change after approval makes a run
	// refuse and ask for a re-plan.
	Hash string
}

// DefaultDueDays is the due time of a request type the policy does not name.
const DefaultDueDays = 30

// DefaultExportFourEyesRecords is Policy.ExportFourEyesRecords when unset.
const DefaultExportFourEyesRecords = 1000

// SetPolicy sets the request policy; call it before the first request.
func (s *Service) SetPolicy(p Policy) { s.policy = p }

func (s *Service) dueDays(t dsar.Type) int {
	if d, ok := s.policy.DueDays[t]; ok && d > 0 {
		return d
	}
	return DefaultDueDays
}

func (s *Service) exportFourEyes() int64 {
	if s.policy.ExportFourEyesRecords == 0 {
		return DefaultExportFourEyesRecords
	}
	return s.policy.ExportFourEyesRecords
}

// Principals is the installation's principal store, in the DocStore.
func (s *Service) Principals() *principal.Store {
	s.princOnce.Do(func() { s.princ = principal.NewStore(s.docs) })
	return s.princ
}

// Authenticate resolves token to its principal and returns a context
// acting as it. While no principal exists it acts as principal.Local. A
// missing, unknown or revoked token is refused and the refusal recorded
// in the audit log (action "auth.refused", with what was attempted).
func (s *Service) Authenticate(ctx context.Context, token, attempt string) (context.Context, principal.Principal, error) {
	if err := s.init(ctx); err != nil {
		return ctx, principal.Principal{}, err
	}
	p, err := s.Principals().Resolve(ctx, token)
	if err != nil {
		who := p.Name
		if who == "" {
			who = "unknown"
		}
		if aerr := s.auditLog.Append(ctx, "", "auth.refused", who, attempt+": "+err.Error()); aerr != nil {
			return ctx, p, errors.Join(err, aerr)
		}
		return ctx, p, err
	}
	return principal.NewContext(ctx, p), p, nil
}

// actor is the principal acting in ctx: the context's, else Local while
// no principal exists, else principal.ErrNoToken.
func (s *Service) actor(ctx context.Context) (principal.Principal, error) {
	if p, ok := principal.FromContext(ctx); ok {
		return p, nil
	}
	boot, err := s.Principals().Bootstrap(ctx)
	if err != nil {
		return principal.Principal{}, err
	}
	if boot {
		return principal.Local, nil
	}
	return principal.Principal{}, fmt.Errorf("principals are configured: act with a token (PIIMAP_TOKEN or --token-file): %w", principal.ErrNoToken)
}

// actorName is the name recorded for the principal acting in ctx (after
// authorize has put it there).
func actorName(ctx context.Context) string {
	if p, ok := principal.FromContext(ctx); ok {
		return p.Name
	}
	return principal.Local.Name
}

// authorize checks that the principal acting in ctx may do act on tenant
// (for request, "" when none), records a refusal in the audit log, and
// returns ctx carrying the principal.
func (s *Service) authorize(ctx context.Context, act principal.Action, request, tenant string) (context.Context, principal.Principal, error) {
	if err := s.init(ctx); err != nil {
		return ctx, principal.Principal{}, err
	}
	p, err := s.actor(ctx)
	if err == nil {
		err = principal.Authorize(p, act, tenant)
	}
	if err != nil {
		who := p.Name
		if who == "" {
			who = "unknown"
		}
		return ctx, p, s.refuse(ctx, request, act, who, err)
	}
	return principal.NewContext(ctx, p), p, nil
}

// refuse records a refused attempt at act and returns err.
func (s *Service) refuse(ctx context.Context, request string, act principal.Action, who string, err error) error {
	if aerr := s.auditLog.Append(context.WithoutCancel(ctx), request, string(act)+".refused", who, err.Error()); aerr != nil {
		return errors.Join(err, aerr)
	}
	return err
}

// Authorize checks that the principal acting in ctx may do act on
// request id's tenant (recording a refusal), for commands outside the
// Service that act on a request: receipts, evidence packs. It returns ctx
// acting as the principal.
func (s *Service) Authorize(ctx context.Context, act principal.Action, id string) (context.Context, error) {
	if err := s.init(ctx); err != nil {
		return ctx, err
	}
	req, err := s.loadRequest(ctx, id)
	if err != nil {
		return ctx, err
	}
	ctx, _, err = s.authorize(ctx, act, id, req.tenant())
	return ctx, err
}

// AuthorizeTenant checks that the principal acting in ctx may do act on
// tenant ("" for the installation as a whole: every tenant), recording a
// refusal. It returns ctx acting as the principal, and the principal.
func (s *Service) AuthorizeTenant(ctx context.Context, act principal.Action, tenant string) (context.Context, principal.Principal, error) {
	return s.authorize(ctx, act, "", tenant)
}

// AddPrincipal creates a principal (admin only, of the new principal's
// tenant) and returns its token, shown once. It is recorded in the audit
// log without the token.
func (s *Service) AddPrincipal(ctx context.Context, name, tenant string, role principal.Role) (principal.Principal, string, error) {
	ctx, actor, err := s.authorize(ctx, principal.ManagePrincipal, "", tenant)
	if err != nil {
		return principal.Principal{}, "", err
	}
	p, token, err := s.Principals().Add(ctx, name, tenant, role, actor.Name)
	if err != nil {
		return p, "", s.refuse(ctx, "", principal.ManagePrincipal, actor.Name, err)
	}
	detail := fmt.Sprintf("principal=%s role=%s tenant=%s token=%s", p.Name, p.Role, p.Tenant, principal.Fingerprint(token))
	if err := s.auditLog.Append(ctx, "", "principal.add", actor.Name, detail); err != nil {
		return p, "", err
	}
	return p, token, nil
}

// RevokePrincipal revokes a principal (admin of its tenant).
func (s *Service) RevokePrincipal(ctx context.Context, name, reason string) (principal.Principal, error) {
	if err := s.init(ctx); err != nil {
		return principal.Principal{}, err
	}
	target, err := s.Principals().Get(ctx, name)
	if err != nil {
		return target, err
	}
	ctx, actor, err := s.authorize(ctx, principal.ManagePrincipal, "", target.Tenant)
	if err != nil {
		return principal.Principal{}, err
	}
	p, err := s.Principals().Revoke(ctx, name, actor.Name)
	if err != nil {
		return p, s.refuse(ctx, "", principal.ManagePrincipal, actor.Name, err)
	}
	detail := fmt.Sprintf("principal=%s role=%s tenant=%s", p.Name, p.Role, p.Tenant)
	if reason != "" {
		detail += fmt.Sprintf(" reason=%q", redactFreeText(reason))
	}
	if err := s.auditLog.Append(ctx, "", "principal.revoke", actor.Name, detail); err != nil {
		return p, err
	}
	return p, nil
}

// ListPrincipals lists the principals the acting admin manages: all for an
// admin of every tenant, else those of its tenant.
func (s *Service) ListPrincipals(ctx context.Context) ([]principal.Principal, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	actor, err := s.actor(ctx)
	if err != nil {
		return nil, s.refuse(ctx, "", principal.ManagePrincipal, "unknown", err)
	}
	tenant := actor.Tenant
	if tenant == principal.AllTenants {
		tenant = ""
	}
	if ctx, _, err = s.authorize(ctx, principal.ManagePrincipal, "", actor.Tenant); err != nil {
		return nil, err
	}
	all, err := s.Principals().List(ctx)
	if err != nil {
		return nil, err
	}
	out := []principal.Principal{}
	for _, p := range all {
		if tenant == "" || p.Tenant == tenant {
			out = append(out, p)
		}
	}
	return out, nil
}

// now is the clock of the request flow.
func now() time.Time { return time.Now().UTC() }
