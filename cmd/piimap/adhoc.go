package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/scanner"
)

// Ad-hoc scans: `piimap scan PATH|URL…` without a config. The locations
// become the stores of a config kept in the user's state directory
// ($XDG_STATE_HOME/piimap/adhoc, else ~/.local/state/piimap/adhoc) beside
// its graph and key directory, so that `piimap --config THAT map` (and
// every other command) works on the result afterwards.

// adhocDir is where ad-hoc scans keep their config, graph and keys.
func adhocDir() (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("scan: no state directory for an ad-hoc scan (set XDG_STATE_HOME or HOME): %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "piimap", "adhoc"), nil
}

var storeNameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// adhocStores turns scan arguments into stores: a URL with a registered
// scheme as it is; a directory as a file:// store; a DuckDB file as a
// duckdb:// store; any other file as a file:// store of its directory
// limited to that file. Names come from the last path element, made
// unique. A location that does not exist, or a scheme piimap cannot read,
// is a usage error naming it.
func adhocStores(args []string) ([]scanner.StoreConfig, error) {
	var out []scanner.StoreConfig
	used := map[string]int{}
	name := func(s string) string {
		s = strings.Trim(storeNameUnsafe.ReplaceAllString(s, "_"), "_")
		if s == "" {
			s = "store"
		}
		used[s]++
		if n := used[s]; n > 1 {
			s = fmt.Sprintf("%s_%d", s, n)
		}
		return s
	}
	for _, arg := range args {
		if strings.Contains(arg, "://") {
			if _, err := scanner.KindOf(arg); err != nil {
				return nil, usageError("scan %s: piimap reads %s URLs", redactURL(arg), strings.Join(scanner.Schemes(), "://, ")+"://")
			}
			u, err := url.Parse(arg)
			if err != nil {
				return nil, usageError("scan: %s is not a URL: %v", redactURL(arg), err)
			}
			n := u.Host + u.Path
			if i := strings.LastIndexAny(strings.TrimRight(n, "/"), "/"); i >= 0 {
				n = strings.TrimRight(n, "/")[i+1:]
			}
			out = append(out, scanner.StoreConfig{Name: name(n), URL: arg})
			continue
		}
		abs, err := filepath.Abs(arg)
		if err != nil {
			return nil, usageError("scan %s: %v", arg, err)
		}
		st, err := os.Stat(abs)
		if err != nil {
			return nil, usageError("scan %s: no such file or directory (give a path or a URL such as postgres://…)", arg)
		}
		fileURL := func(p string) string { return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String() }
		switch {
		case st.IsDir():
			out = append(out, scanner.StoreConfig{Name: name(filepath.Base(abs)), URL: fileURL(abs)})
		case strings.EqualFold(filepath.Ext(abs), ".duckdb") || strings.EqualFold(filepath.Ext(abs), ".ddb"):
			out = append(out, scanner.StoreConfig{Name: name(strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))),
				URL: (&url.URL{Scheme: "duckdb", Path: filepath.ToSlash(abs)}).String()})
		default:
			out = append(out, scanner.StoreConfig{Name: name(filepath.Base(abs)), URL: fileURL(filepath.Dir(abs)),
				Include: []string{globEscape(filepath.Base(abs))}})
		}
	}
	return out, nil
}

// globEscape escapes the glob metacharacters of a file name (scanner
// globs take \x as a literal x), so that the include glob matches that
// name only.
func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`).Replace(s)
}

// redactURL drops a URL's password for messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "the URL"
}

// adhocConfig writes the ad-hoc config for stores and loads it, binding
// its key directory (created on first use, as the demo's is).
func (a *app) adhocConfig(stores []scanner.StoreConfig) (*Config, error) {
	dir, err := adhocDir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("scan: ad-hoc state directory: %w", err)
	}
	doc := struct {
		Graph  string                `yaml:"graph"`
		Keys   string                `yaml:"keys"`
		Stores []scanner.StoreConfig `yaml:"stores"`
	}{filepath.Join(dir, "graph"), filepath.Join(dir, "keys"), stores}
	raw, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("scan: ad-hoc config: %w", err)
	}
	raw = append([]byte("# written by `piimap scan PATH|URL…`; rewritten by the next ad-hoc scan\n"), raw...)
	path := filepath.Join(dir, "piimap.yaml")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return nil, fmt.Errorf("scan: ad-hoc config: %w", err)
	}
	cfg, err := parseConfig(raw, dir)
	if err != nil {
		return nil, fmt.Errorf("scan: ad-hoc config: %w", err)
	}
	cfg.Path = path
	cfg.Gzip.apply()
	badgerstore.BindKeySource(cfg.Graph, evidence.NewKeyDirRef(cfg.Keys, true, auditSinks(cfg)...))
	a.cfg = cfg
	return cfg, nil
}
