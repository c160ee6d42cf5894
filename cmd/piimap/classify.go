package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/classifiers"
)

// classifyLine is one `classify --json` output line (DESIGN §7). It never
// holds the matched value.
type classifyLine struct {
	Source     string  `json:"source"`
	Line       int64   `json:"line"`
	Offset     int     `json:"offset"`
	Length     int     `json:"length"`
	Type       string  `json:"type"`
	Confidence float64 `json:"confidence"`
	Rule       string  `json:"rule"`
}

func (a *app) classifyCommand() *cobra.Command {
	var rulesDirs []string
	var cpuprofile string
	cmd := &cobra.Command{
		Use:   "classify [FILE...|-]",
		Short: "Find PII spans in free text (files or stdin), one finding per line",
		Long: `classify runs the text classifier over files (or stdin, "-" or no argument) and prints
one line per finding: with --json {"source","line","offset","length","type","confidence","rule"},
where line is 1-based and offset is the byte offset within that line. The matched text is never
printed. It needs no config; --rules adds rule directories.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cpuprofile != "" {
				stop, err := startCPUProfile(cpuprofile)
				if err != nil {
					return err
				}
				defer stop()
			}
			eng, err := a.engine(rulesDirs)
			if err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{"-"}
			}
			out := bufio.NewWriterSize(a.stdout, 1<<16)
			defer out.Flush()
			enc := json.NewEncoder(out)
			emit := func(l classifyLine) error {
				if a.jsonOut {
					return enc.Encode(l)
				}
				// The file name, type and rule id are escaped (safeArgs).
				_, err := fmt.Fprintf(out, "%s:%d:%d: %s (%.2f, rule %s, %d bytes)\n",
					safeArgs(l.Source, l.Line, l.Offset+1, l.Type, l.Confidence, l.Rule, l.Length)...)
				return err
			}
			for _, name := range args {
				if err := a.classifyOne(cmd.Context(), eng, name, emit); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&rulesDirs, "rules", nil, "extra rule directory (repeatable)")
	cmd.Flags().StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile to this file")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	return cmd
}

// classifyOne streams one input through the classifier's parallel,
// line-aligned text scanner.
func (a *app) classifyOne(ctx context.Context, eng *classifiers.Engine, name string, emit func(classifyLine) error) error {
	var r io.Reader = a.stdin
	source := "-"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("classify: %w", err)
		}
		defer f.Close()
		r, source = f, name
	}
	_, err := eng.ScanParallel(ctx, r, 0, func(m classifiers.Match) error {
		return emit(classifyLine{Source: source, Line: m.Line, Offset: m.Col, Length: m.Len(),
			Type: m.Type, Confidence: m.Confidence, Rule: m.RuleID})
	})
	if err != nil {
		return fmt.Errorf("classify %s: %w", source, err)
	}
	return nil
}

// startCPUProfile writes a CPU profile to path until the returned stop is
// called (the hidden --cpuprofile flags of classify and scan).
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
