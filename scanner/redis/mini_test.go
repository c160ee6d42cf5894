package redis_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	piiredis "github.com/piimap/piimap/scanner/redis"
)

// TestMiniredis runs enumeration and sampling against an in-process fake,
// so the source's logic is covered where no Redis server is configured
// (the integration tests use the real server).
func TestMiniredis(t *testing.T) {
	m := miniredis.RunT(t)
	for i := range 50 {
		m.HSet(fmt.Sprintf("user:%d", i), "email", fmt.Sprintf("p%d@example.test", i), "tier", "gold")
		m.SetTTL(fmt.Sprintf("user:%d", i), time.Duration(i+1)*time.Minute)
		require.NoError(t, m.Set(fmt.Sprintf("blob:%d", i), fmt.Sprintf(`{"contact":{"mail":"q%d@example.test"},"tags":["a","b"]}`, i)))
	}
	require.NoError(t, m.Set("other:settings", "plain text value"))
	ctx := context.Background()
	src, err := piiredis.OpenSource(ctx, scanner.StoreConfig{Name: "fake", URL: "redis://" + m.Addr() + "/0?match=user:*"})
	require.NoError(t, err)
	defer src.Close()

	var units []piimap.Unit
	require.NoError(t, src.Enumerate(ctx, func(u piimap.Unit) error { units = append(units, u); return nil }))
	require.Len(t, units, 1, "match glob limits the scan")
	u := units[0]
	assert.Equal(t, "user:*", u.Loc.Name)
	assert.Equal(t, "redis://"+m.Addr()+"/0", u.Loc.Namespace)
	assert.Equal(t, int64(50), u.Rows)
	assert.Equal(t, "hash", u.Meta[piiredis.MetaRedisType])
	assert.Equal(t, "0.00", u.Meta[piiredis.MetaTTLNoneShare])
	assert.Equal(t, "60", u.Meta[piiredis.MetaTTLMin])
	assert.Equal(t, "3000", u.Meta[piiredis.MetaTTLMax])

	got := map[string][]string{}
	require.NoError(t, src.ReadSample(ctx, u, scanner.Sample{Rows: 10, Seed: 3}, func(r piimap.Record) error {
		got[r.Loc.Field] = append(got[r.Loc.Field], r.Values...)
		assert.Equal(t, "10", r.Meta[piimap.MetaRowsSampled])
		return nil
	}))
	assert.Len(t, got["email"], 10)
	assert.Len(t, got["$key"], 10, "the key's variable segment is a field")

	all, err := piiredis.OpenSource(ctx, scanner.StoreConfig{Name: "fake", URL: "redis://" + m.Addr() + "/0"})
	require.NoError(t, err)
	defer all.Close()
	fields := map[string]int{}
	blob := piimap.Unit{Loc: piimap.Location{Store: "fake", Name: "blob:*"}, Kind: piimap.UnitKeyPattern}
	require.NoError(t, all.ReadSample(ctx, blob, scanner.Sample{Full: true}, func(r piimap.Record) error {
		fields[r.Loc.Field] += len(r.Values)
		return nil
	}))
	assert.Equal(t, map[string]int{"contact.mail": 50, "tags[]": 100, "$key": 50}, fields)
	plain := piimap.Unit{Loc: piimap.Location{Store: "fake", Name: "other:settings"}, Kind: piimap.UnitKeyPattern}
	var vals []string
	require.NoError(t, all.Read(ctx, plain, func(r piimap.Record) error {
		assert.Equal(t, "value", r.Loc.Field)
		vals = append(vals, r.Values...)
		return nil
	}))
	assert.Equal(t, []string{"plain text value"}, vals)
}
