package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
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
	// ttyOut and ttyErr are stdout and stderr when they are terminals;
	// stdout and stderr are then termWriters around them. Terminal checks
	// (the map's default format, the progress bar) use these.
	ttyOut, ttyErr *os.File

	configPath string
	jsonOut    bool
	quiet      bool
	verbose    bool
	// tokenFile holds the caller's token (--token-file); else $PIIMAP_TOKEN.
	tokenFile string

	cfg   *Config
	graph *badgerstore.Store
}

// newApp sets up an app on the given streams. A stream that is a terminal
// is wrapped in a termWriter, a safety net under the escaping that every
// printed value gets (lineage.TermSafe); pipes and files are written as
// they are, so binary or machine output is never altered.
func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	if f := terminal(stdout); f != nil {
		a.ttyOut, a.stdout = f, termWriter{f}
	}
	if f := terminal(stderr); f != nil {
		a.ttyErr, a.stderr = f, termWriter{f}
	}
	return a
}

// terminal returns w as a file when it is a terminal, else nil.
func terminal(w io.Writer) *os.File {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return f
	}
	return nil
}

// termWriter writes to a terminal with every C0 control byte except tab
// and newline, and DEL, replaced by its lineage.TermSafe escape (ESC
// becomes the four characters \x1b), so no escape sequence, carriage
// return or bell can reach the terminal even from a value that missed its
// escaping. It works byte by byte, so a sequence split across writes is
// caught as well. It leaves tabs and newlines (the layout of tables) and
// UTF-8 alone: C1 controls and bidi characters are escaped where values
// are printed, not here.
type termWriter struct{ w io.Writer }

// termByte is the escape of each byte termWriter replaces, "" for the
// others.
var termByte = func() (t [0x80]string) {
	for c := range t {
		if (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f {
			t[c] = lineage.TermSafe(string(rune(c)))
		}
	}
	return t
}()

func (t termWriter) Write(p []byte) (int, error) {
	i := 0
	for i < len(p) && (p[i] >= 0x80 || termByte[p[i]] == "") {
		i++
	}
	if i == len(p) {
		return t.w.Write(p)
	}
	out := make([]byte, i, len(p)+16)
	copy(out, p[:i])
	for _, c := range p[i:] {
		if c < 0x80 && termByte[c] != "" {
			out = append(out, termByte[c]...)
		} else {
			out = append(out, c)
		}
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
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
	pf.StringVar(&a.tokenFile, "token-file", "", "file holding your principal's token (default: $PIIMAP_TOKEN); not needed while no principal exists")
	root.SetFlagErrorFunc(flagError)
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(a.demoCommand(), a.initCommand(), a.scanCommand(), a.classifyCommand(), a.mapCommand(),
		a.dsarCommand(), a.lineageCommand(), a.diffCommand(), a.reportCommand(),
		a.principalCommand(), a.auditCommand(), a.receiptCommand(), a.baselineCommand(),
		a.holdCommand(), a.taskCommand(), a.ledgerCommand())
	for _, c := range root.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	strictGroups(root) // unknown subcommands exit 2
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
			printError(a.stderr, fmt.Errorf("close graph: %w", err))
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
// Its arguments are escaped like safef's.
func (a *app) note(format string, args ...any) {
	if a.quiet {
		return
	}
	safef(a.stderr, format+"\n", args...)
}

// safef is fmt.Fprintf for human-readable output: every argument that
// carries text (see safeArgs) goes through lineage.TermSafe, while the
// format's own tabs and newlines, the layout, stay. A name, reason, error
// or path printed with it can neither drive the terminal nor add a column
// or a row to a table.
func safef(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, safeArgs(args...)...)
}

// tsafe is lineage.TermSafe, for text built up before it is printed.
func tsafe(s string) string { return lineage.TermSafe(s) }

// safeArgs returns args with text escaped by lineage.TermSafe: strings and
// values of string kind (executor.Type, executor.Status, …), errors (as
// their message), []string (each element), and struct or pointer
// fmt.Stringers such as piimap.Location (as their String form). Other
// values (numbers, bools, durations) pass through unchanged, so their
// verbs (%d, %.2f) keep working.
func safeArgs(args ...any) []any {
	out := make([]any, len(args))
	for i, v := range args {
		out[i] = safeArg(v)
	}
	return out
}

func safeArg(v any) any {
	if v == nil {
		return v
	}
	rv := reflect.ValueOf(v)
	switch x := v.(type) {
	case string:
		return lineage.TermSafe(x)
	case []string:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = lineage.TermSafe(e)
		}
		return s
	case error:
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return v
		}
		return lineage.TermSafe(x.Error())
	case fmt.Stringer:
		switch rv.Kind() {
		case reflect.String, reflect.Struct:
			return lineage.TermSafe(x.String())
		case reflect.Pointer:
			if !rv.IsNil() {
				return lineage.TermSafe(x.String())
			}
		}
		return v
	}
	if rv.Kind() == reflect.String {
		return lineage.TermSafe(rv.String())
	}
	return v
}
