package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/spf13/cobra"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/lineage/ingest"
	"github.com/piimap/piimap/scanner/postgres"
)

func (a *app) lineageIngestCommand() *cobra.Command {
	var dbt, ol, pgLogs, pgStat []string
	var pin, logFormat string
	var apply bool
	cmd := &cobra.Command{
		Use:   "ingest [--dbt FILE] [--openlineage FILE] [--pg-log FILE] [--pg-stat-statements STORE] [--store NAME] | --apply",
		Short: "Store lineage from dbt, OpenLineage or Postgres query logs, and add its edges to the map",
		Long: `ingest reads lineage that pipelines already write down, stores it in the graph directory,
and writes a new run of the map that carries every store forward and adds the edges:

  --dbt FILE                 a dbt target/manifest.json (after dbt compile or dbt run): column
                             lineage from each model's compiled SQL, table lineage from depends_on
  --openlineage FILE         OpenLineage run events, a JSON array or JSON lines, with their
                             columnLineage facets (masking transformations make masked edges)
  --pg-log FILE              a PostgreSQL server log (stderr, csvlog or jsonlog) written with
                             log_statement = all or log_min_duration_statement: CREATE TABLE AS,
                             CREATE [MATERIALIZED] VIEW, INSERT … SELECT and SELECT INTO statements
  --pg-stat-statements STORE the same statements from pg_stat_statements of a configured postgres store

Every logged statement has its literals replaced by ? before anything is stored; other
statements are only counted. Edges are derived_from, field by field, with source dbt,
openlineage or sql, and evidence naming the model, job or statement.

Datasets are matched to configured stores by namespace (postgres://host:port, mysql://host:port,
s3://bucket, file, duckdb://path) and name; relations named in SQL or dbt by database and schema.
--store NAME sends every relation without a matching namespace to that store. Datasets no store
holds are listed as unresolved.

Stored sources are applied again by every scan, so their edges survive re-scans of their
stores; ingesting the same content again changes nothing, and a new manifest at the same path
replaces the old one: the run ingest writes holds the edges of the stored sources only, so an
edge the new manifest drops leaves the map at once. --apply writes a new run from the stored
sources alone (after ` + "`piimap lineage serve`" + ` has received events, say). With --json it prints
{"sources", "run", "edges", "written", "not_in_map", "by_source", "unresolved", "problems",
"stored_sources", "unchanged"}; "run" is "" when no run was written (no scan yet, no edge with
both ends in the map, or nothing added or dropped).`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(dbt)+len(ol)+len(pgLogs)+len(pgStat) == 0 && !apply {
				return usageError("lineage ingest: give --dbt, --openlineage, --pg-log or --pg-stat-statements, or --apply")
			}
			if !slices.Contains(ingest.LogFormats, logFormat) {
				return usageError("lineage ingest: --pg-log-format must be one of %s", strings.Join(ingest.LogFormats, ", "))
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			if pin != "" {
				if _, err := cfg.Select([]string{pin}); err != nil {
					return usageError("lineage ingest: --store: %v", err)
				}
			}
			for _, s := range pgStat {
				sel, err := cfg.Select([]string{s})
				if err != nil {
					return usageError("lineage ingest: --pg-stat-statements: %v", err)
				}
				if k := storeKind(sel[0].URL); k != "postgres" {
					return usageError("lineage ingest: --pg-stat-statements: store %s is %s, not postgres", s, k)
				}
			}
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var srcs []*ingest.Source
			read := func(files []string, fn func(f *os.File, name string) (*ingest.Source, error)) error {
				for _, file := range files {
					name, err := filepath.Abs(file)
					if err != nil {
						return err
					}
					f, err := os.Open(file)
					if err != nil {
						return fmt.Errorf("lineage ingest: %w", err)
					}
					src, err := fn(f, name)
					f.Close()
					if err != nil {
						return err
					}
					srcs = append(srcs, src)
				}
				return nil
			}
			if err := read(dbt, func(f *os.File, name string) (*ingest.Source, error) { return ingest.ReadDBT(f, name) }); err != nil {
				return err
			}
			if err := read(ol, func(f *os.File, name string) (*ingest.Source, error) { return ingest.ReadOpenLineage(f, name) }); err != nil {
				return err
			}
			if err := read(pgLogs, func(f *os.File, name string) (*ingest.Source, error) {
				return ingest.ReadPostgresLog(f, name, logFormat)
			}); err != nil {
				return err
			}
			for _, s := range pgStat {
				src, err := a.readPGStat(ctx, cfg, s)
				if err != nil {
					return err
				}
				srcs = append(srcs, src)
			}
			for _, src := range srcs {
				if pin != "" {
					src.Store = pin
				}
				if src.Stats.Kept == 0 {
					continue // nothing with lineage: nothing to keep
				}
				if err := ingest.Put(ctx, g, src); err != nil {
					return err
				}
			}
			sum, err := a.applyLineage(ctx, cfg, g)
			if err != nil {
				return err
			}
			for _, src := range srcs {
				sum.Sources = append(sum.Sources, sourceInfo(*src))
			}
			if a.jsonOut {
				return a.printJSON(sum)
			}
			a.printIngestSummary(sum)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&dbt, "dbt", nil, "dbt manifest.json to ingest (repeatable)")
	f.StringArrayVar(&ol, "openlineage", nil, "file of OpenLineage events, JSON array or JSON lines (repeatable)")
	f.StringArrayVar(&pgLogs, "pg-log", nil, "PostgreSQL server log to ingest (repeatable)")
	f.StringVar(&logFormat, "pg-log-format", ingest.LogAuto, "format of --pg-log: "+strings.Join(ingest.LogFormats, ", "))
	f.StringArrayVar(&pgStat, "pg-stat-statements", nil, "read pg_stat_statements of this configured postgres store (repeatable)")
	f.StringVar(&pin, "store", "", "send relations without a matching namespace to this configured store")
	f.BoolVar(&apply, "apply", false, "write a run from the stored sources even without new input")
	return cmd
}

// storeKind is a store URL's scheme as a store kind.
func storeKind(rawURL string) string {
	scheme, _, _ := strings.Cut(rawURL, "://")
	switch scheme = strings.ToLower(scheme); scheme {
	case "postgresql":
		return "postgres"
	case "":
		return "unknown"
	}
	return scheme
}

// readPGStat reads pg_stat_statements of a configured postgres store over a
// read-only connection.
func (a *app) readPGStat(ctx context.Context, cfg *Config, store string) (*ingest.Source, error) {
	sel, err := cfg.Select([]string{store})
	if err != nil {
		return nil, err
	}
	pool, _, err := postgres.Open(ctx, sel[0].URL, true)
	if err != nil {
		return nil, fmt.Errorf("lineage ingest: store %s: %w", store, err)
	}
	defer pool.Close()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return ingest.ReadPGStatStatements(ctx, db, store)
}

// ingestSummary is what `lineage ingest` reports.
type ingestSummary struct {
	Sources []sourceSummary `json:"sources"`
	// Run is the run written, "" when none was (no scan yet, or no edge
	// has both ends in the map).
	Run        string         `json:"run"`
	Edges      int            `json:"edges"`      // edges built from every stored source
	Written    int            `json:"written"`    // edges with both ends in the map (in the run written, or already in the latest)
	NotInMap   int            `json:"not_in_map"` // edges to assets or fields the map does not have (yet)
	BySource   map[string]int `json:"by_source"`  // written edges per edge source (dbt, openlineage, sql)
	Unresolved []string       `json:"unresolved"`
	Problems   []string       `json:"problems"`
	Stored     int            `json:"stored_sources"` // sources in the graph directory (not superseded)
	// Unchanged is true when the latest run already has every edge, so no
	// run was written.
	Unchanged bool `json:"unchanged"`
}

type sourceSummary struct {
	ID           string       `json:"id"`
	Kind         string       `json:"kind"`
	Name         string       `json:"name"`
	Store        string       `json:"store,omitempty"`
	IngestedAt   time.Time    `json:"ingested_at"`
	SupersededBy string       `json:"superseded_by,omitempty"`
	Stats        ingest.Stats `json:"stats"`
}

func sourceInfo(s ingest.Source) sourceSummary {
	return sourceSummary{ID: s.ID, Kind: s.Kind, Name: s.Name, Store: s.Store, IngestedAt: s.IngestedAt,
		SupersededBy: s.SupersededBy, Stats: s.Stats}
}

// ingestStores is the configuration as the lineage resolver sees it.
func ingestStores(cfg *Config) []ingest.Store {
	out := make([]ingest.Store, len(cfg.Stores))
	for i, s := range cfg.Stores {
		out[i] = ingest.Store{Name: s.Name, URL: s.URL}
	}
	return out
}

// declaredLineage rebuilds the edges of every stored lineage source for a
// scan (scanner.Options.Declared).
func (a *app) declaredLineage(ctx context.Context, cfg *Config, g *badgerstore.Store) (*ingest.Report, error) {
	r, err := ingest.GraphResolver(ctx, g, ingestStores(cfg))
	if err != nil {
		return nil, err
	}
	return ingest.Build(ctx, g, r)
}

// applyLineage writes a run that carries every store forward and adds the
// edges of every stored source whose two ends are in the latest map.
func (a *app) applyLineage(ctx context.Context, cfg *Config, g *badgerstore.Store) (*ingestSummary, error) {
	rep, err := a.declaredLineage(ctx, cfg, g)
	if err != nil {
		return nil, err
	}
	sum := &ingestSummary{Sources: []sourceSummary{}, Edges: len(rep.Edges), BySource: map[string]int{},
		Unresolved: rep.Unresolved, Problems: rep.Problems, Stored: rep.Sources}
	if sum.Problems == nil {
		sum.Problems = []string{}
	}
	latest, err := g.Latest(ctx)
	if errors.Is(err, piimap.ErrNotFound) {
		sum.NotInMap = len(rep.Edges)
		return sum, nil
	}
	if err != nil {
		return nil, err
	}
	type key struct{ store, asset, field string }
	nodes := map[key]bool{}
	err = g.Nodes(ctx, latest.ID, func(n lineage.Node) error {
		nodes[key{n.Loc.Store, n.Loc.Name, n.Loc.Field}] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	var write []lineage.Edge
	for _, e := range rep.Edges {
		if nodes[key{e.From.Store, e.From.Name, e.From.Field}] && nodes[key{e.To.Store, e.To.Name, e.To.Field}] {
			write = append(write, e)
			sum.BySource[e.Source]++
		} else {
			sum.NotInMap++
		}
	}
	sum.Written = len(write)
	// The run rewrites every ingested source: edges the stored sources no
	// longer declare (a superseded manifest) are not carried forward.
	// Nothing new and nothing gone (an --apply after the last scan, the same
	// file again): no run, so `piimap diff previous latest` keeps meaning
	// something.
	type ekey struct {
		kind, source string
		from, to     key
	}
	ek := func(e lineage.Edge) ekey {
		return ekey{e.Kind, e.Source, key{e.From.Store, e.From.Name, e.From.Field}, key{e.To.Store, e.To.Name, e.To.Field}}
	}
	have := map[ekey]bool{}
	err = g.AllEdges(ctx, latest.ID, nil, func(e lineage.Edge) error {
		if slices.Contains(ingest.EdgeSources, e.Source) {
			have[ek(e)] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	want := map[ekey]bool{}
	for _, e := range write {
		want[ek(e)] = true
	}
	changed := !maps.Equal(have, want)
	if !changed {
		sum.Unchanged = len(write) > 0
		return sum, nil
	}
	id, w, err := g.BeginRun(ctx, nil)
	if err != nil {
		return nil, err
	}
	for _, e := range write {
		if err := w.PutEdge(ctx, e); err != nil {
			_ = w.Finish(ctx, lineage.ScanRun{Status: lineage.RunFailed})
			return nil, err
		}
	}
	run := lineage.ScanRun{Configured: storeNames(cfg.Stores), Errors: latest.Errors, Rewrites: ingest.EdgeSources}
	if err := w.Finish(ctx, run); err != nil {
		return nil, err
	}
	sum.Run = id
	return sum, nil
}

// printIngestSummary prints what ingest stored and wrote; file names,
// unresolved dataset names and problems are escaped (safef).
func (a *app) printIngestSummary(sum *ingestSummary) {
	for _, s := range sum.Sources {
		st := s.Stats
		what := map[string]string{ingest.KindDBT: "models", ingest.KindOpenLineage: "events"}[s.Kind]
		if what == "" {
			what = "statements"
		}
		if s.ID == "" {
			safef(a.stdout, "not stored %s %s: %d %s read, none with lineage", s.Kind, s.Name, st.Read, what)
		} else {
			safef(a.stdout, "stored %s %s (id %s): %d %s read, %d with lineage", s.Kind, s.Name, s.ID[:12], st.Read, what, st.Kept)
		}
		if st.Repeated > 0 {
			safef(a.stdout, ", %d repeated", st.Repeated)
		}
		if st.Dropped > 0 {
			safef(a.stdout, ", %d without lineage", st.Dropped)
		}
		if st.Failed > 0 {
			safef(a.stdout, ", %d unparseable", st.Failed)
		}
		if s.Kind == ingest.KindSQLLog || s.Kind == ingest.KindPGStat {
			fmt.Fprint(a.stdout, " (literals masked)")
		}
		fmt.Fprintln(a.stdout)
	}
	switch {
	case sum.Run != "":
		parts := []string{}
		for _, k := range slices.Sorted(maps.Keys(sum.BySource)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, sum.BySource[k]))
		}
		safef(a.stdout, "run %s: %d lineage edges from %d stored sources (%s)\n", sum.Run, sum.Written, sum.Stored, strings.Join(parts, ", "))
	case sum.Unchanged:
		safef(a.stdout, "no run written: the latest run already has all %d lineage edges\n", sum.Written)
	case sum.Edges > 0 && sum.Written == 0 && sum.NotInMap == sum.Edges:
		safef(a.stdout, "no run written: none of the %d lineage edges has both ends in the map yet; `piimap scan` writes them\n", sum.Edges)
	default:
		safef(a.stdout, "no run written: the %d stored sources give no lineage edges\n", sum.Stored)
	}
	if sum.Written > 0 && sum.NotInMap > 0 {
		safef(a.stdout, "  %d edges wait for their assets or fields to be scanned\n", sum.NotInMap)
	}
	if len(sum.Unresolved) > 0 {
		safef(a.stdout, "unresolved datasets (%d):\n", len(sum.Unresolved))
		for _, u := range sum.Unresolved {
			safef(a.stdout, "  %s\n", u)
		}
	}
	for _, p := range sum.Problems {
		safef(a.stdout, "problem: %s\n", p)
	}
}

func (a *app) lineageSourcesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "sources",
		Short: "List the lineage sources stored by `lineage ingest` and `lineage serve`",
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := a.openGraph()
			if err != nil {
				return err
			}
			all, err := ingest.List(cmd.Context(), g)
			if err != nil {
				return err
			}
			out := make([]sourceSummary, len(all))
			for i, s := range all {
				out[i] = sourceInfo(s)
			}
			if a.jsonOut {
				return a.printJSON(out)
			}
			if len(out) == 0 {
				fmt.Fprintln(a.stdout, "no lineage sources stored; see `piimap lineage ingest --help`")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tNAME\tSTORE\tINGESTED\tREAD\tKEPT\tSTATUS")
			for _, s := range out {
				status := "active"
				if s.SupersededBy != "" {
					status = "superseded by " + s.SupersededBy[:12]
				}
				safef(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", s.ID[:12], s.Kind, s.Name, s.Store,
					s.IngestedAt.Format(time.RFC3339), s.Stats.Read, s.Stats.Kept, status)
			}
			return tw.Flush()
		},
	}
}

func (a *app) lineageServeCommand() *cobra.Command {
	var listen, keyEnv string
	var maxBody int64
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR] [--api-key-env VAR]",
		Short: "Receive OpenLineage events over HTTP and store them as lineage sources",
		Long: `serve is an OpenLineage HTTP endpoint: point a producer's HTTP transport (Airflow, Spark,
dbt-ol, Flink …) at http://ADDR with endpoint api/v1/lineage. Each POST carries one event
(or a JSON array of events); valid events with lineage are stored in the graph directory
and answered 201, valid events without lineage (a FAIL event, no outputs) 200, invalid
ones 400 with the reason, bodies over --max-body 413. The SQL facet and everything else
that is not lineage is dropped before storing.

Stored events become edges at the next ` + "`piimap scan`" + ` or ` + "`piimap lineage ingest --apply`" + `.
The graph directory is opened only while an event is stored, so scans run beside the server;
while one holds it, requests are answered 503 with Retry-After.

The default address is loopback. With --api-key-env VAR, requests must send
"Authorization: Bearer $VAR" (the OpenLineage client's api_key). Stops on SIGINT or SIGTERM,
finishing requests in flight.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if maxBody <= 0 {
				return usageError("lineage serve: --max-body must be positive")
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			key := ""
			if keyEnv != "" {
				if key = os.Getenv(keyEnv); key == "" {
					return usageError("lineage serve: --api-key-env: $%s is empty or unset", keyEnv)
				}
			}
			if !ingest.IsLoopback(listen) && key == "" {
				a.note("warning: listening on %s without --api-key-env: anyone who can reach it can add lineage", listen)
			}
			log := a.logger()
			srv := &ingest.Server{
				Docs:    &graphDocs{dir: cfg.Graph, logger: log},
				Name:    "http://" + listen + ingest.LineagePath,
				APIKey:  key,
				MaxBody: maxBody,
				Logger:  log,
			}
			return ingest.ListenAndServe(cmd.Context(), listen, srv, func(addr net.Addr) {
				srv.Name = "http://" + addr.String() + ingest.LineagePath
				a.note("receiving OpenLineage events at %s (Ctrl-C stops)", srv.Name)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:5000", "address to listen on")
	f.StringVar(&keyEnv, "api-key-env", "", "require Authorization: Bearer with the key in this environment variable")
	f.Int64Var(&maxBody, "max-body", ingest.DefaultMaxBody, "largest request body in bytes")
	return cmd
}

// graphDocs is a lineage.DocStore that opens the graph directory for each
// operation and closes it again, so `lineage serve` does not hold the
// directory's lock between requests and scans can run beside it. A
// directory held by another command is retried for a few seconds.
type graphDocs struct {
	dir    string
	logger *slog.Logger
	mu     sync.Mutex
}

const graphLockWait = 3 * time.Second

func (d *graphDocs) with(ctx context.Context, fn func(*badgerstore.Store) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	deadline := time.Now().Add(graphLockWait)
	for {
		g, err := badgerstore.Open(d.dir, badgerstore.WithLogger(d.logger))
		if errors.Is(err, badgerstore.ErrLocked) && time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return err
		}
		err = fn(g)
		if cerr := g.Close(); err == nil {
			err = cerr
		}
		return err
	}
}

func (d *graphDocs) PutDoc(ctx context.Context, kind, id string, data []byte) error {
	return d.with(ctx, func(g *badgerstore.Store) error { return g.PutDoc(ctx, kind, id, data) })
}

func (d *graphDocs) GetDoc(ctx context.Context, kind, id string) ([]byte, error) {
	var out []byte
	err := d.with(ctx, func(g *badgerstore.Store) error {
		var err error
		out, err = g.GetDoc(ctx, kind, id)
		return err
	})
	return out, err
}

func (d *graphDocs) ListDocs(ctx context.Context, kind string, fn func(id string, data []byte) error) error {
	return d.with(ctx, func(g *badgerstore.Store) error { return g.ListDocs(ctx, kind, fn) })
}

var _ lineage.DocStore = (*graphDocs)(nil)
