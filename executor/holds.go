package executor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/executor/principal"
)

// Legal holds (`piimap hold add/list/release`): entries of the exceptions
// register (register.go) of kind driver.ExceptionLegalHold that keep an
// erasure or rectification from changing what they cover: a tenant's
// stores, one store, assets matching a glob, and optionally only the
// requests of one subject. A subject is kept as the HMACs of its
// identifiers (evidence.Keys.IdentifierHMAC, as the forget ledger and the
// plan digest do) and a masked form; the raw value is never stored.
// Planning turns a covering hold into a plan exception (the step is not
// executed) and the receipt ends completed_with_exceptions naming it.

// HoldInput is what `piimap hold add` records.
type HoldInput struct {
	Tenant  string
	Subject piimap.Subject // optional: only this subject's requests
	Store   string         // optional: every store of the tenant when empty
	Asset   string         // optional glob over asset names (path.Match)
	Reason  string
	Until   *time.Time // optional: the hold lapses then
}

// AddHold records a legal hold (principal.ManageHold on its tenant).
func (s *Service) AddHold(ctx context.Context, in HoldInput) (planning.Exception, error) {
	if err := s.init(ctx); err != nil {
		return planning.Exception{}, err
	}
	tenant, err := s.requestTenant(in.Tenant)
	if err != nil {
		return planning.Exception{}, err
	}
	ctx, actor, err := s.authorize(ctx, principal.ManageHold, "", tenant)
	if err != nil {
		return planning.Exception{}, err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return planning.Exception{}, fmt.Errorf("executor: hold: a --reason is required; it is kept in the register and the audit log: %w", piimap.ErrConfig)
	}
	if in.Store != "" {
		sc, ok := s.stores[in.Store]
		if !ok {
			return planning.Exception{}, fmt.Errorf("executor: hold: store %s is not configured: %w", termKey(in.Store), piimap.ErrConfig)
		}
		if sc.TenantName() != tenant {
			return planning.Exception{}, fmt.Errorf("executor: hold: store %s is not tenant %s's: %w", in.Store, tenant, ErrOtherTenant)
		}
	}
	if in.Asset != "" {
		if _, err := path.Match(in.Asset, ""); err != nil {
			return planning.Exception{}, fmt.Errorf("executor: hold: --asset %q is not a valid glob: %w", termKey(in.Asset), piimap.ErrConfig)
		}
	}
	n := now()
	if in.Until != nil && !in.Until.After(n) {
		return planning.Exception{}, fmt.Errorf("executor: hold: --until %s is not in the future: %w", in.Until.Format("2006-01-02"), piimap.ErrConfig)
	}
	var held []planning.HeldID
	if len(in.Subject) > 0 {
		sub, err := s.parseSubject(in.Subject, s.intakeRegion(tenant))
		if err != nil {
			return planning.Exception{}, err
		}
		for _, k := range identifierKinds(sub) {
			for _, v := range sub[k] {
				held = append(held, planning.HeldID{Kind: k, HMAC: s.keys.IdentifierHMAC(k, v), Masked: dsar.MaskDisplay(v)})
			}
		}
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	e := planning.Exception{ID: "hold-" + n.Format("20060102-150405") + "-" + hex.EncodeToString(b[:]), Kind: driver.ExceptionLegalHold,
		Tenant: tenant, Store: in.Store, Asset: in.Asset, Subject: held, Reason: redactFreeText(in.Reason), ExpiresAt: in.Until,
		CreatedAt: n, By: actor.Name}
	if err := s.putException(ctx, e); err != nil {
		return e, err
	}
	return e, s.auditLog.Append(ctx, "", "hold.add", actor.Name, holdDetail(e))
}

// holdDetail describes a hold for the audit log: scope, subject by kind and
// HMAC prefix only, reason.
func holdDetail(e planning.Exception) string {
	var subj []string
	for _, id := range e.Subject {
		subj = append(subj, id.Kind+":"+short(id.HMAC))
	}
	until := ""
	if e.ExpiresAt != nil {
		until = " until=" + e.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("hold=%s tenant=%s store=%s asset=%s subject=%s%s reason=%q", e.ID, e.Tenant, orAll(e.Store), orAll(e.Asset),
		orAll(strings.Join(subj, ",")), until, e.Reason)
}

func orAll(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// putException stores an entry of the exceptions register.
func (s *Service) putException(ctx context.Context, e planning.Exception) error {
	b, _ := json.Marshal(e)
	if err := s.docs.PutDoc(ctx, docException, e.ID, b); err != nil {
		return fmt.Errorf("executor: exception %s: %w", e.ID, err)
	}
	return nil
}

// Holds lists the legal holds of tenant ("" for every tenant the acting
// principal may read), released ones included, oldest first
// (principal.ReadRequest).
func (s *Service) Holds(ctx context.Context, tenant string) ([]planning.Exception, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	actor, err := s.actor(ctx)
	if err != nil {
		return nil, s.refuse(ctx, "", principal.ReadRequest, "unknown", err)
	}
	if tenant == "" && actor.Tenant != principal.AllTenants {
		tenant = actor.Tenant
	}
	scope := tenant
	if scope == "" {
		scope = principal.AllTenants
	}
	if _, _, err := s.authorize(ctx, principal.ReadRequest, "", scope); err != nil {
		return nil, err
	}
	all, err := s.Exceptions(ctx, "")
	if err != nil {
		return nil, err
	}
	out := []planning.Exception{}
	for _, e := range all {
		if e.Kind != driver.ExceptionLegalHold || e.Request != "" {
			continue
		}
		if tenant != "" && s.holdTenant(e) != tenant {
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

// holdTenant is the tenant of a hold: its own, else its store's (a hold
// recorded with AddException names only a store).
func (s *Service) holdTenant(e planning.Exception) string {
	if e.Tenant != "" {
		return e.Tenant
	}
	if sc, ok := s.stores[e.Store]; ok {
		return sc.TenantName()
	}
	return principal.AllTenants
}

// ReleaseHold releases a legal hold (principal.ManageHold on its tenant):
// it covers nothing from now on and stays in the register with who
// released it, when and why.
func (s *Service) ReleaseHold(ctx context.Context, id, reason string) (planning.Exception, error) {
	if err := s.init(ctx); err != nil {
		return planning.Exception{}, err
	}
	b, err := s.docs.GetDoc(ctx, docException, id)
	if err != nil {
		if errors.Is(err, piimap.ErrNotFound) {
			return planning.Exception{}, fmt.Errorf("executor: hold %s not found (piimap hold list): %w", termKey(id), piimap.ErrNotFound)
		}
		return planning.Exception{}, err
	}
	var e planning.Exception
	if err := json.Unmarshal(b, &e); err != nil || e.Kind != driver.ExceptionLegalHold {
		return planning.Exception{}, fmt.Errorf("executor: %s is not a legal hold: %w", termKey(id), piimap.ErrNotFound)
	}
	ctx, actor, err := s.authorize(ctx, principal.ManageHold, "", s.holdTenant(e))
	if err != nil {
		return e, err
	}
	if strings.TrimSpace(reason) == "" {
		return e, fmt.Errorf("executor: hold release %s: a --reason is required: %w", id, piimap.ErrConfig)
	}
	if e.Released != nil {
		return e, fmt.Errorf("executor: hold %s was already released on %s by %s: %w", id, e.Released.At.Format(time.RFC3339), e.Released.By, ErrTransition)
	}
	e.Released = &planning.Release{At: now(), By: actor.Name, Reason: redactFreeText(reason)}
	if err := s.putException(ctx, e); err != nil {
		return e, err
	}
	return e, s.auditLog.Append(ctx, "", "hold.release", actor.Name, fmt.Sprintf("hold=%s reason=%q", e.ID, e.Released.Reason))
}
