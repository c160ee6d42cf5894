package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	_ "github.com/marcboeker/go-duckdb" // registers the "duckdb" database/sql driver

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

// DSN is a parsed duckdb:// URL: the database file and DuckDB config
// options passed through from the query string (e.g. threads=4).
type DSN struct {
	Path   string     // absolute path of the database file
	Params url.Values // DuckDB configuration options
}

// ParseURL parses duckdb:///abs/path.duckdb or duckdb://relative/path
// (relative to the working directory). access_mode is not accepted in the
// URL: the caller states read-only or read-write explicitly.
func ParseURL(raw string) (DSN, error) {
	rest, ok := strings.CutPrefix(raw, "duckdb://")
	if !ok {
		return DSN{}, fmt.Errorf("duckdb: url %q: want duckdb://FILE: %w", raw, piimap.ErrConfig)
	}
	var query string
	rest, query, _ = strings.Cut(rest, "?")
	p, err := url.PathUnescape(rest)
	if err != nil || p == "" || p == ":memory:" {
		return DSN{}, fmt.Errorf("duckdb: url %q: want a database file: %w", raw, piimap.ErrConfig)
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return DSN{}, fmt.Errorf("duckdb: url %q: query: %w", raw, piimap.ErrConfig)
	}
	if params.Has("access_mode") {
		return DSN{}, fmt.Errorf("duckdb: url %q: access_mode is set by piimap, not the url: %w", raw, piimap.ErrConfig)
	}
	abs, err := filepath.Abs(filepath.FromSlash(p))
	if err != nil {
		return DSN{}, fmt.Errorf("duckdb: url %q: %w", raw, piimap.ErrConfig)
	}
	return DSN{Path: abs, Params: params}, nil
}

// Namespace is the OpenLineage namespace: duckdb:///abs/file.duckdb.
func (d DSN) Namespace() string { return "duckdb://" + filepath.ToSlash(d.Path) }

// ConnString is the go-duckdb connection string: path?options, with
// access_mode=read_only when readOnly.
func (d DSN) ConnString(readOnly bool) string {
	q := url.Values{}
	for k, v := range d.Params {
		q[k] = v
	}
	if readOnly {
		q.Set("access_mode", "read_only")
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(d.Path)
	for i, k := range keys {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(q.Get(k)))
	}
	return b.String()
}

// Open opens the database a duckdb:// URL names and pings it. Read-only
// opens never create or modify the file; a missing file is an error
// wrapping piimap.ErrUnreachable and piimap.ErrNotFound. The executor opens
// the same file read-write (readOnly false) once the scanner has closed it:
// DuckDB allows one read-write process per file.
func Open(ctx context.Context, rawURL string, readOnly bool) (*sql.DB, error) {
	d, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return OpenDSN(ctx, d, readOnly)
}

// OpenDSN is Open for a parsed DSN.
func OpenDSN(ctx context.Context, d DSN, readOnly bool) (*sql.DB, error) {
	if readOnly {
		fi, err := os.Stat(d.Path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("duckdb: open %s: %w: %w", d.Path, piimap.ErrUnreachable, piimap.ErrNotFound)
		case err != nil:
			return nil, fmt.Errorf("duckdb: open %s: %w: %w", d.Path, piimap.ErrUnreachable, err)
		case fi.IsDir():
			return nil, fmt.Errorf("duckdb: open %s: is a directory: %w", d.Path, piimap.ErrConfig)
		}
	}
	db, err := sql.Open("duckdb", d.ConnString(readOnly))
	if err != nil {
		return nil, fmt.Errorf("duckdb: open %s: %w: %w", d.Path, piimap.ErrUnreachable, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("duckdb: open %s: %w: %w", d.Path, piimap.ErrUnreachable, err)
	}
	return db, nil
}

// QuoteIdent quotes one SQL identifier for DuckDB: "name", with embedded
// quotes doubled.
func QuoteIdent(s string) string { return sqlcatalog.QuoteIdent(s) }

// QuoteTable quotes schema.table.
func QuoteTable(schema, table string) string { return QuoteIdent(schema) + "." + QuoteIdent(table) }

// SplitAsset splits an asset name `schema.table` at its first dot (schema
// names cannot hold dots in piimap's naming; table names can).
func SplitAsset(name string) (schema, table string, ok bool) { return sqlcatalog.SplitAsset(name) }

// Asset names a table as the map does: `schema.table`.
func Asset(schema, table string) string { return sqlcatalog.Asset(schema, table) }
