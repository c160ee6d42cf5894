package scanner_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
)

// TestDeclaredEdges: ingested lineage is written when both ends are in the
// map — a scanned unit's field that exists, or any location of a configured
// store this run did not scan — and dropped otherwise.
func TestDeclaredEdges(t *testing.T) {
	ctx := context.Background()
	url := addFake("declared-edges", &fakeStore{tables: map[string]map[string][]string{
		"users":  {"email": {email(6, 1), email(6, 2)}},
		"export": {"email": {email(6, 1)}},
	}})
	loc := func(store, asset, field string) piimap.Location {
		return piimap.Location{Store: store, Name: asset, Field: field}
	}
	edge := func(from, to piimap.Location) lineage.Edge {
		return lineage.Edge{Kind: lineage.EdgeDerivedFrom, From: from, To: to, Source: lineage.SourceDBT,
			Confidence: 0.95, Transform: lineage.TransformIdentity}
	}
	declared := []lineage.Edge{
		edge(loc("app", "export", "email"), loc("app", "users", "email")),     // both scanned fields
		edge(loc("app", "export", "phone"), loc("app", "users", "email")),     // no such field
		edge(loc("app", "missing", "email"), loc("app", "users", "email")),    // no such asset
		edge(loc("app", "export", "email"), loc("crm", "contacts", "email")),  // configured, not scanned
		edge(loc("app", "export", "email"), loc("gone", "contacts", "email")), // not configured
	}
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	g := lineagetest.NewMemGraph()
	res, err := scanner.Run(ctx, []scanner.StoreConfig{{Name: "app", URL: url}}, scanner.Options{
		Graph: g, Classifier: eng, Merge: classifiers.Merge, Declared: declared, Configured: []string{"app", "crm"},
	})
	require.NoError(t, err)
	var got []string
	require.NoError(t, g.AllEdges(ctx, res.RunID, []string{lineage.EdgeDerivedFrom}, func(e lineage.Edge) error {
		assert.Equal(t, lineage.SourceDBT, e.Source)
		assert.False(t, e.ObservedAt.IsZero())
		got = append(got, e.From.String()+" -> "+e.To.String())
		return nil
	}))
	assert.ElementsMatch(t, []string{
		loc("app", "export", "email").String() + " -> " + loc("app", "users", "email").String(),
		loc("app", "export", "email").String() + " -> " + loc("crm", "contacts", "email").String(),
	}, got)
}
