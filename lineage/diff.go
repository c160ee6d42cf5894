package lineage

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// MinConfidenceDelta is the smallest change of a PII type's confidence at
// a location that Diff reports; smaller moves are sampling noise.
const MinConfidenceDelta = 0.01

// MapDiff is what changed in the PII location map between two scan runs:
// locations that appeared or disappeared, PII types and confidences that
// changed at a location, edges added, removed or changed, and gaps (unit
// errors) that appeared or were resolved. Lists are in (store, asset,
// field) order and never nil.
type MapDiff struct {
	From     string    `json:"from"` // run A
	To       string    `json:"to"`   // run B
	FromTime time.Time `json:"from_started_at"`
	ToTime   time.Time `json:"to_started_at"`

	Added   []MapLocation    `json:"added"`
	Removed []MapLocation    `json:"removed"`
	Changed []LocationChange `json:"changed"`

	EdgesAdded   []DiffEdge   `json:"edges_added"`
	EdgesRemoved []DiffEdge   `json:"edges_removed"`
	EdgesChanged []EdgeChange `json:"edges_changed"`

	GapsAdded    []UnitError `json:"gaps_added"`
	GapsResolved []UnitError `json:"gaps_resolved"`
}

// Empty reports whether nothing changed.
func (d *MapDiff) Empty() bool {
	return len(d.Added)+len(d.Removed)+len(d.Changed)+len(d.EdgesAdded)+len(d.EdgesRemoved)+
		len(d.EdgesChanged)+len(d.GapsAdded)+len(d.GapsResolved) == 0
}

// LocationChange is a location present in both runs whose PII or role
// changed.
type LocationChange struct {
	Store        string             `json:"store"`
	Asset        string             `json:"asset"`
	Field        string             `json:"field"`
	TypesAdded   []MapPII           `json:"types_added"`
	TypesRemoved []MapPII           `json:"types_removed"`
	Confidence   []ConfidenceChange `json:"confidence"`
	// RoleFrom and RoleTo are the roles ("subject:email,join", "copy")
	// when they differ; both empty otherwise.
	RoleFrom string `json:"role_from,omitempty"`
	RoleTo   string `json:"role_to,omitempty"`
}

// Ref names the changed location.
func (c LocationChange) Ref() MapRef { return MapRef{Store: c.Store, Asset: c.Asset, Field: c.Field} }

// ConfidenceChange is one PII type whose confidence moved by at least
// MinConfidenceDelta.
type ConfidenceChange struct {
	Type string  `json:"type"`
	From float64 `json:"from"`
	To   float64 `json:"to"`
}

// DiffEdge is an edge of one run: its origin plus the map's edge.
type DiffEdge struct {
	From MapRef `json:"from"`
	MapEdge
}

// EdgeChange is an edge (same from, kind, to and source) in both runs
// whose confidence or transform changed.
type EdgeChange struct {
	From          MapRef  `json:"from"`
	Kind          string  `json:"kind"`
	To            MapRef  `json:"to"`
	Source        string  `json:"source"`
	ConfidenceA   float64 `json:"confidence_from"`
	ConfidenceB   float64 `json:"confidence_to"`
	TransformFrom string  `json:"transform_from,omitempty"`
	TransformTo   string  `json:"transform_to,omitempty"`
}

// Diff compares the PII location maps (BuildMap, unfiltered) of runs a and
// b of g; "" names the latest run. Edges are the map's: every edge but
// contains leaving a listed location, identified by (from, kind, to,
// source).
func Diff(ctx context.Context, g Graph, a, b string) (*MapDiff, error) {
	ma, err := BuildMap(ctx, g, a, MapFilter{})
	if err != nil {
		return nil, fmt.Errorf("lineage: diff: run A: %w", err)
	}
	mb, err := BuildMap(ctx, g, b, MapFilter{})
	if err != nil {
		return nil, fmt.Errorf("lineage: diff: run B: %w", err)
	}
	d := DiffMaps(ma, mb)
	if ra, err := g.Run(ctx, ma.ScanRun); err == nil {
		d.FromTime = ra.StartedAt
	}
	if rb, err := g.Run(ctx, mb.ScanRun); err == nil {
		d.ToTime = rb.StartedAt
	}
	return d, nil
}

type edgeKey struct {
	from, to     MapRef
	kind, source string
}

// DiffMaps compares two maps as Diff does.
func DiffMaps(a, b *Map) *MapDiff {
	d := &MapDiff{From: a.ScanRun, To: b.ScanRun, Added: []MapLocation{}, Removed: []MapLocation{}, Changed: []LocationChange{},
		EdgesAdded: []DiffEdge{}, EdgesRemoved: []DiffEdge{}, EdgesChanged: []EdgeChange{},
		GapsAdded: []UnitError{}, GapsResolved: []UnitError{}}
	locs := func(m *Map) map[MapRef]MapLocation {
		out := make(map[MapRef]MapLocation, len(m.Locations))
		for _, l := range m.Locations {
			out[MapRef{Store: l.Store, Asset: l.Asset, Field: l.Field}] = l
		}
		return out
	}
	edges := func(m *Map) map[edgeKey]DiffEdge {
		out := map[edgeKey]DiffEdge{}
		for _, l := range m.Locations {
			from := MapRef{Store: l.Store, Asset: l.Asset, Field: l.Field}
			for _, e := range l.Edges {
				out[edgeKey{from: from, to: e.To, kind: e.Kind, source: e.Source}] = DiffEdge{From: from, MapEdge: e}
			}
		}
		return out
	}
	la, lb := locs(a), locs(b)
	for r, l := range lb {
		old, ok := la[r]
		if !ok {
			d.Added = append(d.Added, l)
			continue
		}
		if c, changed := diffLocation(old, l); changed {
			d.Changed = append(d.Changed, c)
		}
	}
	for r, l := range la {
		if _, ok := lb[r]; !ok {
			d.Removed = append(d.Removed, l)
		}
	}
	ea, eb := edges(a), edges(b)
	for k, e := range eb {
		old, ok := ea[k]
		switch {
		case !ok:
			d.EdgesAdded = append(d.EdgesAdded, e)
		case math.Abs(old.Confidence-e.Confidence) >= MinConfidenceDelta || old.Transform != e.Transform:
			d.EdgesChanged = append(d.EdgesChanged, EdgeChange{From: k.from, Kind: k.kind, To: k.to, Source: k.source,
				ConfidenceA: old.Confidence, ConfidenceB: e.Confidence, TransformFrom: old.Transform, TransformTo: e.Transform})
		}
	}
	for k, e := range ea {
		if _, ok := eb[k]; !ok {
			d.EdgesRemoved = append(d.EdgesRemoved, e)
		}
	}
	gapsA, gapsB := setOfGaps(a.Errors), setOfGaps(b.Errors)
	for _, ue := range b.Errors {
		if !gapsA[gapKey(ue)] {
			d.GapsAdded = append(d.GapsAdded, ue)
		}
	}
	for _, ue := range a.Errors {
		if !gapsB[gapKey(ue)] {
			d.GapsResolved = append(d.GapsResolved, ue)
		}
	}

	byLoc := func(x, y MapLocation) int {
		return cmpRef(MapRef{Store: x.Store, Asset: x.Asset, Field: x.Field}, MapRef{Store: y.Store, Asset: y.Asset, Field: y.Field})
	}
	byEdge := func(x, y DiffEdge) int {
		return cmp.Or(cmpRef(x.From, y.From), cmp.Compare(x.Kind, y.Kind), cmpRef(x.To, y.To), cmp.Compare(x.Source, y.Source))
	}
	byGap := func(x, y UnitError) int { return cmp.Compare(gapKey(x), gapKey(y)) }
	slices.SortFunc(d.Added, byLoc)
	slices.SortFunc(d.Removed, byLoc)
	slices.SortFunc(d.Changed, func(x, y LocationChange) int { return cmpRef(x.Ref(), y.Ref()) })
	slices.SortFunc(d.EdgesAdded, byEdge)
	slices.SortFunc(d.EdgesRemoved, byEdge)
	slices.SortFunc(d.EdgesChanged, func(x, y EdgeChange) int {
		return cmp.Or(cmpRef(x.From, y.From), cmp.Compare(x.Kind, y.Kind), cmpRef(x.To, y.To), cmp.Compare(x.Source, y.Source))
	})
	slices.SortFunc(d.GapsAdded, byGap)
	slices.SortFunc(d.GapsResolved, byGap)
	return d
}

// gapKey identifies a unit error by its unit; a changed message for the
// same unit is the same gap.
func gapKey(ue UnitError) string { return ue.Store + "\x00" + ue.Unit }

func setOfGaps(ues []UnitError) map[string]bool {
	m := make(map[string]bool, len(ues))
	for _, ue := range ues {
		m[gapKey(ue)] = true
	}
	return m
}

// diffLocation compares one location's PII types, confidences and roles.
func diffLocation(a, b MapLocation) (LocationChange, bool) {
	c := LocationChange{Store: b.Store, Asset: b.Asset, Field: b.Field,
		TypesAdded: []MapPII{}, TypesRemoved: []MapPII{}, Confidence: []ConfidenceChange{}}
	pa, pb := map[string]MapPII{}, map[string]MapPII{}
	for _, p := range a.PII {
		pa[p.Type] = p
	}
	for _, p := range b.PII {
		pb[p.Type] = p
	}
	for _, p := range b.PII {
		old, ok := pa[p.Type]
		switch {
		case !ok:
			c.TypesAdded = append(c.TypesAdded, p)
		case math.Abs(old.Confidence-p.Confidence) >= MinConfidenceDelta:
			c.Confidence = append(c.Confidence, ConfidenceChange{Type: p.Type, From: old.Confidence, To: p.Confidence})
		}
	}
	for _, p := range a.PII {
		if _, ok := pb[p.Type]; !ok {
			c.TypesRemoved = append(c.TypesRemoved, p)
		}
	}
	byType := func(x, y MapPII) int { return cmp.Compare(x.Type, y.Type) }
	slices.SortFunc(c.TypesAdded, byType)
	slices.SortFunc(c.TypesRemoved, byType)
	slices.SortFunc(c.Confidence, func(x, y ConfidenceChange) int { return cmp.Compare(x.Type, y.Type) })
	if ra, rb := role(a), role(b); ra != rb {
		c.RoleFrom, c.RoleTo = orDash(ra), orDash(rb)
	}
	changed := len(c.TypesAdded)+len(c.TypesRemoved)+len(c.Confidence) > 0 || c.RoleFrom != ""
	return c, changed
}

// WriteDiffText writes a readable summary of d: a count line, then each
// section that has entries. Every name and value goes through TermSafe, so
// none can drive a terminal or add a column or a line.
func WriteDiffText(w io.Writer, d *MapDiff) error { return WriteDiffTextWidth(w, d, 0) }

// WriteDiffTextWidth is WriteDiffText with its columns fitted to width
// terminal cells (0: whole).
func WriteDiffTextWidth(w io.Writer, d *MapDiff, width int) error {
	bw := bufio.NewWriter(w)
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return " (" + t.UTC().Format("2006-01-02 15:04:05Z") + ")"
	}
	fmt.Fprintf(bw, "PII map diff: run %s%s → run %s%s\n", TermSafe(d.From), when(d.FromTime), TermSafe(d.To), when(d.ToTime))
	fmt.Fprintf(bw, "locations: +%d -%d ~%d; edges: +%d -%d ~%d; gaps: +%d -%d\n",
		len(d.Added), len(d.Removed), len(d.Changed), len(d.EdgesAdded), len(d.EdgesRemoved), len(d.EdgesChanged),
		len(d.GapsAdded), len(d.GapsResolved))
	if d.Empty() {
		fmt.Fprintln(bw, "\nNo changes.")
		return bw.Flush()
	}
	tw := &ColumnWriter{W: bw, Width: width}
	section := func(title string, n int) bool {
		if n == 0 {
			return false
		}
		fmt.Fprintf(tw, "\n%s:\n", title)
		return true
	}
	locLine := func(sign string, l MapLocation) {
		ref := MapRef{Store: l.Store, Asset: l.Asset, Field: l.Field}
		line := fmt.Sprintf("  %s %s\t%s", sign, TermSafe(ref.String()), TermSafe(orDash(piiSummary(l))))
		if r := role(l); r != "" {
			line += "\t[" + TermSafe(r) + "]"
		}
		fmt.Fprintln(tw, line)
	}
	if section("Added locations", len(d.Added)) {
		for _, l := range d.Added {
			locLine("+", l)
		}
	}
	if section("Removed locations", len(d.Removed)) {
		for _, l := range d.Removed {
			locLine("-", l)
		}
	}
	if section("Changed locations", len(d.Changed)) {
		for _, c := range d.Changed {
			var parts []string
			for _, p := range c.TypesAdded {
				parts = append(parts, fmt.Sprintf("+%s %.2f", p.Type, p.Confidence))
			}
			for _, p := range c.TypesRemoved {
				parts = append(parts, fmt.Sprintf("-%s", p.Type))
			}
			for _, cc := range c.Confidence {
				parts = append(parts, fmt.Sprintf("%s %.2f → %.2f", cc.Type, cc.From, cc.To))
			}
			if c.RoleFrom != "" {
				parts = append(parts, fmt.Sprintf("role %s → %s", c.RoleFrom, c.RoleTo))
			}
			fmt.Fprintf(tw, "  ~ %s\t%s\n", TermSafe(c.Ref().String()), TermSafe(strings.Join(parts, "; ")))
		}
	}
	edgeLine := func(sign string, e DiffEdge) {
		fmt.Fprintf(tw, "  %s %s\t%s\n", sign, TermSafe(e.From.String()), TermSafe(edgeSummary(e.MapEdge)))
	}
	if section("Added edges", len(d.EdgesAdded)) {
		for _, e := range d.EdgesAdded {
			edgeLine("+", e)
		}
	}
	if section("Removed edges", len(d.EdgesRemoved)) {
		for _, e := range d.EdgesRemoved {
			edgeLine("-", e)
		}
	}
	if section("Changed edges", len(d.EdgesChanged)) {
		for _, c := range d.EdgesChanged {
			parts := []string{}
			if math.Abs(c.ConfidenceA-c.ConfidenceB) >= MinConfidenceDelta {
				parts = append(parts, fmt.Sprintf("confidence %.2f → %.2f", c.ConfidenceA, c.ConfidenceB))
			}
			if c.TransformFrom != c.TransformTo {
				parts = append(parts, fmt.Sprintf("transform %s → %s", orDash(c.TransformFrom), orDash(c.TransformTo)))
			}
			fmt.Fprintf(tw, "  ~ %s\t%s %s (%s)\t%s\n", TermSafe(c.From.String()), TermSafe(c.Kind), TermSafe(c.To.String()),
				TermSafe(c.Source), TermSafe(strings.Join(parts, "; ")))
		}
	}
	if section("New gaps", len(d.GapsAdded)) {
		for _, ue := range d.GapsAdded {
			fmt.Fprintf(tw, "  + %s\t%s\n", TermSafe(unitName(ue)), TermSafe(ue.Err))
		}
	}
	if section("Resolved gaps", len(d.GapsResolved)) {
		for _, ue := range d.GapsResolved {
			fmt.Fprintf(tw, "  - %s\t%s\n", TermSafe(unitName(ue)), TermSafe(ue.Err))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}
