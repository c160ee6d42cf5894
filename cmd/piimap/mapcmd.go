package main

import (
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/piimap/piimap/lineage"
)

var mapFormats = []string{"table", "json", "csv", "md"}

func (a *app) mapCommand() *cobra.Command {
	var format, run string
	var types, stores []string
	cmd := &cobra.Command{
		Use:   "map",
		Short: "Print the PII location map of the latest (or a given) scan run",
		Long: `map prints every field that holds PII, every subject key and every join key on a
subject's path, with confidence, evidence and outgoing lineage edges. Formats:
table (default on a terminal), json (the DESIGN §7 contract; default otherwise), csv, md.`,
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
			m, err := lineage.BuildMap(cmd.Context(), g, run, lineage.MapFilter{Types: types, Stores: stores})
			if err != nil {
				return err
			}
			return lineage.WriteMap(a.stdout, m, format)
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "table|json|csv|md")
	f.StringArrayVar(&types, "type", nil, "only locations with this PII type (repeatable)")
	f.StringArrayVar(&stores, "store", nil, "only this store (repeatable)")
	f.StringVar(&run, "run", "", "scan run id (default: the latest)")
	return cmd
}

func (a *app) defaultMapFormat() string {
	if a.jsonOut {
		return "json"
	}
	if f, ok := a.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
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
