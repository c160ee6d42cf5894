package executor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/principal"
)

// TestServiceActsAsPrincipal: through the Go API as on the command line,
// once a principal exists a caller without one is refused, every step is
// recorded with the principal in the context, and refusals are audited.
func TestServiceActsAsPrincipal(t *testing.T) {
	ctx := context.Background()
	e := newEstate(t)
	s := e.service(executor.Options{})

	// Bootstrap: the local admin adds the first principals.
	_, _, err := s.AddPrincipal(ctx, "root", "*", principal.Admin)
	require.NoError(t, err)
	as := func(name, tenant string, role principal.Role) context.Context {
		p, tok, err := s.AddPrincipal(principal.NewContext(ctx, principal.Principal{Name: "root", Tenant: "*", Role: principal.Admin}), name, tenant, role)
		require.NoError(t, err)
		actx, got, err := s.Authenticate(ctx, tok, "test")
		require.NoError(t, err)
		require.Equal(t, p.Name, got.Name)
		return actx
	}
	req, ops, a1, a2 := as("rita", "acme", principal.Requester), as("otto", "acme", principal.Operator),
		as("bob", "acme", principal.Approver), as("carol", "acme", principal.Approver)

	sub := piimap.Subject{piimap.KeyEmail: {"ann@example.com"}}
	_, err = s.NewRequest(ctx, executor.NewRequestInput{Type: dsar.Erasure, Tenant: "acme", Subject: sub})
	require.ErrorIs(t, err, principal.ErrNoToken, "no principal in the context once principals exist")

	r, err := s.NewRequest(req, executor.NewRequestInput{Type: dsar.Erasure, Subject: sub, AttestedBy: "desk", AttestMethod: "id-document"})
	require.NoError(t, err)
	require.Equal(t, "acme", r.Tenant, "a principal of one tenant files for it")
	require.Equal(t, "rita", r.Requester)
	_, err = s.Plan(ops, r.ID)
	require.NoError(t, err)
	_, err = s.Approve(a1, r.ID, "")
	require.NoError(t, err)
	_, err = s.Approve(a1, r.ID, "")
	require.ErrorIs(t, err, executor.ErrApprover)
	_, err = s.Approve(a2, r.ID, "bob")
	require.ErrorIs(t, err, executor.ErrActor)
	_, err = s.Execute(a2, r.ID, executor.RunOptions{Apply: true})
	require.ErrorIs(t, err, principal.ErrPermission)
	_, err = s.Approve(a2, r.ID, "")
	require.NoError(t, err)
	rc, err := s.Execute(ops, r.ID, executor.RunOptions{Apply: true})
	require.NoError(t, err)
	require.NotEqual(t, dsar.StatusFailed, rc.Status)

	got := map[string]string{}
	entries, err := s.Audit(ctx, r.ID)
	require.NoError(t, err)
	for _, a := range entries {
		got[a.Action] = a.Actor
	}
	for action, actor := range map[string]string{
		"request.new": "rita", "request.attest": "rita", "plan": "otto", "approve": "carol",
		"request.approve.refused": "carol", "request.run.refused": "carol",
		"run.start": "otto", "verify": "otto",
	} {
		require.Equal(t, actor, got[action], "audit %s", action)
	}
}
