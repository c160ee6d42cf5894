package duckdb

import (
	"path"
	"strings"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

func init() { scanner.RegisterNaming(Kind, Naming) }

// Naming names a DuckDB store's datasets: namespace duckdb:///abs/file,
// each relation schema.table. A relation named in SQL or dbt has schema
// main by default, and its catalog, when qualified with one, is the
// file's stem (what DuckDB calls an attached database).
func Naming(rawURL string) (lineage.DatasetNaming, error) {
	d, err := ParseURL(rawURL)
	if err != nil {
		return lineage.DatasetNaming{}, err
	}
	ns := d.Namespace()
	base := path.Base(strings.TrimPrefix(ns, "duckdb://"))
	return lineage.DatasetNaming{Namespace: ns,
		Relations: &lineage.RelationNaming{Database: strings.TrimSuffix(base, path.Ext(base)), DefaultSchema: "main"}}, nil
}
