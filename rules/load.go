package rules

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed builtin/*.yaml
var builtin embed.FS

var (
	defaultOnce  sync.Once
	defaultRules []Rule
	defaultErr   error
)

// Default returns the embedded built-in rules (a fresh copy each call).
func Default() ([]Rule, error) {
	defaultOnce.Do(func() {
		defaultRules, defaultErr = loadFS(builtin, "builtin", "builtin/")
		for i := range defaultRules {
			defaultRules[i].Builtin = true
		}
	})
	if defaultErr != nil {
		return nil, defaultErr
	}
	out := make([]Rule, len(defaultRules))
	copy(out, defaultRules)
	return out, nil
}

// LoadDir reads every *.yaml / *.yml file in dir (not recursive), in name
// order. A malformed file yields an *Error naming the file, line and rule,
// wrapping piimap.ErrInvalidRule. Rule ids must be unique across the
// directory.
func LoadDir(dir string) ([]Rule, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("rules: directory %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, &Error{File: dir, Msg: "not a directory"}
	}
	return loadFS(os.DirFS(dir), ".", dir+string(filepath.Separator))
}

// LoadFile reads one rule file.
func LoadFile(path string) ([]Rule, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rules: read %s: %w", path, err)
	}
	return Parse(path, b)
}

func loadFS(fsys fs.FS, root, display string) ([]Rule, error) {
	ents, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("rules: list %s: %w", display, err)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if !e.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var all []Rule
	seen := map[string]string{}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, filepath.ToSlash(filepath.Join(root, n)))
		if err != nil {
			return nil, fmt.Errorf("rules: read %s%s: %w", display, n, err)
		}
		rs, err := Parse(strings.TrimPrefix(display, "./")+n, b)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if prev, dup := seen[r.ID]; dup {
				return nil, r.Errorf("duplicate id (also in %s)", prev)
			}
			seen[r.ID] = fmt.Sprintf("%s:%d", r.Source, r.Line)
		}
		all = append(all, rs...)
	}
	return all, nil
}

var ruleKeys, sampleKeys = yamlKeys(Rule{}), yamlKeys(FieldSample{})

// Parse decodes one rule file's bytes: a mapping with a `rules:` list.
// Unknown keys are errors (a misspelt "true_positive" must not silently
// drop a rule's samples). Every rule is validated.
func Parse(file string, b []byte) ([]Rule, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, &Error{File: file, Line: yamlErrLine(err), Msg: "yaml: " + yamlErrMsg(err)}
	}
	if len(doc.Content) == 0 {
		return nil, nil // empty file
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: top.Line, Msg: "want a mapping with a `rules:` list"}
	}
	var list *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k := top.Content[i]
		if k.Value != "rules" {
			return nil, &Error{File: file, Line: k.Line, Msg: fmt.Sprintf("unknown top-level key %q (want rules)", k.Value)}
		}
		list = top.Content[i+1]
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil, &Error{File: file, Line: top.Line, Msg: "`rules:` must be a list"}
	}
	out := make([]Rule, 0, len(list.Content))
	for _, n := range list.Content {
		id := nodeField(n, "id")
		if n.Kind != yaml.MappingNode {
			return nil, &Error{File: file, Line: n.Line, Msg: "each rule must be a mapping"}
		}
		if err := checkKeys(n, ruleKeys, file, id); err != nil {
			return nil, err
		}
		for _, fsn := range mapValue(n, "field_samples") {
			if err := checkKeys(fsn, sampleKeys, file, id); err != nil {
				return nil, err
			}
		}
		var r Rule
		if err := n.Decode(&r); err != nil {
			return nil, &Error{File: file, Line: n.Line, Rule: id, Msg: "decode: " + yamlErrMsg(err)}
		}
		r.Source, r.Line = file, n.Line
		if err := r.Validate(); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Combine returns base with extra appended; an extra rule whose id is
// already in base replaces it (users override built-ins by id).
func Combine(base, extra []Rule) []Rule {
	idx := map[string]int{}
	out := append([]Rule(nil), base...)
	for i, r := range out {
		idx[r.ID] = i
	}
	for _, r := range extra {
		if i, ok := idx[r.ID]; ok {
			out[i] = r
			continue
		}
		idx[r.ID] = len(out)
		out = append(out, r)
	}
	return out
}

func checkKeys(n *yaml.Node, allowed map[string]bool, file, id string) error {
	if n.Kind != yaml.MappingNode {
		return &Error{File: file, Line: n.Line, Rule: id, Msg: "want a mapping"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !allowed[k.Value] {
			return &Error{File: file, Line: k.Line, Rule: id, Msg: fmt.Sprintf("unknown key %q", k.Value)}
		}
	}
	return nil
}

func nodeField(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Value
		}
	}
	return ""
}

func mapValue(n *yaml.Node, key string) []*yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.SequenceNode {
			return n.Content[i+1].Content
		}
	}
	return nil
}

func yamlKeys(v any) map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeOf(v)
	for i := 0; i < t.NumField(); i++ {
		name := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if name != "" && name != "-" {
			m[name] = true
		}
	}
	return m
}

// yamlErrLine extracts "line N" from a yaml.v3 error message.
func yamlErrLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if i := strings.Index(msg, "line "); i >= 0 {
		n := 0
		for _, c := range msg[i+5:] {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	return 0
}

func yamlErrMsg(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}
