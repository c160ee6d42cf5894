package main

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConfigErrorsSayWhatToFix: a misspelt key names its place, the
// nearest valid key and the valid keys, without Go type names.
func TestConfigErrorsSayWhatToFix(t *testing.T) {
	for _, tc := range []struct {
		yaml    string
		want    []string
		notWant []string
	}{
		{"graph: g\nstores:\n  - name: a\n    url: file:///tmp\n    enviroment: prod\n",
			[]string{`line 5: unknown key "enviroment" in a store; did you mean "environment"?`, "valid keys: "}, []string{"scanner.", "StoreConfig"}},
		{"grpah: g\nstores: []\n", []string{`line 1: unknown key "grpah" at the top level of the config; did you mean "graph"?`}, nil},
		{"graph: g\nzzzzzzzzzz: 1\n", []string{`unknown key "zzzzzzzzzz" at the top level`}, []string{"did you mean"}},
		{"graph: g\nkeep_runs: many\n", []string{"line 2:", "cannot unmarshal"}, []string{"main.", "yaml: "}},
	} {
		_, err := parseConfig([]byte(tc.yaml), t.TempDir())
		require.Error(t, err, tc.yaml)
		for _, w := range tc.want {
			require.Contains(t, err.Error(), w)
		}
		for _, w := range tc.notWant {
			require.NotContains(t, err.Error(), w)
		}
	}
	require.Equal(t, "", nearest("x", []string{"y"}))
	require.Contains(t, yamlKeys(reflect.TypeOf(Config{}))[reflect.TypeOf(Config{}).String()], "stores")
}
