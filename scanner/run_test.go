package scanner_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
)

func column(n int, f func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func newEstate(t *testing.T) (app, logs *fakeStore, stores []scanner.StoreConfig) {
	t.Helper()
	app = &fakeStore{
		tables: map[string]map[string][]string{
			"public.users": {
				"id":    column(1000, func(i int) string { return fmt.Sprint(i) }),
				"email": column(1000, func(i int) string { return fmt.Sprintf("u%d@example.test", i) }),
				// 40% '@': ambiguous for the fake classifier until 1000+ sampled.
				"notes": column(5000, func(i int) string {
					if i%5 < 2 {
						return "mail me at x@example.test"
					}
					return "call later"
				}),
			},
			"public.orders": {"user_id": column(50, func(i int) string { return fmt.Sprint(i % 7) })},
			"tmp.scratch":   {"x": {"a@b"}},
			"public.broken": {"email": {"a@example.test"}},
		},
		fail: map[string]error{"public.broken": fmt.Errorf("fake: read public.broken: row 3: %w", piimap.ErrCorrupt)},
		edges: []lineage.Edge{
			{Kind: lineage.EdgeReferences, Source: lineage.SourceFK, Confidence: 1,
				From: piimap.Location{Store: "app", Name: "public.orders", Field: "user_id"},
				To:   piimap.Location{Store: "app", Name: "public.users", Field: "id"}},
			{Kind: lineage.EdgeReferences, Source: lineage.SourceFK, Confidence: 1, // excluded end: dropped
				From: piimap.Location{Store: "app", Name: "tmp.scratch", Field: "x"},
				To:   piimap.Location{Store: "app", Name: "public.users", Field: "id"}},
		},
	}
	logs = &fakeStore{texts: map[string]string{"app.log": "login a@x.test ok\nlogout b@y.test\n"}}
	name := strings.ReplaceAll(t.Name(), "/", "_")
	stores = []scanner.StoreConfig{
		{Name: "app", URL: addFake(name+"-app", app), Tenant: "acme", Environment: "prod", Exclude: []string{"tmp.*"},
			Identity: map[string]string{piimap.KeyEmail: "public.users.email"}},
		{Name: "logs", URL: addFake(name+"-logs", logs)},
		{Name: "gone", URL: "fake://" + name + "-nowhere"},
	}
	return app, logs, stores
}

func TestRun(t *testing.T) {
	ctx := context.Background()
	app, logs, stores := newEstate(t)
	g := lineagetest.NewMemGraph()
	var progress []scanner.Progress
	var pmu sync.Mutex
	res, err := scanner.Run(ctx, stores, scanner.Options{
		Graph: g, Classifier: &atClassifier{}, Concurrency: 3, PerStore: 2, PerUnit: 2,
		Progress: func(p scanner.Progress) { pmu.Lock(); progress = append(progress, p); pmu.Unlock() },
	})
	require.NoError(t, err)

	// Errors: the unopenable store and the broken unit, nothing else.
	require.Len(t, res.Errors, 2)
	assert.Equal(t, "app", res.Errors[0].Store)
	assert.Equal(t, "public.broken", res.Errors[0].Unit)
	assert.Contains(t, res.Errors[0].Err, "row 3")
	assert.Equal(t, "gone", res.Errors[1].Store)
	assert.Empty(t, res.Errors[1].Unit)
	assert.Contains(t, res.Errors[1].Err, "store unreachable")
	assert.True(t, res.Gaps())
	assert.Equal(t, lineage.RunGaps, res.Run.Status)
	assert.Equal(t, []string{"app", "logs"}, res.Run.Stores)
	assert.Equal(t, 4, res.Run.Units, "users, orders, broken (scratch excluded) + app.log")
	assert.True(t, app.closed && logs.closed, "sources closed")

	// Findings: per field; text chunks merged into one finding per asset.
	got := map[string]piimap.Finding{}
	for _, f := range res.Findings {
		got[f.Loc.String()+" "+f.Type] = f
	}
	assert.Contains(t, got, "app/public.users#email email")
	assert.Contains(t, got, "app/public.broken#email email", "a failing unit keeps what it read")
	assert.NotContains(t, got, "app/public.users#id email")
	assert.NotContains(t, got, "app/tmp.scratch#x email", "excluded by glob")
	logF := got["logs/app.log email"]
	assert.Equal(t, 2, logF.Hits, "hits summed across chunks")

	// Adaptive sampling: notes (40% hits) grows 200 → 800 → 2000, alone.
	assert.Equal(t, []string{
		"public.users rows=200 fields=",
		"public.users rows=800 fields=notes",
		"public.users rows=2000 fields=notes",
	}, filter(app.samples, "public.users"))
	notes := got["app/public.users#notes email"]
	assert.Equal(t, 2000, notes.Sampled, "the re-sample replaces the first verdict")

	// Graph: nodes with attrs, contains edges, declared edge, findings.
	run := res.RunID
	nodes := map[string]lineage.Node{}
	require.NoError(t, g.Nodes(ctx, run, func(n lineage.Node) error { nodes[n.Kind+" "+n.Loc.String()] = n; return nil }))
	st := nodes["store app/"]
	assert.Equal(t, "fake", st.StoreKind)
	assert.Equal(t, "acme", st.Attrs[lineage.AttrTenant])
	assert.Equal(t, "prod", st.Attrs[lineage.AttrEnv])
	assert.Equal(t, "5000", nodes["asset app/public.users"].Attrs[lineage.AttrRows])
	em := nodes["field app/public.users#email"]
	assert.Equal(t, piimap.KeyEmail, em.Attrs[lineage.AttrIdentity])
	assert.Equal(t, "VARCHAR", em.Attrs[lineage.AttrSQLType])
	assert.NotContains(t, nodes, "asset app/tmp.scratch")
	assert.NotContains(t, nodes, "store gone/", "an unopened store keeps its previous map")

	var contains, refs int
	at := piimap.Location{Store: "app", Name: "public.users"}
	require.NoError(t, g.Edges(ctx, run, at, lineage.Out, func(e lineage.Edge) error {
		if e.Kind == lineage.EdgeContains {
			contains++
		}
		return nil
	}))
	assert.Equal(t, 3, contains, "users contains id, email, notes")
	require.NoError(t, g.Edges(ctx, run, piimap.Location{Store: "app", Name: "public.users", Field: "id"}, lineage.In, func(e lineage.Edge) error {
		if e.Kind == lineage.EdgeReferences {
			refs++
			assert.False(t, e.ObservedAt.IsZero())
		}
		return nil
	}))
	assert.Equal(t, 1, refs, "the FK from an excluded table is dropped")

	var stored int
	require.NoError(t, g.Findings(ctx, run, func(f piimap.Finding) error { stored++; return nil }))
	assert.Equal(t, len(res.Findings), stored)

	// Progress: one report per unit, the last complete.
	require.Len(t, progress, 4)
	last := progress[len(progress)-1]
	assert.Equal(t, 4, last.UnitsDone)
	assert.Equal(t, 4, last.UnitsTotal)
	assert.Positive(t, last.Bytes)
}

func filter(ss []string, prefix string) []string {
	var out []string
	for _, s := range ss {
		if strings.HasPrefix(s, prefix+" ") {
			out = append(out, s)
		}
	}
	return out
}

func TestRunFullReadsEverythingOnce(t *testing.T) {
	app, _, stores := newEstate(t)
	res, err := scanner.Run(context.Background(), stores[:1], scanner.Options{
		Graph: lineagetest.NewMemGraph(), Classifier: &atClassifier{}, Full: true,
	})
	require.NoError(t, err)
	for _, s := range app.samples {
		assert.NotContains(t, s, "fields=notes", "no adaptive re-sample in a full scan: %s", s)
	}
	assert.Len(t, res.Errors, 1)
}

func TestRunGraphFailureIsFatal(t *testing.T) {
	_, _, stores := newEstate(t)
	res, err := scanner.Run(context.Background(), stores, scanner.Options{
		Graph: failingGraph{lineagetest.NewMemGraph()}, Classifier: &atClassifier{},
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk full")
	assert.Equal(t, lineage.RunFailed, res.Run.Status)
}

func TestRunCancelled(t *testing.T) {
	_, _, stores := newEstate(t)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	cls := classifierFunc(func(rec piimap.Record) []piimap.Finding {
		calls++
		if calls == 2 {
			cancel()
		}
		return nil
	})
	_, err := scanner.Run(ctx, stores, scanner.Options{Graph: lineagetest.NewMemGraph(), Classifier: cls, Concurrency: 1, PerUnit: 1})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
}

type classifierFunc func(piimap.Record) []piimap.Finding

func (f classifierFunc) Classify(r piimap.Record) []piimap.Finding { return f(r) }

func TestRunOptionErrors(t *testing.T) {
	tests := []struct {
		name   string
		stores []scanner.StoreConfig
		opt    scanner.Options
		want   string
	}{
		{"no graph", nil, scanner.Options{Classifier: &atClassifier{}}, "no graph"},
		{"no classifier", nil, scanner.Options{Graph: lineagetest.NewMemGraph()}, "no classifier"},
		{"duplicate store", []scanner.StoreConfig{{Name: "a", URL: "fake://x"}, {Name: "a", URL: "fake://y"}},
			scanner.Options{Graph: lineagetest.NewMemGraph(), Classifier: &atClassifier{}}, "configured twice"},
		{"unnamed store", []scanner.StoreConfig{{URL: "fake://x"}},
			scanner.Options{Graph: lineagetest.NewMemGraph(), Classifier: &atClassifier{}}, "no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scanner.Run(context.Background(), tt.stores, tt.opt)
			require.Error(t, err)
			assert.ErrorIs(t, err, piimap.ErrConfig)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestRunBadGlobAndUnknownScheme(t *testing.T) {
	_, _, stores := newEstate(t)
	bad := stores[0]
	bad.Include = []string{"public.[users"}
	res, err := scanner.Run(context.Background(), []scanner.StoreConfig{bad, {Name: "x", URL: "nosuch://host"}, stores[1]},
		scanner.Options{Graph: lineagetest.NewMemGraph(), Classifier: &atClassifier{}})
	require.NoError(t, err)
	require.Len(t, res.Errors, 2)
	assert.Contains(t, res.Errors[0].Err, "unclosed")
	assert.Contains(t, res.Errors[1].Err, `no store kind registered for scheme "nosuch"`)
	assert.Equal(t, []string{"logs"}, res.Run.Stores)
}
