package redis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/internal/hangcheck"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	piiredis "github.com/piimap/piimap/scanner/redis"
)

// TestScanRun scans a real Redis keyspace with scanner.Run and the real
// classifier: JSON paths, hash fields, list elements and key segments are
// classified, TTL statistics land on the asset nodes, a down store is a
// gap, and no raw value reaches the graph.
func TestScanRun(t *testing.T) {
	ctx := context.Background()
	prefix, c := newPrefix(t)
	p := c.Pipeline()
	for i := range 300 {
		doc, _ := json.Marshal(map[string]any{
			"email":   fmt.Sprintf("user%d@example.com", i),
			"profile": map[string]any{"phone": fmt.Sprintf("+44 20 7946 %04d", i), "plan": "basic"},
			"visits":  i % 17,
		})
		key := fmt.Sprintf("%suser:%d:profile", prefix, 1000+i)
		if i%2 == 0 {
			p.Set(ctx, key, doc, time.Hour)
		} else {
			p.Set(ctx, key, doc, 0)
		}
		p.HSet(ctx, fmt.Sprintf("%ssession:%08x-1111-2222-3333-%012x", prefix, i, i),
			"ip", fmt.Sprintf("10.1.%d.%d", i%250, i%200+1), "ua", "Mozilla/5.0", "step", strconv.Itoa(i%4))
		p.Expire(ctx, fmt.Sprintf("%ssession:%08x-1111-2222-3333-%012x", prefix, i, i), 30*time.Minute)
		p.Set(ctx, fmt.Sprintf("%scache:by-email:alt%d@example.org", prefix, i), "1", 10*time.Minute)
		ev, _ := json.Marshal(map[string]any{"email": fmt.Sprintf("user%d@example.com", i), "kind": "click"})
		p.RPush(ctx, prefix+"events:2026-01-02", ev)
	}
	_, err := p.Exec(ctx)
	require.NoError(t, err)

	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	g := lineagetest.NewMemGraph()
	stores := []scanner.StoreConfig{
		{Name: "cache", URL: storeURL(t, prefix, ""), Tenant: "acme", Sample: scanner.SampleConfig{Seed: 1}},
		{Name: "down", URL: "redis://127.0.0.1:1/0"},
	}
	start := time.Now()
	res, err := scanner.Run(ctx, stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, Concurrency: 2})
	require.NoError(t, err)
	t.Logf("scan took %v", time.Since(start))
	require.Len(t, res.Errors, 1, "%v", res.Errors)
	assert.Equal(t, "down", res.Errors[0].Store)
	assert.Contains(t, res.Errors[0].Err, "unreachable")

	types := map[string][]string{}
	for _, f := range res.Findings {
		types[f.Loc.String()] = append(types[f.Loc.String()], f.Type)
	}
	t.Logf("findings: %v", types)
	at := func(pattern, field string) string { return "cache/" + prefix + pattern + "#" + field }
	assert.Contains(t, types[at("user:*:profile", "email")], piimap.TypeEmail, "JSON string value by path")
	assert.Contains(t, types[at("user:*:profile", "profile.phone")], piimap.TypePhone, "nested JSON path")
	assert.NotContains(t, types, at("user:*:profile", "profile.plan"))
	assert.NotContains(t, types, at("user:*:profile", "visits"))
	assert.Contains(t, types[at("session:*", "ip")], piimap.TypeIPAddress, "hash field")
	assert.Contains(t, types[at("events:*", "element.email")], piimap.TypeEmail, "list element JSON path")
	assert.Contains(t, types[at("cache:by-email:*", "$key")], piimap.TypeEmail, "email in the key name")

	attrs := map[string]map[string]string{}
	raw := regexp.MustCompile(`(user|alt)\d+@example|7946 \d{4}|10\.1\.\d+\.\d+`)
	require.NoError(t, g.Nodes(ctx, res.RunID, func(n lineage.Node) error {
		if n.Kind == lineage.NodeAsset {
			attrs[n.Loc.Name] = n.Attrs
		}
		for _, v := range n.Attrs {
			assert.NotRegexp(t, raw, v)
		}
		return nil
	}))
	require.NoError(t, g.Findings(ctx, res.RunID, func(f piimap.Finding) error {
		assert.NotRegexp(t, raw, f.Masked)
		for _, ev := range f.Evidence {
			assert.NotRegexp(t, raw, ev)
		}
		return nil
	}))
	require.Len(t, attrs, 4, "one asset per pattern: %v", attrs)
	sess := attrs[prefix+"session:*"]
	assert.Equal(t, "hash", sess[piiredis.MetaRedisType])
	assert.Equal(t, "0.00", sess[piiredis.MetaTTLNoneShare])
	assert.Equal(t, "300", sess[lineage.AttrRows])
	for _, k := range []string{piiredis.MetaTTLMin, piiredis.MetaTTLMedian, piiredis.MetaTTLMax} {
		n, err := strconv.Atoi(sess[k])
		require.NoError(t, err, k)
		assert.InDelta(t, 1800, n, 120, "%s of 30-minute sessions", k)
	}
	prof := attrs[prefix+"user:*:profile"]
	share, err := strconv.ParseFloat(prof[piiredis.MetaTTLNoneShare], 64)
	require.NoError(t, err)
	assert.InDelta(t, 0.5, share, 0.2, "half the profiles never expire (64 probed)")
	assert.Equal(t, "string", prof[piiredis.MetaRedisType])
	assert.Equal(t, "list", attrs[prefix+"events:*"][piiredis.MetaRedisType])
	assert.Equal(t, "1.00", attrs[prefix+"events:*"][piiredis.MetaTTLNoneShare])
}

// TestUnreachable: a refused port and a listener that never answers both
// fail fast with piimap.ErrUnreachable.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() { // accept and stay silent
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	for _, u := range []string{"redis://127.0.0.1:1/0", "redis://" + ln.Addr().String() + "/0"} {
		// The dial (2 s) and ping (3 s) timeouts end the attempt; the
		// bound only catches one that hangs.
		var err error
		hangcheck.NoHang(t, hangcheck.Limit(5*time.Second), func() {
			_, _, err = scanner.Open(context.Background(), scanner.StoreConfig{Name: "down", URL: u})
		})
		require.Error(t, err, u)
		assert.True(t, errors.Is(err, piimap.ErrUnreachable), "%s: %v", u, err)
		t.Logf("%s: %v", u, err)
	}
}
