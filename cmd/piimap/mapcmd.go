package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/lineage"
)

// mapFormats are the --format values, as lineage.WriteMap names them.
var mapFormats = lineage.MapFormats

func (a *app) mapCommand() *cobra.Command {
	var format, run, tenant string
	var types, stores []string
	cmd := &cobra.Command{
		Use:   "map",
		Short: "Print the PII location map of the latest (or a given) scan run",
		Long: `map prints every field that holds PII, every subject key and every join key on a
subject's path, with confidence, evidence and outgoing lineage edges. Formats:
  table        aligned columns (default on a terminal)
  json         the DESIGN §7 contract (default otherwise)
  csv, md      one row per location and PII type; a Markdown report
  html         one self-contained page (no network access) drawing the lineage graph,
               filterable by PII type and store (also as #type=email&store=app in its
               URL), with confidence and evidence on click
  dot          a Graphviz digraph: piimap map --format dot | dot -Tsvg > map.svg
  mermaid      a Mermaid flowchart
  openlineage  a JSON array of OpenLineage DatasetEvents (schema, columnLineage and
               piimap_pii facets), datasets named after OpenLineage naming`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format == "" {
				format = a.defaultMapFormat()
			}
			if !contains(mapFormats, format) {
				return usageError("map: unknown --format %q (want one of %v)", format, mapFormats)
			}
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			if tenant != "" {
				cfg, err := a.config()
				if err != nil {
					return err
				}
				known := false
				for _, sc := range cfg.Stores {
					known = known || sc.TenantName() == tenant
				}
				if !known {
					return usageError("map: no configured store belongs to tenant %q", tenant)
				}
			}
			m, err := lineage.BuildMap(cmd.Context(), g, run, lineage.MapFilter{Types: types, Stores: stores, Tenant: tenant})
			if err != nil {
				return err
			}
			stores, err := lineage.MapStores(cmd.Context(), g, m.ScanRun)
			if err != nil {
				return err
			}
			return lineage.WriteMapWith(a.stdout, m, format, lineage.WriteOptions{Stores: stores})
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", strings.Join(mapFormats, "|"))
	f.StringArrayVar(&types, "type", nil, "only locations with this PII type (repeatable)")
	f.StringArrayVar(&stores, "store", nil, "only this store (repeatable)")
	f.StringVar(&tenant, "tenant", "", "only this tenant's stores; edges into other tenants' stores are left out")
	f.StringVar(&run, "run", "", "scan run id (default: the latest)")
	return cmd
}

func (a *app) defaultMapFormat() string {
	if a.jsonOut {
		return "json"
	}
	if a.ttyOut != nil {
		return "table"
	}
	return "json"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
