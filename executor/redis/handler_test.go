package redis_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	exredis "github.com/piimap/piimap/executor/redis"
	"github.com/piimap/piimap/internal/hangcheck"
	"github.com/piimap/piimap/scanner"
)

func jsonOf(t *testing.T, c *goredis.Client, key string) map[string]any {
	t.Helper()
	s, err := c.Get(context.Background(), key).Result()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m))
	return m
}

// TestRewriteKeepsTTL: null and mask rewrites of JSON strings and hashes
// keep each key's remaining TTL; array elements owned by the subject are
// removed from a shared JSON document, the other elements stay.
func TestRewriteKeepsTTL(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []driver.Mode{driver.ModeNull, driver.ModeMask, driver.ModeDelete} {
		t.Run(string(mode), func(t *testing.T) {
			prefix, c := newPrefix(t)
			require.NoError(t, c.Set(ctx, prefix+"session:1", `{"user":{"email":"`+ann+`","locale":"en"},"n":1}`, time.Hour).Err())
			require.NoError(t, c.HSet(ctx, prefix+"user:1", "email", ann, "plan", "pro").Err())
			require.NoError(t, c.Expire(ctx, prefix+"user:1", 2*time.Hour).Err())
			require.NoError(t, c.Set(ctx, prefix+"team:1",
				`{"name":"red","members":[{"email":"`+ann+`","role":"admin"},{"email":"`+bob+`","role":"dev"}]}`, 3*time.Hour).Err())
			h := openHandler(t, prefix, false)
			defer h.Close()
			ts := []driver.Target{
				{Asset: prefix + "session:*", Match: emailMatch("user.email", ann), Fields: []string{"user.email"}, Mode: mode},
				{Asset: prefix + "user:*", Match: emailMatch("email", ann), Fields: []string{"email"}, Mode: mode},
				{Asset: prefix + "team:*", Match: emailMatch("members[].email", ann), Fields: []string{"members[].email"}, Mode: mode},
			}
			res, err := h.Erase(ctx, ts, driver.EraseOptions{})
			require.NoError(t, err)
			for _, r := range res {
				assert.Equal(t, int64(1), r.Found, r.Asset)
				assert.Equal(t, int64(1), r.Changed, r.Asset)
			}
			team := jsonOf(t, c, prefix+"team:1")
			members := team["members"].([]any)
			switch mode {
			case driver.ModeDelete:
				assert.Zero(t, c.Exists(ctx, prefix+"session:1", prefix+"user:1").Val(), "owned keys deleted")
				require.Len(t, members, 1, "the subject's array element removed, the others kept")
				assert.Equal(t, bob, members[0].(map[string]any)["email"])
			case driver.ModeNull:
				s := jsonOf(t, c, prefix+"session:1")
				assert.Equal(t, map[string]any{"locale": "en"}, s["user"])
				assert.Equal(t, map[string]string{"plan": "pro"}, c.HGetAll(ctx, prefix+"user:1").Val())
				require.Len(t, members, 2)
				assert.NotContains(t, members[0], "email")
				assert.Equal(t, bob, members[1].(map[string]any)["email"])
			case driver.ModeMask:
				s := jsonOf(t, c, prefix+"session:1")
				masked := s["user"].(map[string]any)["email"].(string)
				assert.True(t, strings.HasPrefix(masked, "tok_") && strings.HasSuffix(masked, "@redacted.invalid"), masked)
				assert.True(t, strings.HasPrefix(c.HGet(ctx, prefix+"user:1", "email").Val(), "tok_"))
			}
			if mode != driver.ModeDelete {
				assert.InDelta(t, time.Hour.Seconds(), c.TTL(ctx, prefix+"session:1").Val().Seconds(), 60, "JSON rewrite keeps the TTL")
				assert.InDelta(t, (2 * time.Hour).Seconds(), c.TTL(ctx, prefix+"user:1").Val().Seconds(), 60, "hash edit keeps the TTL")
			}
			assert.InDelta(t, (3 * time.Hour).Seconds(), c.TTL(ctx, prefix+"team:1").Val().Seconds(), 60, "shared document keeps its TTL")
			again, err := h.Erase(ctx, ts, driver.EraseOptions{})
			require.NoError(t, err)
			for _, r := range again {
				assert.Zero(t, r.Found+r.Changed, "second erase of %s", r.Asset)
			}
		})
	}
}

// clobberer writes to a key once, between the handler's read and its
// MULTI/EXEC, as a concurrent application would.
type clobberer struct {
	once  sync.Once
	write func()
	fired bool
}

func (c *clobberer) DialHook(next goredis.DialHook) goredis.DialHook          { return next }
func (c *clobberer) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook { return next }
func (c *clobberer) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		if len(cmds) > 0 && cmds[0].Name() == "multi" {
			c.once.Do(func() { c.write(); c.fired = true })
		}
		return next(ctx, cmds)
	}
}

// TestConcurrentWriteNotClobbered: the application rewrites the session
// between the handler's read and its write; the transaction aborts, the
// handler re-reads and erases from the new value, keeping its new content.
func TestConcurrentWriteNotClobbered(t *testing.T) {
	ctx := context.Background()
	prefix, c := newPrefix(t)
	key := prefix + "session:1"
	require.NoError(t, c.Set(ctx, key, `{"user":{"email":"`+ann+`"},"cart":["sku-1"]}`, time.Hour).Err())
	h := openHandler(t, prefix, false)
	defer h.Close()
	cl := &clobberer{write: func() {
		require.NoError(t, c.Set(ctx, key, `{"user":{"email":"`+ann+`"},"cart":["sku-1","sku-3"]}`, goredis.KeepTTL).Err())
	}}
	h.Client().AddHook(cl)
	res, err := h.Erase(ctx, []driver.Target{{Asset: prefix + "session:*", Match: emailMatch("user.email", ann),
		Fields: []string{"user.email"}, Mode: driver.ModeNull}}, driver.EraseOptions{})
	require.NoError(t, err)
	require.True(t, cl.fired)
	assert.Equal(t, int64(1), res[0].Changed)
	doc := jsonOf(t, c, key)
	assert.Equal(t, []any{"sku-1", "sku-3"}, doc["cart"], "the concurrent write survives")
	assert.Equal(t, map[string]any{}, doc["user"])
	assert.Greater(t, c.TTL(ctx, key).Val(), 50*time.Minute)
}

// TestKeyNameMatch: a key whose name holds the subject's email is the
// subject's in every mode, and is deleted.
func TestKeyNameMatch(t *testing.T) {
	ctx := context.Background()
	prefix, c := newPrefix(t)
	require.NoError(t, c.Set(ctx, prefix+"cache:by-email:"+ann, "42", time.Minute).Err())
	require.NoError(t, c.Set(ctx, prefix+"cache:by-email:"+bob, "43", time.Minute).Err())
	h := openHandler(t, prefix, false)
	defer h.Close()
	tg := driver.Target{Asset: prefix + "cache:by-email:*", Match: emailMatch("$key", ann), Mode: driver.ModeNull}
	n, err := h.Count(ctx, tg)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	res, err := h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	assert.Equal(t, driver.Result{Asset: tg.Asset, Found: 1, Changed: 1}, res[0])
	assert.Zero(t, c.Exists(ctx, prefix+"cache:by-email:"+ann).Val())
	assert.Equal(t, int64(1), c.Exists(ctx, prefix+"cache:by-email:"+bob).Val())
}

func TestRectify(t *testing.T) {
	ctx := context.Background()
	prefix, c := newPrefix(t)
	require.NoError(t, c.HSet(ctx, prefix+"user:1", "email", ann, "phone", "+44 20 7946 0001").Err())
	require.NoError(t, c.Expire(ctx, prefix+"user:1", time.Hour).Err())
	h := openHandler(t, prefix, false)
	defer h.Close()
	tg := driver.Target{Asset: prefix + "user:*", Match: emailMatch("email", ann), Changes: map[string]string{"phone": "+44 20 7946 0999"}}
	res, err := h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), res[0].Changed)
	assert.Equal(t, "+44 20 7946 0999", c.HGet(ctx, prefix+"user:1", "phone").Val())
	assert.Greater(t, c.TTL(ctx, prefix+"user:1").Val(), 50*time.Minute)
	res, err = h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	assert.Zero(t, res[0].Changed, "rectifying again changes nothing")
}

func TestReadOnlyAndModes(t *testing.T) {
	ctx := context.Background()
	prefix, c := newPrefix(t)
	require.NoError(t, c.XAdd(ctx, &goredis.XAddArgs{Stream: prefix + "audit:2026-01", Values: []any{"email", ann}}).Err())
	ro := openHandler(t, prefix, true)
	defer ro.Close()
	tg := driver.Target{Asset: prefix + "audit:*", Match: emailMatch("email", ann), Mode: driver.ModeDelete}
	_, err := ro.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
	assert.ErrorIs(t, err, piimap.ErrUnsupported, "a read-only handler refuses to write")
	res, err := ro.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{DryRun: true})
	require.NoError(t, err, "but may count")
	assert.Equal(t, int64(1), res[0].Found)
	tg.Mode = driver.ModeMask
	assert.ErrorIs(t, ro.CheckMode(tg), piimap.ErrUnsupported, "stream entries cannot be masked")
	tg.Mode = driver.ModeRedact
	assert.ErrorIs(t, ro.CheckMode(tg), piimap.ErrUnsupported)
}

// TestOpenUnreachable: a closed port fails with ErrUnreachable, and the
// dial (the scanner's 2 s dial and 3 s ping timeouts) ends the attempt
// instead of hanging. Needs no server.
func TestOpenUnreachable(t *testing.T) {
	var err error
	hangcheck.NoHang(t, hangcheck.Limit(5*time.Second), func() {
		_, err = exredis.Open(context.Background(), scanner.StoreConfig{Name: "down", URL: "redis://127.0.0.1:1/0"}, driver.HandlerOptions{})
	})
	require.Error(t, err)
	assert.True(t, errors.Is(err, piimap.ErrUnreachable), "%v", err)
}
