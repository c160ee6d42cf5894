package mysql

import (
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

func init() { scanner.RegisterNaming(Kind, Naming) }

// Naming names a MySQL or MariaDB store's datasets after the OpenLineage
// naming spec: namespace mysql://host:port (also mariadb://, and without
// the default port), each relation database.table, which is already the
// store's asset name. A bare table name in SQL or dbt is in the URL's
// database; a store without one holds every database.
func Naming(rawURL string) (lineage.DatasetNaming, error) {
	c, err := ParseURL(rawURL)
	if err != nil {
		return lineage.DatasetNaming{}, err
	}
	ns := c.Namespace()
	return lineage.DatasetNaming{Namespace: ns, Aliases: scanner.ServerAliases(ns, "3306", "mariadb"),
		Relations: &lineage.RelationNaming{Database: c.Database(), DatabaseQualified: true}}, nil
}
