package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/planning"
)

// Legal holds on the command line: hold add, hold list, hold release
// (executor/holds.go). A hold keeps erasures and rectifications from
// changing what it covers; the plan shows it and the receipt names it.

func (a *app) holdCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hold",
		Short: "Legal holds that keep erasure away from a tenant, store, asset or subject: add, list, release",
		Long: `hold manages the legal holds of the exceptions register.

A hold covers a tenant's stores, narrowed by --store, by --asset (a glob over asset
names such as "public.orders" or "logs/*") and by --subject (only that subject's
requests; the identifier is kept as a keyed HMAC and a masked form, never raw).
While a hold is in force, an erasure or rectification does not touch what it covers:
the plan lists it as an exception, the step is not executed, and the receipt ends
completed_with_exceptions naming the hold. --until DATE ends it after that day;
"hold release" ends it at once and keeps it, released, as evidence.
Adding and releasing need an approver (or admin) of the tenant.`,
	}
	cmd.AddCommand(a.holdAdd(), a.holdList(), a.holdRelease())
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

// parseDate reads a YYYY-MM-DD (or RFC 3339) flag value; endOfDay moves a
// bare date to the end of that day (an "until" date includes the day).
func parseDate(cmdName, flag, v string, endOfDay bool) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		t = t.UTC()
		return &t, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, usageError("%s: %s %q: want a date as YYYY-MM-DD", cmdName, flag, tsafe(v))
	}
	if endOfDay {
		t = t.Add(24*time.Hour - time.Second) // 23:59:59 UTC of that day
	}
	return &t, nil
}

func (a *app) holdAdd() *cobra.Command {
	var in executor.HoldInput
	var subjects []string
	var until string
	cmd := &cobra.Command{
		Use:   "add --tenant T [--subject KIND=VALUE] [--store S] [--asset GLOB] --reason R [--until DATE]",
		Short: "Place a legal hold: erasure skips what it covers until it is released",
		Example: `  piimap hold add --tenant acme --store wh --asset 'main.orders' --reason "litigation 2026-14"
  piimap hold add --tenant acme --subject email=ann@example.com --reason "tax audit" --until 2027-06-30
  piimap hold add --tenant acme --reason "regulator inquiry: freeze every store" --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(in.Reason) == "" {
				return usageError("hold add: --reason is required")
			}
			var err error
			if in.Until, err = parseDate("hold add", "--until", until, true); err != nil {
				return err
			}
			if len(subjects) > 0 {
				if in.Subject, err = subjectValues(subjects); err != nil {
					return err
				}
			}
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			h, err := svc.AddHold(ctx, in)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(h)
			}
			safef(a.stdout, "%s\n", h.ID)
			a.note("hold %s: %s", h.ID, holdScope(h))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.Tenant, "tenant", "", "tenant the hold applies to (required when the config serves several)")
	f.StringArrayVar(&subjects, "subject", nil, "only this subject's requests: KIND=VALUE (email, user_id, phone, configured identity names); repeatable")
	f.StringVar(&in.Store, "store", "", "only this store (default: every store of the tenant)")
	f.StringVar(&in.Asset, "asset", "", "only assets matching this glob (table, object key, key pattern, stream)")
	f.StringVar(&in.Reason, "reason", "", "why (required; kept in the register, the plan, the receipt and the audit log)")
	f.StringVar(&until, "until", "", "the hold ends after this day (YYYY-MM-DD); default: until released")
	return cmd
}

// holdScope describes what a hold covers, for people.
func holdScope(h planning.Exception) string {
	var subj []string
	for _, id := range h.Subject {
		subj = append(subj, id.Kind+"="+id.Masked)
	}
	s := fmt.Sprintf("tenant %s, store %s, asset %s", orStar(h.Tenant), orStar(h.Store), orStar(h.Asset))
	if len(subj) > 0 {
		s += ", subject " + strings.Join(subj, ",")
	}
	return s + untilNote(h.ExpiresAt)
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// untilNote is " (until DATE)" for an exception with an expiry.
func untilNote(t *time.Time) string {
	if t == nil {
		return ""
	}
	return " (until " + t.UTC().Format(time.RFC3339) + ")"
}

func (a *app) holdList() *cobra.Command {
	var tenant string
	var all bool
	cmd := &cobra.Command{
		Use:     "list [--tenant T] [--all]",
		Short:   "List legal holds in force (--all: released and lapsed ones too)",
		Example: "  piimap hold list\n  piimap hold list --tenant acme --all --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			hs, err := svc.Holds(ctx, tenant)
			if err != nil {
				return err
			}
			now := time.Now()
			shown := []planning.Exception{}
			for _, h := range hs {
				if all || h.Active(now) {
					shown = append(shown, h)
				}
			}
			if a.jsonOut {
				return a.printJSON(shown)
			}
			tw := a.newTable()
			fmt.Fprintln(tw, "ID\tTENANT\tSTORE\tASSET\tSUBJECT\tUNTIL\tSTATE\tBY\tREASON")
			for _, h := range shown {
				var subj []string
				for _, id := range h.Subject {
					subj = append(subj, id.Kind+"="+id.Masked)
				}
				until, state := "-", "in force"
				if h.ExpiresAt != nil {
					until = h.ExpiresAt.UTC().Format(time.DateOnly)
					if !now.Before(*h.ExpiresAt) {
						state = "lapsed"
					}
				}
				if h.Released != nil {
					state = "released " + h.Released.At.UTC().Format(time.DateOnly) + " by " + h.Released.By
				}
				safef(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.ID, orStar(h.Tenant), orStar(h.Store), orStar(h.Asset),
					orStar(strings.Join(subj, ",")), until, state, h.By, h.Reason)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "only this tenant's holds")
	cmd.Flags().BoolVar(&all, "all", false, "include released and lapsed holds")
	return cmd
}

func (a *app) holdRelease() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:     "release ID --reason R",
		Short:   "Release a legal hold (it stays in the register as evidence)",
		Example: `  piimap hold release hold-20261207-101500-1a2b3c4d --reason "case closed"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usageError("hold release: --reason is required")
			}
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			h, err := svc.ReleaseHold(ctx, args[0], reason)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(h)
			}
			safef(a.stdout, "%s: released by %s\n", h.ID, h.Released.By)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the hold ends (required; kept in the register and the audit log)")
	return cmd
}
