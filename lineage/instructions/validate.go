package instructions

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/piimap/piimap/lineage"
)

// StoreFacts is what the configuration says of one store: the facts the
// register is checked against and the shadow report judges by.
type StoreFacts struct {
	Name string
	// Tenant is the store's tenant ("" for lineage.DefaultTenant).
	Tenant string
	// Environment is the config's: prod, non-prod, backup or "".
	Environment string
	// Region is where the store keeps its data (the config's region:).
	Region string
	// Subprocessor is the third party operating the store ("" when the
	// organisation runs it itself).
	Subprocessor string
}

// Validate checks the register against the configured stores: every store
// it names (under stores:, subprocessors: and retention:) is configured,
// a store's instructed environment agrees with the config's, and a store
// given to a tenant in the config is registered under that tenant only.
func (r *Register) Validate(stores []StoreFacts) error {
	byName := map[string]StoreFacts{}
	var names []string
	for _, s := range stores {
		byName[s.Name] = s
		names = append(names, s.Name)
	}
	slices.Sort(names)
	var errs []error
	unknown := func(tenant, where, store string, line int) {
		pos := ""
		if line > 0 {
			pos = fmt.Sprintf("line %d: ", line)
		}
		errs = append(errs, fmt.Errorf("%stenant %q: %s names store %q, which the config does not have (configured stores: %s; add it to stores: in the config or remove it from the register)",
			pos, tenant, where, store, strings.Join(names, ", ")))
	}
	for _, tn := range sortedKeys(r.Tenants) {
		t := r.Tenants[tn]
		if t == nil {
			continue
		}
		for _, sn := range sortedKeys(t.Stores) {
			rule := t.Stores[sn]
			line := 0
			if rule != nil {
				line = rule.Line
			}
			sc, ok := byName[sn]
			if !ok {
				unknown(tn, "stores:", sn, line)
				continue
			}
			if sc.Tenant != "" && sc.Tenant != tn {
				errs = append(errs, fmt.Errorf("line %d: tenant %q: store %q belongs to tenant %q in the config (register it under tenants.%s, or change the store's tenant)",
					line, tn, sn, sc.Tenant, sc.Tenant))
			}
			if rule != nil && rule.Environment != "" && !envAgrees(sc.Environment, rule.Environment) {
				errs = append(errs, fmt.Errorf("line %d: tenant %q: store %q: environment %q disagrees with the config's environment %q (make them agree)",
					line, tn, sn, rule.Environment, sc.Environment))
			}
		}
		for _, sp := range t.Subprocessors {
			for _, sn := range sp.Stores {
				if _, ok := byName[sn]; !ok {
					unknown(tn, fmt.Sprintf("subprocessor %q", sp.Name), sn, sp.Line)
				}
			}
		}
		for _, rt := range t.Retention {
			if _, ok := byName[rt.Store]; !ok && rt.Store != "" {
				unknown(tn, "retention", rt.Store, rt.Line)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		where := "instructions"
		if r.Path != "" {
			where += " " + r.Path
		}
		return configError{fmt.Errorf("%s: %w", where, err)}
	}
	return nil
}

// envAgrees reports whether the register's environment for a store fits
// the config's (prod, non-prod, backup; "" fits anything).
func envAgrees(config, register string) bool {
	switch config {
	case "":
		return true
	case "non-prod":
		return IsNonProd(register)
	default:
		return config == register
	}
}

// LoadFor loads the register at path and validates it against stores.
func LoadFor(path string, stores []StoreFacts) (*Register, error) {
	r, err := Load(path)
	if err != nil {
		return nil, err
	}
	if err := r.Validate(stores); err != nil {
		return nil, err
	}
	return r, nil
}

// CheckTypes checks every pii: entry against the PII types piimap knows
// (the taxonomy and the rules in force): each must be any, a known type, or
// a category of known types (national_id, national_id.*). A name nothing
// can find is a typo that would make every finding of the real type look
// unpermitted.
func (r *Register) CheckTypes(known []string) error {
	var errs []error
	check := func(tenant, where string, line int, types []string) {
		for _, t := range types {
			base := strings.TrimSuffix(t, ".*")
			if t == AnyPII || slices.ContainsFunc(known, func(k string) bool { return k == base || strings.HasPrefix(k, base+".") }) {
				continue
			}
			msg := fmt.Sprintf("line %d: tenant %q: %s: pii %q is not a PII type piimap knows", line, tenant, where, t)
			if near := nearestType(t, known); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			} else {
				msg += " (write a type such as email, credit_card, national_id.us_ssn, a category such as national_id, or any)"
			}
			errs = append(errs, errors.New(msg))
		}
	}
	for _, tn := range sortedKeys(r.Tenants) {
		t := r.Tenants[tn]
		if t == nil {
			continue
		}
		for _, sn := range sortedKeys(t.Stores) {
			s := t.Stores[sn]
			if s == nil {
				continue
			}
			check(tn, fmt.Sprintf("store %q", sn), s.Line, s.PII.Types)
			for _, a := range s.Assets {
				check(tn, fmt.Sprintf("store %q: asset pattern %q", sn, a.Pattern), a.Line, a.PII.Types)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		where := "instructions"
		if r.Path != "" {
			where += " " + r.Path
		}
		return configError{fmt.Errorf("%s: %w", where, err)}
	}
	return nil
}

// nearestType is the known type closest to t by edit distance (at most 3
// edits, and fewer than half of t), or a known type t is the last part of
// (ssn → national_id.us_ssn); "" when none is close.
func nearestType(t string, known []string) string {
	for _, k := range known {
		if strings.HasSuffix(k, "_"+t) || strings.HasSuffix(k, "."+t) || strings.HasPrefix(k, t+"_") {
			return k
		}
	}
	return lineage.Nearest(t, known, 3)
}
