package lineage

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
)

// Map output formats WriteMap understands.
const (
	FormatJSON  = "json"
	FormatTable = "table"
	FormatCSV   = "csv"
	FormatMD    = "md"

	FormatHTML        = "html"
	FormatDOT         = "dot"
	FormatMermaid     = "mermaid"
	FormatOpenLineage = "openlineage"

	FormatSARIF        = "sarif"
	FormatFides        = "fides"
	FormatDataHub      = "datahub"
	FormatOpenMetadata = "openmetadata"
)

// MapFormats lists the formats WriteMap understands.
var MapFormats = []string{FormatTable, FormatJSON, FormatCSV, FormatMD, FormatHTML, FormatDOT, FormatMermaid, FormatOpenLineage,
	FormatSARIF, FormatFides, FormatDataHub, FormatOpenMetadata}

// WriteMap writes m to w as json (the DESIGN §7 contract, indented), table
// (aligned columns for a terminal), csv (one row per location and PII
// type), md (a Markdown report), html (one self-contained interactive
// page), dot (Graphviz), mermaid (a flowchart), openlineage (DatasetEvents
// with column lineage), sarif (SARIF 2.1.0, a result per location and
// type), fides (a Fides dataset YAML), datahub (DataHub metadata change
// proposals for its file source) or openmetadata (column classification
// tags in OpenMetadata's shapes); the catalog formats tag fields through
// CatalogTerms.
//
// Names and values from the scanned stores are sanitised for each format:
//   - table, md, dot, mermaid, and the html page's title: every value goes
//     through TermSafe (control characters, invalid UTF-8 and bidi or
//     zero-width characters become visible escapes such as \x1b, \t,
//     \u202e), so a name can neither drive a terminal nor add a column or a
//     row; md also escapes Markdown syntax and table pipes, dot its quotes
//     and backslashes, mermaid its syntax characters as entity codes;
//   - csv: also TermSafe per cell, although encoding/csv could quote tabs
//     and newlines, so that a row is always one line and `cat map.csv`
//     cannot drive the terminal; cells a spreadsheet would run as a
//     formula get a leading apostrophe. csv is therefore not lossless for
//     names holding control characters: json is;
//   - html: the map is embedded as JSON with control, C1 and bidi
//     characters written as \u escapes (the decoded names are exact) and
//     the page's script draws them as text, never as markup;
//   - json, openlineage, sarif, datahub and openmetadata: encoding/json's
//     escaping, names kept exact; fides: YAML quoting (gopkg.in/yaml.v3).
func WriteMap(w io.Writer, m *Map, format string) error {
	return WriteMapWith(w, m, format, WriteOptions{})
}

// WriteMapWith is WriteMap with the store details the openlineage and html
// formats use (see MapStores).
func WriteMapWith(w io.Writer, m *Map, format string, o WriteOptions) error {
	var err error
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(m)
	case FormatTable:
		err = writeTable(w, m, o.Width)
	case FormatCSV:
		err = writeCSV(w, m)
	case FormatMD:
		err = writeMD(w, m)
	case FormatHTML:
		err = writeHTML(w, m, o.Stores)
	case FormatDOT:
		err = writeDOT(w, m)
	case FormatMermaid:
		err = writeMermaid(w, m)
	case FormatOpenLineage:
		err = writeOpenLineage(w, m, o.Stores)
	case FormatSARIF:
		err = writeSARIF(w, m, o.ToolVersion)
	case FormatFides:
		err = writeFides(w, m)
	case FormatDataHub:
		err = writeDataHub(w, m, o.Stores)
	case FormatOpenMetadata:
		err = writeOpenMetadata(w, m, o.Stores)
	default:
		return fmt.Errorf("lineage: map format %q (want one of %s): %w", format, strings.Join(MapFormats, ", "), piimap.ErrUnsupported)
	}
	if err != nil {
		return fmt.Errorf("lineage: write map %s: %w", format, err)
	}
	return nil
}

func piiSummary(l MapLocation) string {
	parts := make([]string, 0, len(l.PII))
	for _, p := range l.PII {
		s := fmt.Sprintf("%s %.2f", p.Type, p.Confidence)
		if p.Sampled > 0 {
			s += fmt.Sprintf(" (%d/%d)", p.Hits, p.Sampled)
		} else if p.Hits > 0 {
			s += fmt.Sprintf(" (%d hits)", p.Hits)
		}
		if p.Allowed != "" {
			s += " [allowed: " + p.Allowed + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func role(l MapLocation) string {
	var parts []string
	if l.SubjectKey {
		parts = append(parts, "subject:"+l.Identity)
	}
	if l.JoinKey {
		parts = append(parts, "join")
	}
	if l.DerivedCopy {
		parts = append(parts, "copy")
	}
	return strings.Join(parts, ",")
}

func edgeSummary(e MapEdge) string {
	s := fmt.Sprintf("%s %s (%s %.2f", e.Kind, e.To, e.Source, e.Confidence)
	if e.Transform != "" {
		s += ", " + e.Transform
	}
	return s + ")"
}

func fieldOrDash(f string) string {
	if f == "" {
		return "-"
	}
	return f
}

func writeTable(w io.Writer, m *Map, width int) error {
	rows := [][]string{{"STORE", "KIND", "ASSET", "FIELD", "PII", "KEY", "EDGES"}}
	for _, l := range m.Locations {
		first := ""
		if len(l.Edges) > 0 {
			first = "→ " + TermSafe(edgeSummary(l.Edges[0]))
		}
		rows = append(rows, []string{TermSafe(l.Store), TermSafe(l.Kind), TermSafe(l.Asset),
			TermSafe(fieldOrDash(l.Field)), TermSafe(piiSummary(l)), TermSafe(role(l)), first})
		for _, e := range l.Edges[min(1, len(l.Edges)):] {
			rows = append(rows, []string{"", "", "", "", "", "", "→ " + TermSafe(edgeSummary(e))})
		}
	}
	bw := bufio.NewWriter(w)
	if err := WriteColumns(bw, rows, width); err != nil {
		return err
	}
	fmt.Fprintf(bw, "\nscan run %s (%s): %s, %s\n", TermSafe(m.ScanRun), TermSafe(orDash(m.RunStatus)),
		plural(len(m.Locations), "location"), plural(len(m.Errors), "unit error"))
	for _, ue := range m.Errors {
		fmt.Fprintf(bw, "  gap: %s: %s\n", TermSafe(unitName(ue)), TermSafe(ue.Err))
	}
	for _, c := range m.Coverage {
		fmt.Fprintf(bw, "  coverage gap: %s/%s#%s (%s): %s\n", TermSafe(c.Store), TermSafe(c.Asset), TermSafe(c.Field),
			TermSafe(strings.Join(c.Types, ", ")), TermSafe(c.Reason))
	}
	return bw.Flush()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func unitName(ue UnitError) string {
	if ue.Unit == "" {
		return ue.Store
	}
	return ue.Store + "/" + ue.Unit
}

// csvHeader is the csv format's header: one row per (location, PII type);
// locations without PII (join keys) get one row with an empty type.
var csvHeader = []string{"store", "kind", "asset", "field", "type", "confidence", "hits", "sampled", "evidence",
	"subject_key", "identity", "join_key", "derived_copy", "edges"}

func writeCSV(w io.Writer, m *Map) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, l := range m.Locations {
		edges := make([]string, len(l.Edges))
		for i, e := range l.Edges {
			edges[i] = edgeSummary(e)
		}
		base := func(typ, conf, hits, sampled, ev string) []string {
			row := []string{l.Store, l.Kind, l.Asset, l.Field, typ, conf, hits, sampled, ev,
				strconv.FormatBool(l.SubjectKey), l.Identity, strconv.FormatBool(l.JoinKey),
				strconv.FormatBool(l.DerivedCopy), strings.Join(edges, "; ")}
			for i := range row {
				row[i] = csvSafe(TermSafe(row[i]))
			}
			return row
		}
		if len(l.PII) == 0 {
			if err := cw.Write(base("", "", "", "", "")); err != nil {
				return err
			}
		}
		for _, p := range l.PII {
			row := base(p.Type, strconv.FormatFloat(p.Confidence, 'f', -1, 64), strconv.Itoa(p.Hits),
				strconv.Itoa(p.Sampled), strings.Join(p.Evidence, "; "))
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formulas (CWE-1236): a cell starting with
// = + - @ or a control character gets a leading apostrophe. Plain negative
// numbers are left alone. Cells pass through TermSafe first, so control
// characters no longer occur; the cases stay for callers that skip it.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '@', '\t', '\r', '\n':
		return "'" + s
	case '-':
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

// mdEscape makes s one safe Markdown table cell or list item: TermSafe
// escapes control characters (so no newline ends the row), then Markdown
// inline syntax and table pipes get a backslash.
func mdEscape(s string) string {
	s = TermSafe(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func writeMD(w io.Writer, m *Map) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# PII location map\n\n")
	fmt.Fprintf(bw, "Scan run %s (%s), generated %s: %s, %s.\n\n",
		mdEscape(m.ScanRun), mdEscape(orDash(m.RunStatus)), m.GeneratedAt.Format("2006-01-02 15:04:05Z07:00"),
		plural(len(m.Locations), "location"), plural(len(m.Errors), "unit error"))
	fmt.Fprintln(bw, "| Store | Kind | Asset | Field | PII | Key | Edges |")
	fmt.Fprintln(bw, "|---|---|---|---|---|---|---|")
	for _, l := range m.Locations {
		edges := make([]string, len(l.Edges))
		for i, e := range l.Edges {
			edges[i] = mdEscape(edgeSummary(e))
		}
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(l.Store), mdEscape(l.Kind), mdEscape(l.Asset),
			mdEscape(fieldOrDash(l.Field)), mdEscape(piiSummary(l)), mdEscape(role(l)), strings.Join(edges, "<br>"))
	}
	if len(m.Errors) > 0 {
		fmt.Fprintf(bw, "\n## Gaps\n\n")
		for _, ue := range m.Errors {
			fmt.Fprintf(bw, "- %s: %s\n", mdEscape(unitName(ue)), mdEscape(ue.Err))
		}
	}
	if len(m.Coverage) > 0 {
		fmt.Fprintf(bw, "\n## Coverage gaps\n\n")
		for _, c := range m.Coverage {
			fmt.Fprintf(bw, "- %s/%s#%s (%s): %s\n", mdEscape(c.Store), mdEscape(c.Asset), mdEscape(c.Field),
				mdEscape(strings.Join(c.Types, ", ")), mdEscape(c.Reason))
		}
	}
	return bw.Flush()
}
