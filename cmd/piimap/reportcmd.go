package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor/principal"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/instructions"
	"github.com/piimap/piimap/rules"
	"github.com/piimap/piimap/scanner"
)

func (a *app) reportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Compliance reports over the PII location map",
		Long: `report prints compliance reports computed from a scan run's map and the config.

  shadow   processing outside the processing-instructions register (instructions:)`,
		Example: `  piimap report shadow
  piimap report shadow --json --exit-code 4`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(a.reportShadowCommand())
	return cmd
}

func (a *app) reportShadowCommand() *cobra.Command {
	var run string
	var exitCode int
	cmd := &cobra.Command{
		Use:   "shadow",
		Short: "List processing outside the processing-instructions register (PII where no instruction allows it)",
		Long: `shadow reads the map of the latest (or a given) scan run and the register named by
the config's instructions: key, and lists the processing the register does not allow:

  pii_not_permitted       a PII type the store's or asset's rule does not permit
                          (first matching asset pattern, else the store's pii: list)
  prod_copy_in_non_prod   a field of a non-prod, dev, staging or test store that copies
                          (copy_of) or derives from (derived_from) a field of a prod store
  unregistered_store      PII in a store no tenant registers
  unlisted_subprocessor   PII in a store run by a subprocessor (config subprocessor:)
                          the tenant does not list for that store
  unlisted_region         PII in a store whose config region: the tenant's subprocessor
                          entry or regions: list does not allow
  retention_exceeded      PII older than its retention max_age: file and object
                          modification times, a stream's oldest message, Redis keys
                          without a TTL or with a longer one, recognised timestamp columns

Each finding names its location, PII types, the instruction it breaks (with its line in
the register), a severity (high, medium, low) and its evidence; never a value. Retention
rules for assets whose age the scan does not record are listed as unchecked.

--json prints {"scan_run","generated_at","register","findings":[{"kind","tenant","store",
"asset","field","pii","instruction","severity","evidence"}],"unchecked":[…]}.
--exit-code N exits N when there are findings (CI gates); without it the command exits 0.
scan runs this report after every scan when the config has instructions: and prints
its count.`,
		Example: `  piimap report shadow
  piimap report shadow --json
  piimap report shadow --run 20260107T020000Z-1a2b --exit-code 4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if exitCode < 0 || exitCode > 125 {
				return usageError("report shadow: --exit-code %d is out of range (0 to 125)", exitCode)
			}
			tenant, err := a.authorizeTenant(cmd, principal.ReadMap, "")
			if err != nil {
				return err
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			if cfg.Instructions == "" {
				return usageError("report shadow: the config has no instructions: register (add instructions: FILE to %s; README \"For compliance reviewers\" shows its shape)", cfg.Path)
			}
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			rep, err := a.shadowReport(cmd.Context(), cfg, g, run, tenant)
			if err != nil {
				return err
			}
			if a.jsonOut {
				if err := a.printJSON(rep); err != nil {
					return err
				}
			} else {
				a.printShadow(rep)
			}
			if len(rep.Findings) > 0 && exitCode != 0 {
				return &exitCodeError{code: exitCode}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&run, "run", "", "scan run id (default: the latest)")
	cmd.Flags().IntVar(&exitCode, "exit-code", 0, "exit with this code when there are findings (CI gates; 0 keeps exit 0)")
	return cmd
}

// shadowReport loads the config's register and runs the shadow report on
// run ("" for the latest), for one tenant or all ("").
func (a *app) shadowReport(ctx context.Context, cfg *Config, g lineage.Graph, run, tenant string) (*instructions.Report, error) {
	reg, err := cfg.loadInstructions()
	if err != nil {
		return nil, err
	}
	return instructions.Shadow(ctx, g, run, reg, instructions.Options{Stores: instructionFacts(cfg.Stores), Allow: cfg.Allow, Tenant: tenant})
}

// printShadow prints the report for people; every value is escaped.
func (a *app) printShadow(rep *instructions.Report) {
	safef(a.stdout, "shadow processing in scan run %s (register %s): %s\n", rep.ScanRun, rep.Register, shadowCount(len(rep.Findings)))
	for _, f := range rep.Findings {
		loc := f.Store
		if f.Asset != "" {
			loc += "/" + f.Asset
		}
		if f.Field != "" {
			loc += "#" + f.Field
		}
		safef(a.stdout, "\n%s  %s  %s  [%s]  tenant %s\n", strings.ToUpper(f.Severity), f.Kind, loc, strings.Join(f.PII, ", "), f.Tenant)
		safef(a.stdout, "  breaks: %s\n", f.Instruction)
		for _, e := range f.Evidence {
			safef(a.stdout, "  evidence: %s\n", e)
		}
	}
	if len(rep.Unchecked) > 0 {
		safef(a.stdout, "\nretention not checked for %d assets (the scan records no age for them):\n", len(rep.Unchecked))
		for _, u := range rep.Unchecked {
			safef(a.stdout, "  %s/%s: %s\n", u.Store, u.Asset, u.Instruction)
		}
	}
}

// shadowAfterScan runs the shadow report on the run a scan just wrote,
// when the config has a register, and prints its count: a line of the
// human summary (stdout), or a note on stderr beside machine output. A
// failure is a warning: the scan itself succeeded.
func (a *app) shadowAfterScan(cmd *cobra.Command, cfg *Config, g lineage.Graph, runID string, summary bool) {
	if cfg == nil || cfg.Instructions == "" || runID == "" {
		return
	}
	tenant, err := a.authorizeTenant(cmd, principal.ReadMap, "")
	if err != nil {
		a.note("shadow report skipped: %v", err)
		return
	}
	rep, err := a.shadowReport(cmd.Context(), cfg, g, runID, tenant)
	if err != nil {
		safef(a.stderr, "piimap: warning: shadow report: %v\n", err)
		return
	}
	line := fmt.Sprintf("shadow processing: %s outside the instructions register", shadowCount(len(rep.Findings)))
	if len(rep.Findings) > 0 {
		line += " (piimap report shadow)"
	}
	if summary {
		safef(a.stdout, "  %s\n", line)
		return
	}
	a.note("%s", line)
}

// shadowCount is "1 finding" or "N findings".
func shadowCount(n int) string {
	if n == 1 {
		return "1 finding"
	}
	return fmt.Sprintf("%d findings", n)
}

// instructionFacts are the configured stores as the register sees them.
func instructionFacts(stores []scanner.StoreConfig) []instructions.StoreFacts {
	out := make([]instructions.StoreFacts, len(stores))
	for i, s := range stores {
		out[i] = instructions.StoreFacts{Name: s.Name, Tenant: s.Tenant, Environment: s.Environment, Region: s.Region, Subprocessor: s.Subprocessor}
	}
	return out
}

// checkInstructions loads and validates the config's register: a missing
// file, an unknown key, a bad glob or a store the config lacks is a
// config error.
func (c *Config) checkInstructions() error {
	if c.Instructions == "" {
		return nil
	}
	_, err := c.loadInstructions()
	return err
}

// loadInstructions reads the register strictly, validates it against the
// configured stores, and checks its PII type names against the types
// piimap knows: the taxonomy and the rules in force (built in and the
// config's rule directories; when those fail to load, their own error is
// reported where they are used, and the names are not checked).
func (c *Config) loadInstructions() (*instructions.Register, error) {
	reg, err := instructions.LoadFor(c.Instructions, instructionFacts(c.Stores))
	if err != nil {
		return nil, err
	}
	var known []string
	for _, t := range lineage.CatalogTerms() {
		known = append(known, t.Type)
	}
	rs, err := rules.Default()
	for _, dir := range c.Rules {
		if err != nil {
			break
		}
		var extra []rules.Rule
		if extra, err = rules.LoadDir(dir); err == nil {
			rs = rules.Combine(rs, extra)
		}
	}
	if err != nil {
		return reg, nil
	}
	for _, r := range rs {
		known = append(known, r.Type)
	}
	if err := reg.CheckTypes(known); err != nil {
		return nil, err
	}
	return reg, nil
}

var regionName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// validateOperator checks a store's region: and subprocessor: fields.
func validateOperator(where string, s scanner.StoreConfig) []error {
	var errs []error
	if s.Region != "" && !regionName.MatchString(s.Region) {
		errs = append(errs, fmt.Errorf("%s: region %q is not a region name (letters, digits, '-', '_' or '.', such as eu or us-east-1)", where, s.Region))
	}
	if s.Subprocessor != "" && (strings.TrimSpace(s.Subprocessor) != s.Subprocessor || strings.ContainsFunc(s.Subprocessor, unicode.IsControl)) {
		errs = append(errs, fmt.Errorf("%s: subprocessor %q has surrounding spaces or control characters (write the name as the register lists it)", where, s.Subprocessor))
	}
	return errs
}
