package fileformat

import (
	"strconv"
	"strings"
)

// Column names of delimited files. The scanner names a CSV or TSV file's
// fields with CSVHeader and CSVColumn, and executor/filerewrite finds the
// map's fields in the same file with them again: one definition, so a
// field the map names is the column an erasure reads and rewrites (a BOM,
// padded names, a headerless file or a repeated name never make the two
// disagree and an erasure find nothing).

// utf8BOM is the byte order mark some tools write before UTF-8 text.
const utf8BOM = "\xef\xbb\xbf"

// CSVHeader names the columns of a delimited file from its first record.
// A UTF-8 byte order mark before the first cell is dropped. When every
// cell is non-empty, at most 64 bytes, unique, and none looks like a value
// (a number, an '@'), the record is the header (isHeader): its cells,
// trimmed, are the names, a repeated name taking a suffix _2, _3…; else the
// record is data and the columns are column_1, column_2…
func CSVHeader(first []string) (names []string, isHeader bool) {
	cells := make([]string, len(first))
	copy(cells, first)
	if len(cells) > 0 {
		cells[0] = strings.TrimPrefix(cells[0], utf8BOM)
	}
	names = make([]string, len(cells))
	isHeader = looksLikeHeader(cells)
	for i, c := range cells {
		names[i] = "column_" + strconv.Itoa(i+1)
		if isHeader {
			if n := strings.TrimSpace(strings.ToValidUTF8(c, " ")); n != "" {
				names[i] = n
			}
		}
	}
	return dedupe(names), isHeader
}

// CSVColumn is the name of column i (from 0) of a file whose columns
// CSVHeader named names: names[i], or column_<i+1> past them (a row longer
// than the header).
func CSVColumn(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return "column_" + strconv.Itoa(i+1)
}

// PositionalColumn reports whether name is one CSVColumn gives by
// position (column_3): a cell past the header, or any cell of a headerless
// file, which a shorter row simply lacks.
func PositionalColumn(name string) bool {
	n, ok := strings.CutPrefix(name, "column_")
	if !ok || n == "" {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

// looksLikeHeader: every cell non-empty, short, unique, and none looks like
// a value (digits, '@', long text).
func looksLikeHeader(rec []string) bool {
	seen := map[string]bool{}
	for _, b := range rec {
		c := strings.TrimSpace(b)
		if c == "" || len(c) > 64 || seen[c] || strings.ContainsAny(c, "@") {
			return false
		}
		seen[c] = true
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			return false
		}
	}
	return len(rec) > 0
}

func dedupe(names []string) []string {
	seen := map[string]int{}
	for i, n := range names {
		seen[n]++
		if seen[n] > 1 {
			names[i] = n + "_" + strconv.Itoa(seen[n])
		}
	}
	return names
}
