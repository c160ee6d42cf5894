package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/principal"
	"github.com/piimap/piimap/lineage"
)

func (a *app) diffCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "diff RUN_A RUN_B",
		Short: "Show what changed in the PII location map between two scan runs",
		Long: `diff compares the PII location maps of two scan runs: locations added or removed,
PII types added or removed and confidence changes (by 0.01 or more) per location,
subject/join-key role changes, lineage edges added, removed or changed, and gaps
(unreadable units) that appeared or were resolved.

RUN_A and RUN_B are scan run ids (the "scan_run" of map --format json, or the "id"
that scan --json prints), or "latest" and "previous" for the last two finished runs.
With --json it prints the lineage.MapDiff object. Exit code 0 whether or not
anything changed.`,
		Example: `  piimap diff previous latest
  piimap diff 20261201T020000Z latest --json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The whole graph, every tenant's part of it: a principal of
			// every tenant (or the implied local admin) only.
			if _, err := a.authorizeTenant(cmd, principal.ReadMap, principal.AllTenants); err != nil {
				return err
			}
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			ra, err := resolveRunAlias(cmd.Context(), g, args[0])
			if err != nil {
				return err
			}
			rb, err := resolveRunAlias(cmd.Context(), g, args[1])
			if err != nil {
				return err
			}
			d, err := lineage.Diff(cmd.Context(), g, ra, rb)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(d)
			}
			return lineage.WriteDiffTextWidth(a.stdout, d, a.termWidth())
		},
	}
	return cmd
}

// resolveRunAlias turns "latest" and "previous" into the ids of the last
// and second-to-last finished runs; other names pass through unchanged.
func resolveRunAlias(ctx context.Context, g lineage.Graph, name string) (string, error) {
	if name != "latest" && name != "previous" {
		return name, nil
	}
	runs, err := g.Runs(ctx)
	if err != nil {
		return "", err
	}
	var done []string
	for _, r := range runs {
		if r.Status != lineage.RunRunning && r.Status != "" {
			done = append(done, r.ID)
		}
	}
	back := 1
	if name == "previous" {
		back = 2
	}
	if len(done) < back {
		return "", fmt.Errorf("run %q: only %d finished scan run(s): %w", name, len(done), piimap.ErrNotFound)
	}
	return done[len(done)-back], nil
}
