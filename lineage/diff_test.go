package lineage_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// estateParts is the fixture estate as editable parts.
type estateParts struct {
	nodes    []lineage.Node
	edges    []lineage.Edge
	findings []piimap.Finding
	errs     []lineage.UnitError
}

func fixture() estateParts {
	n, e, f, u := lineagetest.Estate()
	return estateParts{n, e, f, u}
}

func (p estateParts) write(t *testing.T, g lineage.Graph) string {
	t.Helper()
	ctx := context.Background()
	id, w, err := g.BeginRun(ctx, []string{"app", "logs", "wh"})
	require.NoError(t, err)
	for _, n := range p.nodes {
		require.NoError(t, w.PutNode(ctx, n))
	}
	for _, e := range p.edges {
		require.NoError(t, w.PutEdge(ctx, e))
	}
	for _, f := range p.findings {
		require.NoError(t, w.PutFinding(ctx, f))
	}
	for _, ue := range p.errs {
		require.NoError(t, w.PutUnitError(ctx, ue))
	}
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))
	return id
}

func refs(ls []lineage.MapLocation) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, lineage.MapRef{Store: l.Store, Asset: l.Asset, Field: l.Field}.String())
	}
	return out
}

func edgeNames(es []lineage.DiffEdge) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.From.String()+" "+e.Kind+" "+e.To.String())
	}
	return out
}

func TestDiff(t *testing.T) {
	findingAt := func(p *estateParts, l piimap.Location, typ string) *piimap.Finding {
		for i := range p.findings {
			if p.findings[i].Loc == l && p.findings[i].Type == typ {
				return &p.findings[i]
			}
		}
		t.Fatalf("no %s finding at %s", typ, l)
		return nil
	}
	dropEdge := func(p *estateParts, kind string, from piimap.Location) {
		p.edges = slices.DeleteFunc(p.edges, func(e lineage.Edge) bool { return e.Kind == kind && e.From == from })
	}
	tests := []struct {
		name  string
		edit  func(p *estateParts)
		check func(t *testing.T, d *lineage.MapDiff)
	}{
		{"unchanged", func(*estateParts) {}, func(t *testing.T, d *lineage.MapDiff) {
			require.True(t, d.Empty(), "%+v", d)
		}},
		{"location added and gap resolved", func(p *estateParts) {
			p.findings = append(p.findings, piimap.Finding{Loc: lineagetest.OrderTotal, Type: piimap.TypeCreditCard,
				Confidence: 0.9, Hits: 9, Sampled: 10, Evidence: []string{"luhn ok 9/10"}})
			p.errs = nil
		}, func(t *testing.T, d *lineage.MapDiff) {
			require.Equal(t, []string{"app/main.orders#total"}, refs(d.Added))
			require.Equal(t, piimap.TypeCreditCard, d.Added[0].PII[0].Type)
			require.Empty(t, d.Removed)
			require.Len(t, d.GapsResolved, 1)
			require.Equal(t, "broken.gz", d.GapsResolved[0].Unit)
			require.Empty(t, d.GapsAdded)
		}},
		{"location removed with its edges", func(p *estateParts) {
			p.findings = slices.DeleteFunc(p.findings, func(f piimap.Finding) bool { return f.Loc.Store == "wh" })
			dropEdge(p, lineage.EdgeDerivedFrom, lineagetest.DimEmail)
			dropEdge(p, lineage.EdgeCopyOf, lineagetest.DimHash)
		}, func(t *testing.T, d *lineage.MapDiff) {
			require.Equal(t, []string{"wh/main.dim_customer#email", "wh/main.dim_customer#email_sha256"}, refs(d.Removed))
			require.Equal(t, []string{
				"wh/main.dim_customer#email derived_from app/main.customers#email",
				"wh/main.dim_customer#email_sha256 copy_of app/main.customers#email",
			}, edgeNames(d.EdgesRemoved))
			require.Empty(t, d.Added)
			require.Empty(t, d.EdgesAdded)
		}},
		{"types and confidence change", func(p *estateParts) {
			findingAt(p, lineagetest.CustName, piimap.TypePersonName).Confidence = 0.95
			findingAt(p, lineagetest.AppLog, piimap.TypeIPAddress).Confidence = 0.853 // below MinConfidenceDelta
			p.findings = slices.DeleteFunc(p.findings, func(f piimap.Finding) bool {
				return f.Loc == lineagetest.AppLog && f.Type == piimap.TypeEmail
			})
			p.findings = append(p.findings, piimap.Finding{Loc: lineagetest.AppLog, Type: piimap.TypePhone, Confidence: 0.7, Hits: 3})
		}, func(t *testing.T, d *lineage.MapDiff) {
			require.Empty(t, d.Added)
			require.Empty(t, d.Removed)
			require.Len(t, d.Changed, 2)
			name, log := d.Changed[0], d.Changed[1]
			require.Equal(t, "app/main.customers#name", name.Ref().String())
			require.Equal(t, []lineage.ConfidenceChange{{Type: piimap.TypePersonName, From: 0.8, To: 0.95}}, name.Confidence)
			require.Equal(t, "logs/app.log", log.Ref().String())
			require.Equal(t, piimap.TypePhone, log.TypesAdded[0].Type)
			require.Equal(t, piimap.TypeEmail, log.TypesRemoved[0].Type)
			require.Empty(t, log.Confidence, "0.85 → 0.853 is noise")
		}},
		{"edge added, changed, and a role change", func(p *estateParts) {
			for i := range p.edges {
				if p.edges[i].Kind == lineage.EdgeCopyOf {
					p.edges[i].Confidence = 0.99
					p.edges[i].Transform = lineage.TransformTransformation
				}
			}
			// The dim email now also feeds a hashed copy of the name column.
			p.edges = append(p.edges, lineage.Edge{Kind: lineage.EdgeCopyOf, From: lineagetest.DimHash,
				To: lineagetest.CustName, Source: lineage.SourceFingerprint, Confidence: 0.6, Transform: lineage.TransformMasked})
			// customers.name becomes an identity field.
			for i := range p.nodes {
				if p.nodes[i].Loc == lineagetest.CustName {
					p.nodes[i].Attrs = map[string]string{lineage.AttrIdentity: "name_key"}
				}
			}
		}, func(t *testing.T, d *lineage.MapDiff) {
			require.Equal(t, []string{"wh/main.dim_customer#email_sha256 copy_of app/main.customers#name"}, edgeNames(d.EdgesAdded))
			require.Len(t, d.EdgesChanged, 1)
			c := d.EdgesChanged[0]
			require.Equal(t, 0.93, c.ConfidenceA)
			require.Equal(t, 0.99, c.ConfidenceB)
			require.Equal(t, lineage.TransformMasked, c.TransformFrom)
			require.Equal(t, lineage.TransformTransformation, c.TransformTo)
			require.Len(t, d.Changed, 1)
			require.Equal(t, "-", d.Changed[0].RoleFrom)
			require.Equal(t, "subject:name_key", d.Changed[0].RoleTo)
		}},
		{"new gap", func(p *estateParts) {
			p.errs = append(p.errs, lineage.UnitError{Store: "app", Unit: "main.audit", Err: "permission denied"})
		}, func(t *testing.T, d *lineage.MapDiff) {
			require.Equal(t, []lineage.UnitError{{Store: "app", Unit: "main.audit", Err: "permission denied"}}, d.GapsAdded)
			require.Empty(t, d.GapsResolved)
			require.False(t, d.Empty())
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			g := lineagetest.NewMemGraph()
			a := fixture().write(t, g)
			p := fixture()
			tc.edit(&p)
			b := p.write(t, g)
			d, err := lineage.Diff(ctx, g, a, b)
			require.NoError(t, err)
			require.Equal(t, a, d.From)
			require.Equal(t, b, d.To)
			require.False(t, d.FromTime.IsZero())
			tc.check(t, d)

			// Reversed, additions and removals swap.
			r, err := lineage.Diff(ctx, g, b, a)
			require.NoError(t, err)
			require.Equal(t, refs(d.Added), refs(r.Removed))
			require.Equal(t, refs(d.Removed), refs(r.Added))
			require.Equal(t, edgeNames(d.EdgesAdded), edgeNames(r.EdgesRemoved))
			require.Equal(t, len(d.GapsAdded), len(r.GapsResolved))

			// "" is the latest run: b.
			l, err := lineage.Diff(ctx, g, a, "")
			require.NoError(t, err)
			require.Equal(t, b, l.To)
		})
	}
}

func TestDiffUnknownRun(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	a := fixture().write(t, g)
	_, err := lineage.Diff(ctx, g, a, "nope")
	require.ErrorIs(t, err, piimap.ErrNotFound)
	_, err = lineage.Diff(ctx, g, "nope", a)
	require.ErrorIs(t, err, piimap.ErrNotFound)
}

func TestWriteDiffTextGolden(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	a := fixture().write(t, g)
	p := fixture()
	p.findings = append(p.findings, piimap.Finding{Loc: lineagetest.OrderTotal, Type: piimap.TypeCreditCard,
		Confidence: 0.9, Hits: 9, Sampled: 10})
	p.findings = slices.DeleteFunc(p.findings, func(f piimap.Finding) bool { return f.Loc == lineagetest.DimEmail })
	for i := range p.findings {
		if p.findings[i].Loc == lineagetest.CustName {
			p.findings[i].Confidence = 0.95
		}
	}
	p.edges = slices.DeleteFunc(p.edges, func(e lineage.Edge) bool { return e.Kind == lineage.EdgeDerivedFrom })
	for i := range p.edges {
		if p.edges[i].Kind == lineage.EdgeCopyOf {
			p.edges[i].Confidence = 0.99
		}
	}
	p.edges = append(p.edges, lineage.Edge{Kind: lineage.EdgeCopyOf, From: lineagetest.OrderTotal,
		To: lineagetest.CustName, Source: lineage.SourceManual, Confidence: 1})
	p.errs = []lineage.UnitError{{Store: "app", Unit: "main.audit\x1b[2J", Err: "permission denied"}}
	b := p.write(t, g)
	d, err := lineage.Diff(ctx, g, a, b)
	require.NoError(t, err)
	d.From, d.To = "RUN_A", "RUN_B"
	d.FromTime, d.ToTime = generated, generated.Add(3600e9)
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteDiffText(&buf, d))
	require.NotContains(t, buf.String(), "\x1b")
	golden(t, "diff.txt", buf.Bytes())

	buf.Reset()
	require.NoError(t, lineage.WriteDiffText(&buf, &lineage.MapDiff{From: "A", To: "A"}))
	require.Contains(t, buf.String(), "No changes.")
}
