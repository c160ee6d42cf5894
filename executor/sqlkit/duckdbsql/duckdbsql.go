package duckdbsql

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"strings"

	godb "github.com/marcboeker/go-duckdb"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

// InChunk bounds the values in one IN list; longer lists become ORed
// lists, so the number of statements depends on the tables, never on the
// rows.
const InChunk = 500

// Querier is what Columns reads through: a database or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// QuoteIdent quotes one identifier: "name", embedded quotes doubled.
func QuoteIdent(s string) string { return sqlcatalog.QuoteIdent(s) }

// QuoteLiteral quotes a string literal: 'it”s'.
func QuoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// IsString reports whether a DuckDB type holds text.
func IsString(typ string) bool {
	t := strings.ToUpper(typ)
	return t == "VARCHAR" || strings.HasPrefix(t, "VARCHAR(") || t == "TEXT" || t == "STRING"
}

// Columns describes a relation (a quoted table or a table function call
// such as read_parquet('f')): column name → DuckDB type.
func Columns(ctx context.Context, q Querier, relation string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, "DESCRIBE SELECT * FROM "+relation)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out[fmt.Sprint(vals[0])] = fmt.Sprint(vals[1])
	}
	return out, rows.Err()
}

// ColumnExpr renders a field as a SQL expression over a relation with the
// given column types: a column, a struct path ("payload"."user"."email"),
// or a path into a JSON column (json_extract_string). Unknown fields and
// list paths (`items[]`) are ErrUnsupported.
func ColumnExpr(field string, types map[string]string) (string, error) {
	if _, ok := types[field]; ok {
		return QuoteIdent(field), nil
	}
	if strings.Contains(field, "[]") {
		return "", fmt.Errorf("duckdb: field %s: list paths: %w", field, piimap.ErrUnsupported)
	}
	parts := strings.Split(field, ".")
	typ, ok := types[parts[0]]
	if !ok || len(parts) == 1 {
		return "", fmt.Errorf("duckdb: field %s: no such column: %w", field, piimap.ErrNotFound)
	}
	if strings.EqualFold(typ, "JSON") {
		return fmt.Sprintf("json_extract_string(%s, %s)", QuoteIdent(parts[0]), QuoteLiteral("$."+strings.Join(parts[1:], "."))), nil
	}
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = QuoteIdent(p)
	}
	return strings.Join(q, "."), nil
}

// Where renders matches as one DuckDB boolean expression (the disjunction
// of the matches) with its parameters: sqlkit.Where with IN lists of at
// most InChunk values. Every field compares by its text form.
func Where(ms []driver.Match, col func(field string) (string, error)) (string, []any, error) {
	d := &dialect{}
	w, err := sqlkit.Where[string]("duckdb", d, ms, col)
	if err != nil {
		return "", nil, err
	}
	return w, d.args, nil
}

// dialect is DuckDB's SQL for sqlkit.Where.
type dialect struct{ args []any }

func (*dialect) Text(c string) string  { return "CAST(" + c + " AS VARCHAR)" }
func (*dialect) Trim(x string) string  { return "trim(" + x + ")" }
func (*dialect) Lower(x string) string { return "lower(" + x + ")" }
func (*dialect) Upper(x string) string { return "upper(" + x + ")" }
func (*dialect) Strip(x, keep string) string {
	return "regexp_replace(" + x + ", '[^" + keep + "]', '', 'g')"
}
func (*dialect) Exact(x string) string { return x }
func (d *dialect) In(x string, vals []string) string {
	s, a := sqlkit.InList(x, vals, InChunk, ",")
	d.args = append(d.args, a...)
	return s
}
func (d *dialect) Matches(x, pattern string) string {
	d.args = append(d.args, pattern)
	return "regexp_matches(" + x + ", ?)"
}
func (*dialect) Typed(string, []string) (string, bool) { return "", false }

// QueryArrow runs a query on db through go-duckdb's Arrow interface and
// emits each record batch; the record is released after emit returns.
func QueryArrow(ctx context.Context, db *sql.DB, query string, args []any, emit func(driver.Batch) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		dconn, ok := dc.(sqldriver.Conn)
		if !ok {
			return fmt.Errorf("duckdb: driver connection has type %T", dc)
		}
		ar, err := godb.NewArrowFromConn(dconn)
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rdr.Release()
		for rdr.Next() {
			if err := emit(driver.Batch{Record: rdr.Record()}); err != nil {
				return err
			}
		}
		return rdr.Err()
	})
}
