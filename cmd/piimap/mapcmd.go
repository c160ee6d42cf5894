package main

import (
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor/principal"
	"github.com/piimap/piimap/lineage"
)

// mapFormats are the --format values, as lineage.WriteMap names them.
var mapFormats = lineage.MapFormats

func (a *app) mapCommand() *cobra.Command {
	var format, run, tenant, baseline string
	var types, stores []string
	cmd := &cobra.Command{
		Use:   "map",
		Short: "Print the PII location map of the latest (or a given) scan run",
		Long: `map prints every field that holds PII, every subject key and every join key on a
subject's path, with confidence, evidence and outgoing lineage edges. Formats
(--format, case-insensitive):
  table         aligned columns fitted to the terminal (default on a terminal)
  json          {"scan_run","generated_at","locations":[…],"errors","coverage_gaps"}
                (default otherwise; README "Output contracts")
  csv, md       one row per location and PII type; a Markdown report
  html          one self-contained page (no network access) drawing the lineage graph,
                filterable by PII type and store (also as #type=email&store=app in its
                URL), with confidence and evidence on click
  dot           a Graphviz digraph: piimap map --format dot | dot -Tsvg > map.svg
  mermaid       a Mermaid flowchart
  openlineage   a JSON array of OpenLineage DatasetEvents (schema, columnLineage and
                piimap_pii facets), datasets named after OpenLineage naming
  sarif         SARIF 2.1.0: a rule per PII type, a result per location and type
  fides         a Fides dataset YAML (data_categories, identities, references)
  datahub       DataHub metadata change proposals for its file source (glossary terms)
  openmetadata  OpenMetadata column tags (PII.Sensitive / PII.NonSensitive)
docs/CATALOG_EXPORTS.md maps PII types to each catalog's terms.

Findings the config's allow: list accepts are shown as allowed, with the reason.
--baseline FILE (from ` + "`piimap baseline write`" + `) leaves out the findings the file holds.
An unknown --store or --type is an error, not an empty map.`,
		Example: `  piimap map
  piimap map --format html > map.html
  piimap map --type email --store app --format json
  piimap map --format sarif > pii.sarif
  piimap map --baseline accepted.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format = strings.ToLower(format)
			switch {
			case format == "":
				format = a.defaultMapFormat()
			case !contains(mapFormats, format):
				return usageError("map: unknown --format %q (want one of %s)", format, strings.Join(mapFormats, ", "))
			case a.jsonOut && format != lineage.FormatJSON:
				return usageError("map: --json conflicts with --format %s: give one of them", format)
			}
			var base *lineage.Baseline
			if baseline != "" {
				var err error
				if base, err = readBaselineFile(baseline); err != nil {
					return err
				}
			}
			// With principals, the map is read as the token's principal: one
			// of a single tenant sees only that tenant's part of it.
			tenant, err := a.authorizeTenant(cmd, principal.ReadMap, tenant)
			if err != nil {
				return err
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			if err := a.checkMapFilters(cfg, tenant, stores, types); err != nil {
				return err
			}
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			m, err := lineage.BuildMap(cmd.Context(), g, run, lineage.MapFilter{Types: types, Stores: stores, Tenant: tenant})
			if err != nil {
				return err
			}
			lineage.MarkAllowed(m, cfg.Allow)
			if base != nil {
				var known int
				m, known = base.NewOnly(m)
				a.note("%d findings in baseline %s left out", known, baseline)
			}
			storeInfo, err := lineage.MapStores(cmd.Context(), g, m.ScanRun)
			if err != nil {
				return err
			}
			return lineage.WriteMapWith(a.stdout, m, format, lineage.WriteOptions{Stores: storeInfo, Width: a.termWidth(), ToolVersion: version()})
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", strings.Join(mapFormats, "|"))
	f.StringArrayVar(&types, "type", nil, "only locations with this PII type (repeatable)")
	f.StringArrayVar(&stores, "store", nil, "only this store (repeatable)")
	f.StringVar(&tenant, "tenant", "", "only this tenant's stores; edges into other tenants' stores are left out")
	f.StringVar(&run, "run", "", "scan run id (default: the latest)")
	f.StringVar(&baseline, "baseline", "", "leave out the findings this baseline file (piimap baseline write) holds")
	return cmd
}

// checkMapFilters refuses filters that can only give an empty map by
// mistake: a store the config does not name (or that is not the tenant's),
// a tenant no store belongs to, a PII type neither piimap nor the
// config's rules know.
func (a *app) checkMapFilters(cfg *Config, tenant string, stores, types []string) error {
	var names []string
	known := false
	for _, sc := range cfg.Stores {
		if tenant == "" || sc.TenantName() == tenant {
			names = append(names, sc.Name)
		}
		known = known || sc.TenantName() == tenant
	}
	if tenant != "" && !known {
		return usageError("map: no configured store belongs to tenant %q", tenant)
	}
	for _, s := range stores {
		if !slices.Contains(names, s) {
			return usageError("map: --store %q is not a configured store%s (stores: %s)", s, tenantNote(tenant), strings.Join(names, ", "))
		}
	}
	if len(types) == 0 {
		return nil
	}
	valid := map[string]bool{}
	for _, t := range lineage.CatalogTerms() {
		valid[t.Type] = true
	}
	eng, err := a.engine(cfg.Rules)
	if err != nil {
		return err
	}
	for _, r := range eng.Rules() {
		valid[r.Type] = true
	}
	for _, t := range types {
		if !valid[t] {
			all := make([]string, 0, len(valid))
			for v := range valid {
				all = append(all, v)
			}
			sort.Strings(all)
			return usageError("map: --type %q is not a PII type piimap knows (types: %s)", t, strings.Join(all, ", "))
		}
	}
	return nil
}

func tenantNote(tenant string) string {
	if tenant == "" {
		return ""
	}
	return " of tenant " + tenant
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
	return slices.Contains(list, s)
}
