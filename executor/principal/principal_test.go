package principal_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/principal"
	"github.com/piimap/piimap/lineage/lineagetest"
)

func TestAuthorize(t *testing.T) {
	p := func(role principal.Role, tenant string) principal.Principal {
		return principal.Principal{Name: "bob", Role: role, Tenant: tenant}
	}
	cases := []struct {
		name    string
		p       principal.Principal
		act     principal.Action
		tenant  string
		missing string // "" allowed, else "role" or "tenant"
		msg     string
	}{
		{"requester files in own tenant", p(principal.Requester, "acme"), principal.CreateRequest, "acme", "", ""},
		{"requester cannot approve", p(principal.Requester, "acme"), principal.ApproveRequest, "acme", "role",
			"permission denied: principal bob (requester, tenant acme) may not approve requests; a principal with role approver (or admin) of tenant acme can"},
		{"approver cannot run", p(principal.Approver, "acme"), principal.RunRequest, "acme", "role",
			"permission denied: principal bob (approver, tenant acme) may not run requests; a principal with role operator (or admin) of tenant acme can"},
		{"operator runs", p(principal.Operator, "acme"), principal.RunRequest, "acme", "", ""},
		{"operator of another tenant", p(principal.Operator, "acme"), principal.RunRequest, "globex", "tenant",
			"permission denied: principal bob (operator, tenant acme) may not run requests of tenant globex; a principal of tenant globex (or *) can"},
		{"auditor reads the audit log", p(principal.Auditor, "*"), principal.ReadAudit, "acme", "", ""},
		{"auditor changes nothing", p(principal.Auditor, "*"), principal.CancelRequest, "acme", "role", ""},
		{"operator cannot manage principals", p(principal.Operator, "*"), principal.ManagePrincipal, "*", "role", ""},
		{"tenant admin manages its tenant", p(principal.Admin, "acme"), principal.ManagePrincipal, "acme", "", ""},
		{"tenant admin not every tenant", p(principal.Admin, "acme"), principal.ManagePrincipal, "*", "tenant", ""},
		{"admin of every tenant", p(principal.Admin, "*"), principal.RunRequest, "globex", "", ""},
		{"local bootstrap admin", principal.Local, principal.ManagePrincipal, "*", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := principal.Authorize(c.p, c.act, c.tenant)
			if c.missing == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, principal.ErrPermission)
			var pe *principal.PermissionError
			require.True(t, errors.As(err, &pe))
			require.Equal(t, c.missing, pe.Missing)
			if c.msg != "" {
				require.Equal(t, c.msg, err.Error())
			}
		})
	}
}

// TestPermissionsTable: every action is granted to admin and to some other
// role but principal management; the auditor holds no action that writes.
func TestPermissionsTable(t *testing.T) {
	writes := []principal.Action{principal.CreateRequest, principal.AttestRequest, principal.PlanRequest, principal.ApproveRequest,
		principal.DenyRequest, principal.RunRequest, principal.CancelRequest, principal.RunScan, principal.ManagePrincipal}
	for _, a := range writes {
		require.False(t, principal.Auditor.Allows(a), "auditor may %s", a)
	}
	for _, a := range principal.Permissions[principal.Admin] {
		if a == principal.ManagePrincipal {
			require.Equal(t, []principal.Role{principal.Admin}, principal.RolesAllowing(a))
			continue
		}
		require.Greater(t, len(principal.RolesAllowing(a)), 1, "only admin may %s", a)
	}
	for _, r := range principal.Roles {
		for _, a := range principal.Permissions[r] {
			require.True(t, principal.Admin.Allows(a), "admin lacks %s of %s", a, r)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	cases := []struct {
		a, b string
		same bool
	}{
		{"alice", "alice@corp", true},
		{"Alice", " alice@corp.example ", true},
		{"ALICE@x", "alice@y", true},
		{"bob", "bob2", false},
		{"alice", "alicia", false},
		{"", "", false},
		{"@corp", "", false},
	}
	for _, c := range cases {
		require.Equal(t, c.same, principal.SameName(c.a, c.b), "%q vs %q", c.a, c.b)
	}
}

func TestStoreTokens(t *testing.T) {
	ctx := context.Background()
	docs := lineagetest.NewMemGraph()
	st := principal.NewStore(docs)

	// Bootstrap: no principal, Local acts whatever the token.
	p, err := st.Resolve(ctx, "")
	require.NoError(t, err)
	require.Equal(t, principal.Local, p)

	root, rootTok, err := st.Add(ctx, "Root", "*", principal.Admin, "local")
	require.NoError(t, err)
	require.Equal(t, "root", root.Name, "names are kept lowercase")
	require.True(t, strings.HasPrefix(rootTok, principal.TokenPrefix))
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(rootTok, principal.TokenPrefix))
	require.NoError(t, err)
	require.Len(t, raw, 32)

	bob, bobTok, err := st.Add(ctx, "bob", "acme", principal.Approver, "root")
	require.NoError(t, err)
	require.NotEqual(t, rootTok, bobTok)

	// Only the hash is stored.
	stored, err := docs.GetDoc(ctx, "principal", "bob")
	require.NoError(t, err)
	require.NotContains(t, string(stored), bobTok)
	require.Contains(t, string(stored), principal.HashToken(bobTok))

	for _, c := range []struct {
		name, token string
		want        error
		who         string
	}{
		{"no token", "", principal.ErrNoToken, ""},
		{"unknown token", principal.TokenPrefix + "AAAA", principal.ErrToken, ""},
		{"bob's token", bobTok, nil, "bob"},
		{"root's token with spaces", " " + rootTok + "\n", nil, "root"},
	} {
		got, err := st.Resolve(ctx, c.token)
		if c.want != nil {
			require.ErrorIs(t, err, c.want, c.name)
			if c.token != "" {
				require.NotContains(t, err.Error(), c.token, "the token is never echoed")
			}
			continue
		}
		require.NoError(t, err, c.name)
		require.Equal(t, c.who, got.Name)
	}

	_, _, err = st.Add(ctx, "bob", "acme", principal.Operator, "root")
	require.ErrorIs(t, err, principal.ErrExists)
	for _, bad := range []struct {
		name, tenant string
		role         principal.Role
	}{
		{"alice@corp", "acme", principal.Requester},
		{"local", "acme", principal.Requester},
		{"carol", "", principal.Requester},
		{"carol", "acme", "superuser"},
	} {
		_, _, err = st.Add(ctx, bad.name, bad.tenant, bad.role, "root")
		require.ErrorIs(t, err, principal.ErrName, "%+v", bad)
	}

	// Revoked: refused, and the principal is named for the record.
	_, err = st.Revoke(ctx, "Bob@corp", "root")
	require.NoError(t, err)
	got, err := st.Resolve(ctx, bobTok)
	require.ErrorIs(t, err, principal.ErrRevoked)
	require.Equal(t, bob.Name, got.Name)
	boot, err := st.Bootstrap(ctx)
	require.NoError(t, err)
	require.False(t, boot, "revoked principals still end the bootstrap")

	// The last admin of every tenant stays.
	_, err = st.Revoke(ctx, "root", "root")
	require.ErrorIs(t, err, principal.ErrLastAdmin)
	_, err = st.Revoke(ctx, "nobody", "root")
	require.ErrorIs(t, err, piimap.ErrNotFound)
}
