package main

import "github.com/piimap/piimap/lineage"

// newTable returns the command line's table writer on stdout: rows of
// tab-separated cells, aligned at Flush and fitted to the terminal's width
// when stdout is one (the widest columns cut first, with …), whole when
// piped.
func (a *app) newTable() *lineage.ColumnWriter {
	return &lineage.ColumnWriter{W: a.stdout, Width: a.termWidth()}
}
