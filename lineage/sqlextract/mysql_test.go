package sqlextract

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFromMySQL(t *testing.T) {
	in := "CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW `shop`.`v_customers` AS " +
		"select `c`.`Id` AS `id`,sha2(lower(`c`.`email`),256) AS `email_sha`,left(`c`.`phone`,3) AS `area`,'it\\'s' AS `s`," +
		"\"x\" AS `y` from `shop`.`customers` `c` where (`c`.`note` <> 'a\"b')"
	pg := FromMySQL(in)
	require.Equal(t, `CREATE VIEW "shop"."v_customers" AS select "c"."Id" AS "id",sha2(lower("c"."email"),256) AS "email_sha",`+
		`left("c"."phone",3) AS "area",'it''s' AS "s",'x' AS "y" from "shop"."customers" "c" where ("c"."note" <> 'a"b')`, pg)
	r, err := Extract(pg, nil)
	require.NoError(t, err)
	require.Equal(t, []string{
		"shop.v_customers.area ← shop.customers.phone [masked] left",
		"shop.v_customers.email_sha ← shop.customers.email [masked] sha2,lower",
		"shop.v_customers.id ← shop.customers.Id [identity]",
	}, render(r))
}
