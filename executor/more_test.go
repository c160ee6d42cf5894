package executor_test

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
)

func approve(t *testing.T, s *executor.Service, id string, by ...string) {
	t.Helper()
	for _, b := range by {
		if _, err := s.Approve(ctxT(t), id, b); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewRequestValidation(t *testing.T) {
	e := newEstate(t)
	s := e.service(executor.Options{IdentityKinds: []string{"customer_no"}})
	ok := piimap.Subject{piimap.KeyEmail: {"ann@example.com"}}
	cases := []struct {
		name string
		in   executor.NewRequestInput
		ok   bool
	}{
		{"valid", executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Access, Requester: "a", Subject: ok}, true},
		{"configured identity kind", executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Access, Requester: "a", Subject: piimap.Subject{"customer_no": {"C1"}}}, true},
		{"unknown type", executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: "purge", Requester: "a", Subject: ok}, false},
		{"no requester: the local principal files it", executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Access, Subject: ok}, true},
		{"attestation without method", executor.NewRequestInput{AttestedBy: "dpo", AllowDuplicate: true, Type: dsar.Access, Requester: "a", Subject: ok}, false},
		{"no subject", executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Access, Requester: "a"}, false},
		{"unknown key", executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Access, Requester: "a", Subject: piimap.Subject{"shoe_size": {"9"}}}, false},
		{"empty value", executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Access, Requester: "a", Subject: piimap.Subject{piimap.KeyEmail: {" "}}}, false},
		{"rectification without changes", executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Rectification, Requester: "a", Subject: ok}, false},
		{"changes on erasure", executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "a", Subject: ok, Changes: map[string]string{"email": "x"}}, false},
		{"bad mode", executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "a", Subject: ok, Modes: map[string]driver.Mode{"*": "shred"}}, false},
	}
	for _, c := range cases {
		_, err := s.NewRequest(ctxT(t), c.in)
		if (err == nil) != c.ok {
			t.Errorf("%s: err=%v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && !errors.Is(err, piimap.ErrConfig) {
			t.Errorf("%s: error does not wrap ErrConfig: %v", c.name, err)
		}
	}
}

func TestRectification(t *testing.T) {
	ctx := ctxT(t)
	e := newEstate(t)
	s := e.service(executor.Options{})
	req, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Rectification, Requester: "ann",
		Subject: piimap.Subject{piimap.KeyEmail: {"ann@example.com"}}, Changes: map[string]string{piimap.TypePersonName: "Ann Smith"}})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := s.Plan(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := stepCounts(plan)
	wantSteps := map[string]int64{"wh/main.customers": 1, "wh/main.dim_customer": 1, "lake/exports/customers.csv": 1}
	if !maps.Equal(got, wantSteps) {
		t.Errorf("rectify steps %v, want %v", got, wantSteps)
	}
	approve(t, s, req.ID, "bob", "carol")
	rc, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range rc.Locations {
		if l.Changed != 1 || l.Residual != 0 {
			t.Errorf("%s: %+v", l.Asset, l)
		}
	}
	db := openWH(t, e)
	defer db.Close()
	var name, full string
	db.QueryRow("SELECT name FROM customers WHERE id = 1").Scan(&name)
	db.QueryRow("SELECT full_name FROM dim_customer WHERE customer_key = 1").Scan(&full)
	if name != "Ann Smith" || full != "Ann Smith" {
		t.Errorf("after rectification: %q %q", name, full)
	}
	var bob string
	db.QueryRow("SELECT name FROM customers WHERE id = 2").Scan(&bob)
	if bob != "Bob Roe" {
		t.Errorf("another subject rectified: %q", bob)
	}
	// The CSV export: Ann's row corrected, every other byte kept.
	csv, err := os.ReadFile(filepath.Join(e.dir, "lake", "exports", "customers.csv"))
	if want := "email,name\nbob@example.com,Bob Roe\nann@example.com,Ann Smith\ncleo@example.com,Cleo Ng\n"; err != nil || string(csv) != want {
		t.Errorf("csv after rectification %q (%v), want %q", csv, err, want)
	}
}

func TestLegalHoldAndReplay(t *testing.T) {
	ctx := ctxT(t)
	e := newEstate(t)
	s := e.service(executor.Options{})
	if _, err := s.AddException(ctx, planning.Exception{Kind: driver.ExceptionLegalHold, Store: "lake", Asset: "logs/app.log",
		Reason: "litigation hold #7"}); err != nil {
		t.Fatal(err)
	}
	req := newErasure(t, s)
	plan, err := s.Plan(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := stepCounts(plan)["lake/logs/app.log"]; ok {
		t.Fatal("held asset planned for erasure")
	}
	if len(plan.Exceptions) != 1 || plan.Exceptions[0].Kind != driver.ExceptionLegalHold {
		t.Fatalf("exceptions %+v", plan.Exceptions)
	}
	before, _ := os.ReadFile(filepath.Join(e.dir, "lake/logs/app.log"))
	approve(t, s, req.ID, "bob", "carol")
	rc, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.Exceptions) != 1 {
		t.Errorf("receipt exceptions %+v", rc.Exceptions)
	}
	after, _ := os.ReadFile(filepath.Join(e.dir, "lake/logs/app.log"))
	if string(before) != string(after) {
		t.Error("held log was changed")
	}

	for _, tk := range rc.Tasks {
		if _, err := s.CloseTask(ctx, tk.ID, "done by hand", false); err != nil {
			t.Fatal(err)
		}
	}
	if rc, _ := s.Receipt(ctx, req.ID); rc.Status != dsar.StatusExceptions {
		t.Errorf("receipt with a legal hold says %s, want completed_with_exceptions", rc.Status)
	}

	// A backup restore brings the subject back; replaying the ledger erases it again.
	db := openWH(t, e)
	if _, err := db.Exec("INSERT INTO customers VALUES (1, 'ann@example.com', 'Ann Lee', 'u-0001')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	rs, err := s.Replay(ctx, executor.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("replayed %d requests", len(rs))
	}
	db = openWH(t, e)
	defer db.Close()
	var n int
	db.QueryRow("SELECT count(*) FROM customers WHERE id = 1").Scan(&n)
	if n != 0 {
		t.Error("replay left the restored row")
	}
	for _, l := range rs[0].Locations {
		if l.Residual != 0 {
			t.Errorf("%s residual %d after replay", l.Asset, l.Residual)
		}
		if l.Asset == "main.customers" && l.Changed != 2 {
			t.Errorf("customers changed %d over two runs, want 2", l.Changed)
		}
	}
}

func TestRestriction(t *testing.T) {
	ctx := ctxT(t)
	e := newEstate(t)
	s := e.service(executor.Options{})
	req, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Restriction, Requester: "ann",
		Subject: piimap.Subject{piimap.KeyEmail: {"ann@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Plan(ctx, req.ID); err != nil {
		t.Fatal(err)
	}
	approve(t, s, req.ID, "bob") // a restriction needs four eyes
	if _, err := s.Execute(ctx, req.ID, executor.RunOptions{}); !errors.Is(err, piimap.ErrNotApproved) {
		t.Fatalf("restriction ran with one approval: %v", err)
	}
	approve(t, s, req.ID, "carol")
	before := e.snapshot(t)
	// Without --apply: a dry run, nothing in the register, the request untouched.
	dry, err := s.Execute(ctx, req.ID, executor.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !dry.DryRun || len(dry.Exceptions) != 0 || len(dry.Locations) != len(want) {
		t.Errorf("dry run: %+v", dry)
	}
	if excs, _ := s.Exceptions(ctx, req.ID); len(excs) != 0 {
		t.Errorf("dry run wrote %d exceptions", len(excs))
	}
	if st, _ := s.Status(ctx, req.ID); st.Status != dsar.StatusApproved {
		t.Errorf("dry run moved the request to %s", st.Status)
	}
	rc, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range rc.Locations {
		if l.Found == 0 {
			t.Errorf("restriction lists %s/%s where nothing was found", l.Store, l.Asset)
		}
	}
	if len(rc.Exceptions) != len(want) || len(rc.Locations) != len(want) {
		t.Errorf("restriction recorded %d exceptions for %d locations", len(rc.Exceptions), len(rc.Locations))
	}
	excs, _ := s.Exceptions(ctx, req.ID)
	if len(excs) != len(want) {
		t.Errorf("register holds %d restriction entries", len(excs))
	}
	if !reflect.DeepEqual(e.snapshot(t), before) {
		t.Error("restriction changed the estate")
	}
}
