package scanner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Classifier turns one record into findings. It must be safe for concurrent
// use; classifiers.Engine implements it.
type Classifier interface {
	Classify(rec piimap.Record) []piimap.Finding
}

// Ambiguity is optionally implemented by a Classifier: Ambiguous reports
// that a field's findings would profit from a bigger sample, and the engine
// then re-samples that field ×4, up to the store's MaxRows.
type Ambiguity interface {
	Ambiguous(findings []piimap.Finding) bool
}

// FindingMerger is optionally implemented by a Classifier to merge findings
// of the same location and type across records (text chunks, full-scan
// batches). Without it the engine merges with MergeFindings.
type FindingMerger interface {
	Merge(dst, src []piimap.Finding) []piimap.Finding
}

// Progress is reported after every unit.
type Progress struct {
	UnitsDone, UnitsTotal int
	Records               int64
	Bytes                 int64 // bytes of values and text read so far
	Errors                int
	Store, Unit           string // the unit just finished
}

// Options configure Run.
type Options struct {
	Graph       lineage.Graph // required: the run is written here
	Classifier  Classifier    // required
	Concurrency int           // units in flight across all stores; default runtime.NumCPU()
	PerStore    int           // units in flight per store; default Concurrency
	PerUnit     int           // text chunks classified in parallel per unit; default runtime.NumCPU()
	Full        bool          // read every row and byte instead of sampling
	// Merge folds findings of the same location and type across records
	// (text chunks, full-scan batches); cmd passes classifiers.Merge.
	// Default: the classifier's own Merge method if it has one, else
	// MergeFindings.
	Merge    func(dst, src []piimap.Finding) []piimap.Finding
	Progress func(Progress)
	Logger   *slog.Logger
	// Configured names every store in the configuration, scanned or not:
	// stores no longer configured then drop out of the map instead of being
	// carried forward from earlier runs.
	Configured []string
	// FingerprintKey, when set, makes the scan sketch every structured
	// field's values (keyed-hash MinHash, see lineage/fingerprint) and,
	// before the run finishes, write copy_of edges between the fields of
	// this run whose values are contained in one another, plainly or in a
	// masked form. cmd passes the graph's installation key. Sampled
	// sketches measure samples; a full scan gives reliable containment.
	FingerprintKey []byte
	// NoCopies skips copy detection: no field is fingerprinted or read in
	// full for probing, and no copy_of edge is inferred. Identifier
	// filters of full scans are still built with FingerprintKey.
	NoCopies bool
	// CopyMaxRows bounds the full read that makes a sampled unit's
	// identifier fields probe-able as originals (copyprobe.go); default
	// DefaultCopyMaxRows, negative turns the read off.
	CopyMaxRows int64
	// CopyRefresh is how long the membership filters of a field read in
	// full are reused by later sampled scans while the field's sample is
	// unchanged; default DefaultCopyRefresh, negative always re-reads.
	CopyRefresh time.Duration
	// NoPushdown makes sampled scans read candidate originals in full even
	// in stores that answer probes themselves (FormProber), as scans did
	// before in-store probes; for measurements.
	NoPushdown bool
	// Others are the configured stores this run does not scan. Copy
	// detection opens those that answer in-store probes, read-only and
	// only when this run has candidate copies, to probe the fields it
	// keeps as probed in store (copypush.go).
	Others []StoreConfig
	// Declared are lineage edges learnt outside the stores (dbt manifests,
	// OpenLineage events, query logs; see lineage/ingest), written into
	// every run whose map holds both of their ends.
	Declared []lineage.Edge
}

// Result is what a scan found and what it could not read.
type Result struct {
	RunID    string
	Run      lineage.ScanRun
	Findings []piimap.Finding
	Errors   []lineage.UnitError
}

// Gaps reports whether some store or unit could not be scanned (exit code 3).
func (r *Result) Gaps() bool { return r != nil && len(r.Errors) > 0 }

// Run scans the stores into one ScanRun of opt.Graph:
//
//  1. open every store through the registry; a store that cannot be opened
//     is a store-level error and the others carry on;
//  2. begin the run and enumerate each store's units (filtered by its
//     include/exclude globs), writing the store node and declared edges;
//  3. scan units in bounded pools — opt.Concurrency across stores,
//     opt.PerStore within one — reading records, classifying them (sampling
//     adaptively), and writing asset and field nodes, contains edges,
//     findings and unit errors;
//  4. infer join keys nobody declared in the SQL stores (inferref.go):
//     `references` edges of source inferred;
//  5. write the edges of opt.Declared (ingested lineage) whose ends are
//     in the map;
//  6. with opt.FingerprintKey, compare the fields' value fingerprints and
//     write copy_of edges for the copies found;
//  7. finish the run.
//
// A unit that fails is recorded in Result.Errors and the scan continues;
// only a cancelled context or a failing graph aborts it.
func Run(ctx context.Context, stores []StoreConfig, opt Options) (*Result, error) {
	opt, err := opt.withDefaults(stores)
	if err != nil {
		return nil, err
	}
	e := &engine{opt: opt, log: opt.Logger, tenants: map[string]string{}}
	for _, c := range append(slices.Clone(stores), opt.Others...) {
		e.tenants[c.Name] = c.TenantName()
	}

	opened, storeErrs := e.openStores(ctx, stores)
	defer closeStores(opened, e.log)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	names := make([]string, 0, len(opened))
	for _, st := range opened {
		names = append(names, st.cfg.Name)
	}
	runID, w, err := opt.Graph.BeginRun(ctx, names)
	if err != nil {
		return nil, fmt.Errorf("scanner: begin run: %w", err)
	}
	e.w, e.runID = w, runID
	run := lineage.ScanRun{ID: runID, StartedAt: time.Now().UTC(), Stores: names, Status: lineage.RunRunning}
	e.log.Info("scan started", "run", runID, "stores", len(stores))

	err = e.recordErrors(ctx, storeErrs)
	if err == nil {
		err = e.enumerateAll(ctx, opened)
	}
	if err == nil {
		err = e.scanAll(ctx, opened)
	}
	if err == nil {
		err = e.inferRefs(ctx, opened)
	}
	if err == nil {
		err = e.writeDeclared(ctx, opened)
	}
	if err == nil {
		_, err = e.writeCopies(ctx, names)
	}
	if err == nil {
		err = e.forgetRemoved(ctx, opened)
	}
	return e.finish(ctx, run, err)
}

func (o Options) withDefaults(stores []StoreConfig) (Options, error) {
	if o.Graph == nil {
		return o, fmt.Errorf("scanner: options: no graph: %w", piimap.ErrConfig)
	}
	if o.Classifier == nil {
		return o, fmt.Errorf("scanner: options: no classifier: %w", piimap.ErrConfig)
	}
	seen := map[string]bool{}
	for _, s := range stores {
		if s.Name == "" {
			return o, fmt.Errorf("scanner: store with url %s has no name: %w", RedactURL(s.URL), piimap.ErrConfig)
		}
		if seen[s.Name] {
			return o, fmt.Errorf("scanner: store %s configured twice: %w", s.Name, piimap.ErrConfig)
		}
		seen[s.Name] = true
	}
	if o.Concurrency <= 0 {
		o.Concurrency = runtime.NumCPU()
	}
	if o.PerStore <= 0 || o.PerStore > o.Concurrency {
		o.PerStore = o.Concurrency
	}
	if o.PerUnit <= 0 {
		o.PerUnit = runtime.NumCPU()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// engine holds one Run's shared state.
type engine struct {
	opt   Options
	log   *slog.Logger
	w     lineage.Writer
	runID string // the run being written

	mu       sync.Mutex
	findings []piimap.Finding
	errs     []lineage.UnitError
	progress Progress
	sketches []fieldSketch // finished field fingerprints (FingerprintKey)
	// memberUnits are sampled units whose identifier fields may be read
	// in full for probing (copyprobe.go).
	memberUnits []memberUnit
	declared    map[[2]piimap.Location]bool // field pairs a declared edge links
	fields      map[piimap.Location]bool    // fields of the units read without error (namespace dropped)
	inferred    inferState                  // inputs of join-key inference (inferref.go)
	tenants     map[string]string           // store name → its tenant (the run's stores and Options.Others)
}

// tenantOf is a configured store's tenant; a store of no known
// configuration (a sketch kept from a store no longer configured) gets a
// tenant of its own, so nothing of it is sent anywhere.
func (e *engine) tenantOf(store string) string {
	if t, ok := e.tenants[store]; ok {
		return t
	}
	return "\x00unknown store " + store
}

// store is one opened store and the units selected in it.
type store struct {
	cfg   StoreConfig
	kind  string
	stage int // StageOf(src)
	src   Source
	sel   *Selector
	units []piimap.Unit
	// listed is true when Enumerate returned without error: units then
	// names every asset the store has (that the selector keeps).
	listed bool
}

// openStores opens every store concurrently. Stores that fail are returned
// as store-level errors, written once the run has begun.
func (e *engine) openStores(ctx context.Context, cfgs []StoreConfig) ([]*store, []lineage.UnitError) {
	out := make([]*store, len(cfgs))
	errs := make([]error, len(cfgs))
	var g errgroup.Group
	g.SetLimit(e.opt.Concurrency)
	for i, cfg := range cfgs {
		g.Go(func() error {
			sel, err := NewSelector(cfg.Include, cfg.Exclude)
			if err != nil {
				errs[i] = fmt.Errorf("scanner: store %s: %w", cfg.Name, err)
				return nil
			}
			src, kind, err := Open(ctx, cfg)
			if err != nil {
				errs[i] = err
				return nil
			}
			out[i] = &store{cfg: cfg, kind: kind, stage: StageOf(src), src: src, sel: sel}
			return nil
		})
	}
	_ = g.Wait()
	var opened []*store
	var storeErrs []lineage.UnitError
	for i, st := range out {
		if st != nil {
			opened = append(opened, st)
			continue
		}
		e.log.Warn("store not opened", "store", cfgs[i].Name, "err", errs[i])
		storeErrs = append(storeErrs, lineage.UnitError{Store: cfgs[i].Name, Err: errs[i].Error()})
	}
	return opened, storeErrs
}

func closeStores(stores []*store, log *slog.Logger) {
	for _, st := range stores {
		if c, ok := st.src.(Closer); ok {
			if err := c.Close(); err != nil {
				log.Warn("store close", "store", st.cfg.Name, "err", err)
			}
		}
	}
}

// enumerateAll lists every store's units and writes the store nodes and
// declared edges. An enumeration failure is a store-level gap: the units
// listed before it are still scanned.
func (e *engine) enumerateAll(ctx context.Context, stores []*store) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.opt.Concurrency)
	for _, st := range stores {
		g.Go(func() error { return e.enumerate(gctx, st) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	total := 0
	for _, st := range stores {
		total += len(st.units)
	}
	e.progress.UnitsTotal = total
	return nil
}

func (e *engine) enumerate(ctx context.Context, st *store) error {
	seen := map[string]bool{}
	err := st.src.Enumerate(ctx, func(u piimap.Unit) error {
		if !st.sel.Match(u.Loc.Name) || seen[u.Loc.Name] {
			return nil
		}
		seen[u.Loc.Name] = true
		st.units = append(st.units, u)
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := e.unitError(ctx, st.cfg.Name, "", fmt.Errorf("enumerate: %w", err)); err != nil {
			return err
		}
	}
	st.listed = err == nil
	e.log.Debug("store enumerated", "store", st.cfg.Name, "units", len(st.units))
	if err := e.w.PutNode(ctx, storeNode(st)); err != nil {
		return graphErr(err)
	}

	decl, ok := st.src.(EdgeDeclarer)
	if !ok {
		return nil
	}
	now := time.Now().UTC()
	err = decl.DeclaredEdges(ctx, func(ed lineage.Edge) error {
		if !selected(st, seen, ed.From) || !selected(st, seen, ed.To) {
			return nil
		}
		if ed.ObservedAt.IsZero() {
			ed.ObservedAt = now
		}
		if err := e.w.PutEdge(ctx, ed); err != nil {
			return graphErr(err)
		}
		e.declare(ed)
		e.declaredRef(ed)
		return nil
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case isGraphErr(err):
		return err
	default:
		return e.unitError(ctx, st.cfg.Name, "", fmt.Errorf("declared edges: %w", err))
	}
}

// selected reports whether an edge end is a unit the scan covers (ends in
// other stores are the other store's business).
func selected(st *store, seen map[string]bool, l piimap.Location) bool {
	return l.Store != st.cfg.Name || seen[l.Name]
}

// scanAll runs every store's units: one pool per store (PerStore) under a
// global semaphore (Concurrency).
func (e *engine) scanAll(ctx context.Context, stores []*store) error {
	global := semaphore.NewWeighted(int64(e.opt.Concurrency))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, len(stores)))
	for _, st := range stores {
		g.Go(func() error {
			sg, sctx := errgroup.WithContext(gctx)
			sg.SetLimit(e.opt.PerStore)
			for _, u := range st.units {
				if sctx.Err() != nil {
					break
				}
				sg.Go(func() error {
					if err := global.Acquire(sctx, 1); err != nil {
						return err
					}
					defer global.Release(1)
					return e.scanUnit(sctx, st, u)
				})
			}
			return sg.Wait()
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// scanUnit reads, classifies and records one unit. It returns an error only
// when the scan must stop (context or graph); the unit's own failure becomes
// a UnitError.
func (e *engine) scanUnit(ctx context.Context, st *store, u piimap.Unit) error {
	start := time.Now()
	var us *unitScan
	var readErr error
	if u.Structured() {
		us, readErr = e.scanStructured(ctx, st, u)
	} else {
		us, readErr = e.scanText(ctx, st, u)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if isGraphErr(readErr) {
		return readErr
	}
	if err := e.writeUnit(ctx, st, u, us); err != nil {
		return err
	}
	if readErr == nil {
		e.keepPrints(st, u, us)
		e.sawFields(st, u, us)
		e.keepKeys(st, u, us)
	}
	if readErr != nil {
		if err := e.unitError(ctx, st.cfg.Name, u.Loc.Name, readErr); err != nil {
			return err
		}
	}
	e.log.Debug("unit scanned", "store", st.cfg.Name, "unit", u.Loc.Name,
		"records", us.records, "findings", len(us.findings), "took", time.Since(start), "err", readErr != nil)
	e.report(st, u, us)
	return nil
}

func (e *engine) report(st *store, u piimap.Unit, us *unitScan) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.progress.UnitsDone++
	e.progress.Records += us.records
	e.progress.Bytes += us.bytes
	e.progress.Errors = len(e.errs)
	e.progress.Store, e.progress.Unit = st.cfg.Name, u.Loc.Name
	if e.opt.Progress != nil {
		e.opt.Progress(e.progress)
	}
}

// unitError records one unit's (or, with unit "", one store's) failure.
func (e *engine) unitError(ctx context.Context, storeName, unit string, err error) error {
	ue := lineage.UnitError{Store: storeName, Unit: unit, Err: err.Error()}
	e.log.Warn("unit error", "store", storeName, "unit", unit, "err", ue.Err)
	e.mu.Lock()
	e.errs = append(e.errs, ue)
	e.mu.Unlock()
	if err := e.w.PutUnitError(ctx, ue); err != nil {
		return graphErr(err)
	}
	return nil
}

func (e *engine) recordErrors(ctx context.Context, errs []lineage.UnitError) error {
	for _, ue := range errs {
		e.mu.Lock()
		e.errs = append(e.errs, ue)
		e.mu.Unlock()
		if err := e.w.PutUnitError(ctx, ue); err != nil {
			return graphErr(err)
		}
	}
	return nil
}

// finish seals the run. A fatal error still finishes the run as failed
// (on a context that outlives the cancellation) so the graph is not left
// with a run that looks in progress.
func (e *engine) finish(ctx context.Context, run lineage.ScanRun, scanErr error) (*Result, error) {
	e.mu.Lock()
	res := &Result{RunID: run.ID, Findings: e.findings, Errors: e.errs}
	run.Units = e.progress.UnitsDone
	run.Records = e.progress.Records
	e.mu.Unlock()
	slices.SortFunc(res.Findings, func(a, b piimap.Finding) int {
		return cmp.Or(cmp.Compare(a.Loc.String(), b.Loc.String()), cmp.Compare(a.Type, b.Type))
	})
	slices.SortFunc(res.Errors, func(a, b lineage.UnitError) int {
		return cmp.Or(cmp.Compare(a.Store, b.Store), cmp.Compare(a.Unit, b.Unit), cmp.Compare(a.Err, b.Err))
	})
	run.Findings = len(res.Findings)
	run.Errors = res.Errors
	run.Configured = e.opt.Configured
	run.EndedAt = time.Now().UTC()
	switch {
	case scanErr != nil:
		run.Status = lineage.RunFailed
	case len(res.Errors) > 0:
		run.Status = lineage.RunGaps
	default:
		run.Status = lineage.RunComplete
	}
	res.Run = run
	if scanErr != nil {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := e.w.Finish(fctx, run); err != nil {
			e.log.Warn("finish failed run", "run", run.ID, "err", err)
		}
		e.log.Error("scan failed", "run", run.ID, "err", scanErr)
		return res, fmt.Errorf("scanner: run %s: %w", run.ID, scanErr)
	}
	if err := e.w.Finish(ctx, run); err != nil {
		return res, fmt.Errorf("scanner: finish run %s: %w", run.ID, err)
	}
	e.log.Info("scan finished", "run", run.ID, "status", run.Status, "units", run.Units,
		"findings", run.Findings, "errors", len(run.Errors))
	return res, nil
}

// graphError marks a failure of the graph writer, which aborts the scan
// (a source error only fails its unit).
type graphError struct{ err error }

func (g graphError) Error() string { return "graph: " + g.err.Error() }
func (g graphError) Unwrap() error { return g.err }

func graphErr(err error) error { return graphError{err} }

func isGraphErr(err error) bool {
	var g graphError
	return errors.As(err, &g)
}
