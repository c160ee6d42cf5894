package main

import (
	"context"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor/principal"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/lineage/ingest"
	"github.com/piimap/piimap/scanner"
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
		Example: `  piimap lineage ingest --dbt target/manifest.json
  piimap lineage ingest --openlineage events.jsonl --pg-log /var/log/postgresql/postgresql.log
  piimap lineage ingest --apply`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(dbt)+len(ol)+len(pgLogs)+len(pgStat) == 0 && !apply {
				return usageError("lineage ingest: give --dbt, --openlineage, --pg-log or --pg-stat-statements, or --apply")
			}
			if !slices.Contains(ingest.LogFormats, logFormat) {
				return usageError("lineage ingest: --pg-log-format must be one of %s", strings.Join(ingest.LogFormats, ", "))
			}
			// The whole graph, every tenant's part of it: a principal of
			// every tenant (or the implied local admin) only.
			if _, err := a.authorizeTenant(cmd, principal.RunScan, principal.AllTenants); err != nil {
				return err
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
				k, err := scanner.KindOf(sel[0].URL)
				if err != nil {
					return usageError("lineage ingest: --pg-stat-statements: store %s: %v", s, err)
				}
				if k != postgres.Kind {
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
			applied, err := ingest.Apply(ctx, g, ingestStores(cfg))
			if err != nil {
				return err
			}
			sum := &ingestSummary{Sources: []sourceSummary{}, Applied: applied}
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

// ingestSummary is what `lineage ingest` reports: the sources read, then
// what ingest.Apply did with every stored source.
type ingestSummary struct {
	Sources []sourceSummary `json:"sources"`
	*ingest.Applied
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

// ingestStores is the configuration as the lineage resolver sees it: each
// store named as its kind names its datasets. A store whose URL its kind
// cannot read gets no naming (no lineage name resolves to it); scan and
// validate report the URL itself.
func ingestStores(cfg *Config) []ingest.Store {
	out := make([]ingest.Store, len(cfg.Stores))
	for i, s := range cfg.Stores {
		n, _ := scanner.NamingOf(s.URL)
		out[i] = ingest.Store{Name: s.Name, Naming: n}
	}
	return out
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
		Use:     "sources",
		Short:   "List the lineage sources stored by `lineage ingest` and `lineage serve`",
		Example: "  piimap lineage sources\n  piimap lineage sources --json",
		Args:    wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The whole graph, every tenant's part of it: a principal of
			// every tenant (or the implied local admin) only.
			if _, err := a.authorizeTenant(cmd, principal.ReadMap, principal.AllTenants); err != nil {
				return err
			}
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
			tw := a.newTable()
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
		Example: `  piimap lineage serve --listen 127.0.0.1:5000
  OL_KEY=secret piimap lineage serve --api-key-env OL_KEY`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if maxBody <= 0 {
				return usageError("lineage serve: --max-body must be positive")
			}
			// The whole graph, every tenant's part of it: a principal of
			// every tenant (or the implied local admin) only. The graph
			// is closed again: the server opens it per event.
			_, err := a.authorizeTenant(cmd, principal.RunScan, principal.AllTenants)
			a.close()
			if err != nil {
				return err
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
				Docs:    badgerstore.NewSharedDocs(cfg.Graph, badgerstore.WithLogger(log)),
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
