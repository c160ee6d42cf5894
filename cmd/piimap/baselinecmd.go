package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor/principal"
	"github.com/piimap/piimap/lineage"
)

func (a *app) baselineCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "baseline",
		Short: "Record the current findings as accepted, so scan and map report only new ones",
		Long: `baseline write FILE records every finding of the latest scan run (or --run) by a stable
fingerprint: a hash of store, asset, field and PII type, the same as SARIF's
partialFingerprints. ` + "`piimap scan --baseline FILE`" + ` and ` + "`piimap map --baseline FILE`" + ` then report
only findings the file does not hold. The file names locations and types, never values;
an edited file is refused.`,
	}
	var run, tenant string
	write := &cobra.Command{
		Use:   "write FILE",
		Short: "Write the findings of the latest scan run to FILE",
		Example: `  piimap baseline write accepted.json
  piimap scan --baseline accepted.json       # later: only what is new`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tenant, err := a.authorizeTenant(cmd, principal.ReadMap, tenant)
			if err != nil {
				return err
			}
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			m, err := lineage.BuildMap(cmd.Context(), g, run, lineage.MapFilter{Tenant: tenant})
			if err != nil {
				return err
			}
			b := lineage.NewBaseline(m)
			tmp, err := os.CreateTemp(filepath.Dir(args[0]), ".baseline-*")
			if err != nil {
				return fmt.Errorf("baseline write %s: %w", args[0], err)
			}
			defer os.Remove(tmp.Name())
			if err := b.Write(tmp); err != nil {
				tmp.Close()
				return fmt.Errorf("baseline write %s: %w", args[0], err)
			}
			if err := tmp.Close(); err != nil {
				return fmt.Errorf("baseline write %s: %w", args[0], err)
			}
			if err := os.Rename(tmp.Name(), args[0]); err != nil {
				return fmt.Errorf("baseline write %s: %w", args[0], err)
			}
			a.note("baseline %s: %d findings of scan run %s", args[0], len(b.Findings), m.ScanRun)
			return nil
		},
	}
	write.Flags().StringVar(&run, "run", "", "scan run id (default: the latest)")
	write.Flags().StringVar(&tenant, "tenant", "", "only this tenant's stores")
	cmd.AddCommand(write)
	return cmd
}
