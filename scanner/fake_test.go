package scanner_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

// fakeStore is the content of one fake:// store.
type fakeStore struct {
	tables  map[string]map[string][]string // asset → field → all values
	texts   map[string]string              // asset → text
	fail    map[string]error               // asset → read error (after emitting)
	edges   []lineage.Edge
	enumErr error
	version int // the tables' change stamp

	mu      sync.Mutex
	samples []string // "asset rows=N fields=a,b" per ReadSample call
	closed  bool
}

var (
	fakeMu     sync.Mutex
	fakeStores = map[string]*fakeStore{}
)

func init() {
	scanner.Register("fake", "fake", func(ctx context.Context, cfg scanner.StoreConfig) (scanner.Source, error) {
		name := strings.TrimPrefix(cfg.URL, "fake://")
		fakeMu.Lock()
		st, ok := fakeStores[name]
		fakeMu.Unlock()
		if !ok {
			return nil, fmt.Errorf("fake %s: %w", name, piimap.ErrUnreachable)
		}
		return &fakeSource{cfg: cfg, st: st}, nil
	})
}

func addFake(name string, st *fakeStore) string {
	fakeMu.Lock()
	defer fakeMu.Unlock()
	fakeStores[name] = st
	return "fake://" + name
}

type fakeSource struct {
	cfg scanner.StoreConfig
	st  *fakeStore
}

func (s *fakeSource) loc(asset string) piimap.Location {
	return piimap.Location{Store: s.cfg.Name, Namespace: "fake://" + s.cfg.Name, Name: asset}
}

func (s *fakeSource) Enumerate(ctx context.Context, emit func(piimap.Unit) error) error {
	for _, name := range sortedKeys(s.st.tables) {
		u := piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitTable, Rows: 1000,
			Meta: map[string]string{piimap.MetaChangeStamp: fmt.Sprint("v", s.st.version)}}
		if err := emit(u); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(s.st.texts) {
		if err := emit(piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitObject, Format: piimap.FormatText}); err != nil {
			return err
		}
	}
	return s.st.enumErr
}

func (s *fakeSource) Read(ctx context.Context, u piimap.Unit, emit func(piimap.Record) error) error {
	return s.ReadSample(ctx, u, scanner.DefaultSample(s.cfg.Sample), emit)
}

func (s *fakeSource) ReadSample(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if txt, ok := s.st.texts[u.Loc.Name]; ok {
		for i := 0; i < len(txt); i += 10 {
			if err := emit(piimap.Record{Loc: u.Loc.Asset(), Data: []byte(txt[i:min(i+10, len(txt))]), Offset: int64(i)}); err != nil {
				return err
			}
		}
		return s.st.fail[u.Loc.Name]
	}
	tbl, ok := s.st.tables[u.Loc.Name]
	if !ok {
		return fmt.Errorf("fake: %s: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	s.st.mu.Lock()
	s.st.samples = append(s.st.samples, fmt.Sprintf("%s rows=%d fields=%s", u.Loc.Name, smp.Rows, strings.Join(smp.Fields, ",")))
	s.st.mu.Unlock()
	for _, f := range sortedKeys(tbl) {
		if !smp.Wants(f) {
			continue
		}
		rows := smp.Rows
		if smp.Full {
			rows = len(tbl[f])
		}
		res := scanner.NewReservoir[string](rows, smp.Rand(u.Loc.Name+f))
		for _, v := range tbl[f] {
			res.Offer(func() string { return v })
		}
		meta := map[string]string{piimap.MetaSQLType: "VARCHAR", piimap.MetaRowsSampled: fmt.Sprint(len(res.Items)), piimap.MetaRowsTotal: fmt.Sprint(len(tbl[f]))}
		if err := emit(piimap.Record{Loc: u.Loc.WithField(f), Values: res.Items, Meta: meta}); err != nil {
			return err
		}
	}
	return s.st.fail[u.Loc.Name]
}

func (s *fakeSource) DeclaredEdges(ctx context.Context, emit func(lineage.Edge) error) error {
	for _, e := range s.st.edges {
		if err := emit(e); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeSource) Close() error {
	s.st.mu.Lock()
	s.st.closed = true
	s.st.mu.Unlock()
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// atClassifier flags values or text containing '@' as email. It is
// ambiguous about a field when between 10% and 90% of its values match
// and fewer than 1000 were sampled.
type atClassifier struct{ calls sync.Map }

func (c *atClassifier) Classify(rec piimap.Record) []piimap.Finding {
	if rec.Data != nil {
		n := strings.Count(string(rec.Data), "@")
		if n == 0 {
			return nil
		}
		return []piimap.Finding{{Loc: rec.Loc, Type: piimap.TypeEmail, RuleID: "at", Confidence: 0.9, Hits: n, Sampled: 1, Evidence: []string{"text @"}}}
	}
	hits := 0
	for _, v := range rec.Values {
		if strings.Contains(v, "@") {
			hits++
		}
	}
	if hits == 0 {
		return nil
	}
	return []piimap.Finding{{Loc: rec.Loc, Type: piimap.TypeEmail, RuleID: "at", Confidence: float64(hits) / float64(len(rec.Values)),
		Hits: hits, Sampled: len(rec.Values), Evidence: []string{fmt.Sprintf("@ %d/%d", hits, len(rec.Values))}, Masked: "x***@x***"}}
}

func (c *atClassifier) Ambiguous(fs []piimap.Finding) bool {
	for _, f := range fs {
		if f.Confidence > 0.1 && f.Confidence < 0.9 && f.Sampled < 1000 {
			return true
		}
	}
	return false
}

// failingGraph wraps a graph and fails its writer's PutFinding.
type failingGraph struct{ lineage.Graph }

func (g failingGraph) BeginRun(ctx context.Context, stores []string) (string, lineage.Writer, error) {
	id, w, err := g.Graph.BeginRun(ctx, stores)
	return id, failingWriter{w}, err
}

type failingWriter struct{ lineage.Writer }

func (failingWriter) PutFinding(context.Context, piimap.Finding) error {
	return fmt.Errorf("disk full")
}
