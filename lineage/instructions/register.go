package instructions

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/piimap/piimap"
)

// Register is the processing-instructions register: per tenant, what the
// customer instructed piimap's operator to do with its personal data.
type Register struct {
	Tenants map[string]*Tenant `yaml:"tenants"`
	// Path is the file the register was read from ("" when built in code).
	Path string `yaml:"-"`
}

// Tenant is one tenant's instructions.
type Tenant struct {
	// Purposes are the purposes the tenant's data is processed for; a
	// store may name the ones it serves (StoreRule.Purposes).
	Purposes []string `yaml:"purposes,omitempty"`
	// Stores are the stores the tenant's data may be kept in, by the
	// config's store name. A store no tenant lists holds no tenant's data
	// on instruction.
	Stores map[string]*StoreRule `yaml:"stores,omitempty"`
	// Subprocessors are the third parties the tenant allows, each with the
	// stores it operates and the region it processes in.
	Subprocessors []Subprocessor `yaml:"subprocessors,omitempty"`
	// Regions, when set, are the only regions (the config's per-store
	// region:) the tenant's data may be kept in. An extension of the
	// issue's shape.
	Regions []string `yaml:"regions,omitempty"`
	// Retention caps how old the data of matching assets may get.
	Retention []Retention `yaml:"retention,omitempty"`
}

// StoreRule is what one store may hold for a tenant.
type StoreRule struct {
	// Environment is the store's environment as instructed: prod,
	// non-prod, dev, staging, test or backup; "" takes the config's.
	Environment string `yaml:"environment,omitempty"`
	// PII lists the PII types the store may hold ("any": every type; a
	// category such as national_id covers national_id.us_ssn). It applies
	// to assets no Assets pattern matches; unset with no matching pattern,
	// nothing is permitted.
	PII PIIList `yaml:"pii,omitempty"`
	// Purposes are the tenant purposes the store serves (documentation;
	// each must be one of the tenant's purposes).
	Purposes []string `yaml:"purposes,omitempty"`
	// Assets are per-asset rules by glob, in file order: the first
	// pattern matching an asset wins.
	Assets AssetRules `yaml:"assets,omitempty"`
	// Line is the rule's line in the register file.
	Line int `yaml:"-"`
}

// PIIList is a list of permitted PII types that knows whether it was
// written at all: `pii: []` permits nothing, no pii: key defers to the
// store's list.
type PIIList struct {
	Types []string
	Set   bool
}

// AnyPII permits every PII type.
const AnyPII = "any"

// AssetRule is one asset pattern and the PII types it permits.
type AssetRule struct {
	Pattern string
	PII     PIIList
	Line    int
	re      *regexp.Regexp
}

// AssetRules keeps the register's asset patterns in file order.
type AssetRules []AssetRule

// Subprocessor is a third party allowed to process the tenant's data.
type Subprocessor struct {
	Name string `yaml:"name"`
	// Stores are the stores (config names) the subprocessor operates;
	// empty: any store whose config names this subprocessor.
	Stores []string `yaml:"stores,omitempty"`
	// Region is where it may process the data ("" : anywhere the
	// tenant's regions allow).
	Region string `yaml:"region,omitempty"`
	Line   int    `yaml:"-"`
}

// Retention is the longest the data of a store's matching assets may be
// kept.
type Retention struct {
	Store string `yaml:"store"`
	// Asset is a glob over the store's asset names; "" means "*".
	Asset string `yaml:"asset,omitempty"`
	// MaxAge is a count and a unit: 90d, 12h, 30m, 2w, 1y (365d), or a Go
	// duration such as 36h30m.
	MaxAge string        `yaml:"max_age"`
	Age    time.Duration `yaml:"-"`
	Line   int           `yaml:"-"`
	re     *regexp.Regexp
}

// Environments a StoreRule may name. NonProd lists those that count as
// non-production.
var (
	Environments = []string{"prod", "non-prod", "dev", "staging", "test", "backup"}
	NonProd      = []string{"non-prod", "dev", "staging", "test"}
)

// IsNonProd reports whether env is a non-production environment.
func IsNonProd(env string) bool { return slices.Contains(NonProd, env) }

// Load reads and decodes the register at path strictly: a missing file,
// an unknown key, a malformed glob or max_age is an error naming the line.
// It does not check the register against the configured stores
// (Register.Validate).
func Load(path string) (*Register, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, configError{fmt.Errorf("instructions %s: the file does not exist (create it, or remove instructions: from the config): %w", path, err)}
		}
		return nil, fmt.Errorf("instructions %s: %w", path, err)
	}
	r, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("instructions %s: %w", path, err)
	}
	r.Path = path
	return r, nil
}

// Parse decodes a register (see Load).
func Parse(raw []byte) (*Register, error) {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var r Register
	if err := dec.Decode(&r); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, configError{errors.New("the register is empty (write tenants: with each tenant's stores)")}
		}
		return nil, configError{errors.New(explain(err))}
	}
	if len(r.Tenants) == 0 {
		return nil, configError{errors.New("no tenants: (write tenants: with each tenant's stores)")}
	}
	var errs []error
	for _, name := range sortedKeys(r.Tenants) {
		t := r.Tenants[name]
		if t == nil {
			errs = append(errs, fmt.Errorf("tenant %q: empty (give it stores:)", name))
			continue
		}
		errs = append(errs, t.compile(name)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, configError{err}
	}
	return &r, nil
}

// explain rewrites yaml.v3's messages into the register's words: an
// unknown key is named as such, with its line.
func explain(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if err.Error() == "EOF" {
			return "the register is empty"
		}
		return err.Error()
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = unknownField.ReplaceAllString(m, `unknown key "$1" (see the register's shape in README "For compliance reviewers")`)
	}
	return strings.Join(msgs, "; ")
}

// configError is a register error: it is a piimap.ErrConfig without
// saying so in its message.
type configError struct{ error }

func (e configError) Unwrap() []error { return []error{e.error, piimap.ErrConfig} }

var unknownField = regexp.MustCompile(`field (\S+) not found in type \S+`)

// compile checks one tenant's globs, ages and names, and compiles them.
func (t *Tenant) compile(tenant string) []error {
	var errs []error
	at := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("line %d: tenant %q: "+format, append([]any{line, tenant}, args...)...))
	}
	for _, name := range sortedKeys(t.Stores) {
		s := t.Stores[name]
		if s == nil {
			errs = append(errs, fmt.Errorf("tenant %q: store %q: empty (give it environment: and pii:, or assets:)", tenant, name))
			continue
		}
		if s.Environment != "" && !slices.Contains(Environments, s.Environment) {
			at(s.Line, "store %q: environment %q is not one of %s", name, s.Environment, strings.Join(Environments, ", "))
		}
		for _, p := range s.Purposes {
			if !slices.Contains(t.Purposes, p) {
				at(s.Line, "store %q: purpose %q is not one of the tenant's purposes (add it to purposes:)", name, p)
			}
		}
		if err := checkTypes(s.PII.Types); err != nil {
			at(s.Line, "store %q: pii: %v", name, err)
		}
		for i := range s.Assets {
			a := &s.Assets[i]
			re, err := compileGlob(a.Pattern)
			if err != nil {
				at(a.Line, "store %q: asset pattern %q: %v", name, a.Pattern, err)
			}
			a.re = re
			if err := checkTypes(a.PII.Types); err != nil {
				at(a.Line, "store %q: asset pattern %q: pii: %v", name, a.Pattern, err)
			}
		}
	}
	seen := map[string]bool{}
	for _, sp := range t.Subprocessors {
		switch {
		case strings.TrimSpace(sp.Name) == "":
			at(sp.Line, "subprocessor: name is required")
		case seen[sp.Name]:
			at(sp.Line, "subprocessor %q is listed twice (merge its stores into one entry)", sp.Name)
		}
		seen[sp.Name] = true
	}
	for i := range t.Retention {
		r := &t.Retention[i]
		if r.Store == "" {
			at(r.Line, "retention: store is required")
		}
		if r.Asset == "" {
			r.Asset = "*"
		}
		re, err := compileGlob(r.Asset)
		if err != nil {
			at(r.Line, "retention of store %q: asset %q: %v", r.Store, r.Asset, err)
		}
		r.re = re
		if r.Age, err = ParseAge(r.MaxAge); err != nil {
			at(r.Line, "retention of store %q: max_age: %v", r.Store, err)
		}
	}
	return errs
}

var typeName = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$`)

// checkTypes checks the syntax of a pii: list (PII type names are an
// open set: rule directories add types).
func checkTypes(types []string) error {
	for _, t := range types {
		if !typeName.MatchString(t) {
			return fmt.Errorf("%q is not a PII type name (such as email, credit_card, national_id.us_ssn, national_id, or any)", t)
		}
	}
	return nil
}

var ageRe = regexp.MustCompile(`^(\d+)\s*(s|m|h|d|w|y)$`)

// ParseAge parses a max_age: a whole count and a unit (s, m, h, d = 24h,
// w = 7d, y = 365d), or a Go duration ("36h30m"). It must be positive.
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("is required (write a count and a unit such as 90d or 12h)")
	}
	var d time.Duration
	if m := ageRe.FindStringSubmatch(s); m != nil {
		var n int64
		if _, err := fmt.Sscan(m[1], &n); err != nil || n > 1<<20 {
			return 0, fmt.Errorf("%q is too large", s)
		}
		unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour,
			"w": 7 * 24 * time.Hour, "y": 365 * 24 * time.Hour}[m[2]]
		d = time.Duration(n) * unit
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not an age (write a count and a unit such as 90d, 12h, 2w or 1y)", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be longer than zero", s)
	}
	return d, nil
}

// compileGlob compiles a register glob over asset names: `*` matches any
// run of characters, `/` included (so logs/* covers logs/2024/app.log and
// * covers every asset); `?` one character; `[...]` a class. Other
// characters match themselves.
func compileGlob(g string) (*regexp.Regexp, error) {
	if g == "" {
		return nil, errors.New("empty pattern (use * for every asset)")
	}
	var b strings.Builder
	b.WriteString("^")
	rs := []rune(g)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			end := slices.Index(rs[i+1:], ']')
			if end < 0 {
				return nil, errors.New("unclosed [ (escape it as [[] to match a bracket)")
			}
			class := string(rs[i+1 : i+1+end])
			if class == "" {
				return nil, errors.New("empty [] class")
			}
			neg := false
			if class[0] == '!' || class[0] == '^' {
				neg, class = true, class[1:]
			}
			b.WriteString("[")
			if neg {
				b.WriteString("^")
			}
			for _, r := range class {
				if r == '\\' || r == '[' || r == ']' || r == '^' {
					b.WriteString(`\`)
				}
				b.WriteRune(r)
			}
			b.WriteString("]")
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
