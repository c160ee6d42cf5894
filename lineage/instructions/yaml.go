package instructions

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The register's types with custom decoding keep their line numbers and
// the order of asset patterns. yaml.v3 does not pass KnownFields into a
// custom unmarshaler's Node.Decode, so each checks its own keys
// (strictKeys) and reports unknown ones with their lines.

// strictKeys returns a TypeError naming every key of the mapping n that
// is not allowed, or nil.
func strictKeys(n *yaml.Node, what string, allowed ...string) error {
	if n.Kind != yaml.MappingNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s: want a mapping (key: value lines), got %s", n.Line, what, kindName(n))}}
	}
	var msgs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			msgs = append(msgs, fmt.Sprintf("line %d: %s: unknown key %q (known keys: %s)", k.Line, what, k.Value, strings.Join(allowed, ", ")))
		}
	}
	if len(msgs) > 0 {
		return &yaml.TypeError{Errors: msgs}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return "a single value"
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return "nothing"
}

// joinTypeErrors merges the type errors of a key check and a decode.
func joinTypeErrors(errs ...error) error {
	var msgs []string
	for _, err := range errs {
		switch e := err.(type) {
		case nil:
		case *yaml.TypeError:
			msgs = append(msgs, e.Errors...)
		default:
			return err
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &yaml.TypeError{Errors: msgs}
}

// UnmarshalYAML decodes a store rule, refusing unknown keys.
func (s *StoreRule) UnmarshalYAML(n *yaml.Node) error {
	type plain StoreRule
	keyErr := strictKeys(n, "store rule", "environment", "pii", "purposes", "assets")
	if n.Kind != yaml.MappingNode {
		return keyErr
	}
	var p plain
	err := n.Decode(&p)
	*s = StoreRule(p)
	s.Line = n.Line
	return joinTypeErrors(keyErr, err)
}

// UnmarshalYAML decodes a pii: list; a single value is a list of one.
func (p *PIIList) UnmarshalYAML(n *yaml.Node) error {
	p.Set = true
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil
		}
		p.Types = []string{n.Value}
		return nil
	case yaml.SequenceNode:
		return n.Decode(&p.Types)
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: pii: want a list of PII types, got %s", n.Line, kindName(n))}}
}

// IsZero makes an unset list omitted when the register is written back.
func (p PIIList) IsZero() bool { return !p.Set }

// MarshalYAML writes the list of types.
func (p PIIList) MarshalYAML() (any, error) { return p.Types, nil }

// UnmarshalYAML decodes assets: in file order.
func (a *AssetRules) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: assets: want a mapping of asset pattern to {pii: [...]}, got %s", n.Line, kindName(n))}}
	}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		what := fmt.Sprintf("asset pattern %q", k.Value)
		keyErr := strictKeys(v, what, "pii")
		errs = append(errs, keyErr)
		r := AssetRule{Pattern: k.Value, Line: k.Line}
		if v.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(v.Content); j += 2 {
				if v.Content[j].Value == "pii" {
					errs = append(errs, r.PII.UnmarshalYAML(v.Content[j+1]))
				}
			}
		}
		*a = append(*a, r)
	}
	return joinTypeErrors(errs...)
}

// MarshalYAML writes the patterns back as a mapping in order.
func (a AssetRules) MarshalYAML() (any, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for _, r := range a {
		var v yaml.Node
		if err := v.Encode(map[string]any{"pii": r.PII.Types}); err != nil {
			return nil, err
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: r.Pattern}, &v)
	}
	return m, nil
}

// UnmarshalYAML decodes a subprocessor, refusing unknown keys.
func (s *Subprocessor) UnmarshalYAML(n *yaml.Node) error {
	type plain Subprocessor
	keyErr := strictKeys(n, "subprocessor", "name", "stores", "region")
	if n.Kind != yaml.MappingNode {
		return keyErr
	}
	var p plain
	err := n.Decode(&p)
	*s = Subprocessor(p)
	s.Line = n.Line
	return joinTypeErrors(keyErr, err)
}

// UnmarshalYAML decodes a retention rule, refusing unknown keys.
func (r *Retention) UnmarshalYAML(n *yaml.Node) error {
	type plain Retention
	keyErr := strictKeys(n, "retention", "store", "asset", "max_age")
	if n.Kind != yaml.MappingNode {
		return keyErr
	}
	var p plain
	err := n.Decode(&p)
	*r = Retention(p)
	r.Line = n.Line
	return joinTypeErrors(keyErr, err)
}
