package main

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/principal"
)

func (a *app) auditCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check the hash-chained audit log: verify, head",
		Long: `audit checks the installation's audit log: every action of the request flow, each entry
linked to the one before by its SHA-256, the last one (the head) signed with the
installation's Ed25519 key. Every append also writes the signed head outside the graph,
to the key directory's audit-head.json (and to $PIIMAP_AUDIT_SINK, an append-only file,
when set), so a log cut short and re-signed still shows.

  piimap audit verify            # exit 0 intact; 1 naming the first bad entry
  piimap audit head > head.json  # pin the current head elsewhere (a ticket, a WORM store)
  piimap audit verify --head head.json --public-key signing.pub`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError("audit: name a subcommand: verify or head")
		},
	}
	cmd.AddCommand(a.auditVerify(), a.auditHead())
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

// auditTrust is what an audit check trusts: the public key and the heads
// kept outside the graph.
type auditTrust struct {
	pub     ed25519.PublicKey
	retired []ed25519.PublicKey
	sinks   []evidence.HeadSink
}

// trust reads the public key (pubFile, else the key directory's) and the
// key directory's head and sinks. With pubFile, a missing key directory
// is no error: an auditor may hold only the graph, the public key and a
// pinned head.
func (a *app) trust(pubFile string) (auditTrust, bool, error) {
	var t auditTrust
	kd, kerr := a.keyDir()
	if kerr == nil {
		keys, err := kd.Keys()
		if err != nil {
			return t, false, err
		}
		t.pub, t.sinks, t.retired = kd.PublicKey(), keys.HeadSinks(), keys.RetiredPublicKeys()
	}
	if pubFile != "" {
		pub, err := readPublicKey(pubFile)
		if err != nil {
			return t, false, err
		}
		t.pub, t.retired = pub, nil
		if kerr != nil {
			cfg, err := a.config()
			if err != nil {
				return t, false, err
			}
			t.sinks = auditSinks(cfg)
		}
		return t, kerr == nil, nil
	}
	if kerr != nil {
		return t, false, fmt.Errorf("%w (or give --public-key FILE to check with a public key alone)", kerr)
	}
	return t, true, nil
}

func readPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w", path, err)
	}
	pub, err := evidence.ParsePublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w (give the signing.pub of the installation's key directory)", path, err)
	}
	return pub, nil
}

func (a *app) auditVerify() *cobra.Command {
	var pubFile string
	var heads []string
	cmd := &cobra.Command{
		Use:     "verify",
		Example: "  piimap audit verify\n  piimap audit verify --json\n  piimap audit verify --public-key signing.pub --head head.json   # an auditor without the key directory",
		Short:   "Check the whole audit chain and its signed heads (exit 1 naming the first bad entry)",
		Long: `verify walks the whole audit log: every entry's hash recomputed, the sequence contiguous
from 1, every entry linked to the one before, the graph's head signed by the installation's
key, and every head kept outside the graph (the key directory's audit-head.json,
$PIIMAP_AUDIT_SINK, --head files) naming an entry of this chain with the same hash.

It exits 0 when the log is intact, and 1 naming the first bad entry and what is wrong
with it: modified, deleted, reordered, truncated, or re-signed with another key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, haveKeys, err := a.trust(pubFile)
			if err != nil {
				return fmt.Errorf("audit verify: %w", err)
			}
			var pinned []evidence.SignedHead
			for _, p := range heads {
				h, err := readHead(p)
				if err != nil {
					return fmt.Errorf("audit verify: %w", err)
				}
				pinned = append(pinned, h)
			}
			if haveKeys {
				// Reading the audit log is the auditor's right.
				if _, err := a.authorizeTenant(cmd, principal.ReadAudit, ""); err != nil {
					return err
				}
			}
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			rep, err := evidence.NewAuditReader(g, t.pub, t.sinks...).Check(cmd.Context(), evidence.CheckOptions{Pinned: pinned, Retired: t.retired})
			if err != nil {
				return fmt.Errorf("audit verify: %w", err)
			}
			if a.jsonOut {
				if err := a.printJSON(rep); err != nil {
					return err
				}
			} else {
				a.printAuditReport(rep)
			}
			if !rep.OK {
				return &exitCodeError{code: exitError, err: fmt.Errorf("audit verify: %s", rep.Problem)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&pubFile, "public-key", "", "check with this public key (PEM, as signing.pub) instead of the key directory's")
	cmd.Flags().StringArrayVar(&heads, "head", nil, "a head printed earlier by `piimap audit head`, to hold the log to (repeatable)")
	return cmd
}

func (a *app) printAuditReport(rep *evidence.AuditReport) {
	if rep.OK {
		safef(a.stdout, "audit log intact: %d entries, signed by key %s\n", rep.Entries, rep.KeySHA)
		if rep.Head != nil {
			safef(a.stdout, "head outside the graph: entry %d, signed %s\n", rep.Head.Seq, rep.Head.At.Format(time.RFC3339))
		}
	} else {
		safef(a.stdout, "audit log TAMPERED: %s\n", rep.Problem.String())
		safef(a.stdout, "(%d entries in the graph; key %s)\n", rep.Entries, rep.KeySHA)
	}
	for _, n := range rep.Notes {
		safef(a.stdout, "note: %s\n", n)
	}
}

func readHead(path string) (evidence.SignedHead, error) {
	var h evidence.SignedHead
	b, err := os.ReadFile(path)
	if err != nil {
		return h, fmt.Errorf("head %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &h); err != nil || h.Sig == "" {
		return h, fmt.Errorf("head %s is not a head printed by `piimap audit head`", path)
	}
	return h, nil
}

func (a *app) auditHead() *cobra.Command {
	return &cobra.Command{
		Use:     "head",
		Example: "  piimap audit head > head.json       # pin it in a ticket or a write-once store\n  piimap audit verify --head head.json  # later: the log still reaches that head",
		Short:   "Print the audit log's current signed head (JSON), for pinning elsewhere",
		Long: `head prints the newest signed head kept outside the graph: the last entry's sequence
number and hash, when it was appended, the public key and the Ed25519 signature. Keep it
somewhere the installation cannot rewrite (a ticket, an e-mail, a WORM bucket); later,
` + "`piimap audit verify --head FILE`" + ` proves the log still holds that entry unchanged.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, _, err := a.trust("")
			if err != nil {
				return fmt.Errorf("audit head: %w", err)
			}
			if _, err := a.authorizeTenant(cmd, principal.ReadAudit, ""); err != nil {
				return err
			}
			h, err := evidence.NewAuditReader(nil, t.pub, t.sinks...).ExternalHead()
			if err != nil {
				return fmt.Errorf("audit head: %w", err)
			}
			if h == nil {
				return fmt.Errorf("audit head: no signed head yet: the audit log is empty (the first request or principal change writes one)")
			}
			return a.printJSON(h)
		},
	}
}
