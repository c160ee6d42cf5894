package scanner

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
)

// MetaJSONPath marks a field flattened out of a nested (JSON, array,
// composite) column; its value is the field's dotted path.
const MetaJSONPath = "json_path"

// Column describes one column of a table to a ColumnBatch: what the
// classifier may use about it, and whether its cells are JSON documents.
type Column struct {
	Name       string
	SQLType    string // the store's type name, recorded as piimap.MetaSQLType
	Comment    string
	Nullable   bool
	Unique     bool // a single-column unique index or key covers it
	PrimaryKey bool
	// Nested cells are JSON documents (JSON columns, and arrays, structs or
	// composites the query renders as JSON): each scalar leaf becomes its
	// own field `name.path.to.leaf`, `name.items[]`; a cell that is not
	// valid JSON is kept whole under the column's name.
	Nested bool
	// Binary cells may hold arbitrary bytes: invalid UTF-8 in a scalar
	// cell is replaced with U+FFFD.
	Binary bool
}

// Describer is a column type that describes itself as a Column: Column
// does, and so does a source's own column type that embeds it.
type Describer interface{ Describe() Column }

// Describe returns c itself.
func (c Column) Describe() Column { return c }

// Selected reports whether a sample's field filter selects the column:
// by its name, or, for a nested column, by a field flattened out of it
// (`payload.user.email` selects `payload`).
func (c Column) Selected(smp Sample) bool {
	if len(smp.Fields) == 0 {
		return true
	}
	for _, f := range smp.Fields {
		if f == c.Name || c.Nested && (strings.HasPrefix(f, c.Name+".") || strings.HasPrefix(f, c.Name+"[")) {
			return true
		}
	}
	return false
}

// Rows is what a ColumnBatch reads from a query result; *sql.Rows and
// pgx.Rows both have it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ColumnBatch accumulates one sample of a table, column by column, and
// emits it as one piimap.Record per field. It is the shared core of the
// SQL sources (postgres, mysql, duckdb).
//
// Rows are added as cells aligned with the batch's columns, every cell a
// nullable string. Scalar columns keep one value per non-NULL, non-empty
// cell, in row order; nested columns are flattened with FlattenJSON into
// dotted fields, each declared the first time a row holds it. Only the
// fields the sample wants (Sample.Wants: the field itself, or, for a field
// inside a nested column, the column) are kept.
//
// Flush emits the fields in declaration order (scalar columns in column
// order first, then flattened fields as they appeared) with each column's
// meta (piimap.MetaSQLType, MetaNullable, MetaUnique, MetaPrimaryKey,
// MetaComment, MetaJSONPath for a flattened field), the batch's
// piimap.MetaRowsSampled and MetaRowsTotal, MetaTextField when the values
// read as free text, and the caller's extra meta; it then starts the next
// batch of the same fields. A ColumnBatch is not safe for concurrent use.
type ColumnBatch struct {
	unit    piimap.Unit
	cols    []Column
	smp     Sample
	total   int64
	extra   map[string]string
	fields  []string
	values  map[string][]string
	meta    map[string]map[string]string
	rows    int
	flushed bool
	cells   []sql.NullString // Scan's destination
	dest    []any
}

// NewColumnBatch returns an empty batch for unit u's columns cols (Columns,
// or a source's own column type embedding Column), read for
// sample smp. total is the table's row count or estimate, recorded as
// piimap.MetaRowsTotal when positive. extra is added to every record's meta
// (e.g. the sampling method); it does not override the batch's own keys.
func NewColumnBatch[C Describer](u piimap.Unit, cols []C, smp Sample, total int64, extra map[string]string) *ColumnBatch {
	b := &ColumnBatch{unit: u, cols: make([]Column, len(cols)), smp: smp, total: total, extra: extra,
		values: map[string][]string{}, meta: map[string]map[string]string{}}
	for i, c := range cols {
		b.cols[i] = c.Describe()
	}
	for _, c := range b.cols {
		if !c.Nested {
			b.declare(c.Name, c)
		}
	}
	return b
}

// Rows is the number of rows added since the last flush.
func (b *ColumnBatch) Rows() int { return b.rows }

// Flushed reports whether the batch has been flushed at least once.
func (b *ColumnBatch) Flushed() bool { return b.flushed }

// declare records field's meta the first time it is seen, if it is wanted.
func (b *ColumnBatch) declare(field string, c Column) {
	if _, ok := b.meta[field]; ok || !b.smp.Wants(field) && !(c.Nested && b.smp.Wants(c.Name)) {
		return
	}
	m := map[string]string{piimap.MetaSQLType: c.SQLType, piimap.MetaNullable: strconv.FormatBool(c.Nullable)}
	if c.Unique {
		m[piimap.MetaUnique] = "true"
	}
	if c.PrimaryKey {
		m[piimap.MetaPrimaryKey] = "true"
	}
	if c.Comment != "" {
		m[piimap.MetaComment] = c.Comment
	}
	if c.Nested {
		m[MetaJSONPath] = field
	}
	b.meta[field] = m
	b.fields = append(b.fields, field)
}

// Add appends one row; cells are aligned with the batch's columns, and a
// NULL or empty cell adds no value.
func (b *ColumnBatch) Add(cells []sql.NullString) {
	b.rows++
	for i, c := range b.cols {
		v := cells[i]
		if !v.Valid || v.String == "" {
			continue
		}
		switch {
		case c.Nested:
			b.addDoc(c, v.String)
		case c.Binary:
			b.values[c.Name] = append(b.values[c.Name], strings.ToValidUTF8(v.String, "\uFFFD"))
		default:
			b.values[c.Name] = append(b.values[c.Name], v.String)
		}
	}
}

// addDoc flattens one nested cell into its fields.
func (b *ColumnBatch) addDoc(c Column, text string) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		b.declare(c.Name, c)
		b.values[c.Name] = append(b.values[c.Name], text)
		return
	}
	FlattenJSON(c.Name, doc, func(path, value string) {
		if path == "$" {
			path = c.Name
		}
		if !b.smp.Wants(path) && !b.smp.Wants(c.Name) {
			return
		}
		b.declare(path, c)
		b.values[path] = append(b.values[path], value)
	})
}

// Scan scans the current row of rows, one cell per column, and adds it.
func (b *ColumnBatch) Scan(rows Rows) error {
	if b.dest == nil {
		b.cells = make([]sql.NullString, len(b.cols))
		b.dest = make([]any, len(b.cols))
		for i := range b.cells {
			b.dest[i] = &b.cells[i]
		}
	}
	if err := rows.Scan(b.dest...); err != nil {
		return err
	}
	b.Add(b.cells)
	return nil
}

// ReadRows scans every row of rows, flushing to emit whenever batchRows
// rows are in hand (0: never until the end) and stopping if ctx is done
// after a flush; at the end it flushes what is left, and always at least
// once, so that an empty table still yields one (empty) record per
// column. It does not close rows.
func (b *ColumnBatch) ReadRows(ctx context.Context, rows Rows, batchRows int, emit func(piimap.Record) error) error {
	for rows.Next() {
		if err := b.Scan(rows); err != nil {
			return err
		}
		if batchRows > 0 && b.rows >= batchRows {
			if err := b.Flush(emit); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if b.rows > 0 || !b.flushed {
		return b.Flush(emit)
	}
	return nil
}

// Flush emits one record per field declared so far, then clears the values
// and the row count for the next batch.
func (b *ColumnBatch) Flush(emit func(piimap.Record) error) error {
	b.flushed = true
	for _, f := range b.fields {
		meta := make(map[string]string, len(b.meta[f])+len(b.extra)+3)
		for k, v := range b.extra {
			meta[k] = v
		}
		for k, v := range b.meta[f] {
			meta[k] = v
		}
		meta[piimap.MetaRowsSampled] = strconv.Itoa(b.rows)
		if b.total > 0 {
			meta[piimap.MetaRowsTotal] = strconv.FormatInt(b.total, 10)
		}
		vals := b.values[f]
		if LooksLikeText(vals) {
			meta[piimap.MetaTextField] = "true"
		}
		if err := emit(piimap.Record{Loc: b.unit.Loc.WithField(f), Values: vals, Meta: meta}); err != nil {
			return err
		}
	}
	b.values = map[string][]string{}
	b.rows = 0
	return nil
}
