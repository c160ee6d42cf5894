package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryCommandHasExamples walks the command tree: every command a user
// runs has an Example section, a flag the command cannot do without is
// marked required (cobra prints it so), and no help text sends the reader
// to a file outside the repository.
func TestEveryCommandHasExamples(t *testing.T) {
	root := newApp(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}).rootCommand()
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			walk(sub)
		}
		if !c.Runnable() || c.HasSubCommands() {
			return
		}
		n++
		assert.NotEmpty(t, strings.TrimSpace(c.Example), "%s has no Example", c.CommandPath())
		for _, text := range []string{c.Long, c.Short, c.Example} {
			assert.NotContains(t, text, "DESIGN", "%s: help refers to a file outside the repository", c.CommandPath())
			require.NotContains(t, text, "../shared", c.CommandPath())
		}
	}
	walk(root)
	require.Greater(t, n, 20)
}

// TestRequiredFlagsMarked: the flags a command refuses to run without say
// "(required)" in its help.
func TestRequiredFlagsMarked(t *testing.T) {
	for _, tc := range []struct{ cmd, flag string }{
		{"dsar new", "type"}, {"dsar new", "subject"}, {"principal add", "tenant"}, {"principal add", "role"},
		{"dsar evidence", "out"}, {"dsar attest", "attested-by"}, {"dsar attest", "attest-method"},
		{"dsar deny", "reason"}, {"dsar cancel", "reason"},
	} {
		root := newApp(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}).rootCommand()
		c, _, err := root.Find(strings.Fields(tc.cmd))
		require.NoError(t, err)
		f := c.Flags().Lookup(tc.flag)
		require.NotNil(t, f, "%s --%s", tc.cmd, tc.flag)
		assert.Contains(t, f.Usage, "required", "%s --%s", tc.cmd, tc.flag)
	}
}

// TestReadmeCommandTable keeps README's command table true to the command
// tree: every command a user runs is listed with its --help summary.
func TestReadmeCommandTable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	root := newApp(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}).rootCommand()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			if s.Hidden || s.Name() == "help" || s.Name() == "completion" {
				continue
			}
			if !s.HasSubCommands() || s.Name() == "lineage" {
				row := "| `" + strings.TrimPrefix(s.CommandPath(), "piimap ") + "` | " + s.Short + " |"
				assert.Contains(t, string(readme), row, "README's command table lacks or differs for %s", s.CommandPath())
			}
			walk(s)
		}
	}
	walk(root)
}
