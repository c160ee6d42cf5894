package nats_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	_ "github.com/piimap/piimap/scanner/nats" // nats:// source
)

// TestErasureEndToEnd scans two real streams, plans an erasure, approves
// and runs it: the normal stream's messages of the subject are deleted and
// verified (residual 0, other messages intact), and the stream that denies
// deletes is an exception in the plan and the receipt, quoting its
// retention and expiry, not a silent success.
func TestErasureEndToEnd(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	events := newStream(t, conn, "events", nil)
	ledger := newStream(t, conn, "ledger", func(c *jetstream.StreamConfig) { c.DenyDelete, c.MaxAge = true, 7*24*time.Hour })
	for _, s := range []string{events, ledger} {
		for i := range 120 {
			email := fmt.Sprintf("user%d@example.com", i)
			if i%40 == 0 {
				email = subject
			}
			publishJSON(t, conn, s, "user", map[string]string{"X-Request-Id": fmt.Sprintf("req-%d", i)},
				map[string]any{"user": map[string]any{"email": email, "plan": "basic"}, "n": i})
		}
	}

	stores := []scanner.StoreConfig{{Name: "bus", URL: serverURL(t) + "?stream=" + events + "," + ledger, Tenant: "acme",
		Sample:   scanner.SampleConfig{Rows: 100, Seed: 3},
		Identity: map[string]string{piimap.KeyEmail: events + ".user.email"}}}
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	g := lineagetest.NewMemGraph()
	res, err := scanner.Run(ctx, stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge})
	require.NoError(t, err)
	require.Empty(t, res.Errors)

	svc := executor.New(g, g, stores, executor.Options{InstallationKey: []byte("0123456789abcdef0123456789abcdef")})
	req, err := svc.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "alice", Tenant: "acme",
		Reason: "art. 17", Subject: piimap.Subject{piimap.KeyEmail: {subject}}})
	require.NoError(t, err)
	plan, err := svc.Plan(ctx, req.ID)
	require.NoError(t, err)
	js, _ := json.Marshal(plan)
	assert.NotContains(t, string(js), subject, "plan JSON holds no raw identifier")

	var steps []string
	for _, st := range plan.Steps() {
		steps = append(steps, fmt.Sprintf("%s/%s=%d", st.Store, st.Asset, st.Expected))
	}
	assert.Equal(t, []string{"bus/" + events + "=3"}, steps)
	require.Len(t, plan.Exceptions, 1, "%+v", plan.Exceptions)
	exc := plan.Exceptions[0]
	assert.Equal(t, driver.ExceptionRetention, exc.Kind)
	assert.Equal(t, ledger, exc.Asset)
	assert.Contains(t, exc.Reason, "3 of the subject's messages")
	assert.Contains(t, exc.Reason, "max_age 168h0m0s")
	require.NotNil(t, exc.ExpiresAt)
	assert.WithinDuration(t, time.Now().Add(7*24*time.Hour), *exc.ExpiresAt, time.Minute)

	for _, by := range []string{"bob", "carol"} {
		_, err := svc.Approve(ctx, req.ID, by)
		require.NoError(t, err)
	}
	rc, err := svc.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	require.NoError(t, err)
	require.Len(t, rc.Locations, 1)
	loc := rc.Locations[0]
	assert.Equal(t, events, loc.Asset)
	assert.EqualValues(t, 3, loc.Found)
	assert.EqualValues(t, 3, loc.Changed)
	assert.EqualValues(t, 0, loc.Residual)
	require.Len(t, rc.Exceptions, 1)
	assert.Equal(t, ledger, rc.Exceptions[0].Asset)
	assert.True(t, strings.Contains(rc.Exceptions[0].Reason, "retention"))

	h := openHandler(t, serverURL(t), true)
	all := []driver.Match{{Field: "user.email", Kind: piimap.KeyEmail, Values: []string{subject}}}
	n, err := h.Count(ctx, driver.Target{Asset: events, Match: all})
	require.NoError(t, err)
	assert.Zero(t, n, "erased from the normal stream")
	n, err = h.Count(ctx, driver.Target{Asset: ledger, Match: all})
	require.NoError(t, err)
	assert.EqualValues(t, 3, n, "kept by the stream that denies deletes")
	st, err := conn.Stream(ctx, events)
	require.NoError(t, err)
	assert.EqualValues(t, 117, st.CachedInfo().State.Msgs, "other messages intact")
}
