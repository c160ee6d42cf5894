package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage/badgerstore"

	_ "github.com/piimap/piimap/scanner/duckdb"   // duckdb:// stores
	_ "github.com/piimap/piimap/scanner/files"    // file:// stores
	_ "github.com/piimap/piimap/scanner/mysql"    // mysql:// and mariadb:// stores
	_ "github.com/piimap/piimap/scanner/nats"     // nats:// JetStream streams
	_ "github.com/piimap/piimap/scanner/postgres" // postgres:// stores
	_ "github.com/piimap/piimap/scanner/redis"    // redis:// key patterns
	_ "github.com/piimap/piimap/scanner/s3"       // s3:// buckets
)

// app holds the global flags and what the commands open lazily.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	configPath string
	jsonOut    bool
	quiet      bool
	verbose    bool

	cfg   *Config
	graph *badgerstore.Store
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "piimap",
		Short: "Find personal data in every store, map it, and carry out data-subject requests",
		Long: `piimap scans databases, warehouses, files and logs for personal data (PII),
keeps a living PII location map (a lineage graph in Badger), and uses that map to
carry out one subject's access, erasure, rectification and portability requests
in every store, with plans, approvals, verification and signed receipts.

Exit codes: 0 ok, 1 error, 2 usage, 3 completed with gaps or residuals.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.configPath, "config", "", "config file (default ./piimap.yaml, or $PIIMAP_CONFIG)")
	pf.BoolVar(&a.jsonOut, "json", false, "print machine-readable JSON")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print only results: no progress, no notes")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log what piimap does to stderr")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	root.AddCommand(a.demoCommand(), a.initCommand(), a.scanCommand(), a.classifyCommand(), a.mapCommand(),
		a.dsarCommand(), a.lineageCommand(), a.diffCommand())
	for _, c := range root.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return root
}

// wrapArgs turns cobra's positional-argument errors into usage errors.
func wrapArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	if v == nil {
		return nil
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageError("%s: %v", cmd.CommandPath(), err)
		}
		return nil
	}
}

func (a *app) logger() *slog.Logger {
	level := slog.LevelWarn
	if a.verbose {
		level = slog.LevelInfo
	}
	if a.quiet {
		level = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
}

// config loads the config once: --config, $PIIMAP_CONFIG, ./piimap.yaml.
func (a *app) config() (*Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	path := a.configPath
	if path == "" {
		path = os.Getenv("PIIMAP_CONFIG")
	}
	if path == "" {
		path = defaultConfigPath
	}
	cfg, err := loadConfig(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && a.configPath == "" {
			return nil, fmt.Errorf("%w (run `piimap init` to write one, or `piimap demo` to try piimap without one)", err)
		}
		return nil, err
	}
	a.cfg = cfg
	return cfg, nil
}

// openGraph opens the config's Badger directory once.
func (a *app) openGraph() (*badgerstore.Store, error) {
	if a.graph != nil {
		return a.graph, nil
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	g, err := badgerstore.Open(cfg.Graph)
	if err != nil {
		return nil, fmt.Errorf("graph %s: %w", cfg.Graph, err)
	}
	a.graph = g
	return g, nil
}

// engine compiles the embedded rules plus extra rule directories.
func (a *app) engine(extraDirs []string) (*classifiers.Engine, error) {
	return classifiers.Default(classifiers.Options{}, extraDirs...)
}

func (a *app) close() {
	if a.graph != nil {
		if err := a.graph.Close(); err != nil {
			fmt.Fprintln(a.stderr, "piimap: close graph:", err)
		}
		a.graph = nil
	}
}

// printJSON writes v as indented JSON.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// note prints a human-readable line to stderr unless --quiet or --json.
func (a *app) note(format string, args ...any) {
	if a.quiet {
		return
	}
	fmt.Fprintf(a.stderr, format+"\n", args...)
}
