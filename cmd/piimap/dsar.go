package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/executor/principal"

	_ "github.com/piimap/piimap/executor/duckdb"   // duckdb:// handler
	_ "github.com/piimap/piimap/executor/files"    // file:// handler
	_ "github.com/piimap/piimap/executor/mysql"    // mysql:// handler
	_ "github.com/piimap/piimap/executor/nats"     // nats:// JetStream handler
	_ "github.com/piimap/piimap/executor/postgres" // postgres:// handler
	_ "github.com/piimap/piimap/executor/redis"    // redis:// handler
	_ "github.com/piimap/piimap/executor/s3"       // s3:// handler
)

// service wires the executor over the config's graph and stores.
func (a *app) service() (*executor.Service, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	g, err := a.openGraph()
	if err != nil {
		return nil, err
	}
	return executor.New(g, g, cfg.Stores, executor.Options{PhoneRegion: cfg.PhoneRegion}), nil
}

func (a *app) dsarCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dsar",
		Short: "Data-subject requests: new, attest, plan, approve, run, status, receipt, list, deny, cancel",
		Long: `dsar carries out one subject's request in every store the map knows, derived copies included.

  piimap dsar new --type erasure --subject email=ann@example.com \
      --attested-by "DPO desk" --attest-method id-document   # verified at intake
  piimap dsar plan ID                  # every location with its expected count; gaps listed
  piimap dsar approve ID               # as the approver of PIIMAP_TOKEN; erasure needs two, neither the requester
  piimap dsar run ID                   # a dry run: nothing is written
  piimap dsar run ID --apply           # erase, verify (residual must be 0), sign the receipt
  piimap dsar receipt ID --json

Lifecycle: received → verified → planned → approved → executing → verifying →
completed | completed_with_exceptions | failed | denied | cancelled. A step out of
order is refused with the allowed next steps.

With principals (piimap principal --help) every command acts as the principal of
PIIMAP_TOKEN or --token-file, and --requester/--by may only name that principal.
Without principals the implied local admin acts and --requester/--by name people;
names compare without case, surrounding space or an @domain suffix.

Access and portability runs are read-only and write a package (--out DIR).
Request state lives in the graph directory, so each step can run in its own process.`,
	}
	cmd.AddCommand(a.dsarNew(), a.dsarPlan(), a.dsarApprove(), a.dsarRun(), a.dsarStatus(), a.dsarReceipt(), a.dsarList(),
		a.dsarAttest(), a.dsarDeny(), a.dsarCancel(), a.dsarEvidence())
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

func (a *app) dsarNew() *cobra.Command {
	var in executor.NewRequestInput
	var typ string
	var subjects, changes, modes []string
	var from, until string
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Record a new request (prints its id)",
		Long: `new records a request after checking its identifiers and tenant.

Identifiers (--subject KEY=VALUE, repeatable; several values of one kind are all kept):
  email     a full address (local@domain.tld); a bare domain, @domain, wildcards and
            partial addresses are refused. Compared case-insensitively, as a whole value
            or a whole token in text (ann@example.com never matches joann@example.com).
  phone     a valid, complete number: +1 213 662 5868, or national in phone_region
            (default US). Partial numbers are refused. Compared in E.164 with stored
            numbers read in their store's or field's phone_region.
  user_id   and configured identity names: exact values, matched only in fields the map
            binds to that identity; searched in free text only when distinctive
            (6+ characters mixing letters and digits, or 10+ digits).
A refused identifier exits 2, naming its kind and the reason, never the value.

Attestation: --attested-by WHO --attest-method METHOD records the controller's check
of the subject's identity and the request starts verified; without them it is
received until "piimap dsar attest ID". A second open request of the same type in
the same tenant sharing an identifier is refused unless --allow-duplicate.
Due date: the config's requests.due_days for the type (default 30 days).

Tenant: required when the config serves several tenants, the default when it serves
one; a tenant no store serves is refused. The request touches only that tenant's stores.

Blast radius: an erasure, rectification or restriction whose identifiers select more
than one record of an entity table (a shared mailbox, two accounts) is refused at
approval and at run time unless filed with --allow-multiple N; N is in the plan
digest, so the approvers approve that number.`,
		Example: `  piimap dsar new --type erasure --subject email=ann@example.com --requester alice
  piimap dsar new --type access --tenant acme --subject email=ann@example.com --subject phone=+12136625868
  piimap dsar new --type erasure --subject email=family@example.com --allow-multiple 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in.Type = dsar.Type(typ)
			if !in.Type.Valid() {
				return usageError("dsar new: --type must be access, erasure, rectification, portability or restriction")
			}
			var err error
			if in.Subject, err = subjectValues(subjects); err != nil {
				return err
			}
			if len(in.Subject) == 0 {
				return usageError("dsar new: at least one --subject KEY=VALUE is required")
			}
			if in.AllowMultiple < 0 {
				return usageError("dsar new: --allow-multiple must be a positive count")
			}
			if in.From, err = parseDay("--from", from); err != nil {
				return err
			}
			if in.Until, err = parseDay("--until", until); err != nil {
				return err
			}
			if in.Changes, err = keyValues("--change", changes, strings.Cut); err != nil {
				return err
			}
			mm, err := keyValues("--mode", modes, cutLast) // locations may hold = (day=2026-11-01); modes never do
			if err != nil {
				return err
			}
			for k, v := range mm {
				if in.Modes == nil {
					in.Modes = map[string]driver.Mode{}
				}
				in.Modes[k] = driver.Mode(v)
			}
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			req, err := svc.NewRequest(ctx, in)
			if errors.Is(err, executor.ErrIntake) {
				return usageError("dsar new: %v", err)
			}
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(req)
			}
			fmt.Fprintln(a.stdout, req.ID)
			next := "piimap dsar plan " + req.ID
			if req.Status == dsar.StatusReceived {
				next = "piimap dsar attest " + req.ID + " --attested-by WHO --attest-method METHOD"
			}
			a.note("recorded %s request %s for %s (%s, due %s); next: %s", req.Type, req.ID, maskedSubject(req.Subject),
				req.Status, req.DueAt.Format(time.DateOnly), next)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&typ, "type", "", "access|erasure|rectification|portability|restriction (required)")
	f.StringArrayVar(&subjects, "subject", nil, "subject identifier KEY=VALUE: email, user_id, phone or a configured identity name (required; repeatable; several values of one kind are all kept)")
	f.StringVar(&in.Tenant, "tenant", "", "tenant whose stores the request covers (required when the config serves more than one)")
	f.IntVar(&in.AllowMultiple, "allow-multiple", 0, "erasure, rectification, restriction: accept identifiers that select up to N entity records (default 1; the plan prints the count and approvals cover N)")
	f.StringVar(&in.Requester, "requester", "", "who asks (may not approve); with principals, only your own principal's name")
	f.StringVar(&in.AttestedBy, "attested-by", "", "who verified the subject's identity for the controller (the request starts verified)")
	f.StringVar(&in.AttestMethod, "attest-method", "", "how the identity was verified (id-document, account-login, …)")
	f.StringVar(&from, "from", "", "optional start of the date range the request covers (YYYY-MM-DD)")
	f.StringVar(&until, "until", "", "optional end of the date range the request covers (YYYY-MM-DD)")
	f.BoolVar(&in.AllowDuplicate, "allow-duplicate", false, "file even when an open request of this type shares an identifier")
	f.StringVar(&in.Reason, "reason", "", "why (kept in the request and the audit log)")
	f.StringArrayVar(&changes, "change", nil, "rectification: FIELD_OR_TYPE=NEW_VALUE (repeatable)")
	f.StringArrayVar(&modes, "mode", nil, "erasure mode per location: STORE/ASSET=delete|null|mask|redact|drop|expire (repeatable; STORE or * for all; expire leaves data to the TTL or retention the scan measured)")
	return cmd
}

// subjectValues parses repeated --subject KEY=VALUE flags, keeping every
// value of a kind in the order given. Values are checked by the executor
// (classifiers/identifier); errors here never echo them.
func subjectValues(kvs []string) (piimap.Subject, error) {
	out := piimap.Subject{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return nil, usageError("--subject %q: want KEY=VALUE", maskArg(kv))
		}
		out[k] = append(out[k], v)
	}
	return out, nil
}

// keyValues parses repeated KEY=VALUE flags.
func keyValues(flag string, kvs []string, cut func(s, sep string) (string, string, bool)) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := cut(kv, "=")
		if !ok || k == "" || v == "" {
			return nil, usageError("%s %q: want KEY=VALUE", flag, maskArg(kv))
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// maskArg hides all but the key of a malformed argument: it may be PII.
func maskArg(kv string) string {
	k, _, _ := strings.Cut(kv, "=")
	if len(k) > 16 {
		k = k[:16]
	}
	return k + "=…"
}

func maskedSubject(m map[string][]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range m[k] {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

func (a *app) dsarPlan() *cobra.Command {
	return &cobra.Command{
		Use:     "plan ID",
		Example: "  piimap dsar plan dsar-20261207-101500-1a2b3c4d\n  piimap dsar plan $id --json",
		Short:   "Derive the request's plan from the latest scan: every location, expected counts, gaps",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			p, err := svc.Plan(ctx, args[0])
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(p)
			}
			a.printPlan(p)
			return nil
		},
	}
}

// printPlan prints the plan for a human; every name, masked value, reason
// and evidence is escaped (safef), so none can add a row or a column.
func (a *app) printPlan(p *planning.Plan) {
	safef(a.stdout, "plan for %s (%s), scan run %s, digest %s\n", p.Request, p.Type, p.ScanRun, short(p.Digest))
	for _, id := range p.Identifiers {
		safef(a.stdout, "  identifier %s: %d value(s) %s\n", id.Kind, id.Count, strings.Join(id.Masked, ", "))
	}
	for _, c := range p.Companions {
		safef(a.stdout, "  companion %s: %d value(s) %s from %s; redacted only on text lines the identifiers attribute to the subject\n",
			c.Kind, c.Count, strings.Join(c.Masked, ", "), strings.Join(c.Via, ", "))
	}
	for _, u := range p.Unused {
		safef(a.stdout, "  not used: %s %s of %s/%s#%s, held by %d records (another person's too)\n", u.Kind, u.Masked, u.Store, u.Asset, u.Field, u.Records)
	}
	if p.AllowedRecords > 0 {
		a.printBlast(p)
	}
	tw := a.newTable()
	fmt.Fprintln(tw, "  STORE\tASSET\tACTION\tMODE\tEXPECTED\tMATCH")
	for _, st := range p.Steps() {
		var via []string
		for _, m := range st.Target.Match {
			f := m.Field
			if f == "" {
				f = "(text)"
			}
			via = append(via, f+"~"+m.Kind)
		}
		safef(tw, "  %s\t%s\t%s\t%s\t%d\t%s\n", st.Store, st.Asset, st.Action, st.Target.Mode, st.Expected, strings.Join(via, ","))
	}
	tw.Flush()
	for _, g := range p.Gaps {
		safef(a.stdout, "  gap %s: %s/%s %s: %s\n", g.Kind, g.Store, g.Asset, g.Field, g.Reason)
	}
	for _, e := range p.Exceptions {
		safef(a.stdout, "  exception %s %s: %s/%s: %s%s\n", e.Kind, e.ID, orStar(e.Store), orStar(e.Asset), e.Reason, untilNote(e.ExpiresAt))
	}
	for _, tk := range p.Tasks {
		safef(a.stdout, "  manual task %s: %s/%s (%s): %s\n", tk.Action, tk.Store, tk.Asset, tk.Reason, tk.Instructions)
	}
	for _, sk := range p.Skipped {
		safef(a.stdout, "  skipped %s/%s: %s\n", sk.Store, sk.Asset, sk.Reason)
	}
	if len(p.Lineage) > 0 {
		fmt.Fprintln(a.stdout, "  lineage (derived and copied locations):")
		tw := a.newTable()
		fmt.Fprintln(tw, "    COPY\tOF\tEDGE\tACTION\tEVIDENCE")
		for _, ea := range p.Lineage {
			edge := ea.Kind + "/" + ea.Source
			if ea.Transform != "" {
				edge += "/" + ea.Transform
			}
			safef(tw, "    %s\t%s\t%s\t%s\t%s\n", ea.Copy, ea.Original, edge, ea.Action, ea.Evidence)
		}
		tw.Flush()
	}
}

// printBlast prints the entity records the plan's identifiers resolve to
// and whether the request allows that many (executor/planning/blast.go).
func (a *app) printBlast(p *planning.Plan) {
	if len(p.Entities) == 0 {
		safef(a.stdout, "  entity records: none counted (no entity table with a unique identity column holds these identifiers); allowed %d\n", p.AllowedRecords)
		return
	}
	for _, e := range p.Entities {
		verdict := "ok"
		if e.Records > p.AllowedRecords {
			verdict = fmt.Sprintf("REFUSED: more than the %d allowed; re-file with --allow-multiple %d only if all are the subject's", p.AllowedRecords, e.Records)
		}
		if e.Store == "" {
			safef(a.stdout, "  entity records: %d distinct %s values from %s: %s\n", e.Records, e.Kind, e.Field, verdict)
			continue
		}
		safef(a.stdout, "  entity records: %d in %s/%s#%s (by %s): %s\n", e.Records, e.Store, e.Asset, e.Field, e.Kind, verdict)
	}
}

func short(digest string) string {
	if len(digest) > 19 {
		return digest[:19]
	}
	return digest
}

func (a *app) dsarApprove() *cobra.Command {
	var by string
	cmd := &cobra.Command{
		Use:     "approve ID [--by WHO]",
		Example: "  PIIMAP_TOKEN=$BOB piimap dsar approve $id   # with principals: the token's principal approves\n  piimap dsar approve $id --by bob             # without principals",
		Short:   "Approve the request's current plan (freezes its digest)",
		Long: `approve records one approval of the request's current plan digest. With principals
the approver is your token's principal (--by is not needed, and naming anyone else
is refused); without principals --by names the approver. Erasure, rectification,
restriction and exports above requests.export_four_eyes_records need two distinct
approvers, neither of them the requester.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			req, err := svc.Approve(ctx, args[0], by)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(req)
			}
			safef(a.stdout, "%s: %s (%d of %d approval(s), plan %s)\n", req.ID, req.Status, len(req.Approvals), max(req.ApprovalsRequired, 1), short(req.PlanDigest))
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "approver, without principals (not the requester; erasure needs two different approvers); with principals only your own name")
	return cmd
}

func (a *app) dsarRun() *cobra.Command {
	var ro executor.RunOptions
	cmd := &cobra.Command{
		Use:     "run ID [--apply] [--out DIR]",
		Example: "  piimap dsar run $id                    # dry run: what would change, nothing written\n  piimap dsar run $id --apply            # erase or rectify, verify, sign the receipt\n  piimap dsar run $id --out ./export     # access or portability: write the package",
		Short:   "Execute the approved plan (dry run unless --apply), verify, and sign the receipt",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			if ctx, err = svc.Authorize(ctx, principal.RunRequest, args[0]); err != nil {
				return err
			}
			if ro.OutDir == "" {
				req, err := svc.Status(ctx, args[0])
				if err != nil {
					return err
				}
				if req.Type == dsar.Access || req.Type == dsar.Portability {
					ro.OutDir = req.ID // the default the help names: ./<request id>
				}
			}
			bar := a.newProgress("running", -1)
			var done int64
			ro.Progress = func(e executor.Event) {
				done++
				bar.describe(fmt.Sprintf("%s %s/%s", e.Phase, e.Store, e.Asset))
				bar.set(done, -1)
			}
			rc, err := svc.Execute(ctx, args[0], ro)
			bar.finish()
			if err != nil {
				return err
			}
			if err := a.printReceipt(rc); err != nil {
				return err
			}
			return receiptExit(rc)
		},
	}
	cmd.Flags().BoolVar(&ro.Apply, "apply", false, "write to the stores (default: dry run)")
	cmd.Flags().StringVar(&ro.OutDir, "out", "", "access/portability: package directory (default ./<request id>)")
	return cmd
}

// receiptExit maps a receipt to exit code 3 when anything is left behind.
func receiptExit(rc *evidence.Receipt) error {
	if rc.Status == dsar.StatusExceptions || rc.Status == dsar.StatusFailed || len(rc.Gaps) > 0 {
		return errGaps
	}
	for _, tk := range rc.Tasks {
		if tk.Status == evidence.TaskOpen {
			return errGaps // waiting on manual tasks: not completed yet
		}
	}
	for _, l := range rc.Locations {
		if l.Residual > 0 {
			return errGaps
		}
	}
	return nil
}

// printReceipt prints the receipt (as JSON with --json); names, reasons
// and the package path are escaped (safef).
func (a *app) printReceipt(rc *evidence.Receipt) error {
	if a.jsonOut {
		return a.printJSON(rc)
	}
	mode := ""
	if rc.DryRun {
		mode = " (dry run: nothing written; add --apply)"
	}
	safef(a.stdout, "receipt %s: %s %s%s\n", rc.Request, rc.Type, rc.Status, mode)
	tw := a.newTable()
	purge := false
	for _, l := range rc.Locations {
		purge = purge || l.Purge != ""
	}
	if purge {
		fmt.Fprintln(tw, "  STORE\tASSET\tMODE\tFOUND\tCHANGED\tRESIDUAL\tSTATUS\tBYTES")
	} else {
		fmt.Fprintln(tw, "  STORE\tASSET\tMODE\tFOUND\tCHANGED\tRESIDUAL\tSTATUS")
	}
	for _, l := range rc.Locations {
		changed := l.Changed
		if rc.DryRun {
			changed = l.WouldChange
		}
		if purge {
			bytes := l.Purge
			if l.PurgeAt != nil {
				bytes += " until " + l.PurgeAt.UTC().Format("2006-01-02")
			}
			safef(tw, "  %s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", l.Store, l.Asset, l.Mode, l.Found, changed, l.Residual, l.Status, bytes)
			continue
		}
		safef(tw, "  %s\t%s\t%s\t%d\t%d\t%d\t%s\n", l.Store, l.Asset, l.Mode, l.Found, changed, l.Residual, l.Status)
	}
	tw.Flush()
	for _, l := range rc.Locations {
		if l.Purge != "" && l.Purge != driver.PurgeGone && l.PurgeDetail != "" {
			safef(a.stdout, "  bytes %s: %s/%s: %s\n", l.Purge, l.Store, l.Asset, l.PurgeDetail)
		}
	}
	for _, g := range rc.Gaps {
		where := g.Store + "/" + g.Asset
		if g.Field != "" {
			where += " " + g.Field
		}
		safef(a.stdout, "  gap %s: %s: %s\n", g.Kind, where, g.Reason)
	}
	for _, e := range rc.Exceptions {
		safef(a.stdout, "  exception %s %s: %s/%s: %s%s\n", e.Kind, e.ID, orStar(e.Store), orStar(e.Asset), e.Reason, untilNote(e.ExpiresAt))
	}
	open := 0
	for _, tk := range rc.Tasks {
		if tk.Status == evidence.TaskOpen {
			open++
		}
	}
	if open > 0 {
		safef(a.stdout, "  waiting for %d manual task(s): piimap task list --request %s; then piimap task done ID --note TEXT\n", open, rc.Request)
	}
	for _, tk := range rc.Tasks {
		line := fmt.Sprintf("  manual task %s %s: %s/%s: %s", tk.ID, tk.Action, tk.Store, tk.Asset, tk.Status)
		if tk.By != "" {
			line += " by " + tk.By
		}
		if tk.Note != "" {
			line += ": " + tk.Note
		}
		safef(a.stdout, "%s\n", line)
	}
	if rc.Export != nil {
		safef(a.stdout, "  package: %s (%d files, manifest sha256 %s)\n", rc.Export.Dir, rc.Export.Files, short(rc.Export.ManifestSHA256))
	}
	if rc.Signature != "" {
		safef(a.stdout, "  signed: ed25519 %s\n", short(rc.Signature))
	}
	return nil
}

func (a *app) dsarStatus() *cobra.Command {
	return &cobra.Command{
		Use:     "status ID",
		Example: "  piimap dsar status $id\n  piimap dsar status $id --json",
		Short:   "Show the request and its status history",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			req, err := svc.Status(ctx, args[0])
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(req)
			}
			// Names, notes and subject values are escaped (safef, tsafe).
			safef(a.stdout, "%s: %s request for %s: %s\n", req.ID, req.Type, maskedSubject(req.Subject), req.Status)
			for _, h := range req.History {
				line := fmt.Sprintf("  %s  %-20s", h.At.UTC().Format(time.RFC3339), tsafe(string(h.Status)))
				if h.By != "" {
					line += " by " + tsafe(h.By)
				}
				if h.Note != "" {
					line += ": " + tsafe(h.Note)
				}
				fmt.Fprintln(a.stdout, line)
			}
			a.printRequestFacts(req)
			return nil
		},
	}
}

func (a *app) dsarReceipt() *cobra.Command {
	return &cobra.Command{
		Use:     "receipt ID",
		Example: "  piimap dsar receipt $id\n  piimap dsar receipt $id --json > receipt.json   # then: piimap receipt verify receipt.json",
		Short:   "Print the signed receipt of the request's last run (and check its signature)",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			if ctx, err = svc.Authorize(ctx, principal.ReadReceipt, args[0]); err != nil {
				return err
			}
			rc, err := svc.Receipt(ctx, args[0])
			if err != nil {
				return err
			}
			if err := svc.VerifyReceipt(cmd.Context(), rc); err != nil {
				return fmt.Errorf("receipt %s: %w", rc.Request, err)
			}
			return a.printReceipt(rc)
		},
	}
}
