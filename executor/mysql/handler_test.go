package mysql_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/executortest"
	"github.com/piimap/piimap/internal/hangcheck"
	smy "github.com/piimap/piimap/scanner/mysql"
)

var schemaSQL = []string{
	`CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(80), name TEXT, user_id VARCHAR(40), profile JSON, KEY (user_id)) ENGINE=InnoDB`,
	`CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, note TEXT, total DECIMAL(8,2),
	   FOREIGN KEY (customer_id) REFERENCES customers(id)) ENGINE=InnoDB`,
	`CREATE TABLE order_items (id BIGINT AUTO_INCREMENT PRIMARY KEY, order_id INT, sku VARCHAR(20), gift_to VARCHAR(64),
	   FOREIGN KEY (order_id) REFERENCES orders(id)) ENGINE=InnoDB`,
}

var dataSQL = []string{
	`INSERT INTO customers VALUES
	  (1, ' Ann.Lee@Example.com', 'Ann Lee', 'u-100', '{"contact": {"email": "ann.lee@example.com"}}'),
	  (2, 'bob@example.com', 'Bob Roe', 'u-200', '{"contact": {"email": "bob@example.com"}}'),
	  (3, 'ann.lee@example.com.au', 'Ann Other', 'U-100', NULL)`,
	`INSERT INTO orders VALUES
	  (10, 1, 'gift for ann.lee@example.com', 9.5),
	  (11, 1, NULL, 12.0),
	  (12, 2, 'call bob', 3.25),
	  (13, 3, 'ship to ann.lee@example.com.au', 1.0)`,
	`INSERT INTO order_items (order_id, sku, gift_to) VALUES (10, 'A-1', 'Ann'), (10, 'A-2', NULL), (11, 'B-1', NULL), (12, 'C-1', 'Bob'), (13, 'D-1', NULL)`,
}

func fixture(t testing.TB, extra ...string) (dbURL, db string) {
	dbURL = newDB(t, append(append(append([]string{}, schemaSQL...), dataSQL...), extra...)...)
	return dbURL, dbName(t, dbURL)
}

func email(vals ...string) driver.Match {
	return driver.Match{Field: "email", Kind: piimap.KeyEmail, Values: vals}
}

func ref(field string, vals ...string) driver.Match {
	return driver.Match{Field: field, Kind: driver.KindRef, Values: vals}
}

// targets are the planted subject's targets children-first, as a plan
// orders them, and other subjects' targets.
func targets(db string, mode driver.Mode) (subject, others []driver.Target) {
	items := driver.Target{Asset: db + ".order_items", Mode: mode, Fields: []string{"gift_to"}, Match: []driver.Match{ref("order_id", "10", "11")}}
	ord := driver.Target{Asset: db + ".orders", Mode: mode, Fields: []string{"note"}, Match: []driver.Match{ref("customer_id", "1")}}
	cust := driver.Target{Asset: db + ".customers", Mode: mode, Fields: []string{"name"}, Match: []driver.Match{email("ann.lee@example.com")}}
	if mode == driver.ModeDelete {
		cust.Match = append(cust.Match, driver.Match{Field: "id", Kind: driver.KindKey, Values: []string{"1"}})
	}
	oi := driver.Target{Asset: db + ".order_items", Match: []driver.Match{ref("order_id", "12", "13")}}
	oo := driver.Target{Asset: db + ".orders", Match: []driver.Match{ref("customer_id", "2", "3")}}
	oc := driver.Target{Asset: db + ".customers", Match: []driver.Match{email("bob@example.com", "ann.lee@example.com.au")}}
	return []driver.Target{items, ord, cust}, []driver.Target{oi, oo, oc}
}

func TestConformance(t *testing.T) {
	serverURL(t)
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeNull, driver.ModeMask} {
		t.Run(string(mode), func(t *testing.T) {
			executortest.Run(t, func(t *testing.T) executortest.Fixture {
				dbURL, db := fixture(t)
				h := open(t, dbURL, driver.HandlerOptions{MaskKey: []byte("k")})
				subj, others := targets(db, mode)
				for i := range subj {
					if subj[i].Asset == db+".customers" {
						// every PII column of the row, not only the match field
						subj[i].Fields = []string{"name", "user_id", "profile"}
					}
				}
				return executortest.Fixture{Handler: h, Subject: subj, Others: others,
					Want: map[string]int64{db + ".customers": 1, db + ".orders": 2, db + ".order_items": 3},
					SubjectKeys: map[string][]string{db + ".customers": {"1"}, db + ".orders": {"10", "11"},
						db + ".order_items": {"1", "2", "3"}},
					Raw: func(t testing.TB, asset string) []executortest.Row { return rawRows(t, dbURL, asset) }}
			})
		})
	}
}

// rawRows reads every row of a table with the driver alone, keyed by id:
// the suite's view independent of the handler.
func rawRows(t testing.TB, dbURL, asset string) []executortest.Row {
	t.Helper()
	db, err := smy.Open(context.Background(), dbURL)
	require.NoError(t, err)
	defer db.Close()
	schema, table, _ := strings.Cut(asset, ".")
	rows, err := db.Query("SELECT * FROM " + smy.QuoteIdent(schema) + "." + smy.QuoteIdent(table))
	require.NoError(t, err)
	return executortest.SQLRows(t, rows, "id")
}

// TestCollationDoesNotWiden: the columns' case-insensitive collation would
// make 'u-100' equal 'U-100'; keys compare exactly.
func TestCollationDoesNotWiden(t *testing.T) {
	dbURL, db := fixture(t)
	h := open(t, dbURL, driver.HandlerOptions{})
	defer h.Close()
	n, err := h.Count(context.Background(), driver.Target{Asset: db + ".customers",
		Match: []driver.Match{{Field: "user_id", Kind: piimap.KeyUserID, Values: []string{"u-100"}}}})
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}

func TestWrongOrderIsFixed(t *testing.T) {
	dbURL, db := fixture(t)
	h := open(t, dbURL, driver.HandlerOptions{})
	defer h.Close()
	subj, _ := targets(db, driver.ModeDelete)
	rev := []driver.Target{subj[2], subj[1], subj[0]}
	res, err := h.Erase(context.Background(), rev, driver.EraseOptions{})
	require.NoError(t, err)
	require.Equal(t, []driver.Result{{Asset: db + ".customers", Found: 1, Changed: 1},
		{Asset: db + ".orders", Found: 2, Changed: 2}, {Asset: db + ".order_items", Found: 3, Changed: 3}}, res)
}

// TestTransactionPerStore: when one target fails, nothing of the store is
// erased.
func TestTransactionPerStore(t *testing.T) {
	dbURL, db := fixture(t)
	h := open(t, dbURL, driver.HandlerOptions{})
	defer h.Close()
	subj, _ := targets(db, driver.ModeDelete)
	subj[0].Match = []driver.Match{ref("order_id", "10")} // order 11 keeps an item: its delete fails
	_, err := h.Erase(context.Background(), subj, driver.EraseOptions{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "ann.lee", "raw identifier in an error")
	for _, tg := range subj {
		n, err := h.Count(context.Background(), tg)
		require.NoError(t, err)
		require.NotZero(t, n, "%s erased although the transaction failed", tg.Asset)
	}
}

func TestMaskTokensAndShape(t *testing.T) {
	dbURL, db := fixture(t)
	h := open(t, dbURL, driver.HandlerOptions{MaskKey: []byte("secret")})
	defer h.Close()
	subj, _ := targets(db, driver.ModeMask)
	_, err := h.Erase(context.Background(), subj, driver.EraseOptions{})
	require.NoError(t, err)
	got := map[string]any{}
	err = h.Find(context.Background(), driver.Target{Asset: db + ".customers",
		Match: []driver.Match{{Field: "id", Kind: driver.KindKey, Values: []string{"1"}}}}, func(b driver.Batch) error {
		cols, rows := b.Table()
		require.Len(t, rows, 1)
		for i, c := range cols {
			got[c.Name] = rows[0][i]
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, driver.MaskToken([]byte("secret"), " Ann.Lee@Example.com"), got["email"])
	require.Regexp(t, `^tok_[0-9a-f]{16}@redacted\.invalid$`, got["email"])
	require.Equal(t, driver.MaskToken([]byte("secret"), "Ann Lee"), got["name"])
	require.Equal(t, "u-100", got["user_id"], "a column outside the target is untouched")
	require.Equal(t, json.Number("1"), got["id"])
	// a second mask in the same handler (fresh transaction, same pooled
	// connection) leaves the other subjects alone
	_, others := targets(db, driver.ModeMask)
	before := executortest.Checksums(t, h, others)
	_, err = h.Erase(context.Background(), subj, driver.EraseOptions{})
	require.NoError(t, err)
	require.Equal(t, before, executortest.Checksums(t, h, others))
}

func TestJSONPath(t *testing.T) {
	dbURL, db := fixture(t)
	h := open(t, dbURL, driver.HandlerOptions{})
	defer h.Close()
	ctx := context.Background()
	n, err := h.Count(ctx, driver.Target{Asset: db + ".customers",
		Match: []driver.Match{{Field: "profile.contact.email", Kind: piimap.KeyEmail, Values: []string{"ANN.LEE@example.com"}}}})
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	var profile any
	err = h.Find(ctx, driver.Target{Asset: db + ".customers", Match: []driver.Match{email("bob@example.com")}}, func(b driver.Batch) error {
		cols, rows := b.Table()
		for i, c := range cols {
			if c.Name == "profile" {
				profile = rows[0][i]
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.IsType(t, json.RawMessage{}, profile, "JSON cells are raw JSON, so paths resolve")
	_, err = h.Count(ctx, driver.Target{Asset: db + ".customers", Match: []driver.Match{{Field: "profile.tags[]", Kind: driver.KindKey, Values: []string{"x"}}}})
	require.ErrorIs(t, err, piimap.ErrUnsupported)
	_, err = h.Count(ctx, driver.Target{Asset: db + ".nope", Match: []driver.Match{email("a@b.c")}})
	require.ErrorIs(t, err, piimap.ErrNotFound)
}

func TestCheckMode(t *testing.T) {
	dbURL, db := fixture(t, `CREATE TABLE short (id INT PRIMARY KEY, code VARCHAR(8), login VARCHAR(40) NOT NULL, ref VARCHAR(40),
	   FOREIGN KEY (ref) REFERENCES customers(user_id)) ENGINE=InnoDB`)
	h := open(t, dbURL, driver.HandlerOptions{})
	defer h.Close()
	cases := []struct {
		name string
		t    driver.Target
		ok   bool
	}{
		{"delete always", driver.Target{Asset: db + ".customers", Mode: driver.ModeDelete, Match: []driver.Match{{Field: "id", Kind: driver.KindKey}}}, true},
		{"null on a primary key", driver.Target{Asset: db + ".customers", Mode: driver.ModeNull, Match: []driver.Match{{Field: "id", Kind: driver.KindKey}}}, false},
		{"null on a nullable fk", driver.Target{Asset: db + ".orders", Mode: driver.ModeNull, Match: []driver.Match{ref("customer_id")}}, true},
		{"null on NOT NULL", driver.Target{Asset: db + ".short", Mode: driver.ModeNull, Match: []driver.Match{{Field: "login", Kind: piimap.KeyUserID}}}, false},
		{"mask NOT NULL string", driver.Target{Asset: db + ".short", Mode: driver.ModeMask, Match: []driver.Match{{Field: "login", Kind: piimap.KeyUserID}}}, true},
		{"mask too short", driver.Target{Asset: db + ".short", Mode: driver.ModeMask, Fields: []string{"code"}, Match: []driver.Match{{Field: "login", Kind: piimap.KeyUserID}}}, false},
		{"mask email in varchar(80)", driver.Target{Asset: db + ".customers", Mode: driver.ModeMask, Match: []driver.Match{email()}}, true},
		{"mask string fk", driver.Target{Asset: db + ".short", Mode: driver.ModeMask, Match: []driver.Match{ref("ref")}}, false},
		{"mask json path", driver.Target{Asset: db + ".customers", Mode: driver.ModeMask, Match: []driver.Match{{Field: "profile.contact.email", Kind: piimap.KeyEmail}}}, false},
		{"redact a table", driver.Target{Asset: db + ".customers", Mode: driver.ModeRedact}, false},
	}
	for _, c := range cases {
		err := h.CheckMode(c.t)
		if c.ok {
			require.NoError(t, err, c.name)
		} else {
			require.ErrorIs(t, err, piimap.ErrUnsupported, c.name)
		}
	}
}

func TestReadOnlyAndDryRun(t *testing.T) {
	dbURL, db := fixture(t)
	h := open(t, dbURL, driver.HandlerOptions{ReadOnly: true})
	defer h.Close()
	subj, _ := targets(db, driver.ModeDelete)
	_, err := h.Erase(context.Background(), subj, driver.EraseOptions{})
	require.ErrorIs(t, err, piimap.ErrInvalidState)
	res, err := h.Erase(context.Background(), subj, driver.EraseOptions{DryRun: true})
	require.NoError(t, err)
	require.EqualValues(t, 3, res[0].Found)
}

func TestRectify(t *testing.T) {
	dbURL, db := fixture(t)
	h := open(t, dbURL, driver.HandlerOptions{})
	defer h.Close()
	ctx := context.Background()
	tg := driver.Target{Asset: db + ".customers", Match: []driver.Match{email("ann.lee@example.com")},
		Changes: map[string]string{"name": "Ann Lee-Smith", "user_id": "U-100x"}}
	res, err := h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{DryRun: true})
	require.NoError(t, err)
	require.Equal(t, driver.Result{Asset: db + ".customers", Found: 1, Changed: 1}, res[0])
	res, err = h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 1, res[0].Changed)
	res, err = h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	require.Equal(t, driver.Result{Asset: db + ".customers", Found: 1, Changed: 0}, res[0], "a second rectification changes nothing")
	// a change of case only is a change (the collation would hide it)
	tg.Changes = map[string]string{"name": "ANN LEE-SMITH"}
	res, err = h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 1, res[0].Changed)
	tg.Changes = map[string]string{"nope": "x"}
	_, err = h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.ErrorIs(t, err, piimap.ErrUnsupported)
}

// TestLockTimeout: a row held by another session makes the erasure fail
// within the URL's lock_timeout (innodb_lock_wait_timeout, whole seconds),
// and what it had already erased is rolled back.
func TestLockTimeout(t *testing.T) {
	dbURL, db := fixture(t)
	ctx := context.Background()
	holder, err := smy.Open(ctx, dbURL)
	require.NoError(t, err)
	defer holder.Close()
	tx, err := holder.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback() //nolint:errcheck
	_, err = tx.ExecContext(ctx, "SELECT 1 FROM customers WHERE id = 1 FOR UPDATE")
	require.NoError(t, err)

	h := open(t, dbURL+"?lock_timeout=1s", driver.HandlerOptions{})
	defer h.Close()
	subj, _ := targets(db, driver.ModeDelete)
	// The error names the lock timeout; the bound only catches a wait
	// that never ends.
	hangcheck.NoHang(t, hangcheck.Limit(time.Second), func() { _, err = h.Erase(ctx, subj, driver.EraseOptions{}) })
	require.ErrorContains(t, err, "lock timeout")
	n, err := h.Count(ctx, subj[0])
	require.NoError(t, err)
	require.EqualValues(t, 3, n, "the children deleted before the timeout were rolled back")
}

// TestViewsAndTablesWithoutKeys: a view in the plan is counted, never
// written, and a table without a primary key is erased in every mode.
func TestViewsAndTablesWithoutKeys(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeNull, driver.ModeMask} {
		dbURL, db := fixture(t,
			`CREATE VIEW customer_emails AS SELECT id, LOWER(TRIM(email)) AS email FROM customers`,
			`CREATE TABLE audit_log (at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, actor_email VARCHAR(80), action VARCHAR(40)) ENGINE=InnoDB`,
			`INSERT INTO audit_log (actor_email, action) VALUES ('ann.lee@example.com', 'login'), ('ANN.LEE@example.com', 'logout'), ('bob@example.com', 'login')`)
		h := open(t, dbURL, driver.HandlerOptions{MaskKey: []byte("k")})
		subj, _ := targets(db, mode)
		view := driver.Target{Asset: db + ".customer_emails", Mode: mode, Match: []driver.Match{email("ann.lee@example.com")}}
		audit := driver.Target{Asset: db + ".audit_log", Mode: mode, Fields: []string{"action"},
			Match: []driver.Match{{Field: "actor_email", Kind: piimap.KeyEmail, Values: []string{"ann.lee@example.com"}}}}
		ts := append([]driver.Target{view, audit}, subj...)
		require.NoError(t, h.CheckMode(view), mode)
		res, err := h.Erase(ctx, ts, driver.EraseOptions{})
		require.NoError(t, err, mode)
		require.Equal(t, driver.Result{Asset: db + ".customer_emails", Found: 1}, res[0], "%s: the view is counted, not written", mode)
		require.Equal(t, driver.Result{Asset: db + ".audit_log", Found: 2, Changed: 2}, res[1], mode)
		for _, tg := range ts {
			n, err := h.Count(ctx, tg)
			require.NoError(t, err)
			require.Zero(t, n, "%s: %s residual", mode, tg.Asset)
		}
		n, err := h.Count(ctx, driver.Target{Asset: db + ".audit_log", Match: []driver.Match{{Field: "action", Kind: driver.KindKey, Values: []string{"login"}}}})
		require.NoError(t, err)
		require.EqualValues(t, 1, n, "%s: bob's audit row is untouched", mode)
		h.Close()
	}
}
