package executor_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
)

func ctxT(t *testing.T) context.Context { return context.Background() }

func newErasure(t *testing.T, s *executor.Service) *executor.Request {
	t.Helper()
	req, err := s.NewRequest(ctxT(t), executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "alice", Tenant: "acme",
		Reason: "art. 17", Subject: piimap.Subject{piimap.KeyEmail: {"Ann@Example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func stepCounts(p *planning.Plan) map[string]int64 {
	out := map[string]int64{}
	for _, st := range p.Steps() {
		out[st.Store+"/"+st.Asset] = st.Expected
	}
	return out
}

func gapSet(gaps []planning.Gap) map[string]string {
	out := map[string]string{}
	for _, g := range gaps {
		out[g.Store+"/"+g.Asset] = g.Kind
	}
	return out
}

func TestErasureEndToEnd(t *testing.T) {
	ctx := ctxT(t)
	e := newEstate(t)
	s := e.service(executor.Options{Concurrency: 2})
	req := newErasure(t, s)

	// The request's JSON shows only masked identifiers.
	js, _ := json.Marshal(req)
	if strings.Contains(strings.ToLower(string(js)), subjectEmail) {
		t.Fatalf("request JSON leaks the identifier: %s", js)
	}
	if got := req.Subject[piimap.KeyEmail]; len(got) != 1 || got[0] != "a***@e***.com" {
		t.Errorf("masked subject = %q", got)
	}

	plan, err := s.Plan(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "erasure_plan", plan)
	if got := stepCounts(plan); !reflect.DeepEqual(got, want) {
		t.Errorf("plan counts\n got %v\nwant %v", got, want)
	}
	// The cache's kind has no handler here: a manual task, not a gap.
	if len(plan.Tasks) != 1 || plan.Tasks[0].Store != "cache" || plan.Tasks[0].Asset != "session:*" || plan.Tasks[0].Instructions == "" {
		t.Errorf("tasks %+v, want one for cache/session:*", plan.Tasks)
	}
	wantGaps := map[string]string{
		"lake/broken/corrupt.parquet": planning.GapUnitError,
		"wh/main.marketing":           planning.GapNoPath,
	}
	if got := gapSet(plan.Gaps); !reflect.DeepEqual(got, wantGaps) {
		t.Errorf("gaps\n got %v\nwant %v", got, wantGaps)
	}
	// Children before parents in the warehouse.
	var order []string
	for _, sp := range plan.Stores {
		if sp.Store == "wh" {
			for _, st := range sp.Steps {
				order = append(order, st.Asset)
			}
		}
	}
	pos := map[string]int{}
	for i, a := range order {
		pos[a] = i
	}
	if !(pos["main.order_items"] < pos["main.orders"] && pos["main.orders"] < pos["main.customers"]) {
		t.Errorf("warehouse order is not children-first: %v", order)
	}
	// Resolution found the user id through the customers row.
	var kinds []string
	for _, id := range plan.Identifiers {
		kinds = append(kinds, id.Kind)
	}
	if !reflect.DeepEqual(kinds, []string{"email", "user_id"}) {
		t.Errorf("identifiers %v, want email and user_id", kinds)
	}

	// Four eyes: not the requester, not twice, two needed.
	if _, err := s.Execute(ctx, req.ID, executor.RunOptions{}); !errors.Is(err, piimap.ErrNotApproved) {
		t.Fatalf("run before approval: %v", err)
	}
	if _, err := s.Approve(ctx, req.ID, "alice"); !errors.Is(err, executor.ErrApprover) {
		t.Fatalf("requester approved: %v", err)
	}
	r1, err := s.Approve(ctx, req.ID, "bob")
	if err != nil || r1.Status != dsar.StatusPlanned {
		t.Fatalf("first approval: %v %v", err, r1.Status)
	}
	if _, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true}); !errors.Is(err, piimap.ErrNotApproved) {
		t.Fatalf("run with one approval: %v", err)
	}
	if _, err := s.Approve(ctx, req.ID, "Bob"); !errors.Is(err, executor.ErrApprover) {
		t.Fatalf("same approver twice: %v", err)
	}
	r2, err := s.Approve(ctx, req.ID, "carol")
	if err != nil || r2.Status != dsar.StatusApproved {
		t.Fatalf("second approval: %v %v", err, r2.Status)
	}

	// A different mode after approval is a different plan.
	if _, err := s.Execute(ctx, req.ID, executor.RunOptions{Modes: map[string]driver.Mode{"lake/logs/app.log": driver.ModeDrop}}); !errors.Is(err, piimap.ErrPlanChanged) {
		t.Fatalf("mode change after approval: %v", err)
	}

	// Dry run: counts, nothing written.
	before := e.snapshot(t)
	dry, err := s.Execute(ctx, req.ID, executor.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !dry.DryRun {
		t.Error("dry run receipt not marked")
	}
	for _, l := range dry.Locations {
		if l.WouldChange != want[l.Store+"/"+l.Asset] || l.Changed != 0 {
			t.Errorf("dry run %s/%s: would change %d changed %d", l.Store, l.Asset, l.WouldChange, l.Changed)
		}
	}
	if after := e.snapshot(t); !reflect.DeepEqual(before, after) {
		t.Fatal("dry run changed the estate")
	}
	others := e.othersRows(t)

	// Apply: every location done, counts as planned, residual zero.
	rc, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "erasure_receipt", rc)
	if rc.Status != dsar.StatusExecuting || len(rc.Tasks) != 1 || rc.Tasks[0].Status != evidence.TaskOpen {
		t.Errorf("status %s tasks %+v, want executing with one open task", rc.Status, rc.Tasks)
	}
	// Closing the manual task finishes the request; the gaps leave it
	// completed_with_exceptions.
	if _, err := s.CloseTask(ctx, rc.Tasks[0].ID, "", false); !errors.Is(err, piimap.ErrConfig) {
		t.Errorf("task done without a note: %v", err)
	}
	if _, err := s.CloseTask(ctx, rc.Tasks[0].ID, "FLUSHDB on the session cache by ops", false); err != nil {
		t.Fatal(err)
	}
	if rc, err = s.Receipt(ctx, req.ID); err != nil || rc.Status != dsar.StatusExceptions || rc.Tasks[0].Status != evidence.TaskDone || rc.Tasks[0].By == "" {
		t.Fatalf("after the task: %v %+v", err, rc)
	}
	for _, l := range rc.Locations {
		k := l.Store + "/" + l.Asset
		if l.Found != want[k] || l.Changed != want[k] || l.Residual != 0 || l.Status != evidence.LocDone {
			t.Errorf("%s: %+v, want found=changed=%d residual 0 done", k, l, want[k])
		}
	}
	if len(rc.Locations) != len(want) {
		t.Errorf("%d receipt locations, want %d", len(rc.Locations), len(want))
	}
	if got := e.othersRows(t); !reflect.DeepEqual(got, others) {
		t.Errorf("other subjects' data changed:\n got %v\nwant %v", got, others)
	}
	logAfter, _ := os.ReadFile(filepath.Join(e.dir, "lake/logs/app.log"))
	if strings.Contains(strings.ToLower(string(logAfter)), subjectEmail) || !strings.Contains(string(logAfter), "[REDACTED]") {
		t.Errorf("log not redacted: %q", logAfter)
	}

	// Re-run: idempotent, nothing changes.
	snap := e.snapshot(t)
	rc2, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	if err != nil {
		t.Fatal(err)
	}
	if after := e.snapshot(t); !reflect.DeepEqual(snap, after) {
		t.Error("re-run changed the estate")
	}
	for i, l := range rc2.Locations {
		if l.Changed != rc.Locations[i].Changed || l.Residual != 0 {
			t.Errorf("re-run %s/%s: changed %d (first run %d) residual %d", l.Store, l.Asset, l.Changed, rc.Locations[i].Changed, l.Residual)
		}
	}

	// A separate process: new Service over the same documents.
	s2 := e.service(executor.Options{})
	stored, err := s2.Receipt(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := s2.PublicKey(ctx)
	if err := evidence.VerifyReceipt(*stored, pub); err != nil {
		t.Fatalf("receipt does not verify: %v", err)
	}
	forged := *stored
	forged.Locations = append([]evidence.ReceiptLocation{}, stored.Locations...)
	forged.Locations[0].Residual = 0
	forged.Locations[0].Found++
	if err := evidence.VerifyReceipt(forged, pub); !errors.Is(err, evidence.ErrBadSignature) {
		t.Fatalf("forged receipt verified: %v", err)
	}
	st, err := s2.Status(ctx, req.ID)
	if err != nil || st.Status != dsar.StatusExceptions {
		t.Fatalf("status from a new service: %v %v", err, st)
	}
	if ok, _ := s2.Forgotten(ctx, piimap.KeyEmail, "ANN@example.com"); !ok {
		t.Error("email not in the forget ledger")
	}
	if ok, _ := s2.Forgotten(ctx, piimap.KeyUserID, "u-0001"); !ok {
		t.Error("resolved user id not in the forget ledger")
	}

	// The audit chain verifies, and detects tampering.
	n, err := s2.VerifyAudit(ctx)
	if err != nil || n < 8 {
		t.Fatalf("audit: %d entries, %v", n, err)
	}
	entries, _ := s2.Audit(ctx, req.ID)
	tampered := entries[1]
	tampered.Actor = "mallory"
	b, _ := json.Marshal(tampered)
	e.docs.PutDoc(ctx, "dsar.audit", sortableSeq(tampered.Seq), b)
	if _, err := s2.VerifyAudit(ctx); !errors.Is(err, evidence.ErrAuditTampered) {
		t.Fatalf("tampered audit verified: %v", err)
	}

	// No raw identifier anywhere in the stored documents.
	if all := strings.ToLower(e.docs.all()); strings.Contains(all, subjectEmail) || strings.Contains(all, "u-0001") {
		t.Error("raw identifier stored in the DocStore")
	}
}

func sortableSeq(n int64) string {
	s := "0000000000000000" + itoa(n)
	return s[len(s)-16:]
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestPlanChangeClearsApprovals(t *testing.T) {
	ctx := ctxT(t)
	e := newEstate(t)
	s := e.service(executor.Options{})
	req := newErasure(t, s)
	p1, err := s.Plan(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, by := range []string{"bob", "carol"} {
		if _, err := s.Approve(ctx, req.ID, by); err != nil {
			t.Fatal(err)
		}
	}
	// The estate changes after approval: a new order for the subject means
	// a new order id to follow, so the approved plan is stale.
	db := openWH(t, e)
	if _, err := db.Exec("INSERT INTO orders VALUES (14, 1, 1.0); INSERT INTO order_items VALUES (105, 14, 'SKU-4')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true}); !errors.Is(err, piimap.ErrPlanChanged) {
		t.Fatalf("run after the estate changed: %v", err)
	}
	p2, err := s.Plan(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Digest == p1.Digest {
		t.Fatal("digest did not change")
	}
	st, _ := s.Status(ctx, req.ID)
	if st.Status != dsar.StatusPlanned || len(st.Approvals) != 0 {
		t.Fatalf("after re-plan: status %s approvals %d", st.Status, len(st.Approvals))
	}
}

func TestCrashResume(t *testing.T) {
	ctx := ctxT(t)
	e := newEstate(t)
	s := e.service(executor.Options{Concurrency: 1})
	req := newErasure(t, s)
	if _, err := s.Plan(ctx, req.ID); err != nil {
		t.Fatal(err)
	}
	for _, by := range []string{"bob", "carol"} {
		if _, err := s.Approve(ctx, req.ID, by); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	events := 0
	_, err := s.Execute(runCtx, req.ID, executor.RunOptions{Apply: true, Progress: func(ev executor.Event) {
		if ev.Phase == "erased" {
			events++
			cancel() // the process dies after the first store's erasure
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	if st, _ := s.Status(ctx, req.ID); st.Status != dsar.StatusExecuting {
		t.Fatalf("status after interruption: %s", st.Status)
	}
	// A new process resumes.
	s2 := e.service(executor.Options{Concurrency: 1})
	rc, err := s2.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	if err != nil {
		t.Fatal(err)
	}
	if rc.Runs != 2 {
		t.Errorf("runs = %d, want 2", rc.Runs)
	}
	for _, l := range rc.Locations {
		k := l.Store + "/" + l.Asset
		if l.Found != want[k] || l.Changed != want[k] || l.Residual != 0 || l.Status != evidence.LocDone {
			t.Errorf("%s after resume: %+v, want found=changed=%d", k, l, want[k])
		}
	}
}

func TestAccessExport(t *testing.T) {
	ctx := ctxT(t)
	e := newEstate(t)
	s := e.service(executor.Options{})
	req, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Access, Requester: "alice",
		Subject: piimap.Subject{piimap.KeyEmail: {"ann@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Plan(ctx, req.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve(ctx, req.ID, "alice"); !errors.Is(err, executor.ErrApprover) {
		t.Fatalf("requester approved access: %v", err)
	}
	st, err := s.Approve(ctx, req.ID, "bob")
	if err != nil || st.Status != dsar.StatusApproved {
		t.Fatalf("access needs one approval: %v %v", err, st.Status)
	}
	before := e.snapshot(t)
	out := filepath.Join(t.TempDir(), "pkg")
	rc, err := s.Execute(ctx, req.ID, executor.RunOptions{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if after := e.snapshot(t); !reflect.DeepEqual(before, after) {
		t.Fatal("access changed the estate")
	}
	for _, l := range rc.Locations {
		if l.Found != want[l.Store+"/"+l.Asset] || l.Status != evidence.LocExported {
			t.Errorf("%s/%s: %+v", l.Store, l.Asset, l)
		}
	}
	var man evidence.Manifest
	mb, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(mb, &man); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(mb)
	if rc.Export == nil || rc.Export.ManifestSHA256 != hex.EncodeToString(sum[:]) {
		t.Error("receipt does not pin the manifest")
	}
	paths := map[string]bool{}
	for _, f := range man.Files {
		paths[f.Path] = true
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		if hex.EncodeToString(h[:]) != f.SHA256 {
			t.Errorf("%s: manifest sha256 mismatch", f.Path)
		}
		if strings.Contains(string(b), "bob@example.com") || strings.Contains(string(b), "cleo@example.com") {
			t.Errorf("%s holds another subject's data", f.Path)
		}
		if f.Source != "" && strings.HasSuffix(f.Path, ".jsonl") && f.Rows != want[f.Source] {
			t.Errorf("%s: %d rows, want %d", f.Path, f.Rows, want[f.Source])
		}
	}
	for _, p := range []string{"dictionary.json", "data/wh/main.customers.jsonl", "data/wh/main.customers.csv",
		"data/wh/main.customers.parquet", "data/lake/events/events.parquet.parquet", "data/lake/logs/app.log.jsonl"} {
		if !paths[p] {
			t.Errorf("package lacks %s (has %v)", p, paths)
		}
	}
	if paths["data/lake/exports/customers.csv.parquet"] {
		t.Error("a CSV source got a Parquet export")
	}
	jl, _ := os.ReadFile(filepath.Join(out, "data/wh/main.order_items.jsonl"))
	for _, line := range strings.Split(strings.TrimSpace(string(jl)), "\n") {
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatal(err)
		}
		if id := row["order_id"].(float64); id != 10 && id != 11 {
			t.Errorf("order item of another subject's order: %v", row)
		}
	}
	var dict struct{ Fields []evidence.DictionaryEntry }
	db, _ := os.ReadFile(filepath.Join(out, "dictionary.json"))
	json.Unmarshal(db, &dict)
	found := false
	for _, d := range dict.Fields {
		if d.Field == "wh/main.customers#email" && reflect.DeepEqual(d.PII, []string{"email"}) && d.Type != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("dictionary lacks customers.email: %+v", dict.Fields)
	}
}
