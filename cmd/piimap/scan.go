package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/lineage/ingest"
	"github.com/piimap/piimap/scanner"
)

func (a *app) scanCommand() *cobra.Command {
	var stores []string
	var full, noCopies bool
	var cpuprofile string
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Scan the configured stores and record a new run of the PII location map",
		Long: `scan reads every configured store (or those named with --store), classifies what it
samples, and writes a new scan run to the graph. Structured data is sampled with a seed
and adaptively; text is read in full. A unit that cannot be read is listed with its
error and the scan carries on; the command then exits 3 ("completed with gaps").

Every structured field is also fingerprinted (keyed hashes of its normalised values
under the graph's installation key), and fields whose values are contained in another's,
plainly or as sha256/md5/sha1 hex, base64 or last four digits, become copy_of edges.
Sampled scans find copies too: after classification, each table's identifier columns
(emails, phones, cards, national and account numbers) are read once more, in full and
only those columns, and every other field's sample is looked up in them. Tables of more
than copy_max_rows rows (default 1,000,000) are compared by sample sketches only. The full
reads' filters are kept in the graph: a later scan of other stores (--store) compares
against them, and a later scan reuses them for copy_refresh (default 24h) while the
table's change stamp and sample are unchanged. --no-copies skips all of this. A full scan also builds an identifier
filter per file or object, which lets requests skip what cannot hold the subject.

After the scan, runs beyond keep_runs (default 50) are pruned from the graph.

Lineage stored by ` + "`piimap lineage ingest`" + ` and ` + "`piimap lineage serve`" + ` (dbt, OpenLineage, query
logs) is applied to every run: its edges between assets of the map are written again, so they
survive re-scans of their stores.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cpuprofile != "" {
				stop, err := startCPUProfile(cpuprofile)
				if err != nil {
					return err
				}
				defer stop()
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			sel, err := cfg.Select(stores)
			if err != nil {
				return usageError("%v", err)
			}
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			res, err := a.scan(cmd.Context(), cfg, g, sel, scanMode{full: full, noCopies: noCopies})
			if err != nil {
				return err
			}
			if a.jsonOut {
				if err := a.printJSON(res.Run); err != nil {
					return err
				}
			} else {
				a.printScanSummary(res)
			}
			if res.Gaps() {
				return errGaps
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&stores, "store", nil, "scan only this store (repeatable)")
	cmd.Flags().BoolVar(&full, "full", false, "read every row and byte instead of sampling")
	cmd.Flags().BoolVar(&noCopies, "no-copies", false, "skip copy detection (no fingerprints, no copy_of edges inferred)")
	cmd.Flags().StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile to this file")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	return cmd
}

// scanMode is how a scan reads: sampled or full, with or without copy
// detection.
type scanMode struct{ full, noCopies bool }

// scan runs the scanner with the config's rules and a progress bar.
func (a *app) scan(ctx context.Context, cfg *Config, g *badgerstore.Store, stores []scanner.StoreConfig, mode scanMode) (*scanner.Result, error) {
	eng, err := a.engine(cfg.Rules)
	if err != nil {
		return nil, err
	}
	key, err := g.InstallationKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("scan: installation key: %w", err)
	}
	declared, err := ingest.Declared(ctx, g, ingestStores(cfg))
	if err != nil {
		return nil, fmt.Errorf("scan: ingested lineage: %w", err)
	}
	log := a.logger()
	if declared.Sources > 0 {
		log.Info("ingested lineage", "sources", declared.Sources, "edges", len(declared.Edges), "unresolved", len(declared.Unresolved))
	}
	for _, p := range declared.Problems {
		log.Warn("ingested lineage", "problem", p)
	}
	bar := a.newProgress("scanning", -1)
	defer bar.finish()
	res, err := scanner.Run(ctx, stores, scanner.Options{
		Graph:      g,
		Classifier: eng,
		Merge:      classifiers.Merge,
		Configured: storeNames(cfg.Stores),
		Full:       mode.full,
		NoCopies:   mode.noCopies,
		// Identifier columns of tables up to this size are read in full
		// so sampled scans find copies (scanner/copyprobe.go).
		CopyMaxRows: cfg.CopyMaxRows,
		CopyRefresh: cfg.CopyRefresh,
		Logger:      log,
		// Lineage from dbt, OpenLineage and query logs, rebuilt from the
		// stored sources so a re-scan of their stores keeps it.
		Declared: declared.Edges,
		// Full reads keep their sketches in the graph; sampled scans
		// compare against them (scanner/doc.go).
		FingerprintKey: key,
		Progress: func(p scanner.Progress) {
			bar.describe(fmt.Sprintf("scanning %s/%s", p.Store, p.Unit))
			bar.set(int64(p.UnitsDone), int64(p.UnitsTotal))
		},
	})
	if err != nil {
		return res, err
	}
	// Each run is a full snapshot: keep the newest keep_runs.
	pruned, err := g.Prune(ctx, cfg.KeepRuns)
	if err != nil {
		return res, fmt.Errorf("scan: prune old runs: %w", err)
	}
	if len(pruned) > 0 {
		log.Info("old scan runs pruned", "runs", len(pruned), "keep", cfg.KeepRuns)
	}
	return res, nil
}

// printScanSummary prints the run and its gaps; names and error texts are
// escaped (safef).
func (a *app) printScanSummary(res *scanner.Result) {
	r := res.Run
	safef(a.stdout, "scan run %s: %s\n", r.ID, r.Status)
	safef(a.stdout, "  stores %d, units %d, records %d, findings %d, errors %d, took %s\n",
		len(r.Stores), r.Units, r.Records, r.Findings, len(r.Errors), r.EndedAt.Sub(r.StartedAt).Round(1e6))
	for _, e := range r.Errors {
		unit := e.Unit
		if unit == "" {
			unit = "(store)"
		}
		safef(a.stdout, "  gap: %s/%s: %s\n", e.Store, unit, e.Err)
	}
}

func storeNames(stores []scanner.StoreConfig) []string {
	names := make([]string, len(stores))
	for i, s := range stores {
		names[i] = s.Name
	}
	return names
}
