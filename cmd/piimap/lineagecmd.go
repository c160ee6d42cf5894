package main

import (
	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor/principal"
	"github.com/piimap/piimap/lineage"
)

func (a *app) lineageCommand() *cobra.Command {
	var up, down bool
	var depth int
	var run string
	cmd := &cobra.Command{
		Use:   "lineage NODE --up|--down [--depth N] [--run RUN]",
		Short: "Show where a field's data comes from (--up) or where it goes (--down)",
		Long: `lineage walks the PII location map from NODE, written store/asset[#field]
(e.g. wh/main.customers#email, or files/exports/users.csv for a whole object), along
references, derived_from and copy_of edges, and prints what it reaches as a tree.
Each location appears once, under the edge that first reached it; every other edge
into it from a location the walk reached is listed beneath it as "also ... from".

--up goes upstream: from a copy or view to its source, from a child row to its parent.
--down goes downstream: to every copy, view and child table fed by NODE.
For an asset without #field, the asset's fields are walked one by one.
With --json it prints {"run", "direction", "max_depth", "kinds", "root", "count"}.

Lineage that pipelines write down (dbt manifests, OpenLineage events, Postgres query logs)
is added with the subcommands: ingest stores it and adds its edges, serve receives
OpenLineage events over HTTP, sources lists what is stored.`,
		Example: `  piimap lineage wh/main.dim_customer#email --up      # where the warehouse copy comes from
  piimap lineage app/public.users#email --down --depth 2
  piimap lineage files/exports/users.csv --down --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if up == down {
				return usageError("lineage: give exactly one of --up or --down")
			}
			if depth < 0 {
				return usageError("lineage: --depth must be 0 (no limit) or more")
			}
			// The whole graph, every tenant's part of it: a principal of
			// every tenant (or the implied local admin) only.
			if _, err := a.authorizeTenant(cmd, principal.ReadMap, principal.AllTenants); err != nil {
				return err
			}
			if _, err := lineage.ParseNode(args[0]); err != nil {
				return usageError("%v", err)
			}
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			loc, runID, err := lineage.ResolveNode(cmd.Context(), g, run, args[0])
			if err != nil {
				return err
			}
			dir := lineage.Out
			if down {
				dir = lineage.In
			}
			t, err := lineage.TraceLineage(cmd.Context(), g, runID, loc, dir, depth)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(t)
			}
			return lineage.WriteTraceText(a.stdout, t)
		},
	}
	cmd.AddCommand(a.lineageIngestCommand(), a.lineageServeCommand(), a.lineageSourcesCommand())
	f := cmd.Flags()
	f.BoolVar(&up, "up", false, "walk upstream: sources and parents")
	f.BoolVar(&down, "down", false, "walk downstream: copies, views and children")
	f.IntVar(&depth, "depth", 0, "stop after N edges (0: no limit)")
	f.StringVar(&run, "run", "", "scan run id (default: the latest)")
	return cmd
}
