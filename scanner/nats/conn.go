package nats

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/piimap/piimap"
)

// Defaults of a nats:// URL.
const (
	DefaultPort    = "4222"
	DefaultTimeout = 5 * time.Second
	// DefaultMaxScan bounds the messages one full read or one executor Find
	// walks in a stream; a stream beyond it is an explicit error, never a
	// silently partial answer.
	DefaultMaxScan = 1_000_000
)

// Config is a parsed nats:// URL:
//
//	nats://[user:pass@|token@]host[:port][,host[:port]…][/]?stream=A&stream=B,C
//	       &domain=D&timeout=5s&creds=/path/user.creds&max_scan=1000000
//
// Without stream every stream of the account is scanned.
type Config struct {
	Servers  []string // host:port, as given (first one names the namespace)
	User     string
	Password string
	Token    string
	Streams  []string      // selected streams, sorted, deduplicated; empty = all
	Domain   string        // JetStream domain (leaf nodes)
	Timeout  time.Duration // connect and per-request timeout
	Creds    string        // path of a .creds file (JWT + nkey seed)
	MaxScan  int64         // messages a full walk of one stream may visit
}

var knownParams = []string{"stream", "domain", "timeout", "creds", "max_scan"}

// ParseURL parses a nats:// URL. Unknown query parameters are an error
// (wrapping piimap.ErrConfig), as unknown config keys are.
func ParseURL(raw string) (Config, error) {
	bad := func(why string) (Config, error) {
		return Config{}, fmt.Errorf("nats: url %s: %s: %w", redact(raw), why, piimap.ErrConfig)
	}
	rest, ok := cutPrefixFold(raw, "nats://")
	if !ok {
		return bad("want nats://host:port")
	}
	rest, query, _ := strings.Cut(rest, "?")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		if rest[i:] != "/" {
			return bad("no path allowed")
		}
		rest = rest[:i]
	}
	c := Config{Timeout: DefaultTimeout, MaxScan: DefaultMaxScan}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		info := rest[:at]
		rest = rest[at+1:]
		user, pass, hasPass := strings.Cut(info, ":")
		u, err1 := url.PathUnescape(user)
		p, err2 := url.PathUnescape(pass)
		if err1 != nil || err2 != nil || u == "" {
			return bad("bad userinfo")
		}
		if hasPass {
			c.User, c.Password = u, p
		} else {
			c.Token = u
		}
	}
	if rest == "" {
		return bad("no host")
	}
	for _, hp := range strings.Split(rest, ",") {
		host, port, err := splitHostPort(hp)
		if err != nil {
			return bad(err.Error())
		}
		c.Servers = append(c.Servers, net.JoinHostPort(host, port))
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return bad("bad query")
	}
	for k := range q {
		if !slices.Contains(knownParams, k) {
			return bad(fmt.Sprintf("unknown parameter %q (known: %s)", k, strings.Join(knownParams, ", ")))
		}
	}
	for _, v := range q["stream"] {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if !validStreamName(s) {
				return bad(fmt.Sprintf("invalid stream name %q", s))
			}
			if !slices.Contains(c.Streams, s) {
				c.Streams = append(c.Streams, s)
			}
		}
	}
	slices.Sort(c.Streams)
	c.Domain = q.Get("domain")
	c.Creds = q.Get("creds")
	if v := q.Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > time.Hour {
			return bad("timeout wants a positive duration up to 1h")
		}
		c.Timeout = d
	}
	if v := q.Get("max_scan"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return bad("max_scan wants a positive integer")
		}
		c.MaxScan = n
	}
	return c, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func splitHostPort(hp string) (host, port string, err error) {
	hp = strings.TrimSpace(hp)
	if hp == "" {
		return "", "", errors.New("empty host")
	}
	if strings.HasPrefix(hp, "[") || strings.Count(hp, ":") == 1 {
		host, port, err = net.SplitHostPort(hp)
		if err != nil {
			return "", "", errors.New("bad host:port")
		}
	} else if strings.Contains(hp, ":") {
		return "", "", errors.New("bad host:port (bracket IPv6 addresses)")
	} else {
		host, port = hp, DefaultPort
	}
	if host == "" || strings.ContainsAny(host, " \t\r\n/\\?#@,[]") {
		return "", "", errors.New("bad host")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n > 65535 {
		return "", "", errors.New("bad port")
	}
	return host, strconv.Itoa(n), nil
}

// validStreamName follows the server's rules: no whitespace, no '.', '*',
// '>', path separators or control characters, at most 255 bytes.
func validStreamName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(".*>/\\", r) {
			return false
		}
	}
	return true
}

// Namespace is the OpenLineage namespace: nats://host:port of the first
// server, without credentials.
func (c Config) Namespace() string { return "nats://" + c.Servers[0] }

// serverURLs lists the servers as URLs for nats.Connect, credentials apart.
func (c Config) serverURLs() string {
	urls := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		urls[i] = "nats://" + s
	}
	return strings.Join(urls, ",")
}

// redact hides userinfo in a URL for errors.
func redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "xxxxx"
	}
	hostEnd := len(rest)
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		hostEnd = i
	}
	if at := strings.LastIndexByte(rest[:hostEnd], '@'); at >= 0 {
		rest = "xxxxx@" + rest[at+1:]
	}
	return scheme + "://" + rest
}

// Conn is one connection with its JetStream context; executor/nats shares
// it with the scanner.
type Conn struct {
	NC  *natsgo.Conn
	JS  jetstream.JetStream
	Cfg Config
}

// ctxDialer makes the TCP dial honour the caller's context.
type ctxDialer struct {
	ctx context.Context
	d   net.Dialer
}

func (c ctxDialer) Dial(network, address string) (net.Conn, error) {
	return c.d.DialContext(c.ctx, network, address)
}

// Connect dials the servers and checks that JetStream is enabled. A server
// that cannot be reached within the timeout is an error wrapping
// piimap.ErrUnreachable; an account without JetStream wraps
// piimap.ErrUnsupported. name is the client name the server shows.
func Connect(ctx context.Context, c Config, name string) (*Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ns := c.Namespace()
	dctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	opts := []natsgo.Option{
		natsgo.Name(name),
		natsgo.Timeout(c.Timeout),
		natsgo.SetCustomDialer(ctxDialer{ctx: dctx, d: net.Dialer{Timeout: c.Timeout}}),
		natsgo.MaxReconnects(3),
		natsgo.ReconnectWait(250 * time.Millisecond),
	}
	switch {
	case c.User != "":
		opts = append(opts, natsgo.UserInfo(c.User, c.Password))
	case c.Token != "":
		opts = append(opts, natsgo.Token(c.Token))
	}
	if c.Creds != "" {
		opts = append(opts, natsgo.UserCredentials(c.Creds))
	}
	nc, err := natsgo.Connect(c.serverURLs(), opts...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("nats: connect %s: %w: %v", ns, piimap.ErrUnreachable, err)
	}
	var js jetstream.JetStream
	if c.Domain != "" {
		js, err = jetstream.NewWithDomain(nc, c.Domain)
	} else {
		js, err = jetstream.New(nc)
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: jetstream %s: %w", ns, err)
	}
	actx, cancel2 := context.WithTimeout(ctx, c.Timeout)
	defer cancel2()
	if _, err := js.AccountInfo(actx); err != nil {
		nc.Close()
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
			return nil, fmt.Errorf("nats: %s: jetstream not enabled: %w", ns, piimap.ErrUnsupported)
		default:
			return nil, fmt.Errorf("nats: %s: jetstream account info: %w: %v", ns, piimap.ErrUnreachable, err)
		}
	}
	return &Conn{NC: nc, JS: js, Cfg: c}, nil
}

// Close drains nothing (piimap never subscribes for long) and closes.
func (c *Conn) Close() error {
	c.NC.Close()
	return nil
}

// Stream looks a stream up; a missing one wraps piimap.ErrNotFound.
func (c *Conn) Stream(ctx context.Context, name string) (jetstream.Stream, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validStreamName(name) {
		return nil, fmt.Errorf("nats: stream %q: invalid name: %w", name, piimap.ErrNotFound)
	}
	rctx, cancel := context.WithTimeout(ctx, c.Cfg.Timeout)
	defer cancel()
	s, err := c.JS.Stream(rctx, name)
	if err != nil {
		return nil, c.wrap(ctx, "stream "+name, err)
	}
	return s, nil
}

// StreamNames lists the configured streams, or every stream of the account
// when the URL names none, sorted.
func (c *Conn) StreamNames(ctx context.Context) ([]string, error) {
	if len(c.Cfg.Streams) > 0 {
		return slices.Clone(c.Cfg.Streams), ctx.Err()
	}
	rctx, cancel := context.WithTimeout(ctx, c.Cfg.Timeout*4)
	defer cancel()
	l := c.JS.StreamNames(rctx)
	var names []string
	for n := range l.Name() {
		names = append(names, n)
	}
	if err := l.Err(); err != nil {
		return nil, c.wrap(ctx, "list streams", err)
	}
	slices.Sort(names)
	return names, ctx.Err()
}

// wrap names the failing step and maps nats errors onto piimap's sentinels;
// a cancelled context is returned as is.
func (c *Conn) wrap(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch {
	case errors.Is(err, jetstream.ErrStreamNotFound), errors.Is(err, jetstream.ErrMsgNotFound):
		return fmt.Errorf("nats: %s: %w", what, piimap.ErrNotFound)
	case errors.Is(err, natsgo.ErrConnectionClosed), errors.Is(err, natsgo.ErrNoServers),
		errors.Is(err, natsgo.ErrNoResponders), errors.Is(err, natsgo.ErrTimeout),
		errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("nats: %s: %w: %v", what, piimap.ErrUnreachable, err)
	}
	return fmt.Errorf("nats: %s: %w", what, err)
}

// Wrap is wrap for executor/nats.
func (c *Conn) Wrap(ctx context.Context, what string, err error) error { return c.wrap(ctx, what, err) }
