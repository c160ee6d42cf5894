package executor_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
	_ "github.com/piimap/piimap/executor/duckdb" // duckdb:// handler
	_ "github.com/piimap/piimap/executor/files"  // file:// handler
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/rules"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
	_ "github.com/piimap/piimap/scanner/files" // file:// source
)

// The executor level of issue 9's adversarial suite: real scans of a
// DuckDB + files estate in two tenants, requests through the Service, and
// witnesses taken outside piimap (file bytes and SHA-256, SQL counts).

const (
	advPhone      = "+12136625868"
	advPhoneLocal = "(213) 662-5868"
)

func sum256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

type advEstate struct {
	root   string
	g      *badgerstore.Store
	stores []scanner.StoreConfig
}

// newAdvEstate builds, per tenant (acme and globex), a DuckDB warehouse of
// customers and a files store of logs. Ann (ann@example.com, phone
// (213) 662-5868) is a customer of both tenants; bystanders share her
// phone's last seven digits, hold her email as a substring, or hold her
// digits inside a longer number.
func newAdvEstate(t *testing.T) *advEstate {
	t.Helper()
	ctx := context.Background()
	e := &advEstate{root: t.TempDir()}
	for _, tenant := range []string{"acme", "globex"} {
		wh := filepath.Join(e.root, tenant+".duckdb")
		db, err := sduck.Open(ctx, "duckdb://"+wh, false)
		require.NoError(t, err)
		_, err = db.Exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, user_id VARCHAR UNIQUE NOT NULL, email VARCHAR, phone VARCHAR)`)
		require.NoError(t, err)
		rows := [][3]string{{"usr_0001a", "ann@example.com", advPhoneLocal}, {"usr_0002b", "joann@example.com", "(415) 662-5868"}}
		for i := 3; i <= 60; i++ {
			rows = append(rows, [3]string{fmt.Sprintf("usr_%04dx", i), fmt.Sprintf("person%02d@example.net", i), fmt.Sprintf("(312) 555-%04d", 1000+i)})
		}
		for i, r := range rows {
			_, err := db.Exec("INSERT INTO customers VALUES (?, ?, ?, ?)", i+1, r[0], r[1], r[2])
			require.NoError(t, err)
		}
		require.NoError(t, db.Close())
		lake := filepath.Join(e.root, tenant+"-lake")
		require.NoError(t, os.MkdirAll(filepath.Join(lake, "logs"), 0o755))
		var others strings.Builder
		for i := range 100 {
			fmt.Fprintf(&others, "2026-01-02T10:%02d:00Z sms sent to (415) 662-5868 ref 5-213-662-5868 user person%02d@example.net\n", i%60, i)
		}
		files := map[string]string{
			"logs/sms-1.log": "2026-01-01T09:00:00Z sms sent to " + advPhoneLocal + " for " + tenant + "\n" +
				"2026-01-01T09:01:00Z sms sent to (415) 662-5868\n" +
				"2026-01-01T09:02:00Z login ok joann@example.com\n",
			"logs/sms-2.log": others.String(),
		}
		for rel, data := range files {
			require.NoError(t, os.WriteFile(filepath.Join(lake, rel), []byte(data), 0o644))
		}
		e.stores = append(e.stores,
			scanner.StoreConfig{Name: tenant + "-wh", URL: "duckdb://" + wh, Tenant: tenant},
			scanner.StoreConfig{Name: tenant + "-lake", URL: "file://" + lake, Tenant: tenant})
	}
	g, err := badgerstore.Open(filepath.Join(e.root, "graph"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	e.g = g
	rs, err := rules.Default()
	require.NoError(t, err)
	eng, err := classifiers.New(rs, classifiers.Options{})
	require.NoError(t, err)
	key, err := g.InstallationKey(ctx)
	require.NoError(t, err)
	res, err := scanner.Run(ctx, e.stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, FingerprintKey: key, Full: true})
	require.NoError(t, err)
	require.Empty(t, res.Errors)
	return e
}

func (e *advEstate) path(rel string) string { return filepath.Join(e.root, rel) }

func (e *advEstate) customers(t *testing.T, tenant, where string) (int, string) {
	t.Helper()
	db, err := sduck.Open(context.Background(), "duckdb://"+e.path(tenant+".duckdb"), true)
	require.NoError(t, err)
	defer db.Close()
	var n int
	var h *string
	require.NoError(t, db.QueryRow("SELECT count(*), md5(string_agg(id || '|' || user_id || '|' || email || '|' || phone, ',' ORDER BY id)) FROM customers WHERE "+where).Scan(&n, &h))
	if h == nil {
		return n, ""
	}
	return n, *h
}

// TestAdversarialPhoneAcrossTenants: an erasure by phone in E.164 finds the
// subject's national-format cells and log lines in tenant acme, and only
// them; the identifier filters never rule out a file holding the national
// form; tenant globex, holding the same person, stays byte-identical.
func TestAdversarialPhoneAcrossTenants(t *testing.T) {
	ctx := context.Background()
	e := newAdvEstate(t)
	s := executor.New(e.g, e.g, e.stores, executor.Options{})

	// Two tenants: the tenant must be named; an unknown one is refused.
	_, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "ops",
		Subject: piimap.Subject{piimap.KeyPhone: {advPhone}}})
	require.ErrorIs(t, err, executor.ErrIntake)
	_, err = s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "ops", Tenant: "initech",
		Subject: piimap.Subject{piimap.KeyPhone: {advPhone}}})
	require.ErrorIs(t, err, executor.ErrIntake)
	// A partial phone is refused without echoing it.
	_, err = s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "ops", Tenant: "acme",
		Subject: piimap.Subject{piimap.KeyPhone: {"662-5868"}}})
	require.ErrorIs(t, err, executor.ErrIntake)
	require.NotContains(t, err.Error(), "662-5868")

	globex := map[string]string{
		"wh":    sum256(t, e.path("globex.duckdb")),
		"sms-1": sum256(t, e.path("globex-lake/logs/sms-1.log")),
		"sms-2": sum256(t, e.path("globex-lake/logs/sms-2.log")),
	}
	sms2 := sum256(t, e.path("acme-lake/logs/sms-2.log"))
	_, others0 := e.customers(t, "acme", "id <> 1")

	req, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "ops", Tenant: "acme",
		Subject: piimap.Subject{piimap.KeyPhone: {"+1 213 662 5868"}}})
	require.NoError(t, err)
	plan, err := s.Plan(ctx, req.ID)
	require.NoError(t, err)
	steps := map[string]int64{}
	for _, st := range plan.Steps() {
		require.True(t, strings.HasPrefix(st.Store, "acme-"), "acme's plan reaches %s", st.Store)
		steps[st.Store+"/"+st.Asset] = st.Expected
	}
	require.Equal(t, int64(1), steps["acme-wh/main.customers"], "steps %v", steps)
	require.Equal(t, int64(1), steps["acme-lake/logs/sms-1.log"], "the national form is found in text: %v (skipped %+v)", steps, plan.Skipped)
	// sms-2 holds only bystanders: its filter may let it through (the
	// subject's digits are inside a longer number there), its count is 0.
	require.Zero(t, steps["acme-lake/logs/sms-2.log"], "sms-2 holds only bystanders")
	for _, g := range plan.Gaps {
		require.True(t, strings.HasPrefix(g.Store, "acme-"), "gap of another tenant: %+v", g)
	}
	_, err = s.Approve(ctx, req.ID, "dpo")
	require.NoError(t, err)
	_, err = s.Approve(ctx, req.ID, "legal")
	require.NoError(t, err)
	rc, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	require.NoError(t, err)
	require.Equal(t, dsar.StatusCompleted, rc.Status, "receipt %+v", rc)

	// Witnesses outside piimap.
	n, _ := e.customers(t, "acme", "id = 1")
	require.Zero(t, n, "the subject's customer row is gone")
	_, others1 := e.customers(t, "acme", "id <> 1")
	require.Equal(t, others0, others1, "another customer changed")
	b, err := os.ReadFile(e.path("acme-lake/logs/sms-1.log"))
	require.NoError(t, err)
	require.NotContains(t, string(b), advPhoneLocal)
	require.Contains(t, string(b), "sms sent to (415) 662-5868\n", "the bystander's line is intact")
	require.Contains(t, string(b), "login ok joann@example.com\n")
	require.Equal(t, sms2, sum256(t, e.path("acme-lake/logs/sms-2.log")), "a file of bystanders changed")
	for name, before := range globex {
		rel := map[string]string{"wh": "globex.duckdb", "sms-1": "globex-lake/logs/sms-1.log", "sms-2": "globex-lake/logs/sms-2.log"}[name]
		require.Equal(t, before, sum256(t, e.path(rel)), "tenant globex's %s changed", name)
	}
}

// TestAdversarialBlastRadiusExecutor: two customers share an email; the
// erasure is refused at approval and at run time, changes nothing, and
// goes through only when the request allows two.
func TestAdversarialBlastRadiusExecutor(t *testing.T) {
	ctx := context.Background()
	e := newAdvEstate(t)
	db, err := sduck.Open(ctx, "duckdb://"+e.path("acme.duckdb"), false)
	require.NoError(t, err)
	_, err = db.Exec("UPDATE customers SET email = 'family@example.com' WHERE id IN (3, 4)")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	s := executor.New(e.g, e.g, e.stores, executor.Options{})
	_, before := e.customers(t, "acme", "TRUE")

	req, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "ops", Tenant: "acme",
		Subject: piimap.Subject{piimap.KeyEmail: {"Family@Example.com"}}})
	require.NoError(t, err)
	plan, err := s.Plan(ctx, req.ID)
	require.NoError(t, err)
	require.NotEmpty(t, plan.Entities)
	require.Equal(t, int64(2), plan.Entities[0].Records, "entities %+v", plan.Entities)
	_, err = s.Approve(ctx, req.ID, "dpo")
	require.ErrorIs(t, err, planning.ErrBlastRadius)
	require.NotContains(t, err.Error(), "family@")
	_, after := e.customers(t, "acme", "TRUE")
	require.Equal(t, before, after)

	req, err = s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "ops", Tenant: "acme", AllowMultiple: 2,
		Subject: piimap.Subject{piimap.KeyEmail: {"family@example.com"}}})
	require.NoError(t, err)
	_, err = s.Plan(ctx, req.ID)
	require.NoError(t, err)
	for _, by := range []string{"dpo", "legal"} {
		_, err = s.Approve(ctx, req.ID, by)
		require.NoError(t, err)
	}
	rc, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	require.NoError(t, err)
	require.Equal(t, dsar.StatusCompleted, rc.Status)
	n, _ := e.customers(t, "acme", "id IN (3, 4)")
	require.Zero(t, n)
	n, _ = e.customers(t, "acme", "TRUE")
	require.Equal(t, 58, n, "only the two sharing the mailbox are gone")
}

// TestRectifyTextIsAGap: rectifying an email corrects the CSV row in place,
// and the log lines holding the old address are a gap, never silently
// "completed"; logs without the subject are no gap.
func TestRectifyTextIsAGap(t *testing.T) {
	ctx := context.Background()
	e := newFilterEstate(t)
	e.scan(t, true)
	s := executor.New(e.g, e.g, e.stores, withKey(executor.Options{}))
	req, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Rectification, Requester: "ops",
		Subject: piimap.Subject{piimap.KeyEmail: {annEmail}}, Changes: map[string]string{piimap.KeyEmail: "ann.new@example.com"}})
	require.NoError(t, err)
	plan, err := s.Plan(ctx, req.ID)
	require.NoError(t, err)
	gaps := map[string]string{}
	for _, g := range plan.Gaps {
		gaps[g.Asset] = g.Reason
	}
	require.Contains(t, gaps, "logs/2026-01-01.log", "plan gaps %+v", plan.Gaps)
	require.Contains(t, gaps["logs/2026-01-01.log"], "2 lines")
	require.NotContains(t, gaps, "logs/2026-01-03.log", "a log without the subject is no gap")
	for _, by := range []string{"dpo", "legal"} {
		_, err := s.Approve(ctx, req.ID, by)
		require.NoError(t, err)
	}
	rc, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	require.NoError(t, err)
	require.Equal(t, dsar.StatusExceptions, rc.Status)
	b, err := os.ReadFile(filepath.Join(e.dir, "exports", "orders.csv"))
	require.NoError(t, err)
	require.Contains(t, string(b), "ann.new@example.com")
	require.NotContains(t, string(b), annEmail+",")
}

// TestClosureFindsPhoneInLogs: a request by email alone finds the subject's
// phone on her customers row (no FK, no declaration: the table is an entity
// table by its unique user_id) and with it her log line; when another
// customer holds the same phone, the phone is left out and the plan says
// so, and nobody's line is touched through it.
func TestClosureFindsPhoneInLogs(t *testing.T) {
	ctx := context.Background()
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			e := newAdvEstate(t)
			if shared {
				db, err := sduck.Open(ctx, "duckdb://"+e.path("acme.duckdb"), false)
				require.NoError(t, err)
				_, err = db.Exec("UPDATE customers SET phone = ? WHERE id = 7", advPhoneLocal)
				require.NoError(t, err)
				require.NoError(t, db.Close())
			}
			s := executor.New(e.g, e.g, e.stores, executor.Options{})
			req, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Access, Requester: "ops", Tenant: "acme",
				Subject: piimap.Subject{piimap.KeyEmail: {"ann@example.com"}}})
			require.NoError(t, err)
			plan, err := s.Plan(ctx, req.ID)
			require.NoError(t, err)
			kinds := map[string][]string{}
			for _, id := range plan.Identifiers {
				kinds[id.Kind] = id.Via
			}
			steps := map[string]int64{}
			for _, st := range plan.Steps() {
				steps[st.Store+"/"+st.Asset] = st.Expected
			}
			if !shared {
				require.Contains(t, kinds, piimap.KeyPhone, "identifiers %+v", plan.Identifiers)
				require.Contains(t, kinds[piimap.KeyPhone], "main.customers.phone")
				require.Equal(t, int64(1), steps["acme-lake/logs/sms-1.log"], "the phone finds her log line: %v", steps)
				require.Empty(t, plan.Unused)
				return
			}
			require.NotContains(t, kinds, piimap.KeyPhone, "a shared phone is used: %+v", plan.Identifiers)
			require.Len(t, plan.Unused, 1, "unused %+v", plan.Unused)
			require.Equal(t, int64(2), plan.Unused[0].Records)
			require.NotContains(t, plan.Unused[0].Masked, "662")
			require.Zero(t, steps["acme-lake/logs/sms-1.log"], "a shared phone reached a log: %v", steps)
		})
	}
}

// TestClosureSkipsReferencedFactTables: a messages table that attachments
// reference (so a join target) but whose sender emails repeat is no entity
// table: a request by the sender's email must not take the recipient's
// phone from the sender's message row.
func TestClosureSkipsReferencedFactTables(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	wh := filepath.Join(root, "wh.duckdb")
	db, err := sduck.Open(ctx, "duckdb://"+wh, false)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE messages (id INTEGER PRIMARY KEY, sender_email VARCHAR, recipient_phone VARCHAR, body VARCHAR);
CREATE TABLE attachments (id INTEGER PRIMARY KEY, message_id INTEGER REFERENCES messages(id), name VARCHAR)`)
	require.NoError(t, err)
	for i := 1; i <= 60; i++ {
		sender := fmt.Sprintf("sender%02d@example.net", i%20) // senders repeat
		if i == 1 {
			sender = "ann@example.com"
		}
		_, err := db.Exec("INSERT INTO messages VALUES (?, ?, ?, ?)", i, sender, fmt.Sprintf("(312) 555-%04d", 1000+i), "hello")
		require.NoError(t, err)
		_, err = db.Exec("INSERT INTO attachments VALUES (?, ?, ?)", i, i, "file.pdf")
		require.NoError(t, err)
	}
	_, err = db.Exec("UPDATE messages SET sender_email = 'ann@example.com' WHERE id = 2")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	lake := filepath.Join(root, "lake")
	require.NoError(t, os.MkdirAll(lake, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(lake, "sms.log"), []byte("2026-01-01T09:00:00Z sms sent to (312) 555-1001\n"), 0o644))
	stores := []scanner.StoreConfig{{Name: "wh", URL: "duckdb://" + wh}, {Name: "lake", URL: "file://" + lake}}
	g, err := badgerstore.Open(filepath.Join(root, "graph"))
	require.NoError(t, err)
	defer g.Close()
	rs, err := rules.Default()
	require.NoError(t, err)
	eng, err := classifiers.New(rs, classifiers.Options{})
	require.NoError(t, err)
	key, err := g.InstallationKey(ctx)
	require.NoError(t, err)
	_, err = scanner.Run(ctx, stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, FingerprintKey: key, Full: true})
	require.NoError(t, err)

	s := executor.New(g, g, stores, executor.Options{})
	req, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Access, Requester: "ops",
		Subject: piimap.Subject{piimap.KeyEmail: {"ann@example.com"}}})
	require.NoError(t, err)
	plan, err := s.Plan(ctx, req.ID)
	require.NoError(t, err)
	for _, id := range plan.Identifiers {
		require.NotEqual(t, piimap.KeyPhone, id.Kind, "a recipient's phone joined the search: %+v", plan.Identifiers)
	}
	for _, st := range plan.Steps() {
		if st.Asset == "sms.log" {
			require.Zero(t, st.Expected, "the recipient's sms line was found as the sender's")
		}
	}
}
