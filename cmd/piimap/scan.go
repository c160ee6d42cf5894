package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/executor/principal"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/lineage/ingest"
	"github.com/piimap/piimap/scanner"
)

func (a *app) scanCommand() *cobra.Command {
	var stores []string
	var full, noCopies, noPushdown bool
	var cpuprofile, baseline string
	cmd := &cobra.Command{
		Use:   "scan [PATH|URL...]",
		Short: "Scan the configured stores (or the paths and URLs given) and record a new run of the PII location map",
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
than copy_max_rows rows (default 1,000,000) are probed inside Postgres, MariaDB/MySQL and
DuckDB instead (the copies' sampled values are sent, and only those the table holds come
back), and compared by sample sketches only elsewhere. The full
reads' filters are kept in the graph: a later scan of other stores (--store) compares
against them, and a later scan reuses them for copy_refresh (default 24h) while the
table's change stamp and sample are unchanged. --no-copies skips all of this. A full scan also builds an identifier
filter per file or object, which lets requests skip what cannot hold the subject.

After the scan, runs beyond keep_runs (default 50) are pruned from the graph.

Lineage stored by ` + "`piimap lineage ingest`" + ` and ` + "`piimap lineage serve`" + ` (dbt, OpenLineage, query
logs) is applied to every run: its edges between assets of the map are written again, so they
survive re-scans of their stores.

Without a config, give the locations to scan: directories and files (file stores; a
.duckdb file as a DuckDB store) or URLs (postgres://, mysql://, s3://, redis://, nats://,
duckdb://). They become the stores of a config kept in the state directory
($XDG_STATE_HOME/piimap/adhoc, else ~/.local/state/piimap/adhoc) with its graph and
keys; the map is printed after the scan, and the note says how to open it again.

--baseline FILE (from ` + "`piimap baseline write FILE`" + `) reports only the findings the
baseline does not hold.`,
		Example: `  piimap scan                              # every store of ./piimap.yaml
  piimap scan --store app --full           # one store, every row
  piimap scan ./exports /var/log/app.log   # no config: scan these paths, print the map
  piimap scan --baseline accepted.json     # report only new findings`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cpuprofile != "" {
				stop, err := startCPUProfile(cpuprofile)
				if err != nil {
					return err
				}
				defer stop()
			}
			var base *lineage.Baseline
			if baseline != "" {
				var err error
				if base, err = readBaselineFile(baseline); err != nil {
					return err
				}
			}
			var cfg *Config
			var err error
			if len(args) > 0 {
				if a.configPath != "" || len(stores) > 0 {
					return usageError("scan: give either locations to scan or --config/--store, not both")
				}
				adhoc, err := adhocStores(args)
				if err != nil {
					return err
				}
				cfg, err = a.adhocConfig(adhoc)
				if err != nil {
					return err
				}
			} else if cfg, err = a.config(); err != nil {
				return err
			}
			sel, err := cfg.Select(stores)
			if err != nil {
				return usageError("%v", err)
			}
			// A scan writes the map of every tenant its stores belong to.
			for _, t := range storeTenants(sel) {
				if _, err := a.authorizeTenant(cmd, principal.RunScan, t); err != nil {
					return err
				}
			}
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			res, err := a.scan(cmd.Context(), cfg, g, sel, scanMode{full: full, noCopies: noCopies, noPushdown: noPushdown})
			if err != nil {
				return err
			}
			switch {
			case len(args) > 0:
				if err := a.printAdhocResult(cmd.Context(), g, res, base); err != nil {
					return err
				}
			case a.jsonOut && base == nil:
				if err := a.printJSON(res.Run); err != nil {
					return err
				}
			case base != nil:
				if err := a.printNewFindings(cmd.Context(), g, res, base, baseline); err != nil {
					return err
				}
			default:
				a.printScanSummary(res)
			}
			if len(args) == 0 { // the register's shadow report (reportcmd.go)
				a.shadowAfterScan(cmd, cfg, g, res.Run.ID, !a.jsonOut && base == nil)
			}
			if len(res.Run.Stores) == 0 && len(sel) > 0 {
				// Nothing was read: a broken config or a dead network, not a
				// partial success.
				return fmt.Errorf("scan: none of the %d stores could be opened: check their URLs and that they are running (the gaps say why for each)", len(sel))
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
	cmd.Flags().StringVar(&baseline, "baseline", "", "report only findings that this baseline file (piimap baseline write) does not hold")
	cmd.Flags().StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile to this file")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	cmd.Flags().BoolVar(&noPushdown, "no-copy-pushdown", false, "read candidate originals in full even where the database can answer copy probes (for measurements)")
	_ = cmd.Flags().MarkHidden("no-copy-pushdown")
	return cmd
}

// storeTenants lists the tenants of stores, sorted.
func storeTenants(stores []scanner.StoreConfig) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range stores {
		if t := s.TenantName(); !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// scanMode is how a scan reads: sampled or full, with or without copy
// detection.
type scanMode struct{ full, noCopies, noPushdown bool }

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
		NoPushdown: mode.noPushdown,
		Others:     otherStores(cfg.Stores, stores),
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

// otherStores are the configured stores not among scanned.
func otherStores(configured, scanned []scanner.StoreConfig) []scanner.StoreConfig {
	var out []scanner.StoreConfig
	for _, c := range configured {
		if !slices.ContainsFunc(scanned, func(s scanner.StoreConfig) bool { return s.Name == c.Name }) {
			out = append(out, c)
		}
	}
	return out
}

func storeNames(stores []scanner.StoreConfig) []string {
	names := make([]string, len(stores))
	for i, s := range stores {
		names[i] = s.Name
	}
	return names
}
