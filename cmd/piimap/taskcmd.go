package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor"
)

// Manual tasks on the command line: task list, task done
// (executor/tasks.go).

func (a *app) taskCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "task",
		Short: "Manual tasks of requests (stores marked manual, kinds without a handler): list, done",
		Long: `task lists and closes the manual tasks of requests.

A store marked "manual: true" in the config, or one whose kind piimap has no handler
for, is never written by piimap: a run opens one task per location with
instructions (what to do, which fields, the masked identifiers). The request stays
executing until every task is done ("task done ID --note", an operator) or waived
("task done ID --waive --note", an approver who is not the requester); the principal
and the note are entered in the audit log and the signed receipt. A waived task
leaves the request completed_with_exceptions.`,
	}
	cmd.AddCommand(a.taskList(), a.taskDone())
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

func (a *app) taskList() *cobra.Command {
	var f executor.TaskFilter
	var all bool
	cmd := &cobra.Command{
		Use:     "list [--tenant T] [--request ID] [--all]",
		Short:   "List open manual tasks with their instructions (--all: closed ones too)",
		Example: "  piimap task list\n  piimap task list --tenant acme --json\n  piimap task list --request $id --all",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			f.Open = !all
			ts, err := svc.Tasks(ctx, f)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(ts)
			}
			tw := a.newTable()
			fmt.Fprintln(tw, "ID\tTENANT\tSTORE\tASSET\tACTION\tSTATUS\tBY")
			for _, t := range ts {
				safef(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Tenant, t.Store, t.Asset, t.Action, t.Status, orDash(t.ClosedBy))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, t := range ts {
				safef(a.stdout, "\n%s (%s):\n  %s\n", t.ID, t.Reason, t.Instructions)
				if t.Note != "" {
					safef(a.stdout, "  note: %s\n", t.Note)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&f.Tenant, "tenant", "", "only this tenant's tasks")
	cmd.Flags().StringVar(&f.Request, "request", "", "only this request's tasks")
	cmd.Flags().BoolVar(&all, "all", false, "include done and waived tasks")
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (a *app) taskDone() *cobra.Command {
	var note string
	var waive bool
	cmd := &cobra.Command{
		Use:   "done ID --note TEXT [--waive]",
		Short: "Record a manual task as done (operator), or waived with --waive (approver)",
		Example: `  piimap task done dsar-20261207-101500-1a2b3c4d-task-1 --note "deleted 3 rows in the CRM by hand, ticket OPS-812"
  PIIMAP_TOKEN=$BOB piimap task done $task --waive --note "archive is destroyed on 2027-01-31 anyway"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(note) == "" {
				return usageError("task done: --note is required: say what was done (or, with --waive, why not)")
			}
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			t, err := svc.CloseTask(ctx, args[0], note, waive)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(t)
			}
			safef(a.stdout, "%s: %s by %s\n", t.ID, t.Status, t.ClosedBy)
			if st, err := svc.Status(ctx, t.Request); err == nil {
				a.note("request %s: %s", st.ID, st.Status)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "what was done, or why it is waived (required; kept in the audit log and the receipt)")
	cmd.Flags().BoolVar(&waive, "waive", false, "waive the task instead (an approver who is not the requester); the request ends completed_with_exceptions")
	return cmd
}
