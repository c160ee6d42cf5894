package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/scanner/fileformat/fileformattest"
	"github.com/piimap/piimap/scanner/scannertest"
)

// Holds, manual tasks and forget-ledger replay from the command line
// (issue 13, items 3-6), each checked outside piimap too: file bytes,
// the graph's documents, the audit chain.

const htCSV = "id,email,name\n1," + govEmailA + ",Subject One\n2,other.a@example.net,Someone Else\n3," + govEmailA + ",Subject One again\n4,third.a@example.net,Third Person\n"

// newHTEstate writes files (dir-relative path → content), a config whose
// stores are given as YAML list items (%s is replaced by the estate
// directory), then init and a full scan.
func newHTEstate(t *testing.T, files map[string]string, stores string) *govEstate {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	cfg := filepath.Join(dir, "piimap.yaml")
	body := fmt.Sprintf("graph: %s\nstores:\n%s", filepath.Join(dir, "graph"), strings.ReplaceAll(stores, "%DIR%", dir))
	require.NoError(t, os.WriteFile(cfg, []byte(body), 0o600))
	e := &govEstate{dir: dir, cfg: cfg}
	e.as(t, "", 0, "init")
	e.as(t, "", 0, "scan", "--full")
	return e
}

// docsOf reads every document of kind straight from the graph.
func (e *govEstate) docsOf(t *testing.T, kind string) []string {
	t.Helper()
	g, err := badgerstore.Open(filepath.Join(e.dir, "graph"))
	require.NoError(t, err)
	defer g.Close()
	var out []string
	require.NoError(t, g.ListDocs(context.Background(), kind, func(_ string, b []byte) error {
		out = append(out, string(b))
		return nil
	}))
	return out
}

// erasure files, plans, approves (bob, carol) and returns a request's id
// and its plan.
func (e *govEstate) erasure(t *testing.T, ops, rita, bob, carol, tenant, email string) (string, planning.Plan) {
	t.Helper()
	r := e.newRequest(t, rita, "erasure", tenant, email, "--attested-by", "dpo", "--attest-method", "id-document", "--allow-duplicate")
	out, _ := e.as(t, ops, 0, "--json", "dsar", "plan", r.ID)
	var p planning.Plan
	require.NoError(t, json.Unmarshal([]byte(out), &p))
	e.as(t, bob, 0, "dsar", "approve", r.ID)
	e.as(t, carol, 0, "dsar", "approve", r.ID)
	return r.ID, p
}

func (e *govEstate) receipt(t *testing.T, token, id string) evidence.Receipt {
	t.Helper()
	out, _ := e.as(t, token, 0, "--json", "dsar", "receipt", id)
	var rc evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(out), &rc))
	return rc
}

type htTeam struct{ root, ops, rita, bob, carol string }

func (e *govEstate) team(t *testing.T, tenant string) htTeam {
	root := e.addPrincipal(t, "", "root", "*", "admin")
	return htTeam{root: root,
		ops:   e.addPrincipal(t, root, "otto", tenant, "operator"),
		rita:  e.addPrincipal(t, root, "rita", tenant, "requester"),
		bob:   e.addPrincipal(t, root, "bob", tenant, "approver"),
		carol: e.addPrincipal(t, root, "carol", tenant, "approver")}
}

func TestHoldsCLI(t *testing.T) {
	e := newHTEstate(t, map[string]string{"lake/users.csv": htCSV, "other/users.csv": htCSV},
		"  - {name: lake, url: \"file://%DIR%/lake\", tenant: a}\n  - {name: other, url: \"file://%DIR%/other\", tenant: a}\n")
	tm := e.team(t, "a")
	lake := filepath.Join(e.dir, "lake", "users.csv")

	// Who may: approvers (and admins), not operators.
	e.refused(t, tm.ops, "hold.manage.refused", "otto", "", []string{"may not add or release legal holds"},
		"hold", "add", "--tenant", "a", "--store", "lake", "--reason", "litigation")
	e.as(t, tm.bob, exitUsage, "hold", "add", "--tenant", "a")

	// A hold on one subject in one store: kept as an HMAC, never raw.
	out, errs := e.as(t, tm.bob, 0, "--json", "hold", "add", "--tenant", "a", "--store", "lake", "--asset", "users.*",
		"--subject", "email="+govEmailA, "--reason", "litigation 2026-14", "--until", "2099-12-31")
	require.NotContains(t, out+errs, govEmailA)
	var h planning.Exception
	require.NoError(t, json.Unmarshal([]byte(out), &h))
	require.Len(t, h.Subject, 1)
	require.Equal(t, "email", h.Subject[0].Kind)
	require.Len(t, h.Subject[0].HMAC, 64)
	require.NotNil(t, h.ExpiresAt)
	for _, d := range e.docsOf(t, "dsar.exception") {
		require.NotContains(t, strings.ToLower(d), govEmailA, "the register holds a raw identifier")
	}
	a := e.lastAudit(t, "hold.add", "bob", "")
	require.Contains(t, a.Detail, h.ID)
	// A hold on someone else covers nothing of this subject.
	e.as(t, tm.bob, 0, "hold", "add", "--tenant", "a", "--subject", "email=nobody.else@example.com", "--reason", "other case")

	out, _ = e.as(t, tm.ops, 0, "hold", "list")
	require.Contains(t, out, h.ID)
	require.Contains(t, out, "a***@e***.com")
	require.NotContains(t, out, govEmailA)

	// The plan shows the hold instead of the step; the run leaves the file
	// alone and the receipt ends completed_with_exceptions naming it.
	before := fileSHA(t, lake)
	id, p := e.erasure(t, tm.ops, tm.rita, tm.bob, tm.carol, "a", govEmailA)
	steps := map[string]bool{}
	for _, st := range p.Steps() {
		steps[st.Store+"/"+st.Asset] = true
	}
	require.False(t, steps["lake/users.csv"], "held location planned: %v", steps)
	require.True(t, steps["other/users.csv"], "unheld location not planned: %v", steps)
	require.Len(t, p.Exceptions, 1)
	require.Equal(t, h.ID, p.Exceptions[0].ID)
	out, _ = e.as(t, tm.ops, 0, "dsar", "plan", id)
	require.Contains(t, out, "legal_hold "+h.ID)
	e.as(t, tm.ops, exitGaps, "dsar", "run", id, "--apply")
	rc := e.receipt(t, tm.ops, id)
	require.Equal(t, dsar.StatusExceptions, rc.Status)
	require.Len(t, rc.Exceptions, 1)
	require.Equal(t, h.ID, rc.Exceptions[0].ID)
	require.Equal(t, before, fileSHA(t, lake), "the held file changed")
	b, _ := os.ReadFile(filepath.Join(e.dir, "other", "users.csv"))
	require.NotContains(t, string(b), govEmailA)
	require.Contains(t, string(b), "other.a@example.net")

	// Released: it stays listed with --all, covers nothing, and the next
	// erasure erases the file.
	e.as(t, tm.bob, exitUsage, "hold", "release", h.ID)
	e.as(t, tm.bob, 0, "hold", "release", h.ID, "--reason", "case closed")
	e.lastAudit(t, "hold.release", "bob", "")
	e.as(t, tm.bob, exitError, "hold", "release", h.ID, "--reason", "again")
	out, _ = e.as(t, tm.ops, 0, "hold", "list")
	require.NotContains(t, out, h.ID)
	out, _ = e.as(t, tm.ops, 0, "hold", "list", "--all")
	require.Contains(t, out, "released")
	id2, p2 := e.erasure(t, tm.ops, tm.rita, tm.bob, tm.carol, "a", govEmailA)
	require.Empty(t, p2.Exceptions)
	e.as(t, tm.ops, 0, "dsar", "run", id2, "--apply")
	require.Equal(t, dsar.StatusCompleted, e.receipt(t, tm.ops, id2).Status)
	b, _ = os.ReadFile(lake)
	require.Equal(t, "id,email,name\n2,other.a@example.net,Someone Else\n4,third.a@example.net,Third Person\n", string(b))
}

func TestBackupExpiryInReceipt(t *testing.T) {
	e := newHTEstate(t, map[string]string{"lake/users.csv": htCSV, "bak/users.csv": htCSV},
		"  - {name: lake, url: \"file://%DIR%/lake\", tenant: a}\n  - {name: bak, url: \"file://%DIR%/bak\", tenant: a, environment: backup, retention: 35d}\n")
	id := xsRequestIn(t, e.cfg, govEmailA)
	mustCLI(t, "--config", e.cfg, "dsar", "plan", id)
	mustCLI(t, "--config", e.cfg, "dsar", "approve", id, "--by", "bob")
	mustCLI(t, "--config", e.cfg, "dsar", "approve", id, "--by", "carol")
	code, out, errs := cli(t, "--config", e.cfg, "--json", "dsar", "run", id, "--apply")
	require.Equal(t, exitGaps, code, errs)
	var rc evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(out), &rc))
	require.Equal(t, dsar.StatusExceptions, rc.Status)
	require.Len(t, rc.Exceptions, 1)
	x := rc.Exceptions[0]
	require.Equal(t, "immutable_backup", x.Kind)
	require.NotNil(t, x.ExpiresAt, "a backup exception carries its expiry")
	require.Contains(t, x.Reason, "retention 35d")
	require.Equal(t, fileSHA(t, filepath.Join(e.dir, "bak", "users.csv")), sha256Hex(htCSV))
}

func sha256Hex(s string) string { return sha([]byte(s)) }

// xsRequestIn files an attested erasure without principals.
func xsRequestIn(t *testing.T, cfg, email string) string {
	t.Helper()
	var req executor.Request
	out := mustCLI(t, "--config", cfg, "--json", "dsar", "new", "--type", "erasure", "--subject", "email="+email,
		"--requester", "privacy-ops", "--attested-by", "dpo", "--attest-method", "id-document", "--allow-duplicate")
	require.NoError(t, json.Unmarshal([]byte(out), &req))
	return req.ID
}

func TestManualTasksCLI(t *testing.T) {
	e := newHTEstate(t, map[string]string{"lake/users.csv": htCSV, "crm/users.csv": htCSV, "crm/more.csv": htCSV},
		"  - {name: lake, url: \"file://%DIR%/lake\", tenant: a}\n  - {name: crm, url: \"file://%DIR%/crm\", tenant: a, manual: true}\n")
	tm := e.team(t, "a")
	crmBefore := fileSHA(t, filepath.Join(e.dir, "crm", "users.csv"))
	id, p := e.erasure(t, tm.ops, tm.rita, tm.bob, tm.carol, "a", govEmailA)
	require.Len(t, p.Tasks, 2, "plan tasks %+v", p.Tasks)
	for _, tk := range p.Tasks {
		require.Equal(t, "crm", tk.Store)
		require.Contains(t, tk.Reason, "manual: true")
		require.Contains(t, tk.Instructions, "a***@e***.com")
		require.NotContains(t, tk.Instructions, govEmailA)
	}
	out, _ := e.as(t, tm.ops, 0, "dsar", "plan", id)
	require.Contains(t, out, "manual task erase: crm/")

	// The run does the automated part, opens the tasks and waits.
	e.as(t, tm.ops, exitGaps, "dsar", "run", id, "--apply")
	require.Equal(t, crmBefore, fileSHA(t, filepath.Join(e.dir, "crm", "users.csv")), "piimap wrote to a manual store")
	rc := e.receipt(t, tm.ops, id)
	require.Equal(t, dsar.StatusExecuting, rc.Status)
	require.Len(t, rc.Tasks, 2)
	out, _ = e.as(t, tm.ops, 0, "--json", "task", "list", "--tenant", "a")
	var ts []executor.Task
	require.NoError(t, json.Unmarshal([]byte(out), &ts))
	require.Len(t, ts, 2)
	require.NotContains(t, out, govEmailA)
	out, _ = e.as(t, tm.ops, 0, "task", "list")
	require.Contains(t, out, ts[0].ID)
	require.Contains(t, out, "Then record it")

	// Who may: an operator does, an approver waives, a requester neither.
	e.refused(t, tm.rita, "task.complete.refused", "rita", id, []string{"may not complete manual tasks"},
		"task", "done", ts[0].ID, "--note", "done")
	e.refused(t, tm.ops, "task.waive.refused", "otto", id, []string{"may not waive manual tasks"},
		"task", "done", ts[0].ID, "--waive", "--note", "skip")
	e.as(t, tm.ops, exitUsage, "task", "done", ts[0].ID)
	e.as(t, tm.ops, 0, "task", "done", ts[0].ID, "--note", "deleted by hand, ticket OPS-812")
	var done *evidence.AuditEntry
	for _, a := range e.audit(t) {
		if a.Action == "task.done" {
			done = &a
		}
		require.NotContains(t, a.Detail, govEmailA)
	}
	require.NotNil(t, done, "no task.done audit entry")
	require.Equal(t, "otto", done.Actor)
	require.Equal(t, id, done.Request)
	require.Contains(t, done.Detail, "ticket OPS-812")
	require.Equal(t, dsar.StatusExecuting, e.receipt(t, tm.ops, id).Status, "one task is still open")
	e.as(t, tm.ops, exitError, "task", "done", ts[0].ID, "--note", "again")

	e.as(t, tm.bob, 0, "task", "done", ts[1].ID, "--waive", "--note", "archive destroyed at month end")
	rc = e.receipt(t, tm.ops, id)
	require.Equal(t, dsar.StatusExceptions, rc.Status, "a waived task leaves exceptions")
	byID := map[string]evidence.ReceiptTask{}
	for _, tk := range rc.Tasks {
		byID[tk.ID] = tk
	}
	require.Equal(t, evidence.TaskDone, byID[ts[0].ID].Status)
	require.Equal(t, "otto", byID[ts[0].ID].By)
	require.Equal(t, evidence.TaskWaived, byID[ts[1].ID].Status)
	require.Equal(t, "bob", byID[ts[1].ID].By)
	out, _ = e.as(t, tm.ops, 0, "--json", "dsar", "status", id)
	require.Contains(t, out, string(dsar.StatusExceptions))
	out, _ = e.as(t, tm.ops, 0, "task", "list")
	require.NotContains(t, out, ts[0].ID)
	e.as(t, tm.root, 0, "receipt", "verify", id)
}

func TestRestrictionCLI(t *testing.T) {
	e := newHTEstate(t, map[string]string{"lake/users.csv": htCSV, "lake/empty.csv": "id,email\n9,someone@example.net\n"},
		"  - {name: lake, url: \"file://%DIR%/lake\", tenant: a}\n")
	var req executor.Request
	out := mustCLI(t, "--config", e.cfg, "--json", "dsar", "new", "--type", "restriction", "--subject", "email="+govEmailA,
		"--requester", "privacy-ops", "--attested-by", "dpo", "--attest-method", "id-document")
	require.NoError(t, json.Unmarshal([]byte(out), &req))
	mustCLI(t, "--config", e.cfg, "dsar", "plan", req.ID)
	mustCLI(t, "--config", e.cfg, "dsar", "approve", req.ID, "--by", "bob")
	mustCLI(t, "--config", e.cfg, "dsar", "approve", req.ID, "--by", "carol")
	before := fileSHA(t, filepath.Join(e.dir, "lake", "users.csv"))
	out = mustCLI(t, "--config", e.cfg, "--json", "dsar", "run", req.ID)
	var dry evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(out), &dry))
	require.True(t, dry.DryRun)
	require.Empty(t, dry.Exceptions)
	require.Empty(t, e.docsOf(t, "dsar.exception"), "a dry run wrote to the register")
	code, out, errs := cli(t, "--config", e.cfg, "--json", "dsar", "run", req.ID, "--apply")
	require.Equal(t, exitGaps, code, errs)
	var rc evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(out), &rc))
	require.Equal(t, dsar.StatusExceptions, rc.Status)
	require.Len(t, rc.Locations, 1, "only locations holding the subject: %+v", rc.Locations)
	require.Equal(t, "users.csv", rc.Locations[0].Asset)
	require.Equal(t, int64(2), rc.Locations[0].Found)
	require.Len(t, rc.Exceptions, 1)
	require.Equal(t, "restriction", rc.Exceptions[0].Kind)
	require.Len(t, e.docsOf(t, "dsar.exception"), 1)
	require.Equal(t, before, fileSHA(t, filepath.Join(e.dir, "lake", "users.csv")))
}

func TestLedgerReplayCSV(t *testing.T) {
	pq := fileformattest.Parquet(t, scannertest.Table{Name: "people", Columns: []string{"id", "email", "name"},
		Rows: [][]string{{"1", govEmailA, "Subject One"}, {"2", "other.a@example.net", "Someone Else"}, {"3", "third.a@example.net", "Third"}}})
	e := newHTEstate(t, map[string]string{"lake/users.csv": htCSV, "lake/keep.csv": "id,email\n7,other.a@example.net\n", "lake/people.parquet": string(pq)},
		"  - {name: lake, url: \"file://%DIR%/lake\", tenant: a}\n")
	users := filepath.Join(e.dir, "lake", "users.csv")
	people := filepath.Join(e.dir, "lake", "people.parquet")
	backup, err := os.ReadFile(users) // the backup taken before the erasure
	require.NoError(t, err)
	id := xsRequestIn(t, e.cfg, govEmailA)
	mustCLI(t, "--config", e.cfg, "dsar", "plan", id)
	mustCLI(t, "--config", e.cfg, "dsar", "approve", id, "--by", "bob")
	mustCLI(t, "--config", e.cfg, "dsar", "approve", id, "--by", "carol")
	mustCLI(t, "--config", e.cfg, "dsar", "run", id, "--apply")
	erased, _ := os.ReadFile(users)
	require.NotContains(t, string(erased), govEmailA)
	erasedPQ := fileSHA(t, people)
	require.NotEqual(t, sha(pq), erasedPQ, "the Parquet file was not rewritten")
	for _, d := range e.docsOf(t, "dsar.ledger") {
		require.NotContains(t, strings.ToLower(d), govEmailA, "the ledger holds a raw identifier")
	}

	// Restore, then a dry run: counts, writes nothing, leaves a receipt.
	require.NoError(t, os.WriteFile(users, backup, 0o644))
	require.NoError(t, os.WriteFile(people, pq, 0o644))
	out := mustCLI(t, "--config", e.cfg, "--json", "ledger", "replay", "--store", "lake")
	var dry evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(out), &dry))
	require.True(t, dry.DryRun)
	require.Equal(t, []string{id}, dry.Replay.Requests)
	would := map[string]int64{}
	for _, l := range dry.Locations {
		would[l.Asset] = l.WouldChange
	}
	require.Equal(t, map[string]int64{"users.csv": 2, "people.parquet": 1}, would)
	require.Equal(t, sha256Hex(string(backup)), fileSHA(t, users), "a dry run wrote")
	require.NotContains(t, out, govEmailA)

	// A window after the erasure matches nothing.
	out = mustCLI(t, "--config", e.cfg, "--json", "ledger", "replay", "--store", "lake", "--since", "2999-01-01")
	var none evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(out), &none))
	require.Empty(t, none.Locations)

	out = mustCLI(t, "--config", e.cfg, "--json", "ledger", "replay", "--store", "lake", "--apply")
	var rc evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(out), &rc))
	require.Equal(t, dsar.StatusCompleted, rc.Status)
	changed := map[string]int64{}
	for _, l := range rc.Locations {
		changed[l.Asset] = l.Changed
		require.Zero(t, l.Residual, "%+v", l)
	}
	require.Equal(t, map[string]int64{"users.csv": 2, "people.parquet": 1}, changed)
	after, _ := os.ReadFile(users)
	require.Equal(t, string(erased), string(after), "the replay must leave exactly what the erasure left")
	require.Equal(t, erasedPQ, fileSHA(t, people), "the replayed Parquet file differs from the erased one")
	require.True(t, strings.HasPrefix(rc.Request, "replay-"))
	rfile := filepath.Join(e.dir, "replay-receipt.json")
	require.NoError(t, os.WriteFile(rfile, []byte(out), 0o600))
	mustCLI(t, "--config", e.cfg, "receipt", "verify", rfile)
	found := false
	for _, a := range e.audit(t) {
		found = found || a.Action == "ledger.replay"
		require.NotContains(t, a.Detail, govEmailA)
	}
	require.True(t, found, "no ledger.replay audit entry")
	// Idempotent: a second replay changes nothing.
	out = mustCLI(t, "--config", e.cfg, "--json", "ledger", "replay", "--store", "lake", "--apply")
	require.NoError(t, json.Unmarshal([]byte(out), &rc))
	for _, l := range rc.Locations {
		require.Zero(t, l.Changed, "%+v", l)
	}
	e.as(t, "", exitUsage, "ledger", "replay")

	// A hold placed since the erasure keeps restored data too: the replay
	// names it and leaves the file; released, the next replay erases.
	require.NoError(t, os.WriteFile(users, backup, 0o644))
	var h planning.Exception
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", e.cfg, "--json", "hold", "add", "--tenant", "a", "--asset", "users.csv",
		"--subject", "email="+govEmailA, "--reason", "new litigation")), &h))
	code, out, errs := cli(t, "--config", e.cfg, "--json", "ledger", "replay", "--store", "lake", "--apply")
	require.Equal(t, exitGaps, code, errs)
	require.NoError(t, json.Unmarshal([]byte(out), &rc))
	require.Equal(t, dsar.StatusExceptions, rc.Status)
	require.Len(t, rc.Exceptions, 1)
	require.Equal(t, h.ID, rc.Exceptions[0].ID)
	require.Equal(t, sha256Hex(string(backup)), fileSHA(t, users), "a held file was replayed")
	mustCLI(t, "--config", e.cfg, "hold", "release", h.ID, "--reason", "settled")
	mustCLI(t, "--config", e.cfg, "ledger", "replay", "--store", "lake", "--apply")
	after, _ = os.ReadFile(users)
	require.Equal(t, string(erased), string(after))
}
