package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/principal"
)

func (a *app) dsarEvidence() *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:     "evidence ID --out FILE.zip",
		Example: "  piimap dsar evidence $id --out evidence.zip\n  unzip evidence.zip -d ev && (cd ev && sha256sum -c SHA256SUMS)",
		Short:   "Write the request's evidence pack (zip) and completion notice",
		Long: `evidence writes one zip proving what was done for the request, checkable offline:
the intake (identifiers masked), the attestation, the approved plan, the approvals, the
request's audit entries, the verification results, the signed receipt, the exceptions,
the public key, a completion notice for the controller (notice.md, notice.html: what was
done, in which systems, what was produced, what could not be done and until when),
README.md on how to verify it, and manifest.json and SHA256SUMS with every file's SHA-256.

  piimap dsar evidence ID --out evidence.zip
  unzip evidence.zip -d pack && cd pack && sha256sum -c SHA256SUMS
  piimap receipt verify receipt.json --public-key signing.pub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError("dsar evidence: --out FILE.zip is required")
			}
			if _, err := os.Stat(out); err == nil && !force {
				return fmt.Errorf("dsar evidence: %s exists: choose another --out or add --force", out)
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("dsar evidence: %w", err)
			}
			svc, ctx, err := a.authed(cmd)
			if err != nil {
				return err
			}
			if ctx, err = svc.Authorize(ctx, principal.ReadReceipt, args[0]); err != nil {
				return err
			}
			in, err := svc.Evidence(ctx, args[0])
			if err != nil {
				return fmt.Errorf("dsar evidence %s: %w", args[0], err)
			}
			var buf bytes.Buffer
			if err := evidence.WritePack(&buf, *in); err != nil {
				return fmt.Errorf("dsar evidence %s: %w", args[0], err)
			}
			if dir := filepath.Dir(out); dir != "" {
				if err := os.MkdirAll(dir, 0o700); err != nil {
					return fmt.Errorf("dsar evidence: %w", err)
				}
			}
			if err := evidence.WriteFileAtomic(out, buf.Bytes()); err != nil {
				return fmt.Errorf("dsar evidence: %w", err)
			}
			if a.jsonOut {
				return a.printJSON(map[string]any{"request": args[0], "out": out, "bytes": buf.Len(),
					"receipt": in.Receipt != nil, "audit_entries": len(in.Audit), "audit_chain_ok": in.AuditReport != nil && in.AuditReport.OK})
			}
			a.note("wrote the evidence pack of %s to %s; check it with: unzip, `sha256sum -c SHA256SUMS`, `piimap receipt verify receipt.json --public-key signing.pub`", args[0], out)
			if in.AuditReport != nil && !in.AuditReport.OK {
				a.note("warning: the audit log failed its check (%s): the pack records that in verification.json", in.AuditReport.Problem)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "zip file to write (required)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	return cmd
}
