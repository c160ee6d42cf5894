package main

import (
	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/evidence"
)

// The forget ledger on the command line: ledger replay
// (executor/replay.go).

func (a *app) ledgerCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "The forget ledger of erased identifiers (HMACs only): replay after a restore",
		Long: `ledger works with the forget ledger: every identifier an erasure removed, kept only
as a keyed HMAC, never raw.

After a backup restore brings erased data back into a store, "ledger replay --store S"
applies the recorded erasures to that store again: each recorded request's approved
plan for the store, with only the identifier values whose HMAC is in the ledger
(--since DATE: recorded on or after that day), children first, in the approved
modes; then every Find runs again for the residual. Without --apply it only counts.
Either way it prints and keeps a signed receipt (replay-…); "receipt verify" checks it.`,
	}
	cmd.AddCommand(a.ledgerReplay())
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

func (a *app) ledgerReplay() *cobra.Command {
	var o executor.ReplayOptions
	var since string
	cmd := &cobra.Command{
		Use:   "replay --store S [--since DATE] [--apply]",
		Short: "Re-apply recorded erasures to a restored store (dry run unless --apply); signed receipt",
		Example: `  piimap ledger replay --store app                       # dry run: what the restore brought back
  piimap ledger replay --store app --apply               # erase it again, verify residual 0
  piimap ledger replay --store lake --since 2026-11-01 --apply --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Store == "" {
				return usageError("ledger replay: --store is required")
			}
			var err error
			if o.Since, err = parseDate("ledger replay", "--since", since, false); err != nil {
				return err
			}
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			rc, err := svc.ReplayStore(ctx, o)
			if err != nil {
				return err
			}
			if err := a.printReceipt(rc); err != nil {
				return err
			}
			if !a.jsonOut && rc.Replay != nil {
				safef(a.stdout, "  replayed %d request(s) on %s, %d ledger identifier(s) matched\n", len(rc.Replay.Requests), rc.Replay.Store, rc.Replay.Identifiers)
			}
			return replayExit(rc)
		},
	}
	cmd.Flags().StringVar(&o.Store, "store", "", "the restored store (required)")
	cmd.Flags().StringVar(&since, "since", "", "only erasures recorded on or after this day (YYYY-MM-DD)")
	cmd.Flags().BoolVar(&o.Apply, "apply", false, "write to the store (default: dry run)")
	return cmd
}

// replayExit is exit 3 when an applied replay leaves anything behind.
func replayExit(rc *evidence.Receipt) error {
	if rc.DryRun {
		if len(rc.Gaps) > 0 {
			return errGaps
		}
		return nil
	}
	return receiptExit(rc)
}
