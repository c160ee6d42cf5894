package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// Defaults of the piimap options of a redis:// URL.
const (
	DefaultScanCount = 1000      // SCAN COUNT hint per round trip
	DefaultMaxKeys   = 1_000_000 // keys an enumeration looks at before it stops
	pingTimeout      = 3 * time.Second
	dialTimeout      = 2 * time.Second
	ioTimeout        = 10 * time.Second
)

// Config is a parsed redis:// (or rediss://) URL: the go-redis options plus
// piimap's own query parameters, which go-redis would reject:
//
//	match=GLOB       limit SCAN to keys matching GLOB (e.g. app:*)
//	scan_count=N     SCAN COUNT hint (default 1000)
//	max_keys=N       stop enumerating after N keys (default 1,000,000)
//	key_fields=false do not classify the variable segments of key names
//
// Every other parameter (dial_timeout, read_timeout, protocol, …) is
// go-redis's own.
type Config struct {
	Options   *goredis.Options
	Match     string // SCAN MATCH glob of the store ("" = every key)
	ScanCount int64
	MaxKeys   int64
	KeyFields bool
	Scheme    string // redis or rediss
}

// ParseURL parses redis://[user:password@]host:port/db[?options]. A bad URL
// or option wraps piimap.ErrConfig; messages never carry the password.
func ParseURL(raw string) (Config, error) {
	fail := func(why string) (Config, error) {
		return Config{}, fmt.Errorf("redis: url %s: %s: %w", scanner.RedactURL(raw), why, piimap.ErrConfig)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fail("unparseable")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "redis" && scheme != "rediss" {
		return fail("want redis:// or rediss://")
	}
	if u.Hostname() == "" {
		return fail("no host")
	}
	cfg := Config{ScanCount: DefaultScanCount, MaxKeys: DefaultMaxKeys, KeyFields: true, Scheme: scheme}
	q := u.Query()
	if v := q.Get("match"); q.Has("match") {
		if v == "" {
			return fail("empty match")
		}
		cfg.Match = v
	}
	if q.Has("scan_count") {
		n, err := strconv.ParseInt(q.Get("scan_count"), 10, 64)
		if err != nil || n <= 0 || n > 1_000_000 {
			return fail("scan_count wants 1..1000000")
		}
		cfg.ScanCount = n
	}
	if q.Has("max_keys") {
		n, err := strconv.ParseInt(q.Get("max_keys"), 10, 64)
		if err != nil || n <= 0 {
			return fail("max_keys wants a positive number")
		}
		cfg.MaxKeys = n
	}
	if q.Has("key_fields") {
		b, err := strconv.ParseBool(q.Get("key_fields"))
		if err != nil {
			return fail("key_fields wants true or false")
		}
		cfg.KeyFields = b
	}
	for _, k := range []string{"match", "scan_count", "max_keys", "key_fields"} {
		q.Del(k)
	}
	// go-redis defaults its timeouts to 5 s and retries 3 times; a scan
	// that meets a dead store should fail fast instead.
	if !q.Has("dial_timeout") {
		q.Set("dial_timeout", dialTimeout.String())
	}
	if !q.Has("read_timeout") {
		q.Set("read_timeout", ioTimeout.String())
	}
	if !q.Has("write_timeout") {
		q.Set("write_timeout", ioTimeout.String())
	}
	if !q.Has("max_retries") {
		q.Set("max_retries", "1")
	}
	u.RawQuery = q.Encode()
	opt, err := goredis.ParseURL(u.String())
	if err != nil {
		return fail(scanner.ScrubError(err).Error())
	}
	if _, _, err := net.SplitHostPort(opt.Addr); err != nil && opt.Network != "unix" {
		return fail("bad host")
	}
	// Honour context deadlines on reads, so a silent server cannot hold a
	// ping or a scan past its context.
	opt.ContextTimeoutEnabled = true
	cfg.Options = opt
	return cfg, nil
}

// Namespace is the store's OpenLineage namespace: redis://host:port/db.
func (c Config) Namespace() string {
	return fmt.Sprintf("%s://%s/%d", c.Scheme, c.Options.Addr, c.Options.DB)
}

// Open parses rawURL, connects and pings the server (within a few seconds).
// A server that cannot be reached yields an error wrapping
// piimap.ErrUnreachable.
func Open(ctx context.Context, rawURL string) (*goredis.Client, Config, error) {
	cfg, err := ParseURL(rawURL)
	if err != nil {
		return nil, Config{}, err
	}
	c, err := Connect(ctx, cfg)
	return c, cfg, err
}

// Connect opens a client for a parsed Config and pings the server.
func Connect(ctx context.Context, cfg Config) (*goredis.Client, error) {
	c := goredis.NewClient(cfg.Options)
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("redis: connect %s: %w: %w", cfg.Namespace(), piimap.ErrUnreachable, scanner.ScrubError(err))
	}
	return c, nil
}

// ScanKeys iterates the keys matching glob with cursor-based SCAN in COUNT
// batches, calling fn with each non-empty batch. A key may be reported
// more than once (SCAN's guarantee); callers dedupe where it matters. fn
// returning an error, or ctx being cancelled, stops the scan.
func ScanKeys(ctx context.Context, c goredis.UniversalClient, glob string, count int64, fn func(keys []string) error) error {
	if glob == "" {
		glob = "*"
	}
	var cursor uint64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		keys, next, err := c.Scan(ctx, cursor, glob, count).Result()
		if err != nil {
			return CmdErr(ctx, "scan", err)
		}
		if len(keys) > 0 {
			if err := fn(keys); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// CmdErr names a failed command; a cancelled context is returned as is and
// a connection failure wraps piimap.ErrUnreachable.
func CmdErr(ctx context.Context, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var netErr interface{ Timeout() bool }
	if errors.As(err, &netErr) || errors.Is(err, goredis.ErrClosed) || strings.Contains(err.Error(), "connection refused") {
		return fmt.Errorf("redis: %s: %w: %w", what, piimap.ErrUnreachable, scanner.ScrubError(err))
	}
	return fmt.Errorf("redis: %s: %w", what, scanner.ScrubError(err))
}
