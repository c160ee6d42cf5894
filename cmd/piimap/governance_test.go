package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/lineage/badgerstore"
)

// Governed requests (issue 12): principals, tokens and roles; every action
// and every refused attempt in the audit log with the principal; four eyes
// by principals; the lifecycle. Each refusal is checked twice: the
// command's exit code and message, and the audit entry it left.

const (
	govEmailA = "ann@example.com"
	govEmailB = "bea@example.org"
)

// govEstate is two tenants, a and b, each with a CSV of users, scanned.
type govEstate struct {
	dir, cfg string
}

func newGovEstate(t *testing.T, extra string) *govEstate {
	t.Helper()
	dir := t.TempDir()
	for tenant, email := range map[string]string{"a": govEmailA, "b": govEmailB} {
		lake := filepath.Join(dir, "lake-"+tenant)
		require.NoError(t, os.MkdirAll(lake, 0o755))
		csv := "id,email,name\n1," + email + ",Subject One\n2,other." + tenant + "@example.net,Someone Else\n3," + email + ",Subject One again\n"
		require.NoError(t, os.WriteFile(filepath.Join(lake, "users.csv"), []byte(csv), 0o644))
	}
	cfg := filepath.Join(dir, "piimap.yaml")
	body := fmt.Sprintf("graph: %s\nstores:\n  - {name: lake-a, url: %q, tenant: a}\n  - {name: lake-b, url: %q, tenant: b}\n%s",
		filepath.Join(dir, "graph"), "file://"+filepath.Join(dir, "lake-a"), "file://"+filepath.Join(dir, "lake-b"), extra)
	require.NoError(t, os.WriteFile(cfg, []byte(body), 0o600))
	e := &govEstate{dir: dir, cfg: cfg}
	e.as(t, "", 0, "init") // the key directory
	e.as(t, "", 0, "scan", "--full")
	return e
}

// as runs piimap with token as PIIMAP_TOKEN ("" for none) and requires
// exit code want; it returns stdout and stderr.
func (e *govEstate) as(t *testing.T, token string, want int, args ...string) (string, string) {
	t.Helper()
	t.Setenv("PIIMAP_TOKEN", token)
	code, out, errs := cli(t, append([]string{"--config", e.cfg}, args...)...)
	require.Equal(t, want, code, "piimap %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), out, errs)
	return out, errs
}

// audit reads the audit chain straight from the graph.
func (e *govEstate) audit(t *testing.T) []evidence.AuditEntry {
	t.Helper()
	g, err := badgerstore.Open(filepath.Join(e.dir, "graph"))
	require.NoError(t, err)
	defer g.Close()
	var out []evidence.AuditEntry
	require.NoError(t, g.ListDocs(context.Background(), "dsar.audit", func(_ string, b []byte) error {
		var a evidence.AuditEntry
		if err := json.Unmarshal(b, &a); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	}))
	return out
}

// lastAudit is the newest audit entry; it must be action by actor on
// request, and never hold a raw identifier.
func (e *govEstate) lastAudit(t *testing.T, action, actor, request string) evidence.AuditEntry {
	t.Helper()
	all := e.audit(t)
	require.NotEmpty(t, all)
	last := all[len(all)-1]
	require.Equal(t, action, last.Action, "audit %+v", last)
	require.Equal(t, actor, last.Actor, "audit %+v", last)
	require.Equal(t, request, last.Request, "audit %+v", last)
	for _, raw := range []string{govEmailA, govEmailB} {
		require.NotContains(t, last.Detail, raw)
	}
	return last
}

// refused runs a command that must be refused with exit 1 and a message
// holding every want, and checks the audit entry of the refusal.
func (e *govEstate) refused(t *testing.T, token, action, actor, request string, want []string, args ...string) {
	t.Helper()
	_, errs := e.as(t, token, exitError, args...)
	for _, w := range want {
		require.Contains(t, errs, w)
	}
	a := e.lastAudit(t, action, actor, request)
	require.Contains(t, a.Detail, want[0], "the audit entry gives the reason")
}

func (e *govEstate) addPrincipal(t *testing.T, admin, name, tenant, role string) string {
	t.Helper()
	out, _ := e.as(t, admin, 0, "--json", "principal", "add", name, "--tenant", tenant, "--role", role)
	var p struct {
		Name, Token string
	}
	require.NoError(t, json.Unmarshal([]byte(out), &p))
	require.True(t, strings.HasPrefix(p.Token, "pmt_"))
	e.lastAudit(t, "principal.add", map[bool]string{true: "local", false: "root"}[admin == ""], "")
	return p.Token
}

func (e *govEstate) newRequest(t *testing.T, token, typ, tenant, email string, extra ...string) executor.Request {
	t.Helper()
	args := append([]string{"--json", "dsar", "new", "--type", typ, "--tenant", tenant, "--subject", "email=" + email}, extra...)
	out, _ := e.as(t, token, 0, args...)
	var r executor.Request
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	return r
}

func TestGovernedRequests(t *testing.T) {
	e := newGovEstate(t, "")

	// Bootstrap: no principal yet, the implied local admin adds the first.
	root := e.addPrincipal(t, "", "root", "*", "admin")
	// From now on a token is needed, even to manage principals.
	e.refused(t, "", "auth.refused", "unknown", "", []string{"PIIMAP_TOKEN"}, "principal", "add", "eve", "--tenant", "a", "--role", "admin")
	e.refused(t, "pmt_forged", "auth.refused", "unknown", "", []string{"belongs to no principal"}, "dsar", "list")

	tok := map[string]string{}
	for _, p := range []struct{ name, tenant, role string }{
		{"req-a", "a", "requester"}, {"appr-a1", "a", "approver"}, {"appr-a2", "a", "approver"}, {"appr-a3", "a", "approver"},
		{"op-a", "a", "operator"}, {"aud-a", "a", "auditor"}, {"admin-a", "a", "admin"},
		{"req-b", "b", "requester"}, {"op-b", "b", "operator"}, {"appr-b1", "b", "approver"}, {"appr-b2", "b", "approver"},
	} {
		tok[p.name] = e.addPrincipal(t, root, p.name, p.tenant, p.role)
	}
	// A tenant admin cannot mint principals of another tenant or of all.
	e.refused(t, tok["admin-a"], "principal.manage.refused", "admin-a", "", []string{"permission denied", "tenant b"},
		"principal", "add", "mallory", "--tenant", "b", "--role", "admin")
	out, _ := e.as(t, tok["aud-a"], exitError, "principal", "list")
	require.Empty(t, out)

	// Tenant b's request, planned and approved.
	rb := e.newRequest(t, tok["req-b"], "erasure", "b", govEmailB, "--attested-by", "controller desk", "--attest-method", "id-document")
	require.Equal(t, dsar.StatusVerified, rb.Status)
	require.Equal(t, "req-b", rb.Requester)
	e.as(t, tok["op-b"], 0, "dsar", "plan", rb.ID)

	t.Run("tenant a cannot touch tenant b", func(t *testing.T) {
		denied := []string{"permission denied", "tenant b"}
		e.refused(t, tok["req-a"], "request.create.refused", "req-a", "", denied,
			"dsar", "new", "--type", "access", "--tenant", "b", "--subject", "email="+govEmailB)
		e.refused(t, tok["op-a"], "request.plan.refused", "op-a", rb.ID, denied, "dsar", "plan", rb.ID)
		e.refused(t, tok["appr-a1"], "request.approve.refused", "appr-a1", rb.ID, denied, "dsar", "approve", rb.ID)
		e.refused(t, tok["op-a"], "request.run.refused", "op-a", rb.ID, denied, "dsar", "run", rb.ID, "--apply")
		e.refused(t, tok["req-a"], "request.read.refused", "req-a", rb.ID, denied, "dsar", "status", rb.ID)
		e.refused(t, tok["aud-a"], "receipt.read.refused", "aud-a", rb.ID, denied, "dsar", "receipt", rb.ID)
		e.refused(t, tok["aud-a"], "request.read.refused", "aud-a", "", denied, "dsar", "list", "--tenant", "b")
		e.refused(t, tok["op-a"], "map.read.refused", "op-a", "", denied, "map", "--format", "json", "--tenant", "b")
		e.refused(t, tok["op-a"], "request.cancel.refused", "op-a", rb.ID, denied, "dsar", "cancel", rb.ID, "--reason", "not ours")
		// What a's principals may read shows nothing of b.
		out, _ := e.as(t, tok["aud-a"], 0, "--json", "dsar", "list")
		require.NotContains(t, out, rb.ID)
		out, _ = e.as(t, tok["op-a"], 0, "map", "--format", "json")
		require.NotContains(t, out, "lake-b")
		require.Contains(t, out, "lake-a")
	})

	t.Run("roles", func(t *testing.T) {
		ra := e.newRequest(t, tok["req-a"], "access", "a", govEmailA)
		require.Equal(t, dsar.StatusReceived, ra.Status)
		e.refused(t, tok["req-a"], "request.plan.refused", "req-a", ra.ID,
			[]string{"permission denied: principal req-a (requester, tenant a) may not plan requests", "operator"}, "dsar", "plan", ra.ID)
		e.refused(t, tok["aud-a"], "request.cancel.refused", "aud-a", ra.ID, []string{"permission denied", "auditor"},
			"dsar", "cancel", ra.ID, "--reason", "x")
		// --requester naming someone else is refused.
		e.refused(t, tok["req-a"], "request.create.refused", "req-a", "", []string{"--requester names someone else"},
			"dsar", "new", "--type", "access", "--tenant", "a", "--subject", "email=zed@example.com", "--requester", "appr-a1")
		e.refused(t, tok["req-a"], "request.cancel.refused", "req-a", ra.ID, []string{"may not cancel requests", "operator"},
			"dsar", "cancel", ra.ID, "--reason", "x")
		e.as(t, tok["op-a"], 0, "dsar", "cancel", ra.ID, "--reason", "subject withdrew")
		e.lastAudit(t, "request.cancel", "op-a", ra.ID)
	})

	t.Run("four eyes by principals", func(t *testing.T) {
		// admin-a files an erasure: it may approve others', never its own.
		r := e.newRequest(t, tok["admin-a"], "erasure", "a", govEmailA, "--attested-by", "controller desk", "--attest-method", "account-login")
		e.as(t, tok["op-a"], 0, "dsar", "plan", r.ID)
		e.refused(t, tok["admin-a"], "request.approve.refused", "admin-a", r.ID, []string{"filed the request and cannot approve it"},
			"dsar", "approve", r.ID)
		// --by naming another is refused; naming oneself (any case, @domain) is not.
		e.refused(t, tok["appr-a1"], "request.approve.refused", "appr-a1", r.ID, []string{"--by names someone else"},
			"dsar", "approve", r.ID, "--by", "appr-a2")
		e.as(t, tok["appr-a1"], 0, "dsar", "approve", r.ID, "--by", "Appr-A1@corp.example")
		e.lastAudit(t, "approve", "appr-a1", r.ID)
		// One approver cannot count twice.
		e.refused(t, tok["appr-a1"], "request.approve.refused", "appr-a1", r.ID, []string{"already approved"}, "dsar", "approve", r.ID)
		e.refused(t, tok["op-a"], "request.run.refused", "op-a", r.ID, []string{"1 of 2 approvals"}, "dsar", "run", r.ID, "--apply")
		// A revoked approver's token is refused.
		e.as(t, root, 0, "principal", "revoke", "appr-a2", "--reason", "left the team")
		e.lastAudit(t, "principal.revoke", "root", "")
		e.refused(t, tok["appr-a2"], "auth.refused", "appr-a2", "", []string{"revoked"}, "dsar", "approve", r.ID)
		// The second distinct approver; the operator applies it.
		out, _ := e.as(t, tok["appr-a3"], 0, "--json", "dsar", "approve", r.ID)
		var st executor.Request
		require.NoError(t, json.Unmarshal([]byte(out), &st))
		require.Equal(t, dsar.StatusApproved, st.Status)
		require.Equal(t, []string{"appr-a1", "appr-a3"}, []string{st.Approvals[0].By, st.Approvals[1].By})
		out, _ = e.as(t, tok["op-a"], 0, "--json", "dsar", "run", r.ID, "--apply")
		var rc evidence.Receipt
		require.NoError(t, json.Unmarshal([]byte(out), &rc))
		require.Equal(t, dsar.StatusCompleted, rc.Status)
		seen := map[string]string{}
		for _, a := range e.audit(t) {
			if a.Request == r.ID {
				seen[a.Action] = a.Actor
			}
		}
		require.Equal(t, "admin-a", seen["request.new"])
		require.Equal(t, "admin-a", seen["request.attest"])
		require.Equal(t, "op-a", seen["plan"])
		require.Equal(t, "op-a", seen["run.start"])
		require.Equal(t, "op-a", seen["verify"])
		out, _ = e.as(t, tok["op-a"], 0, "--json", "dsar", "status", r.ID)
		require.NoError(t, json.Unmarshal([]byte(out), &st))
		var path []dsar.Status
		for _, h := range st.History {
			path = append(path, h.Status)
		}
		require.Equal(t, []dsar.Status{dsar.StatusReceived, dsar.StatusVerified, dsar.StatusPlanned, dsar.StatusApproved,
			dsar.StatusExecuting, dsar.StatusVerifying, dsar.StatusCompleted}, path)
		require.Equal(t, "op-a", st.History[len(st.History)-1].By)
		// The auditor reads the receipt; the approver may not run.
		e.as(t, tok["aud-a"], 0, "dsar", "receipt", r.ID)
	})
}

// TestRequestLifecycle: illegal steps are refused with the allowed next
// ones, duplicates are refused, due dates come from the config, unknown
// subcommands are usage errors. Without principals the local admin acts.
func TestRequestLifecycle(t *testing.T) {
	e := newGovEstate(t, "requests: {due_days: {access: 10}, export_four_eyes_records: 1}\n")

	r := e.newRequest(t, "", "access", "a", govEmailA, "--requester", "alice", "--reason", "subject wrote in")
	require.Equal(t, dsar.StatusReceived, r.Status)
	require.Equal(t, r.CreatedAt.AddDate(0, 0, 10), r.DueAt)
	e.lastAudit(t, "request.new", "local", r.ID)
	require.Contains(t, e.lastAudit(t, "request.new", "local", r.ID).Detail, `reason="subject wrote in"`)

	_, errs := e.as(t, "", exitError, "dsar", "plan", r.ID)
	require.Contains(t, errs, "allowed next: verified, denied, cancelled")
	require.Contains(t, errs, "dsar attest "+r.ID)
	e.lastAudit(t, "request.plan.refused", "local", r.ID)

	// The same subject, type and tenant again: refused unless allowed.
	_, errs = e.as(t, "", exitError, "dsar", "new", "--type", "access", "--tenant", "a", "--subject", "email=ANN@example.com")
	require.Contains(t, errs, r.ID)
	require.Contains(t, errs, "--allow-duplicate")
	require.NotContains(t, errs, govEmailA)
	e.lastAudit(t, "request.create.refused", "local", r.ID)
	dup := e.newRequest(t, "", "access", "a", govEmailA, "--allow-duplicate")
	e.as(t, "", exitUsage, "dsar", "cancel", dup.ID)
	e.as(t, "", 0, "dsar", "cancel", dup.ID, "--reason", "filed twice")
	require.Contains(t, e.lastAudit(t, "request.cancel", "local", dup.ID).Detail, "filed twice")
	_, errs = e.as(t, "", exitError, "dsar", "attest", dup.ID, "--attested-by", "x", "--attest-method", "y")
	require.Contains(t, errs, "allowed next: none")

	e.as(t, "", 0, "dsar", "attest", r.ID, "--attested-by", "controller desk", "--attest-method", "id-document")
	e.lastAudit(t, "request.attest", "local", r.ID)
	_, errs = e.as(t, "", exitError, "dsar", "attest", r.ID, "--attested-by", "controller desk", "--attest-method", "id-document")
	require.Contains(t, errs, "allowed next: planned, denied, cancelled")

	// Legacy names compare normalised: alice is alice@corp; Bob is bob.
	e.as(t, "", 0, "dsar", "plan", r.ID)
	_, errs = e.as(t, "", exitError, "dsar", "approve", r.ID, "--by", " Alice@corp ")
	require.Contains(t, errs, "cannot approve")
	e.lastAudit(t, "request.approve.refused", "local", r.ID)
	e.as(t, "", 0, "dsar", "approve", r.ID, "--by", "bob")
	_, errs = e.as(t, "", exitError, "dsar", "approve", r.ID, "--by", "BOB@example.com")
	require.Contains(t, errs, "already approved")
	// Two records expected, above export_four_eyes_records: 1 approval is not enough.
	_, errs = e.as(t, "", exitError, "dsar", "run", r.ID, "--out", filepath.Join(e.dir, "pkg"))
	require.Contains(t, errs, "1 of 2 approvals")
	e.as(t, "", 0, "dsar", "approve", r.ID, "--by", "carol")

	// A policy change after approval: run refuses and asks for a re-plan.
	cfg, err := os.ReadFile(e.cfg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(e.cfg, []byte(strings.Replace(string(cfg), "tenant: a}", "tenant: a, environment: prod}", 1)), 0o600))
	_, errs = e.as(t, "", exitError, "dsar", "run", r.ID, "--out", filepath.Join(e.dir, "pkg"))
	require.Contains(t, errs, "the policy (rules, modes, tenants, instructions) changed")
	require.Contains(t, errs, "dsar plan "+r.ID)
	e.lastAudit(t, "request.run.refused", "local", r.ID)
	// So does a new scan run.
	require.NoError(t, os.WriteFile(e.cfg, cfg, 0o600))
	e.as(t, "", 0, "scan", "--full")
	_, errs = e.as(t, "", exitError, "dsar", "run", r.ID, "--out", filepath.Join(e.dir, "pkg"))
	require.Contains(t, errs, "the scan run changed")
	// Re-planned, the approvals are cleared and given again.
	e.as(t, "", 0, "dsar", "plan", r.ID)
	out, _ := e.as(t, "", 0, "--json", "dsar", "status", r.ID)
	var st executor.Request
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	require.Equal(t, dsar.StatusPlanned, st.Status)
	require.Empty(t, st.Approvals)
	e.as(t, "", 0, "dsar", "approve", r.ID, "--by", "bob")
	e.as(t, "", 0, "dsar", "approve", r.ID, "--by", "carol")
	e.as(t, "", 0, "dsar", "run", r.ID, "--out", filepath.Join(e.dir, "pkg"))
	_, errs = e.as(t, "", exitError, "dsar", "deny", r.ID, "--reason", "too late")
	require.Contains(t, errs, "is completed and cannot become denied")

	// dsar list: age, due, overdue, filters.
	out, _ = e.as(t, "", 0, "--json", "dsar", "list", "--status", "cancelled")
	var rows []struct {
		ID      string    `json:"id"`
		DueAt   time.Time `json:"due_at"`
		AgeDays int       `json:"age_days"`
		Overdue bool      `json:"overdue"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	require.Len(t, rows, 1)
	require.Equal(t, dup.ID, rows[0].ID)
	require.False(t, rows[0].Overdue)
	out, _ = e.as(t, "", 0, "dsar", "list", "--type", "access", "--tenant", "a")
	require.Contains(t, out, "DUE")
	require.Contains(t, out, r.DueAt.Format(time.DateOnly))
	require.NotContains(t, out, govEmailA)
	e.as(t, "", exitUsage, "dsar", "list", "--status", "running")

	// Unknown subcommands are usage errors.
	for _, args := range [][]string{{"dsar", "evidenc", r.ID}, {"principal", "frob"}, {"frobnicate"}} {
		_, errs := e.as(t, "", exitUsage, args...)
		require.Contains(t, errs, "unknown command")
	}
}
