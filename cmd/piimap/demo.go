package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/internal/estate"
	"github.com/piimap/piimap/lineage"
)

// demoSummary is what `demo --json` prints.
type demoSummary struct {
	Dir            string            `json:"dir"`
	ScanRun        string            `json:"scan_run"`
	PIIFields      int               `json:"pii_fields_planted"`
	PIIFound       int               `json:"pii_fields_found"`
	NegativeFields int               `json:"negative_fields"`
	NegativeHit    int               `json:"negative_fields_flagged"`
	Access         *evidence.Receipt `json:"access_receipt"`
	Erasure        *evidence.Receipt `json:"erasure_receipt"`
	Seconds        float64           `json:"seconds"`
}

func (a *app) demoCommand() *cobra.Command {
	var dir string
	var subjects int
	var seed int64
	cmd := &cobra.Command{
		Use:     "demo [--dir D] [--subjects N] [--seed S]",
		Example: "  piimap demo                  # a temporary estate, the whole flow, then removed\n  piimap demo --dir demo       # keep it: piimap --config demo/piimap.yaml map",
		Short:   "Build a demo estate, scan it, print the map, and run an access and an erasure request",
		Long: `demo generates a deterministic estate of fake personal data (a DuckDB warehouse,
Parquet events, a CSV export, JSONL, plain-text and gzipped logs, with hard negatives),
scans it, prints the PII location map, checks it against the generator's ground truth,
then runs an access request and an erasure for one subject and prints the receipt.

With --dir D the estate is kept, with D/piimap.yaml, D/graph/ and D/ground-truth.json,
so every other command works on it: piimap --config D/piimap.yaml map`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if subjects < 1 {
				return usageError("demo: --subjects must be at least 1")
			}
			keep := dir != ""
			if !keep {
				tmp, err := os.MkdirTemp("", "piimap-demo-")
				if err != nil {
					return err
				}
				defer func() {
					a.close() // Badger must be closed before its directory goes
					os.RemoveAll(tmp)
				}()
				dir = tmp
			}
			sum, err := a.demo(cmd.Context(), dir, subjects, seed)
			if err != nil {
				return err
			}
			if a.jsonOut {
				if err := a.printJSON(sum); err != nil {
					return err
				}
			} else if keep {
				safef(a.stdout, "\nThe estate is kept in %s. Try:\n  piimap --config %s map --format md\n",
					sum.Dir, filepath.Join(sum.Dir, "piimap.yaml"))
			}
			if sum.Erasure != nil {
				return receiptExit(sum.Erasure)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "build the estate here and keep it (default: a temporary directory, removed after)")
	cmd.Flags().IntVar(&subjects, "subjects", 1000, "number of fake data subjects")
	cmd.Flags().Int64Var(&seed, "seed", 1, "generator seed (same seed, same estate)")
	return cmd
}

func (a *app) demo(ctx context.Context, dir string, subjects int, seed int64) (*demoSummary, error) {
	start := time.Now()
	say := func(format string, args ...any) {
		if !a.jsonOut && !a.quiet {
			safef(a.stdout, format+"\n", args...) // paths and masked values escaped
		}
	}
	say("== building the demo estate (%d fake subjects, seed %d) in %s", subjects, seed, dir)
	est, err := estate.Generate(ctx, estate.Options{Dir: dir, Subjects: subjects, Seed: seed})
	if err != nil {
		return nil, err
	}
	// The demo is an installation of its own: its key directory sits
	// beside its config, whatever $PIIMAP_KEYS says, and is created here.
	if err := pinDemoKeys(est.ConfigPath); err != nil {
		return nil, err
	}
	a.configPath = est.ConfigPath
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	if _, _, err := a.setupKeys(ctx, cfg, "piimap demo"); err != nil {
		return nil, fmt.Errorf("demo: key directory: %w", err)
	}
	g, err := a.openGraph()
	if err != nil {
		return nil, err
	}
	// A full scan: the estate is small, and reading every row sketches
	// every field, so the map shows the copies nobody declared (copy_of
	// edges), which later sampled scans keep comparing against.
	say("== scanning %d stores (full)", len(cfg.Stores))
	res, err := a.scan(ctx, cfg, g, cfg.Stores, scanMode{full: true})
	if err != nil {
		return nil, err
	}
	if !a.jsonOut && !a.quiet {
		a.printScanSummary(res)
	}
	m, err := lineage.BuildMap(ctx, g, res.RunID, lineage.MapFilter{})
	if err != nil {
		return nil, err
	}
	sum := &demoSummary{Dir: est.Dir, ScanRun: res.RunID}
	score := est.Truth.Check(m)
	sum.PIIFields, sum.PIIFound, sum.NegativeFields, sum.NegativeHit = score.PIIFields, score.PIIFound, score.NegativeFields, score.NegativeHit
	if !a.jsonOut && !a.quiet {
		say("\n== the PII location map")
		if err := lineage.WriteMap(a.stdout, m, "table"); err != nil {
			return nil, err
		}
	}
	say("\n== against the generator's ground truth: %d/%d planted PII fields found, %d/%d hard-negative fields flagged",
		sum.PIIFound, sum.PIIFields, sum.NegativeHit, sum.NegativeFields)

	subject := est.Truth.Busiest()
	svc := executor.New(g, g, cfg.Stores, executor.Options{})
	id := piimap.Subject{piimap.KeyEmail: {subject.Email}}

	say("\n== access request for one subject (email %s)", dsar.MaskDisplay(subject.Email))
	acc, err := a.demoRequest(ctx, svc, dsar.Access, id, []string{"dpo"},
		executor.RunOptions{OutDir: filepath.Join(est.Dir, "access-package")})
	if err != nil {
		return nil, err
	}
	sum.Access = acc
	if !a.jsonOut && !a.quiet {
		if err := a.printReceipt(acc); err != nil {
			return nil, err
		}
	}
	say("\n== erasure for the same subject (approved by two people, then applied and verified)")
	er, err := a.demoRequest(ctx, svc, dsar.Erasure, id, []string{"dpo", "legal"}, executor.RunOptions{Apply: true})
	if err != nil {
		return nil, err
	}
	sum.Erasure = er
	if !a.jsonOut && !a.quiet {
		if err := a.printReceipt(er); err != nil {
			return nil, err
		}
	}
	sum.Seconds = time.Since(start).Seconds()
	say("\ndemo finished in %.1fs", sum.Seconds)
	return sum, nil
}

// pinDemoKeys adds keys: ./piimap-keys to the demo's config unless it
// names a key directory already.
func pinDemoKeys(config string) error {
	b, err := os.ReadFile(config)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if bytes.Contains(b, []byte("\nkeys:")) || bytes.HasPrefix(b, []byte("keys:")) {
		return nil
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	b = append(b, "# key directory of this demo installation (docs/TRUST_MODEL.md)\nkeys: ./piimap-keys\n"...)
	if err := os.WriteFile(config, b, 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// demoRequest runs one request through new → plan → approve → run.
func (a *app) demoRequest(ctx context.Context, svc *executor.Service, typ dsar.Type, sub piimap.Subject,
	approvers []string, ro executor.RunOptions) (*evidence.Receipt, error) {
	req, err := svc.NewRequest(ctx, executor.NewRequestInput{Type: typ, Subject: sub, Requester: "privacy-ops",
		Tenant: "demo", Reason: "demo: subject request received by email",
		AttestedBy: "dpo", AttestMethod: "demo: identity checked against the account"})
	if err != nil {
		return nil, err
	}
	plan, err := svc.Plan(ctx, req.ID)
	if err != nil {
		return nil, err
	}
	if !a.jsonOut && !a.quiet {
		a.printPlan(plan)
	}
	for _, by := range approvers {
		if _, err := svc.Approve(ctx, req.ID, by); err != nil {
			return nil, err
		}
	}
	return svc.Execute(ctx, req.ID, ro)
}
