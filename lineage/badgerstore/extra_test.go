package badgerstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/lineage/lineagetest"
)

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	s, err := badgerstore.Open(dir)
	require.NoError(t, err)
	defer s.Close()
	_, err = badgerstore.Open(dir)
	require.ErrorIs(t, err, badgerstore.ErrLocked)
	require.Contains(t, err.Error(), dir, "the error names the directory")
	_, err = badgerstore.Open(dir, badgerstore.WithReadOnly())
	require.ErrorIs(t, err, badgerstore.ErrLocked, "no reader while a writer holds it")
}

func TestReopenPersists(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := badgerstore.Open(dir)
	require.NoError(t, err)
	id, err := lineagetest.WriteEstate(ctx, s)
	require.NoError(t, err)
	key, err := s.InstallationKey(ctx)
	require.NoError(t, err)
	require.NoError(t, s.PutDoc(ctx, "request", "r1", []byte(`{}`)))
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")

	s, err = badgerstore.Open(dir)
	require.NoError(t, err)
	defer s.Close()
	l, err := s.Latest(ctx)
	require.NoError(t, err)
	require.Equal(t, id, l.ID)
	var n int
	require.NoError(t, s.Nodes(ctx, id, func(lineage.Node) error { n++; return nil }))
	nodes, _, _, _ := lineagetest.Estate()
	require.Equal(t, len(nodes), n)
	key2, err := s.InstallationKey(ctx)
	require.NoError(t, err)
	require.Equal(t, key, key2, "the installation key is created once")
	_, err = s.GetDoc(ctx, "request", "r1")
	require.NoError(t, err)

	// A run begun after reopening still sorts after the old ones.
	id2, w, err := s.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	require.Greater(t, id2, id)
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := badgerstore.Open(dir)
	require.NoError(t, err)
	id, err := lineagetest.WriteEstate(ctx, s)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	r1, err := badgerstore.Open(dir, badgerstore.WithReadOnly())
	require.NoError(t, err)
	defer r1.Close()
	r2, err := badgerstore.Open(dir, badgerstore.WithReadOnly())
	require.NoError(t, err, "readers share the directory")
	defer r2.Close()
	l, err := r2.Latest(ctx)
	require.NoError(t, err)
	require.Equal(t, id, l.ID)
	_, _, err = r1.BeginRun(ctx, []string{"app"})
	require.Error(t, err, "no runs in read-only mode")
}

func TestInstallationKey(t *testing.T) {
	ctx := context.Background()
	a, b := open(t), open(t)
	ka, err := a.InstallationKey(ctx)
	require.NoError(t, err)
	kb, err := b.InstallationKey(ctx)
	require.NoError(t, err)
	require.Len(t, ka, badgerstore.InstallationKeySize)
	require.NotEqual(t, ka, kb, "each installation has its own key")
	require.NotEqual(t, make([]byte, badgerstore.InstallationKeySize), ka)
}

func TestPutValidation(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	_, w, err := s.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	f := piimap.Location{Store: "app", Name: "t", Field: "c"}
	for name, err := range map[string]error{
		"field node with asset kind": w.PutNode(ctx, lineage.Node{Kind: lineage.NodeAsset, Loc: f}),
		"empty store":                w.PutNode(ctx, lineage.Node{Kind: lineage.NodeStore}),
		"field without asset":        w.PutNode(ctx, lineage.Node{Kind: lineage.NodeField, Loc: piimap.Location{Store: "app", Field: "c"}}),
		"edge without kind":          w.PutEdge(ctx, lineage.Edge{From: f, To: f}),
		"finding without type":       w.PutFinding(ctx, piimap.Finding{Loc: f}),
		"unit error without store":   w.PutUnitError(ctx, lineage.UnitError{Unit: "x"}),
	} {
		require.Error(t, err, name)
	}
	require.NoError(t, w.PutNode(ctx, lineage.Node{Kind: lineage.NodeField, Loc: f}))
	require.Error(t, w.Finish(ctx, lineage.ScanRun{ID: "other"}), "finish names the wrong run")
}

// Names with the key separator bytes still round-trip and stay apart.
func TestHostileNames(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	id, w, err := s.BeginRun(ctx, []string{"a"})
	require.NoError(t, err)
	locs := []piimap.Location{
		{Store: "a", Name: "t\x00x", Field: "f"},
		{Store: "a", Name: "t", Field: "\x00xf"},
		{Store: "a", Name: "t\x01", Field: "f\x01\x02"},
		{Store: "a", Name: "t", Field: "f"},
	}
	for _, l := range locs {
		require.NoError(t, w.PutNode(ctx, lineage.Node{Kind: lineage.NodeField, Loc: l}))
		require.NoError(t, w.PutEdge(ctx, lineage.Edge{Kind: lineage.EdgeCopyOf, From: l, To: locs[3], Source: "manual"}))
	}
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))
	var got []piimap.Location
	require.NoError(t, s.Nodes(ctx, id, func(n lineage.Node) error { got = append(got, n.Loc); return nil }))
	require.ElementsMatch(t, locs, got)
	for _, l := range locs[:3] {
		var out []lineage.Edge
		require.NoError(t, s.Edges(ctx, id, l, lineage.Out, func(e lineage.Edge) error { out = append(out, e); return nil }))
		require.Len(t, out, 1, "%q", l.String())
		require.Equal(t, l, out[0].From)
	}
	var in int
	require.NoError(t, s.Edges(ctx, id, locs[3], lineage.In, func(lineage.Edge) error { in++; return nil }))
	require.Equal(t, 4, in)
}

func TestLoggerQuiet(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := badgerstore.Open(t.TempDir(), badgerstore.WithLogger(l))
	require.NoError(t, err)
	_, err = lineagetest.WriteEstate(context.Background(), s)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.Empty(t, strings.TrimSpace(buf.String()), "badger's info chatter stays out of warn-level logs")
}

func BenchmarkOpenClose(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		s, err := badgerstore.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteRun(b *testing.B) {
	ctx := context.Background()
	s, err := badgerstore.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	nodes, edges, findings, _ := lineagetest.Estate()
	for b.Loop() {
		_, w, err := s.BeginRun(ctx, []string{"app", "logs", "wh"})
		if err != nil {
			b.Fatal(err)
		}
		for range 50 {
			for _, n := range nodes {
				_ = w.PutNode(ctx, n)
			}
			for _, e := range edges {
				_ = w.PutEdge(ctx, e)
			}
			for _, f := range findings {
				_ = w.PutFinding(ctx, f)
			}
		}
		if err := w.Finish(ctx, lineage.ScanRun{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAbandonedRunFailsOnOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := badgerstore.Open(dir)
	require.NoError(t, err)
	good, err := lineagetest.WriteEstate(ctx, s)
	require.NoError(t, err)
	id, w, err := s.BeginRun(ctx, []string{"app"})
	require.NoError(t, err)
	require.NoError(t, w.PutNode(ctx, lineage.Node{Kind: lineage.NodeStore, Loc: lineagetest.App}))
	require.NoError(t, s.Close()) // the "process" exits without Finish

	s, err = badgerstore.Open(dir)
	require.NoError(t, err)
	defer s.Close()
	r, err := s.Run(ctx, id)
	require.NoError(t, err)
	require.Equal(t, lineage.RunFailed, r.Status)
	l, err := s.Latest(ctx)
	require.NoError(t, err)
	require.Equal(t, good, l.ID)
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	var ids []string
	for i := range 5 {
		id, err := lineagetest.WriteEstate(ctx, s)
		require.NoError(t, err)
		ids = append(ids, id)
		if i == 3 {
			fid, w, err := s.BeginRun(ctx, []string{"app"})
			require.NoError(t, err)
			require.NoError(t, w.Finish(ctx, lineage.ScanRun{Status: lineage.RunFailed}))
			ids = append(ids, fid)
		}
	}
	// ids: r0 r1 r2 r3 failed r4 — keep 2 finished (r3, r4) and what is between.
	_, err := s.Prune(ctx, 0)
	require.ErrorIs(t, err, piimap.ErrConfig)
	deleted, err := s.Prune(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, ids[:3], deleted)
	runs, err := s.Runs(ctx)
	require.NoError(t, err)
	var left []string
	for _, r := range runs {
		left = append(left, r.ID)
	}
	require.Equal(t, ids[3:], left)
	err = s.Nodes(ctx, ids[0], func(lineage.Node) error { return nil })
	require.ErrorIs(t, err, piimap.ErrNotFound)
	var n int
	require.NoError(t, s.Nodes(ctx, ids[5], func(lineage.Node) error { n++; return nil }))
	require.NotZero(t, n, "kept runs are intact")
	deleted, err = s.Prune(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, deleted, "nothing to prune")
}
