package redis_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	piiredis "github.com/piimap/piimap/scanner/redis"
)

// readOnly are the commands the scanner may send.
var readOnly = map[string]bool{
	"scan": true, "type": true, "pttl": true, "strlen": true, "hlen": true, "llen": true, "scard": true, "zcard": true,
	"xlen": true, "get": true, "getrange": true, "hgetall": true, "hscan": true, "lrange": true, "smembers": true,
	"sscan": true, "zrange": true, "xrange": true, "ping": true, "hello": true, "client": true, "select": true, "auth": true,
}

type recorder struct {
	mu   sync.Mutex
	cmds map[string]int
}

func (r *recorder) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (r *recorder) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.add(cmd)
		return next(ctx, cmd)
	}
}
func (r *recorder) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		for _, c := range cmds {
			r.add(c)
		}
		return next(ctx, cmds)
	}
}
func (r *recorder) add(c goredis.Cmder) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmds[strings.ToLower(c.Name())]++
}

// TestReadOnlyCommands scans every value type, sampled, full and bounded
// (a hash, set and string larger than the scanner's limits), and checks
// that only read-only commands were sent.
func TestReadOnlyCommands(t *testing.T) {
	ctx := context.Background()
	prefix, c := newPrefix(t)
	p := c.Pipeline()
	for i := range 40 {
		id := string(rune('0'+i%10)) + string(rune('0'+i/10))
		p.Set(ctx, prefix+"s:"+id, `{"email":"a@b.example"}`, time.Hour)
		p.HSet(ctx, prefix+"h:"+id, "email", "a@b.example")
		p.RPush(ctx, prefix+"l:"+id, "x", "y")
		p.SAdd(ctx, prefix+"set:"+id, "m1", "m2")
		p.ZAdd(ctx, prefix+"z:"+id, goredis.Z{Score: 1, Member: "a@b.example"})
		p.XAdd(ctx, &goredis.XAddArgs{Stream: prefix + "x:" + id, Values: []any{"email", "a@b.example"}})
	}
	big := make([]any, 0, 600)
	for i := range 300 {
		big = append(big, "f"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)), "v")
		p.SAdd(ctx, prefix+"bigset:1", i)
	}
	p.HSet(ctx, prefix+"bighash:1", big...)
	p.Set(ctx, prefix+"bigstr:1", strings.Repeat("z", 2<<20), 0)
	_, err := p.Exec(ctx)
	require.NoError(t, err)

	src, err := piiredis.OpenSource(ctx, scanner.StoreConfig{Name: "c", URL: storeURL(t, prefix, "")})
	require.NoError(t, err)
	defer src.Close()
	rec := &recorder{cmds: map[string]int{}}
	src.Client().AddHook(rec)
	var units []piimap.Unit
	require.NoError(t, src.Enumerate(ctx, func(u piimap.Unit) error { units = append(units, u); return nil }))
	require.Len(t, units, 9)
	for _, u := range units {
		for _, smp := range []scanner.Sample{{Rows: 5, Seed: 1}, {Full: true}} {
			require.NoError(t, src.ReadSample(ctx, u, smp, func(r piimap.Record) error {
				if u.Loc.Name == prefix+"bighash:*" || u.Loc.Name == prefix+"bigset:*" {
					assert.LessOrEqual(t, len(r.Values), int(piiredis.ScanLimits.MaxElements), "bounded read of %s", u.Loc.Name)
				}
				for _, v := range r.Values {
					assert.LessOrEqual(t, len(v), int(piiredis.ScanLimits.MaxBytes), "bounded string")
				}
				return nil
			}))
		}
	}
	for name := range rec.cmds {
		assert.True(t, readOnly[name], "scanner sent %s, which is not read-only", name)
	}
	t.Logf("commands: %v", rec.cmds)
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url, ns, match string
		ok             bool
	}{
		{"redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0", "", true},
		{"redis://127.0.0.1:6379/3?match=app:*&scan_count=50&max_keys=10&key_fields=false", "redis://127.0.0.1:6379/3", "app:*", true},
		{"rediss://user:secret@cache.internal:6380/1?dial_timeout=1s", "rediss://cache.internal:6380/1", "", true},
		{"redis://127.0.0.1:6379", "redis://127.0.0.1:6379/0", "", true},
		{"redis://127.0.0.1:6379/0?match=", "", "", false},
		{"redis://127.0.0.1:6379/0?scan_count=0", "", "", false},
		{"redis://127.0.0.1:6379/0?bogus=1", "", "", false},
		{"redis://127.0.0.1:6379/x", "", "", false},
		{"http://127.0.0.1:6379/0", "", "", false},
		{"redis:///0", "", "", false},
	} {
		cfg, err := piiredis.ParseURL(tc.url)
		if !tc.ok {
			require.Error(t, err, tc.url)
			assert.ErrorIs(t, err, piimap.ErrConfig, tc.url)
			assert.NotContains(t, err.Error(), "secret")
			continue
		}
		require.NoError(t, err, tc.url)
		assert.Equal(t, tc.ns, cfg.Namespace(), tc.url)
		assert.Equal(t, tc.match, cfg.Match, tc.url)
		assert.True(t, cfg.Options.ContextTimeoutEnabled)
	}
	cfg, err := piiredis.ParseURL("redis://127.0.0.1:6379/0?scan_count=50&max_keys=10&key_fields=false")
	require.NoError(t, err)
	assert.Equal(t, int64(50), cfg.ScanCount)
	assert.Equal(t, int64(10), cfg.MaxKeys)
	assert.False(t, cfg.KeyFields)
	assert.Equal(t, 2*time.Second, cfg.Options.DialTimeout)
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"redis://127.0.0.1:6379/0", "rediss://u:p@h:1/2?match=a*", "redis://[::1]:6379/0", "redis://h/0?max_keys=-1", "redis://%zz", "reDis://]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cfg, err := piiredis.ParseURL(raw)
		if err != nil {
			if strings.Contains(raw, ":pw-secret@") && strings.Contains(err.Error(), "pw-secret") {
				t.Fatalf("password in error")
			}
			return
		}
		if _, _, err := net.SplitHostPort(cfg.Options.Addr); err != nil && !strings.HasPrefix(cfg.Options.Addr, "/") {
			t.Fatalf("parsed address %q: %v", cfg.Options.Addr, err)
		}
		if cfg.ScanCount <= 0 || cfg.MaxKeys <= 0 {
			t.Fatalf("bad bounds %d %d", cfg.ScanCount, cfg.MaxKeys)
		}
	})
}
