package sqlcatalog

import "strings"

// QuoteIdent quotes one identifier the ANSI way, as Postgres and DuckDB
// read it: "name", with embedded double quotes doubled. A kind that must
// drop bytes its server cannot hold (Postgres: NUL) does so first.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Asset names a relation as the map does: `schema.table`.
func Asset(schema, table string) string { return schema + "." + table }

// SplitAsset splits an asset name `schema.table` at its first dot; ok is
// false unless both parts are non-empty.
func SplitAsset(name string) (schema, table string, ok bool) {
	schema, table, ok = strings.Cut(name, ".")
	return schema, table, ok && schema != "" && table != ""
}
