package mysql_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner/mysql"
)

func TestNaming(t *testing.T) {
	n, err := mysql.Naming("mysql://root:pw@127.0.0.1:3306/crm")
	require.NoError(t, err)
	require.Equal(t, lineage.DatasetNaming{Namespace: "mysql://127.0.0.1:3306",
		Aliases:   []string{"mysql://127.0.0.1", "mariadb://127.0.0.1:3306", "mariadb://127.0.0.1"},
		Relations: &lineage.RelationNaming{Database: "crm", DatabaseQualified: true}}, n)
	require.True(t, n.Answers("mariadb://localhost:3306"))
	asset, ok := n.Relation("customers")
	require.True(t, ok)
	require.Equal(t, "crm.customers", asset)
	n, err = mysql.Naming("mariadb://root@db:3307")
	require.NoError(t, err)
	require.Empty(t, n.Relations.Database, "no database in the URL: every database")
	require.NotContains(t, n.Namespace, "root")
}
