package main

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/piimap/piimap/lineage"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// unknownFieldRE matches yaml.v3's report of a key the target type lacks.
var unknownFieldRE = regexp.MustCompile(`^line (\d+): field (.+) not found in type (\S+)$`)

// explainConfigError rewrites a YAML decoding error of a config of type
// root in the user's terms: an unknown key names where it is (the top
// level, a store, …), the nearest valid key when one is close, and the
// valid keys; other problems keep yaml's line numbers without its Go type
// names.
func explainConfigError(err error, root reflect.Type) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	keys := yamlKeys(root)
	var out []string
	for _, e := range te.Errors {
		m := unknownFieldRE.FindStringSubmatch(e)
		if m == nil {
			out = append(out, goTypeNames.ReplaceAllString(e, "a value"))
			continue
		}
		line, key, typ := m[1], m[2], m[3]
		valid := keys[typ]
		msg := fmt.Sprintf("line %s: unknown key %q %s", line, key, placeOf(typ, root))
		if near := nearest(key, valid); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		if len(valid) > 0 {
			msg += " (valid keys: " + strings.Join(valid, ", ") + ")"
		}
		out = append(out, msg)
	}
	return errors.New(strings.Join(out, "; "))
}

// goTypeNames are Go type names in yaml's messages ("into int",
// "into scanner.SampleConfig").
var goTypeNames = regexp.MustCompile(`into [a-z]+\.[A-Z][A-Za-z0-9]*`)

// placeOf says where in the config a type's keys are.
func placeOf(typ string, root reflect.Type) string {
	switch {
	case typ == root.String():
		return "at the top level of the config"
	case strings.HasSuffix(typ, "StoreConfig"):
		return "in a store"
	}
	name := typ[strings.LastIndexByte(typ, '.')+1:]
	name = strings.TrimSuffix(strings.TrimSuffix(name, "Config"), "Rule")
	return "in " + strings.ToLower(name)
}

// yamlKeys lists the YAML keys of every struct type reachable from t, by
// the type's name as yaml.v3 prints it.
func yamlKeys(t reflect.Type) map[string][]string {
	out := map[string][]string{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		if _, done := out[t.String()]; done {
			return
		}
		out[t.String()] = nil
		var keys []string
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("yaml")
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if strings.Contains(opts, "inline") {
				walk(f.Type)
				keys = append(keys, out[f.Type.String()]...)
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			keys = append(keys, name)
			walk(f.Type)
		}
		sort.Strings(keys)
		out[t.String()] = keys
	}
	walk(t)
	return out
}

// nearest returns the key closest to s when it is close enough to be a
// typo (at most 2 edits, and fewer than half of s).
func nearest(s string, keys []string) string { return lineage.Nearest(strings.ToLower(s), keys, 2) }

// unknownFlagRE matches pflag's "unknown flag: --name" and
// "unknown shorthand flag: 'x' in -x".
var unknownFlagRE = regexp.MustCompile(`^unknown flag: --([^\s=]+)`)

// flagError makes a flag mistake a usage error (exit 2), with the nearest
// flag the command has when the name is a typo.
func flagError(cmd *cobra.Command, err error) error {
	m := unknownFlagRE.FindStringSubmatch(err.Error())
	if m == nil {
		return usageError("%v", err)
	}
	var names []string
	add := func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	}
	cmd.Flags().VisitAll(add)
	cmd.InheritedFlags().VisitAll(add)
	if near := nearest(m[1], names); near != "" {
		return usageError("%v; did you mean --%s? (see `%s --help`)", err, near, cmd.CommandPath())
	}
	return usageError("%v (see `%s --help`)", err, cmd.CommandPath())
}
