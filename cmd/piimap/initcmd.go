package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor/evidence"
)

func (a *app) initCommand() *cobra.Command {
	var example, out string
	var force, rotate bool
	cmd := &cobra.Command{
		Use:     "init",
		Example: "  piimap init                       # piimap.yaml and the key directory beside it\n  piimap init --example local       # an example for the loopback test services\n  piimap init --rotate-signing-key  # new signing key; old receipts keep verifying",
		Short:   "Write a commented piimap.yaml and create the key directory",
		Long: `init writes a commented piimap.yaml (unless it exists) and creates the key directory
outside the graph: mode 0700, holding the installation (sealing) key, the Ed25519 signing
key, its public key signing.pub and, later, the last signed audit head (files 0600).
The key directory is keys: in the config, else $PIIMAP_KEYS, else piimap-keys beside
the config. Back it up apart from the graph (docs/TRUST_MODEL.md).

On an existing config, init keeps the file and only sets up the key directory. A graph
from before key directories, which still holds its keys, has them moved into the new key
directory and removed from the graph; the move is recorded in the audit log. Run it once
after upgrading.

--rotate-signing-key replaces the signing key in an existing key directory; the old
public key stays there as retired-signing-<fingerprint>.pub, so receipts and audit heads
it signed still verify, and the rotation is recorded in the audit log
(docs/TRUST_MODEL.md, "Rotation").

--example local writes a config for the services of a development machine on loopback:
PostgreSQL :5432, MariaDB :3306, Redis :6379, S3 (versitygw) :7070 and NATS JetStream :4222.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			body, ok := configExamples[example]
			if !ok {
				return usageError("init: unknown --example %q (available: default, local)", example)
			}
			if _, err := parseConfig(body, "."); err != nil {
				return fmt.Errorf("init: the built-in example is invalid: %w", err)
			}
			if !cmd.Flags().Changed("out") && a.configPath != "" {
				out = a.configPath // piimap --config FILE init
			}
			wrote, err := writeExample(out, body, force)
			if err != nil {
				return err
			}
			a.configPath = out
			cfg, err := a.config()
			if err != nil {
				return fmt.Errorf("init: %w", err)
			}
			kd, what, err := a.setupKeys(cmd.Context(), cfg, "piimap init")
			if err != nil {
				return fmt.Errorf("init: key directory: %w", err)
			}
			if wrote {
				a.note("wrote %s: edit its stores, then run `piimap scan`", out)
			} else {
				a.note("kept %s (use --force to overwrite it with the example)", out)
			}
			if rotate {
				if what != evidence.SetupExisting {
					return fmt.Errorf("init: --rotate-signing-key: the key directory %s was just created: there is nothing to rotate", kd.Path())
				}
				g, err := a.openGraph()
				if err != nil {
					return fmt.Errorf("init: --rotate-signing-key: %w", err)
				}
				old := evidence.KeyFingerprint(kd.PublicKey())
				nkd, err := evidence.RotateSigningKey(cmd.Context(), kd, g, "piimap init")
				if err != nil {
					return fmt.Errorf("init: --rotate-signing-key: %w", err)
				}
				a.note("rotated the signing key: %s retired (its public key kept in %s), new key %s in %s; distribute the new signing.pub",
					old, nkd.Path(), evidence.KeyFingerprint(nkd.PublicKey()), nkd.PublicKeyPath())
				return nil
			}
			switch what {
			case evidence.SetupCreated:
				a.note("created the key directory %s (installation key, signing key, public key %s): back it up apart from the graph", kd.Path(), kd.PublicKeyPath())
			case evidence.SetupMigrated:
				a.note("moved the graph's keys into the key directory %s and removed them from the graph (recorded in the audit log); back it up apart from the graph", kd.Path())
			default:
				a.note("key directory %s is in place (public key %s)", kd.Path(), kd.PublicKeyPath())
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&example, "example", "default", "which example to write: default (a directory and a DuckDB file) or local (the loopback Postgres, MariaDB, Redis, S3 and NATS of a development machine)")
	cmd.Flags().StringVar(&out, "out", defaultConfigPath, "file to write")
	cmd.Flags().BoolVar(&rotate, "rotate-signing-key", false, "replace the signing key of the existing key directory (the old public key is kept for verification)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing config file (the key directory is never overwritten)")
	return cmd
}

// writeExample writes the example config to out unless it exists (then
// it reports false), or over it with force.
func writeExample(out string, body []byte, force bool) (bool, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(out, flags, 0o644)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("init: %w", err)
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return false, fmt.Errorf("init: write %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("init: %w", err)
	}
	return true, nil
}
