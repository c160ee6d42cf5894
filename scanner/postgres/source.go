package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

// Kind is the store kind registered for postgres:// and postgresql:// URLs.
const Kind = "postgres"

func init() {
	open := func(ctx context.Context, cfg scanner.StoreConfig) (scanner.Source, error) {
		return OpenSource(ctx, cfg)
	}
	scanner.Register("postgres", Kind, open)
	scanner.Register("postgresql", Kind, open)
}

// Source reads one Postgres database through a read-only, bounded pool.
type Source struct {
	cfg  scanner.StoreConfig
	conn *Config
	pool *pgxpool.Pool
}

var (
	_ scanner.Source       = (*Source)(nil)
	_ scanner.Sampler      = (*Source)(nil)
	_ scanner.EdgeDeclarer = (*Source)(nil)
	_ scanner.Closer       = (*Source)(nil)
)

// OpenSource opens cfg's database read-only and checks that it answers.
func OpenSource(ctx context.Context, cfg scanner.StoreConfig) (*Source, error) {
	pool, c, err := Open(ctx, cfg.URL, true)
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, conn: c, pool: pool}, nil
}

// Namespace is the store's OpenLineage namespace, postgres://host:port.
func (s *Source) Namespace() string { return s.conn.Namespace() }

// Close closes the pool.
func (s *Source) Close() error { s.pool.Close(); return nil }

func (s *Source) loc(asset string) piimap.Location {
	return piimap.Location{Store: s.cfg.Name, Namespace: s.conn.Namespace(), Name: asset}
}

// systemSchemas excludes the catalogs, TOAST and temporary schemas.
const systemSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'`

// relationsQuery lists tables, partitioned tables (their partitions are
// read through the parent, not listed twice), views, materialized views and
// foreign tables, with row estimates: reltuples (-1 when never analyzed)
// summed over the leaf partitions of a partitioned table, else the
// statistics collector's n_live_tup.
const relationsQuery = `
SELECT n.nspname, c.relname, c.relkind::text,
       CASE WHEN c.relkind = 'p' THEN
              (SELECT coalesce(sum(greatest(l.reltuples, 0)), -1)::float8 FROM pg_partition_tree(c.oid) t
                 JOIN pg_class l ON l.oid = t.relid WHERE t.isleaf)
            ELSE c.reltuples::float8 END,
       coalesce(pg_stat_get_live_tuples(c.oid), -1),
       CASE WHEN c.relkind IN ('r', 'm') THEN pg_total_relation_size(c.oid) ELSE 0 END,
       coalesce(obj_description(c.oid, 'pg_class'), ''),
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),
       format('%s:%s:%s:%s', pg_relation_filenode(c.oid), pg_stat_get_tuples_inserted(c.oid),
              pg_stat_get_tuples_updated(c.oid), pg_stat_get_tuples_deleted(c.oid))
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND ` + systemSchemas + `
 ORDER BY 1, 2`

// Relation kinds, as recorded in unit meta "relation".
var relationNames = map[string]string{
	"r": "table", "p": "partitioned_table", "v": "view", "m": "materialized_view", "f": "foreign_table",
}

// Unit meta keys set by this package.
const (
	MetaRelation     = "relation"      // table, view, …
	MetaSampling     = "sampling"      // tablesample | hash_order
	MetaRowsEstimate = "rows_estimate" // reltuples | pg_stat | unknown
	// MetaJSONPath marks a field flattened out of a JSON/JSONB, array or
	// composite column; its value is the dotted path.
	MetaJSONPath = scanner.MetaJSONPath
)

// Enumerate emits every relation outside the system schemas as
// `schema.table`, with its row estimate, size, comment and relation kind.
func (s *Source) Enumerate(ctx context.Context, emit func(piimap.Unit) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var units []piimap.Unit
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, relationsQuery)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var schema, table, kind, comment string
			var reltuples float64
			var live, size int64
			var hasPK bool
			var stamp string
			if err := rows.Scan(&schema, &table, &kind, &reltuples, &live, &size, &comment, &hasPK, &stamp); err != nil {
				return err
			}
			est, src := estimate(reltuples, live)
			u := piimap.Unit{Loc: s.loc(Asset(schema, table)), Kind: piimap.UnitTable, Rows: max(est, 0), Size: size,
				Meta: map[string]string{MetaRelation: relationNames[kind], MetaRowsEstimate: src, MetaSampling: samplingOf(kind)}}
			if comment != "" {
				u.Meta[piimap.MetaComment] = comment
			}
			if kind == "r" || kind == "m" {
				// The relation's file and its write counters: a TRUNCATE or
				// VACUUM FULL changes the one, writes the others (the
				// statistics reach other sessions within seconds).
				u.Meta[piimap.MetaChangeStamp] = "pg:" + stamp
			}
			if !hasPK && (kind == "r" || kind == "p") {
				u.Meta["primary_key"] = "none"
			}
			units = append(units, u)
		}
		return rows.Err()
	})
	if err != nil {
		return WrapError(ctx, "list relations", err)
	}
	for _, u := range units {
		if err := emit(u); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// estimate picks the best row estimate: reltuples when the relation has
// been analyzed or vacuumed, else the statistics collector; -1 if neither
// knows.
func estimate(reltuples float64, live int64) (int64, string) {
	switch {
	case reltuples >= 0:
		return int64(reltuples), "reltuples"
	case live > 0:
		return live, "pg_stat"
	}
	return -1, "unknown"
}

func samplingOf(relkind string) string {
	if tableSampled(relkind) {
		return "tablesample"
	}
	return "hash_order"
}

// tableSampled reports whether TABLESAMPLE applies to the relation kind.
func tableSampled(relkind string) bool { return relkind == "r" || relkind == "p" || relkind == "m" }

// inTx runs fn in a read-only transaction with the configured timeouts.
func (s *Source) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.conn.Begin(ctx, s.pool, pgx.ReadOnly)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// fkQuery lists declared foreign keys column by column, in key order.
// Constraints cloned onto partitions (conparentid ≠ 0) are skipped: the
// partitioned parent declares them.
const fkQuery = `
SELECT cn.nspname, cc.relname, ca.attname, pn.nspname, pc.relname, pa.attname
  FROM pg_constraint k
  JOIN pg_class cc ON cc.oid = k.conrelid
  JOIN pg_namespace cn ON cn.oid = cc.relnamespace
  JOIN pg_class pc ON pc.oid = k.confrelid
  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
  CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(ck, pk, ord)
  JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = u.ck
  JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = u.pk
 WHERE k.contype = 'f' AND k.conparentid = 0 AND NOT cc.relispartition
   AND cn.nspname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY cn.nspname, cc.relname, k.conname, u.ord`

// DeclaredEdges emits every FOREIGN KEY as `references` edges from each
// child column to its parent column (source fk, confidence 1); a composite
// key gives one edge per column pair. Then every view and materialized
// view definition (pg_get_viewdef) becomes `derived_from` edges from each
// view column to the columns it is computed from (source view, confidence
// 1, transform identity, transformation or masked); a definition that
// does not parse is skipped.
func (s *Source) DeclaredEdges(ctx context.Context, emit func(lineage.Edge) error) error {
	return sqlcatalog.DeclaredEdges(ctx, emit, s.foreignKeys, s.viewEdges, WrapError)
}

func (s *Source) foreignKeys(ctx context.Context) (edges []lineage.Edge, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, fkQuery)
		if err != nil {
			return err
		}
		defer rows.Close()
		edges, err = sqlcatalog.ForeignKeyEdges(rows, s.loc)
		return err
	})
	return edges, err
}

// Read emits the unit's sample with the store's configured sample.
func (s *Source) Read(ctx context.Context, u piimap.Unit, emit func(piimap.Record) error) error {
	return s.ReadSample(ctx, u, scanner.DefaultSample(s.cfg.Sample), emit)
}

// ReadSample samples one relation (see the package doc for the method) in
// one read-only transaction, or reads it in full in batches when smp.Full.
func (s *Source) ReadSample(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	return sqlcatalog.Sampler{Kind: Kind, Naming: "schema.table", Wrap: WrapError,
		Read: func(ctx context.Context, u piimap.Unit, schema, table string, emit func(piimap.Record) error) error {
			return s.inTx(ctx, func(tx pgx.Tx) error {
				rel, err := describe(ctx, tx, schema, table)
				if err != nil {
					return err
				}
				r := &reader{tx: tx, u: u, rel: rel, smp: smp, emit: emit}
				return r.run(ctx)
			})
		}}.ReadSample(ctx, u, emit)
}

// seedFor mixes the sample seed with the unit name into REPEATABLE's range.
func seedFor(seed int64, unit string) int64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(unit); i++ {
		h ^= uint64(unit[i])
		h *= 1099511628211
	}
	return int64((uint64(seed)*0x9E3779B97F4A7C15 ^ h) % (1 << 31))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var _ scanner.PipelineStager = (*Source)(nil)

// PipelineStage places the store along a data pipeline: an operational database.
func (s *Source) PipelineStage() int { return scanner.StageOperational }
