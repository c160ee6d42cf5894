package postgres_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// The chain estate: five tables linked by foreign keys,
// accounts ← orders ← shipments ← parcels ← scans. The subject owns
// account 1 and n rows in each of the four child tables; two other
// accounts own others rows between them.
var chainTables = []string{"t1_accounts", "t2_orders", "t3_shipments", "t4_parcels", "t5_scans"}

const chainSchema = `
CREATE TABLE t1_accounts (id int PRIMARY KEY, email text NOT NULL, name text);
CREATE TABLE t2_orders (id int PRIMARY KEY, account_id int REFERENCES t1_accounts(id), note text);
CREATE INDEX ON t2_orders (account_id);
CREATE TABLE t3_shipments (id int PRIMARY KEY, order_id int REFERENCES t2_orders(id), address text);
CREATE INDEX ON t3_shipments (order_id);
CREATE TABLE t4_parcels (id int PRIMARY KEY, shipment_id int REFERENCES t3_shipments(id), label text);
CREATE INDEX ON t4_parcels (shipment_id);
CREATE TABLE t5_scans (id int PRIMARY KEY, parcel_id int REFERENCES t4_parcels(id), location text);
CREATE INDEX ON t5_scans (parcel_id)`

// chainData (re)fills the chain estate.
func chainData(n, others int) []string {
	total := strconv.Itoa(n + others)
	ns := strconv.Itoa(n)
	return []string{
		`TRUNCATE t5_scans, t4_parcels, t3_shipments, t2_orders, t1_accounts`,
		`INSERT INTO t1_accounts VALUES (1, 'Subject.One@example.com', 'Subject One'), (2, 'other.two@example.com', 'Other Two'), (3, 'other.three@example.com', 'Other Three')`,
		`INSERT INTO t2_orders SELECT g, CASE WHEN g <= ` + ns + ` THEN 1 ELSE 2 + g % 2 END, 'order ' || g FROM generate_series(1, ` + total + `) g`,
		`INSERT INTO t3_shipments SELECT g, g, g || ' High Street' FROM generate_series(1, ` + total + `) g`,
		`INSERT INTO t4_parcels SELECT g, g, 'label ' || g FROM generate_series(1, ` + total + `) g`,
		`INSERT INTO t5_scans SELECT g, g, 'depot ' || (g % 17) FROM generate_series(1, ` + total + `) g`,
		`ANALYZE`,
	}
}

// chainTargets are the subject's targets children-first, with the key
// values a plan resolves (ids 1..n in every child table).
func chainTargets(n int) []driver.Target {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	return []driver.Target{
		{Asset: "public.t5_scans", Mode: driver.ModeDelete, Match: []driver.Match{ref("parcel_id", ids...)}},
		{Asset: "public.t4_parcels", Mode: driver.ModeDelete, Match: []driver.Match{ref("shipment_id", ids...)}},
		{Asset: "public.t3_shipments", Mode: driver.ModeDelete, Match: []driver.Match{ref("order_id", ids...)}},
		{Asset: "public.t2_orders", Mode: driver.ModeDelete, Match: []driver.Match{ref("account_id", "1")}},
		{Asset: "public.t1_accounts", Mode: driver.ModeDelete, Match: []driver.Match{
			{Field: "email", Kind: piimap.KeyEmail, Values: []string{"subject.one@example.com"}},
			{Field: "id", Kind: driver.KindKey, Values: []string{"1"}}}},
	}
}

// eraseChain erases the subject from a freshly filled chain estate and
// returns the statements the handler sent and the rows it changed.
func eraseChain(t testing.TB, dbURL string, n int, mode driver.Mode) (stmts, changed int64, wall time.Duration) {
	t.Helper()
	h := open(t, dbURL, driver.HandlerOptions{MaskKey: []byte("bench")})
	defer h.Close()
	ts := chainTargets(n)
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
	dbURL := newDB(t, chainSchema)
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeNull, driver.ModeMask} {
		var counts []int64
		for _, n := range []int{10, 10000} {
			execAll(t, dbURL, chainData(n, 500)...)
			stmts, changed, wall := eraseChain(t, dbURL, n, mode)
			require.EqualValues(t, 4*n+1, changed, "%s n=%d", mode, n)
			t.Logf("%s: %d subject rows in %d tables: %d statements, %v", mode, 4*n+1, len(chainTables), stmts, wall.Round(time.Millisecond))
			counts = append(counts, stmts)
			// the other accounts' rows are all still there
			for _, tb := range chainTables[1:] {
				var left int
				conn, err := pgx.Connect(context.Background(), dbURL)
				require.NoError(t, err)
				require.NoError(t, conn.QueryRow(context.Background(), "SELECT count(*) FROM "+tb).Scan(&left))
				conn.Close(context.Background())
				if mode == driver.ModeDelete {
					require.Equal(t, 500, left, tb)
				} else {
					require.Equal(t, n+500, left, tb)
				}
			}
		}
		require.Equal(t, counts[0], counts[1], "%s: statements grew with rows", mode)
		// catalog 2 + BEGIN/SET LOCAL 2 + COMMIT 1 + at most 2 per table (mask: select values, update)
		require.LessOrEqual(t, counts[1], int64(5+2*len(chainTables)), "%s", mode)
	}
}

// BenchmarkEraseChain erases one subject who has 10,000 rows across the
// five-table FK chain (2,500 in each child table, plus the account) among
// 20,000 rows of other subjects. Reports statements per erasure.
//
//	PIIMAP_TEST_POSTGRES=… go test -run '^$' -bench EraseChain ./executor/postgres/
func BenchmarkEraseChain(b *testing.B) {
	const n, others = 2500, 5000
	dbURL := newDB(b, chainSchema)
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeMask} {
		b.Run(string(mode), func(b *testing.B) {
			var stmts, changed int64
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				execAll(b, dbURL, chainData(n, others)...)
				b.StartTimer()
				s, c, w := eraseChain(b, dbURL, n, mode)
				stmts, changed, wall = stmts+s, changed+c, wall+w
			}
			b.ReportMetric(float64(stmts)/float64(b.N), "stmts/op")
			b.ReportMetric(float64(changed)/float64(b.N), "rows/op")
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "erase-ms/op")
		})
	}
	// The row-at-a-time baseline (what Fides does, minus its connection per
	// row and plus a transaction): one DELETE per row, children first.
	b.Run("row-by-row-baseline", func(b *testing.B) {
		var wall time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			execAll(b, dbURL, chainData(n, others)...)
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, dbURL)
			require.NoError(b, err)
			b.StartTimer()
			start := time.Now()
			tx, err := conn.Begin(ctx)
			require.NoError(b, err)
			for _, tb := range []string{"t5_scans", "t4_parcels", "t3_shipments", "t2_orders"} {
				for id := 1; id <= n; id++ {
					_, err := tx.Exec(ctx, "DELETE FROM "+tb+" WHERE id = $1", id)
					require.NoError(b, err)
				}
			}
			_, err = tx.Exec(ctx, "DELETE FROM t1_accounts WHERE id = 1")
			require.NoError(b, err)
			require.NoError(b, tx.Commit(ctx))
			wall += time.Since(start)
			b.StopTimer()
			require.NoError(b, conn.Close(ctx))
			b.StartTimer()
		}
		b.ReportMetric(float64(4*n+1+2), "stmts/op")
		b.ReportMetric(float64(4*n+1), "rows/op")
		b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "erase-ms/op")
	})
}
