package postgres

import (
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

func init() { scanner.RegisterNaming(Kind, Naming) }

// Naming names a Postgres store's datasets after the OpenLineage naming
// spec: namespace postgres://host:port (also postgresql://, and without
// the default port), each relation database.schema.table. Relations named
// in SQL or dbt resolve with schema public by default and must name the
// store's database when qualified with one.
func Naming(rawURL string) (lineage.DatasetNaming, error) {
	c, err := ParseURL(rawURL)
	if err != nil {
		return lineage.DatasetNaming{}, err
	}
	ns, db := c.Namespace(), c.Database()
	n := lineage.DatasetNaming{Namespace: ns, Aliases: scanner.ServerAliases(ns, "5432", "postgresql"),
		Relations: &lineage.RelationNaming{Database: db, DefaultSchema: "public"}}
	if db != "" {
		n.Prefix = db + "."
	}
	return n, nil
}
