package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
)

// The request lifecycle on the command line besides plan, approve and run
// (dsar.go): attest, deny, cancel and list.

// parseDay reads an optional YYYY-MM-DD flag value.
func parseDay(flag, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, usageError("dsar new: %s %q: want a date as YYYY-MM-DD", flag, tsafe(v))
	}
	return &t, nil
}

// printRequestFacts prints a request's intake facts for `dsar status`.
func (a *app) printRequestFacts(r *executor.Request) {
	now := time.Now().UTC()
	safef(a.stdout, "  tenant %s, requester %s, filed %s, due %s%s\n", r.Tenant, r.Requester,
		r.CreatedAt.Format(time.DateOnly), r.DueAt.Format(time.DateOnly), overdueMark(r, now))
	if at := r.Attestation; at != nil {
		safef(a.stdout, "  identity attested by %s (%s) at %s, recorded by %s\n", at.By, at.Method, at.At.Format(time.RFC3339), at.RecordedBy)
	}
	if r.Reason != "" {
		safef(a.stdout, "  reason: %s\n", r.Reason)
	}
	for _, ap := range r.Approvals {
		safef(a.stdout, "  approved by %s at %s (plan %s)\n", ap.By, ap.At.Format(time.RFC3339), short(ap.Digest))
	}
	if next := r.Status.Next(); len(next) > 0 {
		var names []string
		for _, n := range next {
			names = append(names, string(n))
		}
		safef(a.stdout, "  next: %s\n", strings.Join(names, ", "))
	}
}

func overdueMark(r *executor.Request, now time.Time) string {
	if r.Overdue(now) {
		return " (OVERDUE)"
	}
	return ""
}

func (a *app) dsarAttest() *cobra.Command {
	var by, method string
	cmd := &cobra.Command{
		Use:     "attest ID --attested-by WHO --attest-method METHOD",
		Example: "  piimap dsar attest $id --attested-by \"privacy desk\" --attest-method id-document",
		Short:   "Record the controller's check of the subject's identity (received → verified)",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(by) == "" || strings.TrimSpace(method) == "" {
				return usageError("dsar attest: --attested-by and --attest-method are both required")
			}
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			req, err := svc.Attest(ctx, args[0], by, method)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(req)
			}
			safef(a.stdout, "%s: %s\n", req.ID, req.Status)
			a.note("next: piimap dsar plan %s", req.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "attested-by", "", "who verified the subject's identity for the controller (required)")
	cmd.Flags().StringVar(&method, "attest-method", "", "how (id-document, account-login, …) (required)")
	return cmd
}

// dsarClose is dsar deny and dsar cancel.
// closeFunc is Service.Deny or Service.Cancel.
type closeFunc func(svc *executor.Service, ctx context.Context, id, reason string) (*executor.Request, error)

// dsarClose is dsar deny and dsar cancel.
func (a *app) dsarClose(name, short string, do closeFunc) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:     name + " ID --reason TEXT",
		Example: "  piimap dsar " + name + " $id --reason \"the subject withdrew the request by phone\"",
		Short:   short,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usageError("dsar %s: --reason is required (it is kept in the audit log)", name)
			}
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			req, err := do(svc, ctx, args[0], reason)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(req)
			}
			safef(a.stdout, "%s: %s\n", req.ID, req.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (required; kept in the request and the audit log)")
	return cmd
}

func (a *app) dsarDeny() *cobra.Command {
	return a.dsarClose("deny", "Deny the request (an approver's decision not to act); --reason required",
		func(svc *executor.Service, ctx context.Context, id, reason string) (*executor.Request, error) {
			return svc.Deny(ctx, id, reason)
		})
}

func (a *app) dsarCancel() *cobra.Command {
	return a.dsarClose("cancel", "Cancel the request before it runs (withdrawn, duplicate, …); --reason required",
		func(svc *executor.Service, ctx context.Context, id, reason string) (*executor.Request, error) {
			return svc.Cancel(ctx, id, reason)
		})
}

// listedRequest is one row of `dsar list --json`: the request with its
// age, due date and whether it is overdue.
type listedRequest struct {
	*executor.Request
	AgeDays int  `json:"age_days"`
	Overdue bool `json:"overdue"`
}

func (a *app) dsarList() *cobra.Command {
	var tenant, status, typ string
	cmd := &cobra.Command{
		Use:     "list [--tenant T] [--status S] [--type T]",
		Example: "  piimap dsar list\n  piimap dsar list --status planned --type erasure\n  piimap dsar list --tenant acme --json",
		Short:   "List requests (oldest first) with age, due date and overdue",
		Long: `list prints the requests you may read (with principals: your tenant's), oldest first,
with their age in days, due date and whether they are overdue (open past due).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if typ != "" && !dsar.Type(typ).Valid() {
				return usageError("dsar list: --type must be access, erasure, rectification, portability or restriction")
			}
			if status != "" && !dsar.Status(status).Valid() {
				var names []string
				for _, s := range dsar.Statuses {
					names = append(names, string(s))
				}
				return usageError("dsar list: --status must be one of %s", strings.Join(names, ", "))
			}
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			reqs, err := svc.List(ctx, executor.ListFilter{Tenant: tenant, Status: dsar.Status(status), Type: dsar.Type(typ)})
			if err != nil {
				return err
			}
			now := time.Now().UTC()
			rows := []listedRequest{}
			for _, r := range reqs {
				rows = append(rows, listedRequest{Request: r, AgeDays: int(r.Age(now).Hours() / 24), Overdue: r.Overdue(now)})
			}
			if a.jsonOut {
				return a.printJSON(rows)
			}
			tw := a.newTable()
			fmt.Fprintln(tw, "ID\tTENANT\tTYPE\tSTATUS\tAGE\tDUE\tOVERDUE\tSUBJECT")
			for _, r := range rows {
				over := ""
				if r.Overdue {
					over = "overdue"
				}
				safef(tw, "%s\t%s\t%s\t%s\t%dd\t%s\t%s\t%s\n", r.ID, r.Tenant, r.Type, r.Status, r.AgeDays,
					r.DueAt.Format(time.DateOnly), over, maskedSubject(r.Subject)) // escaped: no extra column or line
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&tenant, "tenant", "", "only this tenant's requests")
	f.StringVar(&status, "status", "", "only requests in this status (received, verified, planned, approved, executing, verifying, completed, completed_with_exceptions, failed, denied, cancelled)")
	f.StringVar(&typ, "type", "", "only requests of this type")
	return cmd
}
