package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
)

// Config is piimap.yaml.
type Config struct {
	Graph        string                `yaml:"graph"`
	Stores       []scanner.StoreConfig `yaml:"stores"`
	Rules        []string              `yaml:"rules,omitempty"`
	Instructions string                `yaml:"instructions,omitempty"`
	// Keys is the key directory outside the graph (installation key,
	// signing key, signed audit head). Relative to the config file;
	// default $PIIMAP_KEYS, else piimap-keys beside the config.
	Keys string `yaml:"keys,omitempty"`
	// AuditSink is an append-only file every signed audit head is also
	// written to (beside the key directory's audit-head.json), on another
	// volume or a write-once mount: a log cut short and re-signed in both
	// the graph and the key directory still fails audit verify against it.
	// Relative to the config file.
	AuditSink string            `yaml:"audit_sink,omitempty"`
	Schedule  map[string]string `yaml:"schedule,omitempty"`
	// KeepRuns is how many finished scan runs the graph keeps (each is a
	// full snapshot of the map); older ones are pruned after each scan.
	// Default defaultKeepRuns.
	KeepRuns int `yaml:"keep_runs,omitempty"`

	// PhoneRegion is the region (ISO 3166 alpha-2) phone numbers are read
	// in when a number has no country code and its store sets no
	// phone_region; also the region of phones given to `dsar new` without
	// one. Default US.
	PhoneRegion string `yaml:"phone_region,omitempty"`

	// CopyMaxRows bounds the tables whose identifier columns a sampled
	// scan reads in full to find copies (docs/LINEAGE.md); larger ones are
	// probed inside SQL stores and compared by sketch only elsewhere.
	// Default 1,000,000; -1 turns the reads off.
	CopyMaxRows int64 `yaml:"copy_max_rows,omitempty"`
	// CopyRefresh is how long those full reads are reused by later scans
	// while the table's change stamp and sample are unchanged (a Go
	// duration: "24h", "30m"); default 24h, a negative value re-reads on
	// every scan.
	CopyRefresh time.Duration `yaml:"copy_refresh,omitempty"`

	// Requests is the request policy: due days per type and the export
	// size that needs four eyes (policy.go).
	Requests RequestsConfig `yaml:"requests,omitempty"`

	// Path is the file the config was read from ("" when built in code).
	// Gzip bounds decompression (scan, classify, requests): a compressed
	// file past either limit is a unit error ("gzip bomb"), never read on.
	Gzip GzipLimits `yaml:"gzip,omitempty"`
	// Allow accepts findings (store/asset/field globs, a type and the
	// reason): the map shows them as allowed with the reason.
	Allow []lineage.AllowRule `yaml:"allow,omitempty"`
	Path  string              `yaml:"-"`
}

// GzipLimits are the decompression limits of the config's gzip: key;
// 0 keeps the default (1 GiB, 200:1), -1 turns a limit off.
type GzipLimits struct {
	MaxOutput int64 `yaml:"max_output,omitempty"` // decompressed bytes per file
	MaxRatio  int64 `yaml:"max_ratio,omitempty"`  // decompressed to compressed bytes
}

// apply sets the scanner's limits (fileformat.MaxGzipOutput/MaxGzipRatio).
func (g GzipLimits) apply() {
	set := func(dst *int64, v int64) {
		switch {
		case v < 0:
			*dst = 0
		case v > 0:
			*dst = v
		}
	}
	set(&fileformat.MaxGzipOutput, g.MaxOutput)
	set(&fileformat.MaxGzipRatio, g.MaxRatio)
}

// defaultKeepRuns is the number of scan runs kept when keep_runs is unset.
const defaultKeepRuns = 50

// defaultConfigPath is used when neither --config nor $PIIMAP_CONFIG is given.
const defaultConfigPath = "piimap.yaml"

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// loadConfig reads, expands and validates the config at path.
func loadConfig(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg, err := parseConfig(raw, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg.Path = path
	cfg.Gzip.apply()
	bindKeyDir(cfg)
	return cfg, nil
}

// parseConfig decodes a config; base resolves relative paths. ${ENV} references
// are expanded in values only (never in comments or keys).
func parseConfig(raw []byte, base string) (*Config, error) {
	// First pass: the structure, with unknown keys rejected and the line
	// numbers of the file as written.
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var cfg Config
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("%w: %v", piimap.ErrConfig, explainConfigError(err, reflect.TypeOf(cfg)))
	}
	// Second pass: expand ${ENV} in scalar values, then decode again.
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", piimap.ErrConfig, err)
	}
	var missing []string
	expandNode(&doc, &missing)
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: unset environment variables: %s", piimap.ErrConfig, strings.Join(missing, ", "))
	}
	cfg = Config{}
	if err := doc.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("%w: %v", piimap.ErrConfig, err)
	}
	cfg.resolve(base)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func expandNode(n *yaml.Node, missing *[]string) {
	if n.Kind == yaml.ScalarNode {
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
			name := envRef.FindStringSubmatch(m)[1]
			v, ok := os.LookupEnv(name)
			if !ok {
				*missing = append(*missing, name)
			}
			return v
		})
	}
	for _, c := range n.Content {
		expandNode(c, missing)
	}
}

func (c *Config) resolve(base string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	if c.Graph == "" {
		c.Graph = "piimap-graph"
	}
	if c.KeepRuns == 0 {
		c.KeepRuns = defaultKeepRuns
	}
	c.Graph = abs(c.Graph)
	c.Keys = resolveKeys(c.Keys, base)
	if c.AuditSink != "" {
		c.AuditSink = abs(c.AuditSink)
	}
	for i, r := range c.Rules {
		c.Rules[i] = abs(r)
	}
	c.Instructions = abs(c.Instructions)
	for i := range c.Stores {
		c.Stores[i].URL = resolveURL(c.Stores[i].URL, base)
		if c.Stores[i].PhoneRegion == "" {
			c.Stores[i].PhoneRegion = c.PhoneRegion
		}
	}
}

// resolveURL makes file:// and duckdb:// paths absolute relative to base.
func resolveURL(raw, base string) string {
	for _, scheme := range []string{"file://", "duckdb://"} {
		if rest, ok := strings.CutPrefix(raw, scheme); ok && rest != "" && !strings.HasPrefix(rest, "/") {
			return scheme + filepath.Join(base, rest)
		}
	}
	return raw
}

// Validate checks names, URLs and environments.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Stores) == 0 {
		errs = append(errs, errors.New("no stores configured"))
	}
	if c.KeepRuns < 0 {
		errs = append(errs, fmt.Errorf("keep_runs %d: must be at least 1", c.KeepRuns))
	}
	for i, r := range c.Allow {
		if err := r.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("allow[%d]: %w", i, err))
		}
	}
	seen := map[string]bool{}
	for i, s := range c.Stores {
		where := fmt.Sprintf("stores[%d]", i)
		if s.Name == "" {
			errs = append(errs, fmt.Errorf("%s: name is required", where))
		} else {
			where = fmt.Sprintf("store %q", s.Name)
		}
		if seen[s.Name] && s.Name != "" {
			errs = append(errs, fmt.Errorf("%s: duplicate name", where))
		}
		seen[s.Name] = true
		if s.URL == "" {
			errs = append(errs, fmt.Errorf("%s: url is required", where))
		} else if u, err := url.Parse(s.URL); err != nil || u.Scheme == "" {
			errs = append(errs, fmt.Errorf("%s: url %q has no scheme", where, scanner.RedactURL(s.URL)))
		} else if _, err := scanner.KindOf(s.URL); err != nil {
			msg := fmt.Sprintf("%s: url scheme %q is not one piimap reads (%s)", where, u.Scheme+"://", strings.Join(scanner.Schemes(), ", "))
			if near := nearest(u.Scheme, scanner.Schemes()); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near+"://")
			}
			errs = append(errs, errors.New(msg))
		}
		switch s.Environment {
		case "", "prod", "non-prod", "backup":
		default:
			errs = append(errs, fmt.Errorf("%s: environment %q is not prod, non-prod or backup", where, s.Environment))
		}
		for _, g := range append(append([]string{}, s.Include...), s.Exclude...) {
			if _, err := filepath.Match(g, ""); err != nil {
				errs = append(errs, fmt.Errorf("%s: bad glob %q: %v", where, g, err))
			}
		}
		if s.PhoneRegion != "" && !identifier.ValidRegion(s.PhoneRegion) {
			errs = append(errs, fmt.Errorf("%s: phone_region %q is not a region code (use ISO 3166 alpha-2 such as US, GB, DE)", where, s.PhoneRegion))
		}
		for f, r := range s.PhoneRegions {
			if !identifier.ValidRegion(r) {
				errs = append(errs, fmt.Errorf("%s: phone_regions %q: %q is not a region code (use ISO 3166 alpha-2 such as US, GB, DE)", where, f, r))
			}
		}
		switch s.Purge {
		case "", scanner.PurgeNone, scanner.PurgeVacuum, scanner.PurgeVacuumFull, scanner.PurgeOptimize:
		default:
			errs = append(errs, fmt.Errorf("%s: purge %q is not none, vacuum, vacuum_full or optimize", where, s.Purge))
		}
		if s.Retention != "" {
			if _, err := planning.ParseRetention(s.Retention); err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", where, err))
			}
		}
		if strings.TrimSpace(s.Tenant) != s.Tenant {
			errs = append(errs, fmt.Errorf("%s: tenant %q has surrounding spaces", where, s.Tenant))
		}
		errs = append(errs, validateOperator(where, s)...)
		if s.Sample.Rows < 0 || s.Sample.MaxRows < 0 {
			errs = append(errs, fmt.Errorf("%s: sample sizes must not be negative", where))
		}
	}
	if c.PhoneRegion != "" && !identifier.ValidRegion(c.PhoneRegion) {
		errs = append(errs, fmt.Errorf("phone_region %q is not a region code (use ISO 3166 alpha-2 such as US, GB, DE)", c.PhoneRegion))
	}
	errs = append(errs, c.Requests.validate()...)
	if err := c.checkInstructions(); err != nil {
		errs = append(errs, err)
	}
	for name := range c.Schedule {
		if !seen[name] {
			errs = append(errs, fmt.Errorf("schedule: unknown store %q", name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", piimap.ErrConfig, err)
	}
	return nil
}

// Select returns the stores named, or all when names is empty.
func (c *Config) Select(names []string) ([]scanner.StoreConfig, error) {
	if len(names) == 0 {
		return c.Stores, nil
	}
	var out []scanner.StoreConfig
	for _, n := range names {
		found := false
		for _, s := range c.Stores {
			if s.Name == n {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("store %q: %w", n, piimap.ErrNotFound)
		}
	}
	return out, nil
}
