package lineage

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"github.com/rivo/uniseg"
)

// tableGap is the space between two table columns.
const tableGap = 2

// tableMinCol is the narrowest a column is cut to (then it is left alone).
const tableMinCol = 6

// WriteColumns writes rows (the first is the header) as aligned columns.
// With width > 0 the table fits in width terminal cells: the widest
// columns are narrowed first, one cell at a time, down to tableMinCol,
// and cells cut to fit end with "…" (cut at a grapheme boundary, East
// Asian wide characters counted as two cells). With width <= 0 (output
// that is not a terminal) nothing is cut. Cells must already be safe for
// a terminal (TermSafe): WriteColumns only measures and pads them.
func WriteColumns(w io.Writer, rows [][]string, width int) error {
	ncol := 0
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	widths := make([]int, ncol)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], uniseg.StringWidth(c))
		}
	}
	if width > 0 {
		fitWidths(widths, width)
	}
	bw := bufio.NewWriter(w)
	for _, r := range rows {
		var line strings.Builder
		pad := 0
		for i := range ncol {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			c = cutCell(c, widths[i])
			if c != "" {
				line.WriteString(strings.Repeat(" ", pad))
				pad = 0
				line.WriteString(c)
			}
			if i < ncol-1 {
				pad += widths[i] - uniseg.StringWidth(c) + tableGap
			}
		}
		bw.WriteString(strings.TrimRight(line.String(), " "))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// fitWidths narrows the widest columns first until the row fits in width
// cells or every column is at tableMinCol (or narrower by nature).
func fitWidths(widths []int, width int) {
	total := tableGap * max(len(widths)-1, 0)
	for _, w := range widths {
		total += w
	}
	for total > width {
		widest := -1
		for i, w := range widths {
			if w > tableMinCol && (widest < 0 || w >= widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			return
		}
		// Narrow it to the next widest column's width (or just enough).
		next := tableMinCol
		for i, w := range widths {
			if i != widest && w < widths[widest] && w > next {
				next = w
			}
		}
		cut := min(widths[widest]-next, total-width)
		cut = max(cut, 1)
		widths[widest] -= cut
		total -= cut
	}
}

// cutCell shortens s to at most w terminal cells, ending it with "…"
// when it was cut.
func cutCell(s string, w int) string {
	if uniseg.StringWidth(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		cw := g.Width()
		if used+cw > w-1 {
			break
		}
		b.WriteString(g.Str())
		used += cw
	}
	b.WriteString("…")
	return b.String()
}

// ColumnWriter is a text/tabwriter stand-in over WriteColumns: text written
// to it is tab-separated cells, one row per line, and Flush aligns them,
// fitted to Width terminal cells when Width > 0. As with text/tabwriter, a
// line without a tab ends a block of rows and is written as it is. Cells
// must be terminal-safe already (TermSafe escapes tabs and newlines inside
// values, so they cannot add a column or a row).
type ColumnWriter struct {
	W     io.Writer
	Width int
	buf   bytes.Buffer
}

func (t *ColumnWriter) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes what was written since the last Flush.
func (t *ColumnWriter) Flush() error {
	text := t.buf.String()
	t.buf.Reset()
	if text == "" {
		return nil
	}
	var block [][]string
	flush := func() error {
		if len(block) == 0 {
			return nil
		}
		err := WriteColumns(t.W, block, t.Width)
		block = nil
		return err
	}
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if !strings.Contains(l, "\t") {
			if err := flush(); err != nil {
				return err
			}
			if _, err := io.WriteString(t.W, l+"\n"); err != nil {
				return err
			}
			continue
		}
		block = append(block, strings.Split(l, "\t"))
	}
	return flush()
}
