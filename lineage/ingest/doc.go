// Package ingest brings lineage that data teams already write down into
// the PII location map: dbt manifests, OpenLineage events (from a file or
// received over HTTP), PostgreSQL query logs and pg_stat_statements.
//
// # Story
//
// An input is read into a Source (ReadDBT, ReadOpenLineage, DecodeEvents,
// ReadPostgresLog, ReadPGStatStatements) and stored with Put in the graph's
// lineage.DocStore under DocKind, with a content-hash ID: ingesting the same
// content again overwrites the same document, and a new dbt manifest of the
// same path supersedes the old one. A payload too big for one document
// (the graph's value-log files are 8 MB) is stored in parts under PartKind. Sources are stored, not turned into
// edges once, because a scan replaces the edges of every store it reads:
// each `piimap scan` calls Build (or Edges) to turn every stored source
// into derived_from edges again and hands them to scanner.Options.Declared,
// so ingested lineage survives re-scans of its stores; `piimap lineage
// ingest` does the same and writes the edges into a new run that carries
// every store forward.
//
// What is stored is lineage, never values. A query log's statements go
// through sqlextract.MaskLiterals the moment they are read (WHERE email =
// 'ann@example.com' becomes WHERE email = ?); only statements that create
// lineage — CREATE TABLE AS, CREATE [MATERIALIZED] VIEW, INSERT … SELECT,
// SELECT INTO — are kept, the rest are counted; DETAIL lines with bind
// parameters are never read. A dbt manifest keeps only the lineage
// sqlextract extracts from its compiled SQL. An OpenLineage event keeps its
// job and the names and columnLineage facets of its datasets; SQL facets,
// error messages and everything else are dropped on the way in.
//
// # Edges
//
// Build rebuilds edges per model, event or statement so each edge names
// where it was learnt in its Evidence ("dbt model.shop.customers_export",
// "openlineage job airflow/export_users", "query log /var/log/pg.log
// statement #3 (literals masked)"), with Source dbt, openlineage or sql and
// a confidence per kind (ConfidenceDBT, ConfidenceOpenLineage,
// ConfidenceQueryLog). The column transform is sqlextract's: identity,
// transformation, or masked when a hashing, truncating or redacting
// function (or an OpenLineage masking transformation) lies on the path.
// The same edge learnt twice is kept once.
//
// # Resolving names to stores
//
// A Resolver maps what a source names to the configured stores, as each
// store's scanner names its assets:
//
//   - OpenLineage datasets by namespace: postgres://host:port with
//     db.schema.table → the postgres store on that host and port whose URL
//     names that database, asset schema.table; mysql://host:port with
//     db.table → asset db.table; s3://bucket with a key → the s3 store of
//     that bucket whose prefix the key starts with, asset the rest of the
//     key; file with an absolute path → the files store whose directory
//     holds it, asset the relative path; duckdb://path → the duckdb store
//     of that file, asset schema.table. localhost, 127.0.0.1 and ::1 are
//     one host; the namespace the latest scan recorded on a store's node
//     wins over one derived from its URL.
//   - dbt and SQL relations ("table", "schema.table", "db.schema.table")
//     → the one postgres, mysql or duckdb store that can hold them, the
//     database (dbt's node database, the log's db, the name's first part)
//     narrowing the choice, then the assets of the latest scan.
//
// A source ingested with a pinned store (`--store NAME`) sends every
// relation without a namespace, and every dataset whose namespace no store
// matches, to that store. Names no store holds, or that several could, are
// reported with the reason, never guessed.
//
// # HTTP
//
// Server is an http.Handler for OpenLineage's HTTP transport (POST
// /api/v1/lineage, one event or an array): it validates each event, stores
// it, and answers 201, 200 (valid, nothing to keep), 400 with the reason,
// 413 over the body limit, 401 without the API key when one is set, or 503
// when the graph is busy. ListenAndServe runs it until its context ends
// and then shuts down gracefully.
//
// # Limits
//
//   - Log messages are found by their English "LOG:  statement: " and
//     "execute NAME: " text: a server with lc_messages in another language
//     is not read.
//   - The stderr reader joins continuation lines that start with a tab;
//     syslog's numbered continuation lines ([3-2] #011…) are not joined,
//     so use csvlog or jsonlog with syslog.
//   - Query logs and pg_stat_statements are Postgres SQL; statements
//     truncated by track_activity_query_size do not parse and are counted
//     as failed.
//
// The run `piimap lineage ingest` writes rewrites every ingested source
// (lineage.ScanRun.Rewrites = EdgeSources): edges of a superseded
// manifest are not carried into it, so they leave the map with the ingest
// of the newer one.
//
// # Applying stored lineage
//
// Declared rebuilds the edges of every stored source for the scanner to
// write into each run, and Apply writes a newly ingested set into the
// latest run: it diffs it against the edges the run already holds from
// ingestion, so a re-ingest replaces what a source said before (apply.go).
package ingest
