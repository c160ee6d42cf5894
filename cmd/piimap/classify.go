package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap"
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
				f, err := os.Create(cpuprofile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
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
				_, err := fmt.Fprintf(out, "%s:%d:%d: %s (%.2f, rule %s, %d bytes)\n", l.Source, l.Line, l.Offset+1, l.Type, l.Confidence, l.Rule, l.Length)
				return err
			}
			for _, name := range args {
				if err := a.classifyOne(cmd, eng, name, emit); err != nil {
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

type spanner interface {
	Spans(data []byte, emit func(piimap.Span))
}

// classifyOne streams one input in line-aligned chunks.
func (a *app) classifyOne(cmd *cobra.Command, eng spanner, name string, emit func(classifyLine) error) error {
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
	const chunk = 1 << 20
	const maxCarry = 16 << 20 // a line longer than this is split
	read := make([]byte, chunk)
	var buf []byte
	var line int64 = 1
	for {
		if err := cmd.Context().Err(); err != nil {
			return err
		}
		n, rerr := io.ReadFull(r, read)
		buf = append(buf, read[:n]...)
		eof := rerr == io.EOF || rerr == io.ErrUnexpectedEOF
		if rerr != nil && !eof {
			return fmt.Errorf("classify %s: %w", source, rerr)
		}
		end := len(buf)
		if !eof {
			i := bytes.LastIndexByte(buf, '\n')
			if i < 0 && len(buf) < maxCarry {
				continue // no line ends yet: read more
			}
			if i >= 0 {
				end = i + 1
			}
		}
		var werr error
		data := buf[:end]
		lineStart, scanned := 0, 0
		eng.Spans(data, func(s piimap.Span) {
			if werr != nil {
				return
			}
			if nl := bytes.Count(data[scanned:s.Start], []byte{'\n'}); nl > 0 {
				line += int64(nl)
				lineStart = bytes.LastIndexByte(data[:s.Start], '\n') + 1
			}
			scanned = s.Start
			werr = emit(classifyLine{Source: source, Line: line, Offset: s.Start - lineStart, Length: s.Len(),
				Type: s.Type, Confidence: s.Confidence, Rule: s.RuleID})
		})
		if werr != nil {
			return werr
		}
		line += int64(bytes.Count(data[scanned:], []byte{'\n'}))
		buf = append(buf[:0], buf[end:]...)
		if eof {
			return nil
		}
	}
}
