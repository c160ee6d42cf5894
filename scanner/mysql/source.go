package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

// Kind is the store kind registered for mysql:// and mariadb:// URLs.
const Kind = "mysql"

func init() {
	open := func(ctx context.Context, cfg scanner.StoreConfig) (scanner.Source, error) {
		return OpenSource(ctx, cfg)
	}
	scanner.Register("mysql", Kind, open)
	scanner.Register("mariadb", Kind, open)
}

// Unit and record meta keys set by this package.
const (
	MetaRelation = "relation" // table | view
	MetaSampling = "sampling" // pk_ranges | pk_offsets | order_by_rand | rand_filter | all_rows | full
	MetaKey      = "sample_key"
	MetaJSONPath = scanner.MetaJSONPath // a field flattened out of a JSON column: its dotted path
)

// Source reads MySQL or MariaDB databases through a bounded pool, every
// query inside START TRANSACTION READ ONLY.
type Source struct {
	cfg scanner.StoreConfig
	db  *DB
}

var (
	_ scanner.Source       = (*Source)(nil)
	_ scanner.Sampler      = (*Source)(nil)
	_ scanner.EdgeDeclarer = (*Source)(nil)
	_ scanner.Closer       = (*Source)(nil)
)

// OpenSource opens cfg's server and checks that it answers.
func OpenSource(ctx context.Context, cfg scanner.StoreConfig) (*Source, error) {
	db, err := Open(ctx, cfg.URL)
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, db: db}, nil
}

// Namespace is the store's OpenLineage namespace, mysql://host:port.
func (s *Source) Namespace() string { return s.db.Config.Namespace() }

// Close closes the pool.
func (s *Source) Close() error { return s.db.Close() }

func (s *Source) loc(asset string) piimap.Location {
	return piimap.Location{Store: s.cfg.Name, Namespace: s.Namespace(), Name: asset}
}

// scope restricts catalog queries to the URL's database, or to every
// non-system database; col is the schema column to filter.
func (s *Source) scope(col string) (string, []any) {
	if db := s.db.Config.Database(); db != "" {
		return col + " = ?", []any{db}
	}
	return col + " NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')", nil
}

// inTx runs fn in a read-only transaction with the configured timeouts.
func (s *Source) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.Begin(ctx, true)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Enumerate emits every base table and view as `db.table`, with its row
// estimate (information_schema.TABLES.TABLE_ROWS), size, comment and the
// sampling method its key allows.
func (s *Source) Enumerate(ctx context.Context, emit func(piimap.Unit) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var units []piimap.Unit
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		keys, err := s.allKeys(ctx, tx)
		if err != nil {
			return err
		}
		where, args := s.scope("TABLE_SCHEMA")
		rows, err := tx.QueryContext(ctx, `
SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, COALESCE(TABLE_ROWS, -1),
       COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0), COALESCE(TABLE_COMMENT, ''),
       COALESCE(CAST(UPDATE_TIME AS CHAR), '')
  FROM information_schema.TABLES
 WHERE `+where+` AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')
 ORDER BY TABLE_SCHEMA, TABLE_NAME`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var db, table, typ, comment, updated string
			var est, size int64
			if err := rows.Scan(&db, &table, &typ, &est, &size, &comment, &updated); err != nil {
				return err
			}
			name := Asset(db, table)
			relation := "table"
			if typ == "VIEW" {
				relation, comment, size = "view", "", 0
			}
			k := keys[name]
			u := piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitTable, Rows: max(est, 0), Size: size,
				Meta: map[string]string{MetaRelation: relation, MetaSampling: k.method(est)}}
			if len(k.cols) > 0 {
				u.Meta[MetaKey] = strings.Join(k.cols, ",")
			}
			if comment != "" {
				u.Meta[piimap.MetaComment] = comment
			}
			if relation == "table" && updated != "" {
				// InnoDB keeps UPDATE_TIME in memory (NULL after a restart,
				// until the next write): no stamp then, so nothing is
				// taken as unchanged.
				u.Meta[piimap.MetaChangeStamp] = "my:" + updated + ":" + strconv.FormatInt(size, 10)
			}
			units = append(units, u)
		}
		return rows.Err()
	})
	if err != nil {
		return WrapError(ctx, "list tables", err)
	}
	for _, u := range units {
		if err := emit(u); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// DeclaredEdges emits every FOREIGN KEY (information_schema
// KEY_COLUMN_USAGE) as `references` edges from each child column to its
// parent column (source fk, confidence 1), composite keys column by column.
// Then every view definition (information_schema.VIEWS) becomes
// `derived_from` edges from each view column to the columns it is computed
// from (source view, confidence 1, transform identity, transformation or
// masked); a definition that does not parse is skipped.
func (s *Source) DeclaredEdges(ctx context.Context, emit func(lineage.Edge) error) error {
	return sqlcatalog.DeclaredEdges(ctx, emit, s.foreignKeys, s.viewEdges, WrapError)
}

func (s *Source) foreignKeys(ctx context.Context) (edges []lineage.Edge, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		where, args := s.scope("TABLE_SCHEMA")
		rows, err := tx.QueryContext(ctx, `
SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
  FROM information_schema.KEY_COLUMN_USAGE
 WHERE REFERENCED_TABLE_NAME IS NOT NULL AND `+where+`
 ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`, args...)
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

// ReadSample samples one table or view (see the package doc for the
// method) in one read-only transaction, or reads it in full in batches.
func (s *Source) ReadSample(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	return sqlcatalog.Sampler{Kind: Kind, Naming: "db.table", Wrap: WrapError,
		Read: func(ctx context.Context, u piimap.Unit, db, table string, emit func(piimap.Record) error) error {
			return s.inTx(ctx, func(tx *sql.Tx) error {
				rel, err := s.describe(ctx, tx, db, table)
				if err != nil {
					return err
				}
				r := &reader{tx: tx, u: u, rel: rel, smp: smp, emit: emit}
				return r.run(ctx)
			})
		}}.ReadSample(ctx, u, emit)
}

// column is one column: what the classifier may use, and how to select it.
type column struct {
	scanner.Column
	dataType string
	class    string // scalar | text | json | geometry | binary | bit
}

// relation is what a read needs to know about one table or view.
type relation struct {
	db, table string
	view      bool
	est       int64
	cols      []column
	key       key
}

// jsonCheck matches MariaDB's JSON alias: LONGTEXT CHECK (json_valid(`c`)).
var jsonCheck = regexp.MustCompile("(?i)^json_valid\\(`((?:[^`]|``)+)`\\)$")

// JSONCheckColumn names the column a MariaDB CHECK clause declares JSON
// (`json_valid(`c`)`, how MariaDB spells its JSON alias), if it is one.
func JSONCheckColumn(clause string) (string, bool) {
	m := jsonCheck.FindStringSubmatch(strings.TrimSpace(clause))
	if m == nil {
		return "", false
	}
	return strings.ReplaceAll(m[1], "``", "`"), true
}

func (s *Source) describe(ctx context.Context, tx *sql.Tx, db, table string) (*relation, error) {
	rel := &relation{db: db, table: table, est: -1}
	var typ string
	err := tx.QueryRowContext(ctx, `SELECT TABLE_TYPE, COALESCE(TABLE_ROWS, -1) FROM information_schema.TABLES
 WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, db, table).Scan(&typ, &rel.est)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("table %s: %w", Asset(db, table), piimap.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	rel.view = typ == "VIEW"
	rows, err := tx.QueryContext(ctx, `
SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE = 'YES', COALESCE(COLUMN_COMMENT, '')
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, db, table)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.Name, &c.SQLType, &c.dataType, &c.Nullable, &c.Comment); err != nil {
			rows.Close()
			return nil, err
		}
		c.class = classOf(strings.ToLower(c.dataType))
		rel.cols = append(rel.cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(rel.cols) == 0 {
		return nil, fmt.Errorf("table %s: %w", Asset(db, table), piimap.ErrNotFound)
	}
	if s.db.MariaDB {
		if err := markMariaJSON(ctx, tx, rel); err != nil {
			return nil, err
		}
	}
	types := colTypes{}
	for _, c := range rel.cols {
		types[Asset(db, table)+"."+c.Name] = [2]string{c.dataType, c.SQLType}
	}
	keys, err := s.keys(ctx, tx, types, "TABLE_SCHEMA = ? AND TABLE_NAME = ?", db, table)
	if err != nil {
		return nil, err
	}
	rel.key = keys[Asset(db, table)]
	for i := range rel.cols {
		c := &rel.cols[i]
		c.PrimaryKey = rel.key.primary && contains(rel.key.cols, c.Name)
		c.Unique = rel.key.uniques[c.Name]
		c.Nested, c.Binary = c.class == "json", c.class == "binary"
	}
	return rel, nil
}

// markMariaJSON flags MariaDB JSON columns, which the catalog reports as
// LONGTEXT with a json_valid check constraint.
func markMariaJSON(ctx context.Context, tx *sql.Tx, rel *relation) error {
	rows, err := tx.QueryContext(ctx, `SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
 WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`, rel.db, rel.table)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var clause string
		if err := rows.Scan(&clause); err != nil {
			return err
		}
		if name, ok := JSONCheckColumn(clause); ok {
			for i := range rel.cols {
				if rel.cols[i].Name == name {
					rel.cols[i].class, rel.cols[i].SQLType = "json", "json"
				}
			}
		}
	}
	return rows.Err()
}

func classOf(dataType string) string {
	switch dataType {
	case "json":
		return "json"
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set":
		return "text"
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return "binary"
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
		"geometrycollection", "geomcollection":
		return "geometry"
	case "bit":
		return "bit"
	}
	return "scalar"
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

var _ scanner.PipelineStager = (*Source)(nil)

// PipelineStage places the store along a data pipeline: an operational database.
func (s *Source) PipelineStage() int { return scanner.StageOperational }
