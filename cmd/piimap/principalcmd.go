package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/principal"
)

// Principals, tokens and roles on the command line. Every command that
// reads or changes requests, receipts or the map acts as the principal of
// its token (PIIMAP_TOKEN, or --token-file); while no principal exists,
// the implied local admin acts (executor/principal).

// token is the caller's bearer token: --token-file, else $PIIMAP_TOKEN.
func (a *app) token() (string, error) {
	if a.tokenFile != "" {
		b, err := os.ReadFile(a.tokenFile)
		if err != nil {
			return "", fmt.Errorf("token file %s: %w", a.tokenFile, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return strings.TrimSpace(os.Getenv("PIIMAP_TOKEN")), nil
}

// actAs authenticates the caller for cmd: the returned context acts as the
// token's principal (or the implied local admin while none exists). A
// missing, unknown or revoked token is refused and recorded in the audit
// log.
func (a *app) actAs(cmd *cobra.Command, svc *executor.Service) (context.Context, principal.Principal, error) {
	tok, err := a.token()
	if err != nil {
		return cmd.Context(), principal.Principal{}, err
	}
	return svc.Authenticate(cmd.Context(), tok, cmd.CommandPath())
}

// authed is service then actAs: the executor and a context acting as the
// caller's principal.
func (a *app) authed(cmd *cobra.Command) (*executor.Service, context.Context, error) {
	svc, err := a.service()
	if err != nil {
		return nil, nil, err
	}
	pol, err := a.policy()
	if err != nil {
		return nil, nil, err
	}
	svc.SetPolicy(pol)
	ctx, _, err := a.actAs(cmd, svc)
	if err != nil {
		return nil, nil, err
	}
	return svc, ctx, nil
}

// authorizeTenant authenticates the caller and checks act on tenant, for
// commands that read or change the map. An empty tenant means the
// caller's own: every tenant for a principal of all ("*"), else its one
// tenant. It returns the tenant acted on ("" for every tenant).
func (a *app) authorizeTenant(cmd *cobra.Command, act principal.Action, tenant string) (string, error) {
	svc, ctx, err := a.authed(cmd)
	if err != nil {
		return "", err
	}
	if tenant == "" {
		p, _ := principal.FromContext(ctx)
		tenant = p.Tenant
	}
	if _, _, err := svc.AuthorizeTenant(ctx, act, tenant); err != nil {
		return "", err
	}
	if tenant == principal.AllTenants {
		tenant = ""
	}
	return tenant, nil
}

func (a *app) principalCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "principal",
		Short: "Principals, their tokens and roles: add, list, revoke",
		Long: `principal manages who may act on this installation.

Each principal has a name, one tenant (or * for every tenant) and one role:
` + roleTable() + `
A token is printed once by "principal add" and only its hash is kept. Commands act
as the principal of PIIMAP_TOKEN (or --token-file FILE).

Bootstrap: while no principal exists, an implied admin of every tenant named
"local" acts, so the first "principal add" needs no token. Add an admin of every
tenant first and keep its token; from then on every command needs a token.`,
	}
	cmd.AddCommand(a.principalAdd(), a.principalList(), a.principalRevoke())
	return cmd
}

// roleTable prints principal.Permissions for the help text.
func roleTable() string {
	var b strings.Builder
	for _, r := range principal.Roles {
		var acts []string
		for _, act := range principal.Permissions[r] {
			acts = append(acts, string(act))
		}
		fmt.Fprintf(&b, "  %-10s %s\n", r, strings.Join(acts, ", "))
	}
	return b.String()
}

// addedPrincipal is what `principal add --json` prints.
type addedPrincipal struct {
	principal.Principal
	Token string `json:"token"`
}

func (a *app) principalAdd() *cobra.Command {
	var tenant, role string
	cmd := &cobra.Command{
		Use:   "add NAME --tenant T --role requester|approver|operator|auditor|admin",
		Short: "Add a principal and print its token (once)",
		Example: `  piimap principal add root --tenant '*' --role admin        # the first one: no token needed
  PIIMAP_TOKEN=pmt_… piimap principal add bob --tenant acme --role approver`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if tenant == "" {
				return usageError("principal add: --tenant is required (a tenant, or '*' for every tenant)")
			}
			if !principal.Role(role).Valid() {
				return usageError("principal add: --role must be requester, approver, operator, auditor or admin")
			}
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			p, tok, err := svc.AddPrincipal(ctx, args[0], tenant, principal.Role(role))
			if errors.Is(err, principal.ErrName) {
				return usageError("principal add: %v", err)
			}
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(addedPrincipal{Principal: p, Token: tok})
			}
			fmt.Fprintln(a.stdout, tok)
			a.note("added principal %s (%s, tenant %s). The token above is shown only once: hand it to %s, who sets PIIMAP_TOKEN to it.",
				p.Name, p.Role, p.Tenant, p.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "the tenant the principal acts for ('*': every tenant) (required)")
	cmd.Flags().StringVar(&role, "role", "", "requester|approver|operator|auditor|admin (required)")
	return cmd
}

func (a *app) principalList() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Example: "  piimap principal list\n  piimap principal list --json",
		Short:   "List principals (never their tokens)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			ps, err := svc.ListPrincipals(ctx)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(ps)
			}
			tw := a.newTable()
			fmt.Fprintln(tw, "NAME\tTENANT\tROLE\tCREATED\tSTATUS")
			for _, p := range ps {
				status := "active"
				if p.Revoked {
					status = "revoked"
					if p.RevokedAt != nil {
						status += " " + p.RevokedAt.Format(time.DateOnly)
					}
				}
				safef(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, p.Tenant, p.Role, p.CreatedAt.Format(time.DateOnly), status)
			}
			tw.Flush()
			if len(ps) == 0 {
				a.note("no principals: the implied local admin acts. Add the first: piimap principal add NAME --tenant '*' --role admin")
			}
			return nil
		},
	}
}

func (a *app) principalRevoke() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:     "revoke NAME [--reason TEXT]",
		Example: "  piimap principal revoke bob --reason \"left the team\"",
		Short:   "Revoke a principal: its token is refused from now on",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			p, err := svc.RevokePrincipal(ctx, args[0], reason)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(p)
			}
			safef(a.stdout, "revoked principal %s (%s, tenant %s)\n", p.Name, p.Role, p.Tenant)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (kept in the audit log)")
	return cmd
}

// groupRunE makes a command that only groups subcommands refuse an
// unknown subcommand with a usage error (exit 2) instead of printing its
// help and exiting 0.
func groupRunE(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownCommand(cmd, args[0])
	}
	return cmd.Help()
}

// unknownCommand is the usage error for an unknown subcommand of cmd,
// with the nearest ones cobra suggests.
func unknownCommand(cmd *cobra.Command, name string) error {
	hint := ""
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if sug := cmd.SuggestionsFor(name); len(sug) > 0 {
		hint = fmt.Sprintf("; did you mean %q?", sug[0])
	}
	return usageError("unknown command %q for `%s`%s (see `%s --help`)", name, cmd.CommandPath(), hint, cmd.CommandPath())
}

// strictGroups sets groupRunE on every command under root that has
// subcommands and no action of its own, and makes root refuse unknown
// commands as usage errors.
func strictGroups(c *cobra.Command) {
	for _, sub := range c.Commands() {
		strictGroups(sub)
	}
	if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		c.RunE = groupRunE
		if !c.HasParent() {
			c.Args = func(cmd *cobra.Command, args []string) error {
				if len(args) > 0 {
					return unknownCommand(cmd, args[0])
				}
				return nil
			}
		}
	}
}
