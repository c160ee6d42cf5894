package redis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/executortest"
)

const (
	ann = "ann.subject@example.com"
	bob = "bob.other@example.org"
	cat = "cat.other@example.net"
)

// plant writes the estate: user hashes, JSON sessions with a TTL, a list
// feed of JSON events, an opt-in set, and (withStream) an audit stream;
// ann is the subject, bob and cat are others.
func plant(t *testing.T, c *goredis.Client, prefix string, withStream bool) {
	ctx := context.Background()
	p := c.Pipeline()
	for i, e := range []string{ann, bob, cat} {
		p.HSet(ctx, fmt.Sprintf("%suser:%d", prefix, 100+i), "email", e, "name", fmt.Sprintf("Person %d", i), "plan", "basic")
	}
	sessions := []string{ann, ann, bob, cat}
	for i, e := range sessions {
		doc, _ := json.Marshal(map[string]any{"user": map[string]any{"email": e, "locale": "en"}, "cart": []any{"sku-1", "sku-2"}})
		p.Set(ctx, fmt.Sprintf("%ssession:%08x-aaaa-bbbb-cccc-%012x", prefix, i+1, i+7), doc, time.Hour)
	}
	for i, e := range []string{bob, ann, cat, ann, bob, ann} {
		ev, _ := json.Marshal(map[string]any{"email": e, "action": fmt.Sprintf("click-%d", i)})
		p.RPush(ctx, prefix+"feed:2026-01-02", ev)
	}
	p.SAdd(ctx, prefix+"optin:7", ann, bob, cat)
	if withStream {
		for i, e := range []string{ann, bob, ann} {
			p.XAdd(ctx, &goredis.XAddArgs{Stream: prefix + "audit:2026-01", Values: map[string]any{"email": e, "action": fmt.Sprint("login-", i)}})
		}
	}
	_, err := p.Exec(ctx)
	require.NoError(t, err)
}

func targets(prefix string, mode driver.Mode, withStream bool, emails ...string) []driver.Target {
	ts := []driver.Target{
		{Asset: prefix + "user:*", Match: emailMatch("email", emails...), Fields: []string{"email", "name"}, Mode: mode},
		{Asset: prefix + "session:*", Match: emailMatch("user.email", emails...), Fields: []string{"user.email"}, Mode: mode},
		{Asset: prefix + "feed:*", Match: emailMatch("element.email", emails...), Fields: []string{"element.email"}, Mode: mode},
		{Asset: prefix + "optin:*", Match: emailMatch("member", emails...), Fields: []string{"member"}, Mode: mode},
	}
	if withStream {
		ts = append(ts, driver.Target{Asset: prefix + "audit:*", Match: emailMatch("email", emails...), Fields: []string{"email"}, Mode: mode})
	}
	return ts
}

func conformance(t *testing.T, mode driver.Mode, withStream bool) {
	executortest.Run(t, func(t *testing.T) executortest.Fixture {
		prefix, c := newPrefix(t)
		plant(t, c, prefix, withStream)
		want := map[string]int64{prefix + "user:*": 1, prefix + "session:*": 2, prefix + "feed:*": 3, prefix + "optin:*": 1}
		if withStream {
			want[prefix+"audit:*"] = 2
		}
		keys := map[string][]string{
			prefix + "user:*": {prefix + "user:100"},
			prefix + "session:*": {fmt.Sprintf("%ssession:%08x-aaaa-bbbb-cccc-%012x", prefix, 1, 7),
				fmt.Sprintf("%ssession:%08x-aaaa-bbbb-cccc-%012x", prefix, 2, 8)},
			prefix + "feed:*":  {prefix + "feed:2026-01-02#click-1", prefix + "feed:2026-01-02#click-3", prefix + "feed:2026-01-02#click-5"},
			prefix + "optin:*": {prefix + "optin:7#subject"},
		}
		if withStream {
			keys[prefix+"audit:*"] = []string{prefix + "audit:2026-01#login-0", prefix + "audit:2026-01#login-2"}
		}
		return executortest.Fixture{
			Handler:     openHandler(t, prefix, false),
			Subject:     targets(prefix, mode, withStream, ann),
			Want:        want,
			Others:      targets(prefix, mode, withStream, bob, cat),
			SubjectKeys: keys,
			Raw:         func(t testing.TB, asset string) []executortest.Row { return rawRows(t, c, asset) },
		}
	})
}

// rawRows reads every item of the keys an asset pattern names with plain
// Redis commands, never through the handler: a hash or a JSON string is one
// row (keyed by its key), a list element or stream entry one row keyed by
// its action, a set member one row keyed by the member (any member that is
// not a planted other subject's is the subject's slot, so a masked member
// keeps its key).
func rawRows(t testing.TB, c *goredis.Client, pattern string) []executortest.Row {
	t.Helper()
	ctx := context.Background()
	var keys []string
	var cursor uint64
	for {
		ks, next, err := c.Scan(ctx, cursor, pattern, 1000).Result()
		require.NoError(t, err)
		keys = append(keys, ks...)
		if cursor = next; cursor == 0 {
			break
		}
	}
	var out []executortest.Row
	for _, k := range keys {
		typ, err := c.Type(ctx, k).Result()
		require.NoError(t, err)
		switch typ {
		case "hash":
			m, err := c.HGetAll(ctx, k).Result()
			require.NoError(t, err)
			f := map[string]any{}
			for n, v := range m {
				f[n] = v
			}
			out = append(out, executortest.Row{Key: k, Fields: f})
		case "string":
			v, err := c.Get(ctx, k).Result()
			require.NoError(t, err)
			out = append(out, executortest.JSONRow(k, "", []byte(v)))
		case "list":
			vs, err := c.LRange(ctx, k, 0, -1).Result()
			require.NoError(t, err)
			for _, v := range vs {
				r := executortest.JSONRow("", "element", []byte(v))
				r.Key = k + "#" + executortest.Str(r.Fields["element.action"])
				out = append(out, r)
			}
		case "set":
			ms, err := c.SMembers(ctx, k).Result()
			require.NoError(t, err)
			for _, m := range ms {
				key := k + "#" + m
				if m != bob && m != cat {
					key = k + "#subject"
				}
				out = append(out, executortest.Row{Key: key, Fields: map[string]any{"member": m}, Raw: m})
			}
		case "stream":
			es, err := c.XRange(ctx, k, "-", "+").Result()
			require.NoError(t, err)
			for _, e := range es {
				out = append(out, executortest.Row{Key: k + "#" + executortest.Str(e.Values["action"]), Fields: e.Values})
			}
		default:
			t.Fatalf("raw read %s: unexpected type %s", k, typ)
		}
	}
	return out
}

func TestConformanceDelete(t *testing.T) { conformance(t, driver.ModeDelete, true) }
func TestConformanceNull(t *testing.T)   { conformance(t, driver.ModeNull, true) }
func TestConformanceMask(t *testing.T)   { conformance(t, driver.ModeMask, false) }
