package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func (a *app) initCommand() *cobra.Command {
	var example, out string
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented piimap.yaml to start from",
		Long: `init writes a commented piimap.yaml. --example local writes one for the services of a
development machine on loopback: PostgreSQL :5432, MariaDB :3306, Redis :6379,
S3 (versitygw) :7070 and NATS JetStream :4222.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			body, ok := configExamples[example]
			if !ok {
				return usageError("init: unknown --example %q (available: default, local)", example)
			}
			if _, err := parseConfig(body, "."); err != nil {
				return fmt.Errorf("init: the built-in example is invalid: %w", err)
			}
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(out, flags, 0o644)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("init: %s exists (use --force to overwrite)", out)
			}
			if err != nil {
				return fmt.Errorf("init: %w", err)
			}
			if _, err := f.Write(body); err != nil {
				f.Close()
				return fmt.Errorf("init: write %s: %w", out, err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("init: %w", err)
			}
			a.note("wrote %s: edit its stores, then run `piimap scan`", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&example, "example", "default", "which example to write: default (a directory and a DuckDB file) or local (the loopback Postgres, MariaDB, Redis, S3 and NATS of a development machine)")
	cmd.Flags().StringVar(&out, "out", defaultConfigPath, "file to write")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	return cmd
}
