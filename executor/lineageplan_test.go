package executor_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// A warehouse where lineage, not classification, says where the subject's
// data went: crm_copy.contact holds customers' emails but the scan did not
// type it (an identity copy_of edge says it is a copy); customer_view is a
// view over customers (a derived_from edge); sessions and sessions_forever
// stand for cache key patterns whose TTLs the scan measured.
const lineageSQL = `
CREATE TABLE customers (id INTEGER, email VARCHAR);
INSERT INTO customers VALUES (1, 'Ann@Example.com'), (2, 'bob@example.com'), (3, 'cleo@example.com');
CREATE TABLE crm_copy (contact VARCHAR, score INTEGER);
INSERT INTO crm_copy VALUES ('ann@example.com', 5), ('bob@example.com', 7), ('cleo@example.com', 9);
CREATE VIEW customer_view AS SELECT id, email FROM customers;
CREATE TABLE sessions (email VARCHAR, token VARCHAR);
INSERT INTO sessions VALUES ('ann@example.com', 't1'), ('bob@example.com', 't2');
CREATE TABLE sessions_forever (email VARCHAR, token VARCHAR);
INSERT INTO sessions_forever VALUES ('ann@example.com', 't3');
`

func lineageEstate(t *testing.T) (*executor.Service, string) {
	t.Helper()
	url := "duckdb://" + filepath.Join(t.TempDir(), "wh.duckdb")
	db, err := sduck.Open(context.Background(), url, false)
	require.NoError(t, err)
	_, err = db.Exec(lineageSQL)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	wh := func(asset, field string) piimap.Location {
		return piimap.Location{Store: "wh", Name: asset, Field: field}
	}
	g := &memGraph{run: lineage.ScanRun{ID: "run-1", Status: lineage.RunComplete, Stores: []string{"wh"}}}
	g.finding("duckdb", wh("main.customers", "email"), piimap.TypeEmail, map[string]string{"relation": "table"})
	g.add("duckdb", wh("main.customers", "id"), nil)
	g.add("duckdb", wh("main.crm_copy", "contact"), map[string]string{"relation": "table"})
	g.add("duckdb", wh("main.crm_copy", "score"), nil)
	g.finding("duckdb", wh("main.customer_view", "email"), piimap.TypeEmail, map[string]string{"relation": "view"})
	g.finding("duckdb", wh("main.sessions", "email"), piimap.TypeEmail,
		map[string]string{"ttl_probed": "40", "ttl_none": "0", "ttl_none_share": "0.00", "ttl_median_s": "1800", "ttl_max_s": "3600"})
	g.finding("duckdb", wh("main.sessions_forever", "email"), piimap.TypeEmail,
		map[string]string{"ttl_probed": "300", "ttl_none": "1", "ttl_none_share": "0.00", "ttl_max_s": "60"})
	at := time.Unix(0, 0).UTC()
	g.edges = append(g.edges,
		lineage.Edge{Kind: lineage.EdgeCopyOf, From: wh("main.crm_copy", "contact"), To: wh("main.customers", "email"),
			Source: lineage.SourceFingerprint, Confidence: 0.96, Transform: lineage.TransformIdentity, ObservedAt: at,
			Evidence: "containment 1.000 on 3 sampled values"},
		lineage.Edge{Kind: lineage.EdgeDerivedFrom, From: wh("main.customer_view", "email"), To: wh("main.customers", "email"),
			Source: lineage.SourceView, Confidence: 1, Transform: lineage.TransformIdentity, ObservedAt: at},
		lineage.Edge{Kind: lineage.EdgeCopyOf, From: wh("main.sessions", "email"), To: wh("main.customers", "email"),
			Source: lineage.SourceFingerprint, Confidence: 0.9, Transform: lineage.TransformIdentity, ObservedAt: at})
	return executor.New(g, newMemDocs(), []scanner.StoreConfig{{Name: "wh", URL: url, Tenant: "acme"}}, executor.Options{}), url
}

func TestPlanFollowsLineage(t *testing.T) {
	ctx := context.Background()
	s, url := lineageEstate(t)
	req, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "alice", Tenant: "acme",
		Reason: "art. 17", Subject: piimap.Subject{piimap.KeyEmail: {"Ann@Example.com"}},
		Modes: map[string]driver.Mode{"wh/main.sessions": driver.ModeExpire, "wh/main.sessions_forever": driver.ModeExpire}})
	require.NoError(t, err)
	plan, err := s.Plan(ctx, req.ID)
	require.NoError(t, err)

	steps := map[string]planning.Step{}
	var order []string
	for _, st := range plan.Steps() {
		steps[st.Asset] = st
		order = append(order, st.Asset)
	}
	require.Contains(t, steps, "main.crm_copy", "the untyped copy is matched through its copy_of edge")
	require.Equal(t, int64(1), steps["main.crm_copy"].Expected)
	require.Equal(t, "copy_of wh/main.customers#email", steps["main.crm_copy"].Target.Match[0].Via)
	require.Equal(t, piimap.KeyEmail, steps["main.crm_copy"].Target.Match[0].Kind, "a copy of an email is matched as an email")
	require.Equal(t, planning.ActionRecompute, steps["main.customer_view"].Action, "a view is recomputed, not written")
	require.Equal(t, "main.customer_view", order[len(order)-1], "views come after their store's other steps")
	require.NotContains(t, steps, "main.sessions", "mode expire: no write")

	var exc *planning.Exception
	for i, e := range plan.Exceptions {
		if e.Asset == "main.sessions" {
			exc = &plan.Exceptions[i]
		}
	}
	require.NotNil(t, exc, "exceptions: %+v", plan.Exceptions)
	require.Equal(t, driver.ExceptionRetention, exc.Kind)
	require.Contains(t, exc.Reason, "longest 3600s")
	require.NotNil(t, exc.ExpiresAt)
	require.WithinDuration(t, time.Now().Add(time.Hour), *exc.ExpiresAt, time.Minute)
	require.Equal(t, planning.GapUnsupported, gapSet(plan.Gaps)["wh/main.sessions_forever"], "one probed key never expires: expire refused")

	actions := map[string]planning.EdgeAction{}
	for _, ea := range plan.Lineage {
		actions[ea.Copy.Name] = ea
	}
	require.Equal(t, planning.EdgeDelete, actions["main.crm_copy"].Action)
	require.Contains(t, actions["main.crm_copy"].Evidence, "containment 1.000")
	require.Equal(t, planning.EdgeRecompute, actions["main.customer_view"].Action)
	require.Equal(t, planning.EdgeExpires, actions["main.sessions"].Action)
	require.Contains(t, actions["main.sessions"].Evidence, "expires by TTL")

	for _, by := range []string{"dpo", "legal"} {
		_, err = s.Approve(ctx, req.ID, by)
		require.NoError(t, err)
	}
	rc, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	require.NoError(t, err)
	for _, l := range rc.Locations {
		require.Zero(t, l.Residual, "%s", l.Asset)
		if l.Asset == "main.customer_view" {
			require.Equal(t, planning.ActionRecompute, l.Action)
			require.Zero(t, l.Changed, "nothing is written through a view")
		}
	}
	require.NotEmpty(t, rc.Lineage)

	db, err := sduck.Open(ctx, url, true)
	require.NoError(t, err)
	defer db.Close()
	var contacts, sessions int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM crm_copy").Scan(&contacts))
	require.NoError(t, db.QueryRow("SELECT count(*) FROM sessions").Scan(&sessions))
	require.Equal(t, 2, contacts, "the subject's copy row is erased, the others stay")
	require.Equal(t, 2, sessions, "left to expire")
	for _, l := range rc.Locations {
		require.False(t, strings.Contains(l.Note, "Ann@"), "no raw identifier in the receipt")
	}
}
