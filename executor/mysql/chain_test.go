package mysql_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	smy "github.com/piimap/piimap/scanner/mysql"
)

// The chain estate: five InnoDB tables linked by foreign keys,
// accounts ← orders ← shipments ← parcels ← scans. The subject owns
// account 1 and n rows in each of the four child tables.
var chainTables = []string{"t1_accounts", "t2_orders", "t3_shipments", "t4_parcels", "t5_scans"}

var chainSchema = []string{
	`CREATE TABLE t1_accounts (id INT PRIMARY KEY, email VARCHAR(80) NOT NULL, name VARCHAR(80)) ENGINE=InnoDB`,
	`CREATE TABLE t2_orders (id INT PRIMARY KEY, account_id INT, note VARCHAR(80), FOREIGN KEY (account_id) REFERENCES t1_accounts(id)) ENGINE=InnoDB`,
	`CREATE TABLE t3_shipments (id INT PRIMARY KEY, order_id INT, address VARCHAR(80), FOREIGN KEY (order_id) REFERENCES t2_orders(id)) ENGINE=InnoDB`,
	`CREATE TABLE t4_parcels (id INT PRIMARY KEY, shipment_id INT, label VARCHAR(80), FOREIGN KEY (shipment_id) REFERENCES t3_shipments(id)) ENGINE=InnoDB`,
	`CREATE TABLE t5_scans (id INT PRIMARY KEY, parcel_id INT, location VARCHAR(80), FOREIGN KEY (parcel_id) REFERENCES t4_parcels(id)) ENGINE=InnoDB`,
}

// chainData (re)fills the chain estate with the subject's n rows per child
// table and others rows of two other accounts.
func chainData(n, others int) []string {
	total := strconv.Itoa(n + others)
	ns := strconv.Itoa(n)
	seq := `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ` + total + `) `
	return []string{
		`SET SESSION cte_max_recursion_depth = 1000000`,  // MySQL 8
		`SET SESSION max_recursive_iterations = 1000000`, // MariaDB
		`SET FOREIGN_KEY_CHECKS = 0`,
		`TRUNCATE t5_scans`, `TRUNCATE t4_parcels`, `TRUNCATE t3_shipments`, `TRUNCATE t2_orders`, `TRUNCATE t1_accounts`,
		`SET FOREIGN_KEY_CHECKS = 1`,
		`INSERT INTO t1_accounts VALUES (1, 'Subject.One@example.com', 'Subject One'), (2, 'other.two@example.com', 'Other Two'), (3, 'other.three@example.com', 'Other Three')`,
		`INSERT INTO t2_orders ` + seq + `SELECT i, CASE WHEN i <= ` + ns + ` THEN 1 ELSE 2 + i % 2 END, CONCAT('order ', i) FROM g`,
		`INSERT INTO t3_shipments ` + seq + `SELECT i, i, CONCAT(i, ' High Street') FROM g`,
		`INSERT INTO t4_parcels ` + seq + `SELECT i, i, CONCAT('label ', i) FROM g`,
		`INSERT INTO t5_scans ` + seq + `SELECT i, i, CONCAT('depot ', i % 17) FROM g`,
	}
}

// execSession runs statements on one connection (session settings hold).
func execSession(t testing.TB, dbURL string, stmts ...string) {
	t.Helper()
	db, err := smy.Open(context.Background(), dbURL)
	require.NoError(t, err)
	defer db.Close()
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			if strings.HasPrefix(s, "SET SESSION") { // the other server's name for the CTE limit
				continue
			}
			require.NoError(t, err, s)
		}
	}
}

func chainTargets(db string, n int) []driver.Target {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	return []driver.Target{
		{Asset: db + ".t5_scans", Mode: driver.ModeDelete, Match: []driver.Match{ref("parcel_id", ids...)}},
		{Asset: db + ".t4_parcels", Mode: driver.ModeDelete, Match: []driver.Match{ref("shipment_id", ids...)}},
		{Asset: db + ".t3_shipments", Mode: driver.ModeDelete, Match: []driver.Match{ref("order_id", ids...)}},
		{Asset: db + ".t2_orders", Mode: driver.ModeDelete, Match: []driver.Match{ref("account_id", "1")}},
		{Asset: db + ".t1_accounts", Mode: driver.ModeDelete, Match: []driver.Match{
			{Field: "email", Kind: piimap.KeyEmail, Values: []string{"subject.one@example.com"}},
			{Field: "id", Kind: driver.KindKey, Values: []string{"1"}}}},
	}
}

func eraseChain(t testing.TB, dbURL, db string, n int, mode driver.Mode) (stmts, changed int64, wall time.Duration) {
	t.Helper()
	h := open(t, dbURL, driver.HandlerOptions{MaskKey: []byte("bench")})
	defer h.Close()
	ts := chainTargets(db, n)
	for i := range ts {
		if mode != driver.ModeDelete && i < len(ts)-1 {
			ts[i].Mode = mode
			ts[i].Fields = []string{"location", "label", "address", "note"}[i : i+1]
		}
	}
	start := time.Now()
	res, err := h.Erase(context.Background(), ts, driver.EraseOptions{})
	wall = time.Since(start)
	require.NoError(t, err)
	for _, r := range res {
		changed += r.Changed
	}
	return h.Statements(), changed, wall
}

// TestStatementsGrowWithTablesNotRows erases a subject with 10 and then
// 10,000 rows in each of four child tables of a five-table FK chain: the
// number of statements is the same, a small constant per table.
func TestStatementsGrowWithTablesNotRows(t *testing.T) {
	if testing.Short() {
		t.Skip("fills 50,000 rows")
	}
	dbURL := newDB(t, chainSchema...)
	db := dbName(t, dbURL)
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeNull, driver.ModeMask} {
		var counts []int64
		for _, n := range []int{10, 10000} {
			execSession(t, dbURL, chainData(n, 500)...)
			stmts, changed, wall := eraseChain(t, dbURL, db, n, mode)
			require.EqualValues(t, 4*n+1, changed, "%s n=%d", mode, n)
			t.Logf("%s: %d subject rows in %d tables: %d statements, %v", mode, 4*n+1, len(chainTables), stmts, wall.Round(time.Millisecond))
			counts = append(counts, stmts)
			sdb, err := smy.Open(context.Background(), dbURL)
			require.NoError(t, err)
			for _, tb := range chainTables[1:] {
				var left int
				require.NoError(t, sdb.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+tb).Scan(&left))
				if mode == driver.ModeDelete {
					require.Equal(t, 500, left, tb)
				} else {
					require.Equal(t, n+500, left, tb)
				}
			}
			sdb.Close()
		}
		require.Equal(t, counts[0], counts[1], "%s: statements grew with rows", mode)
		// catalog 3 + BEGIN/SET 2 + COMMIT 1 + per table: 1 (delete, null)
		// or 4 (mask: select values, insert pairs, update, plus the
		// temporary table's drop+create once) + 1 drop at the end
		require.LessOrEqual(t, counts[1], int64(6+4*len(chainTables)+3), "%s", mode)
	}
}

// BenchmarkEraseChain erases one subject who has 10,000 rows across the
// five-table FK chain (2,500 in each child table, plus the account) among
// 20,000 rows of other subjects. Reports statements per erasure.
//
//	PIIMAP_TEST_MYSQL=… go test -run '^$' -bench EraseChain ./executor/mysql/
func BenchmarkEraseChain(b *testing.B) {
	const n, others = 2500, 5000
	dbURL := newDB(b, chainSchema...)
	db := dbName(b, dbURL)
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeMask} {
		b.Run(string(mode), func(b *testing.B) {
			var stmts, changed int64
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				execSession(b, dbURL, chainData(n, others)...)
				b.StartTimer()
				s, c, w := eraseChain(b, dbURL, db, n, mode)
				stmts, changed, wall = stmts+s, changed+c, wall+w
			}
			b.ReportMetric(float64(stmts)/float64(b.N), "stmts/op")
			b.ReportMetric(float64(changed)/float64(b.N), "rows/op")
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "erase-ms/op")
		})
	}
}
