package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	godb "github.com/marcboeker/go-duckdb"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// inChunk bounds the values in one IN list; longer lists become ORed lists,
// so the number of statements depends on the tables, never on the rows.
const inChunk = 500

// Columns describes a relation (a quoted table or a table function call
// such as read_parquet('f')): column name → DuckDB type.
func Columns(ctx context.Context, q querier, relation string) (map[string]string, error) {
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

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ColumnExpr renders a field as a SQL expression over a relation with the
// given column types: a column, a struct path ("payload"."user"."email"),
// or a path into a JSON column (json_extract_string). Unknown fields and
// list paths (`items[]`) are ErrUnsupported.
func ColumnExpr(field string, types map[string]string) (string, error) {
	if _, ok := types[field]; ok {
		return sduck.QuoteIdent(field), nil
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
		return fmt.Sprintf("json_extract_string(%s, %s)", sduck.QuoteIdent(parts[0]), quoteLiteral("$."+strings.Join(parts[1:], "."))), nil
	}
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = sduck.QuoteIdent(p)
	}
	return strings.Join(q, "."), nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Where renders matches as one DuckDB boolean expression (the disjunction
// of the matches) with its parameters, following executor's matching rules:
// emails case-insensitively, equal or as a whole token; phones by digits or
// as a token; other kinds by exact string form. A NULL cell never matches.
func Where(ms []executor.Match, col func(field string) (string, error)) (string, []any, error) {
	var ors []string
	var args []any
	for _, m := range ms {
		if m.Field == "" {
			return "", nil, fmt.Errorf("duckdb: text matches need a field: %w", piimap.ErrUnsupported)
		}
		c, err := col(m.Field)
		if err != nil {
			return "", nil, err
		}
		txt := "CAST(" + c + " AS VARCHAR)"
		vals := m.SQLValues()
		if m.Kind == piimap.KeyPhone {
			vals = identifier.PhoneCellForms(m.Values, m.Region) // E.164 under the field's region: every cell key (digits and +) it may be written as
		}
		if len(vals) == 0 {
			continue
		}
		switch m.Kind {
		case piimap.KeyEmail:
			in, a := inList("lower(trim("+txt+"))", vals)
			ors = append(ors, in)
			args = append(args, a...)
			ors = append(ors, "regexp_matches(lower("+txt+"), ?)")
			args = append(args, identifier.EmailTokenPattern(vals))
		case piimap.KeyPhone:
			in, a := inList("regexp_replace("+txt+", '[^0-9+]', '', 'g')", vals)
			ors = append(ors, in)
			args = append(args, a...)
			ors = append(ors, "regexp_matches("+txt+", ?)")
			args = append(args, identifier.PhoneTokenPattern(m.Values, m.Region))
		case identifier.Card, identifier.SSN: // a needle: the cell's digits (identifier.CellKey)
			in, a := inList("regexp_replace("+txt+", '[^0-9]', '', 'g')", vals)
			ors = append(ors, in)
			args = append(args, a...)
		case identifier.IBAN:
			in, a := inList("upper(regexp_replace("+txt+", '[^A-Za-z0-9]', '', 'g'))", vals)
			ors = append(ors, in)
			args = append(args, a...)
		default:
			in, a := inList("trim("+txt+")", vals)
			ors = append(ors, in)
			args = append(args, a...)
		}
	}
	if len(ors) == 0 {
		return "FALSE", nil, nil
	}
	return "(" + strings.Join(ors, " OR ") + ")", args, nil
}

func inList(expr string, vals []string) (string, []any) {
	var parts []string
	var args []any
	for i := 0; i < len(vals); i += inChunk {
		j := min(i+inChunk, len(vals))
		ph := strings.TrimSuffix(strings.Repeat("?,", j-i), ",")
		parts = append(parts, expr+" IN ("+ph+")")
		for _, v := range vals[i:j] {
			args = append(args, v)
		}
	}
	return strings.Join(parts, " OR "), args
}

// QueryArrow runs a query on db through go-duckdb's Arrow interface and
// emits each record batch; the record is released after emit returns.
func QueryArrow(ctx context.Context, db *sql.DB, query string, args []any, emit func(executor.Batch) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		dconn, ok := dc.(driver.Conn)
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
			if err := emit(executor.Batch{Record: rdr.Record()}); err != nil {
				return err
			}
		}
		return rdr.Err()
	})
}
