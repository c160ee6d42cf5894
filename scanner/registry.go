package scanner

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/piimap/piimap"
)

// Opener opens the store a StoreConfig names. It must not write to the store
// and should fail fast (wrapping piimap.ErrUnreachable or piimap.ErrNotFound)
// when the store cannot be reached.
type Opener func(ctx context.Context, cfg StoreConfig) (Source, error)

type driver struct {
	kind string
	open Opener
}

var (
	registryMu sync.RWMutex
	registry   = map[string]driver{}
)

// Register makes a store kind available under a URL scheme, the way
// database/sql drivers register: store packages call it from init and the
// command blank-imports them. It panics on an empty scheme, a nil opener or
// a duplicate registration, which are programming errors.
func Register(scheme, kind string, o Opener) {
	scheme = strings.ToLower(scheme)
	if scheme == "" || kind == "" || o == nil {
		panic("scanner: Register needs a scheme, a kind and an opener")
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[scheme]; dup {
		panic("scanner: Register called twice for scheme " + scheme)
	}
	registry[scheme] = driver{kind: kind, open: o}
}

// Schemes lists the registered URL schemes, sorted.
func Schemes() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for s := range registry {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// KindOf returns the store kind registered for the URL's scheme.
func KindOf(rawURL string) (string, error) {
	d, _, err := lookup(rawURL)
	if err != nil {
		return "", err
	}
	return d.kind, nil
}

// Open opens the store cfg names with the opener registered for its URL
// scheme and returns the source with its kind ("files", "duckdb", ...).
func Open(ctx context.Context, cfg StoreConfig) (Source, string, error) {
	d, scheme, err := lookup(cfg.URL)
	if err != nil {
		return nil, "", fmt.Errorf("scanner: open store %s: %w", cfg.Name, err)
	}
	src, err := d.open(ctx, cfg)
	if err != nil {
		return nil, d.kind, fmt.Errorf("scanner: open store %s (%s): %w", cfg.Name, scheme, err)
	}
	return src, d.kind, nil
}

func lookup(rawURL string) (driver, string, error) {
	scheme, _, ok := strings.Cut(rawURL, "://")
	if !ok || scheme == "" {
		return driver{}, "", fmt.Errorf("url %q has no scheme: %w", RedactURL(rawURL), piimap.ErrConfig)
	}
	scheme = strings.ToLower(scheme)
	registryMu.RLock()
	d, found := registry[scheme]
	registryMu.RUnlock()
	if !found {
		return driver{}, scheme, fmt.Errorf("no store kind registered for scheme %q (known: %s): %w",
			scheme, strings.Join(Schemes(), ", "), piimap.ErrUnsupported)
	}
	return d, scheme, nil
}

// RedactURL returns rawURL with any password and secret-looking query
// parameters replaced by "xxxxx", for the graph, logs and errors.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		// Unparseable: no userinfo, and no query or fragment either (a
		// secret parameter cannot be told apart reliably): "?xxxxx".
		if scheme, rest, ok := strings.Cut(rawURL, "://"); ok {
			tail := ""
			if i := strings.IndexAny(rest, "?#"); i >= 0 {
				rest, tail = rest[:i], "?xxxxx"
			}
			if at := strings.LastIndex(rest, "@"); at >= 0 {
				rest = "xxxxx@" + rest[at+1:]
			}
			return scheme + "://" + rest + tail
		}
		return "xxxxx"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if secretParam(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func secretParam(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"password", "passwd", "secret", "token", "key", "credential", "signature", "sig"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
