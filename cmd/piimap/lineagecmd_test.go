package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
)

// TestMapFormatsLineageDiff drives map --format dot|mermaid|html|
// openlineage, lineage and diff in-process on a small kept demo estate,
// with a second scan after one export file is deleted.
func TestMapFormatsLineageDiff(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, "demo", "--dir", dir, "--subjects", "50", "--seed", "3", "--json")
	cfg := filepath.Join(dir, "piimap.yaml")
	c := func(args ...string) (int, string, string) {
		return cli(t, append([]string{"--config", cfg}, args...)...)
	}
	must := func(args ...string) string { return mustCLI(t, append([]string{"--config", cfg}, args...)...) }

	t.Run("map formats", func(t *testing.T) {
		dot := must("map", "--format", "dot")
		require.True(t, strings.HasPrefix(dot, "// PII location map"))
		require.Contains(t, dot, "digraph piimap {")
		require.Contains(t, dot, `label="wh (duckdb)"`)
		require.Contains(t, dot, `label="references (fk 1.00)"`)

		mm := must("map", "--format", "mermaid", "--store", "wh")
		require.Contains(t, mm, "flowchart LR")
		require.NotContains(t, mm, "files (files)", "--store narrows the drawing")

		var events []lineage.OLDatasetEvent
		require.NoError(t, json.Unmarshal([]byte(must("map", "--format", "openlineage")), &events))
		names := map[string]bool{}
		for _, e := range events {
			names[e.Dataset.Namespace+" "+e.Dataset.Name] = true
		}
		require.True(t, names["duckdb://"+filepath.ToSlash(filepath.Join(dir, "warehouse.duckdb"))+" main.customers"], "%v", names)
		require.True(t, names["file "+filepath.ToSlash(filepath.Join(dir, "files", "exports", "customers_export.csv"))], "%v", names)

		page := must("map", "--format", "html", "--type", "email")
		require.Contains(t, page, `<script type="application/json" id="piimap-data">`)
		require.Contains(t, page, "Content-Security-Policy")
		require.Contains(t, page, `"namespace":"duckdb://`, "store namespaces reach the page")
		require.NotContains(t, page, `"type":"iban"`, "--type narrows the embedded map")

		code, _, errs := c("map", "--format", "xml")
		require.Equal(t, exitUsage, code)
		require.Contains(t, errs, "openlineage", "the error lists the formats")
	})

	t.Run("lineage", func(t *testing.T) {
		out := must("lineage", "wh/main.customers#id", "--down")
		require.Contains(t, out, "wh/main.customers#id — downstream")
		require.Contains(t, out, "└── wh/main.orders#customer_id  references (fk 1.00)")
		require.Contains(t, out, "1 location downstream")

		var tr lineage.Trace
		require.NoError(t, json.Unmarshal([]byte(must("lineage", "wh/main.orders#customer_id", "--up", "--depth", "1", "--json")), &tr))
		require.Equal(t, "up", tr.Direction)
		require.Equal(t, 1, tr.Count)
		require.Equal(t, "wh/main.customers#id", tr.Root.Children[0].Node)
		require.Equal(t, lineage.EdgeReferences, tr.Root.Children[0].Via.Kind)

		asset := must("lineage", "wh/main.orders", "--up")
		require.Contains(t, asset, "└── wh/main.orders#customer_id\n    └── wh/main.customers#id", "fields of an asset are walked one by one")

		none := must("lineage", "wh/main.customers#email", "--up")
		require.Contains(t, none, "no upstream locations")

		for _, bad := range [][]string{
			{"lineage", "wh/main.customers#id"},                   // neither direction
			{"lineage", "wh/main.customers#id", "--up", "--down"}, // both
			{"lineage", "nostore", "--up"},                        // not store/asset
			{"lineage", "--up"},                                   // no NODE
			{"lineage", "wh/main.customers#id", "--up", "--depth", "-1"},
		} {
			code, _, _ := c(bad...)
			require.Equal(t, exitUsage, code, "%v", bad)
		}
		code, _, errs := c("lineage", "wh/main.nope#x", "--up")
		require.Equal(t, exitError, code)
		require.Contains(t, errs, "not found")
	})

	t.Run("diff", func(t *testing.T) {
		require.Contains(t, must("diff", "latest", "latest"), "No changes.")
		code, _, _ := c("diff", "previous", "latest")
		require.Equal(t, exitError, code, "one run only")

		require.NoError(t, os.Remove(filepath.Join(dir, "files", "exports", "customers_export.csv")))
		var run lineage.ScanRun
		require.NoError(t, json.Unmarshal([]byte(must("scan", "--json", "-q")), &run))

		var d lineage.MapDiff
		require.NoError(t, json.Unmarshal([]byte(must("diff", "previous", "latest", "--json")), &d))
		require.Equal(t, run.ID, d.To)
		require.NotEqual(t, d.From, d.To)
		var removed []string
		for _, l := range d.Removed {
			removed = append(removed, l.Asset+"#"+l.Field)
		}
		for _, f := range []string{"email", "full_name", "phone", "user_id"} {
			require.Contains(t, removed, "exports/customers_export.csv#"+f)
		}
		require.Empty(t, d.Added)

		text := must("diff", d.From, run.ID)
		require.Contains(t, text, "Removed locations:")
		require.Contains(t, text, "  - files/exports/customers_export.csv#email")

		code, _, _ = c("diff", "nope", "latest")
		require.Equal(t, exitError, code)
		code, _, _ = c("diff", "latest")
		require.Equal(t, exitUsage, code)
	})
}
