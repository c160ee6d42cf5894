package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/lineage/sarif"
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
	var cpuprofile, format string
	var exitCode int
	cmd := &cobra.Command{
		Use:   "classify [FILE...|-]",
		Short: "Find PII spans in free text (files or stdin), one finding per line",
		Long: `classify runs the text classifier over files (or stdin, "-" or no argument) and prints
one line per finding: with --json {"source","line","offset","length","type","confidence","rule"},
where line is 1-based and offset is the byte offset within that line. The matched text is never
printed. It needs no config; --rules adds rule directories.

Inputs are read as scan reads them: gzip is decompressed (within the scanner's size and ratio
limits), text, CSV/TSV, JSON and JSON Lines are scanned line by line, and Parquet is read column
by column (source FILE#column, line = the value's ordinal in the column). Binary content, a
gzip bomb or a corrupt file is an error naming the file (exit 1), never an empty success.

--format sarif prints one SARIF 2.1.0 log (a rule per PII type; results with file, line and
byte length) for code-scanning tools. --exit-code N exits N when anything is found (as gitleaks
does), so CI can fail on PII.`,
		Example: `  piimap classify app.log
  zcat old.log.gz | piimap classify --json
  piimap classify --format sarif --exit-code 1 logs/*.log.gz > pii.sarif`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cpuprofile != "" {
				stop, err := startCPUProfile(cpuprofile)
				if err != nil {
					return err
				}
				defer stop()
			}
			switch format = strings.ToLower(format); format {
			case "":
				format = "text"
				if a.jsonOut {
					format = "json"
				}
			case "text", "json", "sarif":
				if a.jsonOut && format != "json" {
					return usageError("classify: --json conflicts with --format %s: give one of them", format)
				}
			default:
				return usageError("classify: unknown --format %q (want text, json or sarif)", format)
			}
			if exitCode < 0 || exitCode > 125 {
				return usageError("classify: --exit-code %d is out of range (0 to 125)", exitCode)
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
			var report *sarif.Builder
			if format == "sarif" {
				report = sarif.NewBuilder(version())
			}
			found := 0
			emit := func(l classifyLine) error {
				found++
				switch {
				case report != nil:
					addClassifySARIF(report, l)
					return nil
				case format == "json":
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
			if report != nil {
				if err := report.Write(out); err != nil {
					return err
				}
			}
			if found > 0 && exitCode != 0 {
				if err := out.Flush(); err != nil {
					return err
				}
				return &exitCodeError{code: exitCode}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&rulesDirs, "rules", nil, "extra rule directory (repeatable)")
	cmd.Flags().StringVar(&format, "format", "", "output: text (default on a terminal), json (as --json) or sarif (SARIF 2.1.0)")
	cmd.Flags().IntVar(&exitCode, "exit-code", 0, "exit with this code when any PII is found (CI gates; 0 keeps exit 0)")
	cmd.Flags().StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile to this file")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	return cmd
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

// addClassifySARIF adds one text finding to a SARIF report: its file (a
// relative URI; stdin is "stdin"), line, and byte offset and length in the
// file. The value is never written.
func addClassifySARIF(b *sarif.Builder, l classifyLine) {
	uri := "stdin"
	if l.Source != "-" {
		uri = (&url.URL{Path: filepath.ToSlash(l.Source)}).String()
	}
	// classify reports byte offsets within the line; the region's
	// byteOffset is within the file, so only the line and length are
	// exact here; the column goes in the properties.
	length := int64(l.Length)
	b.Add(l.Type, l.Type, "warning", sarif.Result{Level: sarif.Level(l.Confidence),
		Message: sarif.Message{Text: fmt.Sprintf("%s (confidence %.2f, rule %s, %d bytes)", l.Type, l.Confidence, l.Rule, l.Length)},
		Locations: []sarif.Location{{Physical: &sarif.Physical{Artifact: sarif.ArtLoc{URI: uri},
			Region: &sarif.Region{StartLine: l.Line, ByteLength: &length}}}},
		PartialFingerprints: map[string]string{sarif.FingerprintKey: sarif.Fingerprint(l.Source, strconv.FormatInt(l.Line, 10), strconv.Itoa(l.Offset), l.Type)},
		Properties:          map[string]any{"line_byte_offset": l.Offset, "rule": l.Rule, "confidence": l.Confidence}})
}
