package nats_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	pnats "github.com/piimap/piimap/scanner/nats"
)

// TestScanRun scans a real stream with scanner.Run and the real classifier
// into an in-memory graph, next to a NATS server that is down: findings land
// on JSON paths and headers, the stream's retention is on its asset node,
// the down store is a gap, and no raw value leaks into the map.
func TestScanRun(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	s := newStream(t, conn, "e2e", func(c *jetstream.StreamConfig) {
		c.MaxAge, c.DenyDelete = 30*24*time.Hour, true
	})
	for i := range 400 {
		publishJSON(t, conn, s, fmt.Sprint("orders.", i%7), map[string]string{"X-User-Email": fmt.Sprintf("hdr%d@example.com", i)},
			map[string]any{
				"order_id": fmt.Sprintf("9f1c2e7a-%04d-4b1e-9c3d-5e6f7a8b9c0d", i),
				"user":     map[string]any{"email": fmt.Sprintf("user%d@example.com", i), "ip": fmt.Sprintf("10.1.%d.%d", i%250, i%200)},
				"payment":  map[string]any{"card": []string{"4111111111111111", "5555555555554444", "378282246310005"}[i%3]},
				"status":   []string{"new", "paid", "shipped"}[i%3],
			})
	}
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	g := lineagetest.NewMemGraph()
	stores := []scanner.StoreConfig{
		{Name: "bus", URL: serverURL(t) + "?stream=" + streamName(s), Tenant: "acme", Sample: scanner.SampleConfig{Rows: 100, Seed: 1}},
		{Name: "down", URL: "nats://127.0.0.1:1?timeout=1s"},
	}
	res, err := scanner.Run(ctx, stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, Concurrency: 2})
	require.NoError(t, err)
	require.Len(t, res.Errors, 1, "%v", res.Errors)
	assert.Equal(t, "down", res.Errors[0].Store)
	assert.Contains(t, res.Errors[0].Err, "unreachable")
	assert.Equal(t, lineage.RunGaps, res.Run.Status)

	types := map[string][]string{}
	for _, f := range res.Findings {
		types[f.Loc.String()] = append(types[f.Loc.String()], f.Type)
	}
	t.Logf("findings: %v", types)
	at := func(field string) string { return "bus/" + streamName(s) + "#" + field }
	assert.Contains(t, types[at("user.email")], piimap.TypeEmail)
	assert.Contains(t, types[at("header.X-User-Email")], piimap.TypeEmail)
	assert.Contains(t, types[at("user.ip")], piimap.TypeIPAddress)
	assert.Contains(t, types[at("payment.card")], piimap.TypeCreditCard)
	assert.NotContains(t, types, at("order_id"), "UUIDs are not PII")
	assert.NotContains(t, types, at("status"))

	raw := regexp.MustCompile(`(user|hdr)\d+@example|4111111111111111|10\.1\.\d+\.\d+`)
	var asset *lineage.Node
	require.NoError(t, g.Nodes(ctx, res.RunID, func(n lineage.Node) error {
		if n.Kind == lineage.NodeAsset && n.Loc.Name == streamName(s) {
			asset = &n
		}
		for _, v := range n.Attrs {
			assert.NotRegexp(t, raw, v)
		}
		return nil
	}))
	require.NotNil(t, asset, "asset node for the stream")
	assert.Equal(t, pnats.Kind, asset.StoreKind)
	assert.Equal(t, "720h0m0s", asset.Attrs[pnats.MetaMaxAge])
	assert.Equal(t, "true", asset.Attrs[pnats.MetaDenyDelete])
	assert.Equal(t, "limits", asset.Attrs[pnats.MetaRetention])
	assert.Equal(t, "400", asset.Attrs[lineage.AttrRows])
	assert.Equal(t, piimap.UnitStream, asset.Attrs[lineage.AttrUnitKind])
	require.NoError(t, g.Findings(ctx, res.RunID, func(f piimap.Finding) error {
		assert.NotRegexp(t, raw, f.Masked)
		for _, ev := range f.Evidence {
			assert.NotRegexp(t, raw, ev)
		}
		return nil
	}))
}
