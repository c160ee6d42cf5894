package lineage

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Node and edge colours shared by the dot and mermaid formats (and, in
// spirit, by the html page's stylesheet).
var (
	nodeFill = map[string]string{
		"key": "#ffe08a", "pii": "#ffd0d0", "copy": "#e6dcff", "join": "#e8e8e8", "external": "#ffffff",
	}
	edgeColor = map[string]string{
		EdgeReferences: "#666666", EdgeDerivedFrom: "#1f6fb2", EdgeCopyOf: "#7b3fb5", "masked": "#c0392b",
	}
)

// dotQuote renders s as a DOT double-quoted string: control characters
// are escaped by TermSafe, then backslashes and quotes are escaped so a
// store-supplied name can neither end the string nor inject escapes such
// as \N or \G.
func dotQuote(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(TermSafe(s))
	return `"` + s + `"`
}

// dotLines joins already-safe lines with DOT's centred line break.
func dotLines(lines ...string) string {
	q := make([]string, len(lines))
	for i, l := range lines {
		q[i] = strings.Trim(dotQuote(l), `"`)
	}
	return `"` + strings.Join(q, `\n`) + `"`
}

// tooltip is a node's hover text: its location, every PII type with hits
// and evidence, and its role.
func (n *drawNode) tooltip() string {
	var b strings.Builder
	b.WriteString(n.ref.String())
	if n.loc == nil {
		b.WriteString(": outside the map")
		return b.String()
	}
	for _, p := range n.loc.PII {
		fmt.Fprintf(&b, "; %s %.2f", p.Type, p.Confidence)
		if p.Sampled > 0 {
			fmt.Fprintf(&b, " (%d/%d)", p.Hits, p.Sampled)
		}
		if len(p.Evidence) > 0 {
			b.WriteString(": " + strings.Join(p.Evidence, ", "))
		}
	}
	if r := role(*n.loc); r != "" {
		b.WriteString("; " + r)
	}
	return b.String()
}

// writeDOT renders the map as a Graphviz digraph: one cluster per store,
// one nested cluster per asset, one node per location (and per edge target
// outside the map, dashed), edges labelled with kind, source, confidence
// and transform. Masked copies are red and dashed; copy_of edges dashed.
// Render with `dot -Tsvg`.
func writeDOT(w io.Writer, m *Map) error {
	d := newDrawing(m)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "// %s\n", TermSafe(header(m)))
	fmt.Fprintln(bw, "digraph piimap {")
	fmt.Fprintf(bw, "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, labelloc=t, label=%s];\n", dotQuote(header(m)))
	fmt.Fprintln(bw, `  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, fillcolor="#ffffff"];`)
	fmt.Fprintln(bw, `  edge [fontname="Helvetica", fontsize=9];`)
	for si, s := range d.stores {
		fmt.Fprintf(bw, "  subgraph cluster_s%d {\n", si)
		fmt.Fprintf(bw, "    label=%s; style=\"rounded\"; color=\"#555555\";\n", dotQuote(s.label()))
		for ai, a := range s.assets {
			fmt.Fprintf(bw, "    subgraph cluster_s%d_a%d {\n", si, ai)
			fmt.Fprintf(bw, "      label=%s; style=\"rounded,filled\"; fillcolor=\"#f5f5f5\"; color=\"#aaaaaa\";\n", dotQuote(a.name))
			for _, n := range a.nodes {
				st := n.style()
				attrs := fmt.Sprintf("label=%s, fillcolor=%q, tooltip=%s", dotLines(append([]string{n.label()}, n.piiLines()...)...),
					nodeFill[st], dotQuote(n.tooltip()))
				switch st {
				case "key":
					attrs += `, penwidth=2`
				case "external":
					attrs += `, style="rounded,dashed"`
				}
				fmt.Fprintf(bw, "      %s [%s];\n", n.id, attrs)
			}
			fmt.Fprintln(bw, "    }")
		}
		fmt.Fprintln(bw, "  }")
	}
	for _, e := range d.edges {
		st := edgeStyle(e.e)
		attrs := fmt.Sprintf("label=%s, color=%q, fontcolor=%q", dotQuote(edgeLabel(e.e)), edgeColor[st], edgeColor[st])
		if st == "masked" || st == EdgeCopyOf {
			attrs += `, style=dashed`
		}
		if st == "masked" {
			attrs += `, penwidth=2`
		}
		fmt.Fprintf(bw, "  %s -> %s [%s];\n", e.from.id, e.to.id, attrs)
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

// mermaidText makes s safe inside a quoted Mermaid label: control
// characters are escaped by TermSafe, and the characters Mermaid or the HTML
// it renders to would interpret (quotes, angle brackets, ampersands,
// entity starts, backticks, backslashes) become numeric entity codes
// (#34;).
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range TermSafe(s) {
		switch r {
		case '"', '#', '<', '>', '&', '`', '\'', '\\':
			fmt.Fprintf(&b, "#%d;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeMermaid renders the map as a Mermaid flowchart (left to right): one
// subgraph per store holding one per asset, a node per location, edges
// labelled like dot's. Nodes are styled by class (key, pii, copy, join,
// external); copy_of edges are dotted, masked edges red.
func writeMermaid(w io.Writer, m *Map) error {
	d := newDrawing(m)
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "---")
	fmt.Fprintf(bw, "title: \"%s\"\n", mermaidText(header(m)))
	fmt.Fprintln(bw, "---")
	fmt.Fprintln(bw, "flowchart LR")
	for _, st := range []string{"key", "pii", "copy", "join", "external"} {
		extra := ""
		switch st {
		case "key":
			extra = ",stroke-width:2px"
		case "external":
			extra = ",stroke-dasharray:4 3"
		}
		fmt.Fprintf(bw, "  classDef %s fill:%s,stroke:#555%s\n", st, nodeFill[st], extra)
	}
	for si, s := range d.stores {
		fmt.Fprintf(bw, "  subgraph s%d[\"%s\"]\n", si, mermaidText(s.label()))
		for ai, a := range s.assets {
			fmt.Fprintf(bw, "    subgraph s%d_a%d[\"%s\"]\n", si, ai, mermaidText(a.name))
			for _, n := range a.nodes {
				lines := []string{mermaidText(n.label())}
				for _, l := range n.piiLines() {
					lines = append(lines, mermaidText(l))
				}
				fmt.Fprintf(bw, "      %s[\"%s\"]:::%s\n", n.id, strings.Join(lines, "<br/>"), n.style())
			}
			fmt.Fprintln(bw, "    end")
		}
		fmt.Fprintln(bw, "  end")
	}
	for _, e := range d.edges {
		arrow := "-->"
		if e.e.Kind == EdgeCopyOf {
			arrow = "-.->"
		}
		fmt.Fprintf(bw, "  %s %s|\"%s\"| %s\n", e.from.id, arrow, mermaidText(edgeLabel(e.e)), e.to.id)
	}
	for i, e := range d.edges {
		st := edgeStyle(e.e)
		width := "1px"
		if st == "masked" {
			width = "2px"
		}
		fmt.Fprintf(bw, "  linkStyle %d stroke:%s,stroke-width:%s\n", i, edgeColor[st], width)
	}
	return bw.Flush()
}
