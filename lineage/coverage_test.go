package lineage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// TestCoverageGaps: PII that no subject key reaches is reported as a
// coverage gap; PII beside a subject key, or reached along a references
// edge, and text assets are not.
func TestCoverageGaps(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	_, w, err := g.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	loc := func(asset, field string) piimap.Location {
		return piimap.Location{Store: "app", Name: asset, Field: field}
	}
	put := func(l piimap.Location, typ string) {
		kind := lineage.NodeField
		if l.Field == "" {
			kind = lineage.NodeAsset
		}
		require.NoError(t, w.PutNode(ctx, lineage.Node{Kind: kind, Loc: l, StoreKind: "postgres"}))
		if typ != "" {
			require.NoError(t, w.PutFinding(ctx, piimap.Finding{Loc: l, Type: typ, RuleID: typ, Confidence: 0.9, Hits: 9, Sampled: 10}))
		}
	}
	put(loc("public.users", "email"), piimap.TypeEmail)              // subject key
	put(loc("public.users", "id"), "")                               // parent key
	put(loc("public.users", "ssn"), piimap.TypeUSSSN)                // beside the key: reached
	put(loc("public.addresses", "user_id"), "")                      // child → users.id
	put(loc("public.addresses", "street"), piimap.TypePostalAddress) // reached along the FK
	put(loc("hr.notes", "author"), piimap.TypePersonName)            // orphan
	put(loc("hr.notes", "iban"), piimap.TypeIBAN)                    // orphan too: no key in hr.notes, no path to it
	put(loc("logs/app.log", ""), piimap.TypeEmail)                   // text: searched by identifiers
	require.NoError(t, w.PutEdge(ctx, lineage.Edge{Kind: lineage.EdgeReferences, From: loc("public.addresses", "user_id"),
		To: loc("public.users", "id"), Source: lineage.SourceFK, Confidence: 1}))
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))

	m, err := lineage.BuildMap(ctx, g, "", lineage.MapFilter{})
	require.NoError(t, err)
	var got []string
	for _, c := range m.Coverage {
		got = append(got, c.Store+"/"+c.Asset+"#"+c.Field)
		require.NotEmpty(t, c.Reason)
	}
	require.Equal(t, []string{"app/hr.notes#author", "app/hr.notes#iban"}, got)
	require.Equal(t, []string{piimap.TypePersonName}, m.Coverage[0].Types)

	m, err = lineage.BuildMap(ctx, g, "", lineage.MapFilter{Types: []string{piimap.TypeEmail}})
	require.NoError(t, err)
	require.Empty(t, m.Coverage, "the type filter applies to coverage gaps too")
}
