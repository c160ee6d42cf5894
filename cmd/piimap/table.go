package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/piimap/piimap/lineage"
)

// tableWriter is the command line's tabwriter: text written to it is
// tab-separated cells, one row per line, and Flush aligns them with
// lineage.WriteColumns, fitted to the terminal's width when stdout is one
// (the widest columns cut first, with …) and whole when piped. Like
// text/tabwriter, a line without a tab ends a block of rows and is printed
// as it is. Cells must be terminal-safe already (safef escapes tabs and
// newlines inside values, so they cannot add a column or a row).
type tableWriter struct {
	w     io.Writer
	width int
	buf   bytes.Buffer
}

// newTable returns a tableWriter on stdout for the terminal's width.
func (a *app) newTable() *tableWriter { return &tableWriter{w: a.stdout, width: a.termWidth()} }

func (t *tableWriter) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes what was written since the last Flush.
func (t *tableWriter) Flush() error {
	text := t.buf.String()
	t.buf.Reset()
	if text == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var block [][]string
	flush := func() error {
		if len(block) == 0 {
			return nil
		}
		err := lineage.WriteColumns(t.w, block, t.width)
		block = nil
		return err
	}
	for _, l := range lines {
		if !strings.Contains(l, "\t") {
			if err := flush(); err != nil {
				return err
			}
			if _, err := io.WriteString(t.w, l+"\n"); err != nil {
				return err
			}
			continue
		}
		block = append(block, strings.Split(l, "\t"))
	}
	return flush()
}
