package instructions

import (
	"fmt"
	"slices"
	"strings"
)

// registration is one tenant's rule for a store.
type registration struct {
	tenant string
	t      *Tenant
	rule   *StoreRule
}

// registrations returns the tenants' rules for store: the store's own
// tenant's when it registers the store, else every tenant that does (a
// shared store whose config names no tenant), in tenant order.
func (r *Register) registrations(store, tenant string) []registration {
	if t := r.Tenants[tenant]; t != nil {
		if rule, ok := t.Stores[store]; ok && rule != nil {
			return []registration{{tenant: tenant, t: t, rule: rule}}
		}
	}
	var out []registration
	for _, tn := range sortedKeys(r.Tenants) {
		t := r.Tenants[tn]
		if t == nil {
			continue
		}
		if rule, ok := t.Stores[store]; ok && rule != nil {
			out = append(out, registration{tenant: tn, t: t, rule: rule})
		}
	}
	return out
}

// permission is what a rule lets an asset hold, and the instruction that
// says so.
type permission struct {
	types       []string
	instruction string
}

// permitted resolves the rule for one asset: the first matching asset
// pattern, else the store's pii: list, else nothing.
func (g registration) permitted(store, asset string) permission {
	base := fmt.Sprintf("tenants.%s.stores.%s", g.tenant, store)
	for _, a := range g.rule.Assets {
		if a.re != nil && a.re.MatchString(asset) {
			if !a.PII.Set {
				return permission{instruction: fmt.Sprintf("%s.assets[%q]%s: no pii: list (nothing permitted)", base, a.Pattern, at(a.Line))}
			}
			return permission{types: a.PII.Types, instruction: fmt.Sprintf("%s.assets[%q]%s: pii %s", base, a.Pattern, at(a.Line), list(a.PII.Types))}
		}
	}
	if g.rule.PII.Set {
		return permission{types: g.rule.PII.Types, instruction: fmt.Sprintf("%s%s: pii %s", base, at(g.rule.Line), list(g.rule.PII.Types))}
	}
	return permission{instruction: fmt.Sprintf("%s%s: no assets pattern matches %q and the store has no pii: list (nothing permitted)", base, at(g.rule.Line), asset)}
}

// allows reports whether the permitted list covers a PII type: any, the
// type itself, or its category (national_id, national_id.*).
func allows(permitted []string, typ string) bool {
	for _, p := range permitted {
		p = strings.TrimSuffix(p, ".*")
		if p == AnyPII || p == typ || strings.HasPrefix(typ, p+".") {
			return true
		}
	}
	return false
}

// environment is a store's instructed environment for these
// registrations, else the config's, with the instruction that sets it.
func environment(regs []registration, store, config string) (env, source string) {
	for _, g := range regs {
		if g.rule.Environment != "" {
			return g.rule.Environment, fmt.Sprintf("tenants.%s.stores.%s%s: environment %s", g.tenant, store, at(g.rule.Line), g.rule.Environment)
		}
	}
	if config != "" {
		return config, fmt.Sprintf("config store %q: environment %s", store, config)
	}
	return "", ""
}

// subprocessor finds a tenant's listed subprocessor by name.
func (t *Tenant) subprocessor(name string) (Subprocessor, bool) {
	i := slices.IndexFunc(t.Subprocessors, func(s Subprocessor) bool { return s.Name == name })
	if i < 0 {
		return Subprocessor{}, false
	}
	return t.Subprocessors[i], true
}

// operator is the subprocessor the tenant's register says operates store,
// if any.
func (t *Tenant) operator(store string) (Subprocessor, bool) {
	for _, s := range t.Subprocessors {
		if slices.Contains(s.Stores, store) {
			return s, true
		}
	}
	return Subprocessor{}, false
}

func at(line int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", line)
}

func list(ss []string) string { return "[" + strings.Join(ss, ", ") + "]" }
