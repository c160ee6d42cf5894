package lineage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/piimap/piimap"
)

// TraceKinds are the edge kinds a lineage trace follows.
var TraceKinds = []string{EdgeReferences, EdgeDerivedFrom, EdgeCopyOf}

// TraceNode is one location in a lineage trace tree. Via is the edge that
// led to it from its parent (nil for the root, and for the fields listed
// under an asset root).
// Also lists the other followed edges into the location from locations
// the trace reached (From names the other end; it is the parent when two
// edges join the same pair).
type TraceNode struct {
	Node     string          `json:"node"` // store/asset[#field]
	Loc      piimap.Location `json:"loc"`
	Depth    int             `json:"depth"`
	Via      *TraceEdge      `json:"via,omitempty"`
	Also     []TraceEdge     `json:"also,omitempty"`
	Children []*TraceNode    `json:"children"`
}

// TraceEdge is the edge a trace followed, without its endpoints (From, the
// other end, only for a node's Also edges).
type TraceEdge struct {
	Kind       string  `json:"kind"`
	Source     string  `json:"source"`
	Confidence float64 `json:"confidence"`
	Transform  string  `json:"transform,omitempty"`
	Evidence   string  `json:"evidence,omitempty"`
	From       string  `json:"from,omitempty"`
}

func traceEdge(e Edge) TraceEdge {
	return TraceEdge{Kind: e.Kind, Source: e.Source, Confidence: round3(e.Confidence), Transform: e.Transform, Evidence: e.Evidence}
}

// Trace is the result of TraceLineage.
type Trace struct {
	Run       string     `json:"run"`
	Direction string     `json:"direction"` // "up" | "down"
	MaxDepth  int        `json:"max_depth"` // 0: no limit
	Kinds     []string   `json:"kinds"`
	Root      *TraceNode `json:"root"`
	Count     int        `json:"count"` // locations reached
}

// ParseNode parses "store/asset[#field]" (piimap.Location's String form).
// The field is what follows the last '#'; use ResolveNode to settle asset
// names that contain '#' against the graph.
func ParseNode(s string) (piimap.Location, error) {
	store, rest, ok := strings.Cut(s, "/")
	if !ok || store == "" || rest == "" {
		return piimap.Location{}, fmt.Errorf("lineage: node %q: want store/asset[#field]", s)
	}
	l := piimap.Location{Store: store, Name: rest}
	if i := strings.LastIndexByte(rest, '#'); i >= 0 {
		l.Name, l.Field = rest[:i], rest[i+1:]
		if l.Name == "" || l.Field == "" {
			return piimap.Location{}, fmt.Errorf("lineage: node %q: empty asset or field", s)
		}
	}
	return l, nil
}

// ResolveNode finds the node "store/asset[#field]" in run ("" for the
// latest): each '#' (last first) is tried as the field separator, then the
// whole rest as an asset name, and the first location the graph knows
// (it has any edge) wins. It returns the resolved run ID too, and
// piimap.ErrNotFound when no reading names a known location.
func ResolveNode(ctx context.Context, g Graph, run, s string) (piimap.Location, string, error) {
	if _, err := ParseNode(s); err != nil {
		return piimap.Location{}, "", err
	}
	r, err := resolveRun(ctx, g, run)
	if err != nil {
		return piimap.Location{}, "", fmt.Errorf("lineage: node %s: %w", s, err)
	}
	store, rest, _ := strings.Cut(s, "/")
	var cands []piimap.Location
	for i := len(rest) - 1; i > 0; i-- {
		if rest[i] == '#' && i < len(rest)-1 {
			cands = append(cands, piimap.Location{Store: store, Name: rest[:i], Field: rest[i+1:]})
		}
	}
	cands = append(cands, piimap.Location{Store: store, Name: rest})
	errFound := errors.New("found")
	for _, c := range cands {
		for _, dir := range []Direction{In, Out} {
			err := g.Edges(ctx, r.ID, c, dir, func(Edge) error { return errFound })
			if errors.Is(err, errFound) {
				return c, r.ID, nil
			}
			if err != nil {
				return piimap.Location{}, "", fmt.Errorf("lineage: node %s: %w", s, err)
			}
		}
	}
	return piimap.Location{}, "", fmt.Errorf("lineage: node %s in run %s: %w", s, r.ID, piimap.ErrNotFound)
}

// TraceLineage walks from `from` along references, derived_from and
// copy_of edges with Reach and returns the walk as a tree: dir Out goes
// upstream (a copy to its source, a child row to its parent), In
// downstream. maxDepth <= 0 means no limit; children are ordered by name.
// For an asset (no field), the
// asset's own edges are walked and then each of its fields', each field
// that reaches anything becoming a child of the root.
func TraceLineage(ctx context.Context, g Graph, run string, from piimap.Location, dir Direction, maxDepth int) (*Trace, error) {
	r, err := resolveRun(ctx, g, run)
	if err != nil {
		return nil, fmt.Errorf("lineage: trace %s: %w", from, err)
	}
	t := &Trace{Run: r.ID, Direction: "up", MaxDepth: max(maxDepth, 0), Kinds: TraceKinds}
	if dir == In {
		t.Direction = "down"
	}
	grow := func(root *TraceNode) error {
		hops, err := Reach(ctx, g, r.ID, root.Loc, TraceKinds, dir, maxDepth)
		if err != nil {
			return err
		}
		at := map[piimap.Location]*TraceNode{key(root.Loc): root}
		for _, h := range hops {
			parent := h.Via.From
			if dir == In {
				parent = h.Via.To
			}
			p := at[key(parent)]
			if p == nil {
				p = root // cannot happen with BFS hops; keep the hop visible
			}
			via := traceEdge(h.Via)
			n := &TraceNode{Node: h.Loc.String(), Loc: h.Loc, Depth: h.Depth, Children: []*TraceNode{}, Via: &via}
			for _, e := range h.Also {
				te := traceEdge(e)
				if te.From = e.From.String(); dir == In {
					te.From = e.To.String()
				}
				n.Also = append(n.Also, te)
			}
			p.Children = append(p.Children, n)
			at[key(h.Loc)] = n
			t.Count++
		}
		return nil
	}
	t.Root = &TraceNode{Node: from.String(), Loc: from, Children: []*TraceNode{}}
	if err := grow(t.Root); err != nil {
		return nil, fmt.Errorf("lineage: trace %s: %w", from, err)
	}
	if from.Field != "" {
		sortTree(t.Root)
		return t, nil
	}
	var fields []piimap.Location
	err = g.Edges(ctx, r.ID, from, Out, func(e Edge) error {
		if e.Kind == EdgeContains && e.To.Field != "" {
			fields = append(fields, e.To)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lineage: trace %s: fields: %w", from, err)
	}
	slices.SortFunc(fields, cmpLoc)
	for _, f := range fields {
		fn := &TraceNode{Node: f.String(), Loc: f, Children: []*TraceNode{}}
		if err := grow(fn); err != nil {
			return nil, fmt.Errorf("lineage: trace %s: %w", f, err)
		}
		if len(fn.Children) > 0 {
			t.Root.Children = append(t.Root.Children, fn)
		}
	}
	sortTree(t.Root)
	return t, nil
}

// edgeText is "kind (source 0.99[, transform])".
func edgeText(e TraceEdge) string {
	s := e.Kind + " (" + e.Source + fmt.Sprintf(" %.2f", e.Confidence)
	if e.Transform != "" {
		s += ", " + e.Transform
	}
	return s + ")"
}

// sortTree orders every node's children by name, for stable output.
func sortTree(n *TraceNode) {
	slices.SortFunc(n.Children, func(a, b *TraceNode) int { return strings.Compare(a.Node, b.Node) })
	for _, c := range n.Children {
		sortTree(c)
	}
}

// WriteTraceText writes the trace as an indented tree, one location per
// line with the edge that led to it, then a count line. Names and edge
// details go through TermSafe.
func WriteTraceText(w io.Writer, t *Trace) error {
	bw := bufio.NewWriter(w)
	what := "upstream (sources, parents)"
	if t.Direction == "down" {
		what = "downstream (copies, views, children)"
	}
	fmt.Fprintf(bw, "%s — %s, run %s\n", TermSafe(t.Root.Node), what, TermSafe(t.Run))
	var walk func(n *TraceNode, prefix string)
	walk = func(n *TraceNode, prefix string) {
		for i, c := range n.Children {
			branch, next := "├── ", "│   "
			if i == len(n.Children)-1 {
				branch, next = "└── ", "    "
			}
			line := TermSafe(c.Node)
			if c.Via != nil {
				line += "  " + TermSafe(edgeText(*c.Via))
			}
			fmt.Fprintf(bw, "%s%s%s\n", prefix, branch, line)
			for _, e := range c.Also {
				fmt.Fprintf(bw, "%s%s  also %s from %s\n", prefix, next, TermSafe(edgeText(e)), TermSafe(e.From))
			}
			walk(c, prefix+next)
		}
	}
	walk(t.Root, "")
	limit := ""
	if t.MaxDepth > 0 {
		limit = fmt.Sprintf(" within depth %d", t.MaxDepth)
	}
	if t.Count == 0 {
		fmt.Fprintf(bw, "no %s locations%s along %s\n", TermSafe(t.Direction)+"stream", limit, TermSafe(strings.Join(t.Kinds, ", ")))
	} else {
		fmt.Fprintf(bw, "%s %sstream%s\n", plural(t.Count, "location"), TermSafe(t.Direction), limit)
	}
	return bw.Flush()
}
