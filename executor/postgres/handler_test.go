package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/executortest"
	"github.com/piimap/piimap/internal/hangcheck"
)

const (
	schemaSQL = `
CREATE TABLE customers (id integer PRIMARY KEY, email varchar(80), name text, user_id text UNIQUE, profile jsonb);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id), note text, total numeric(8,2));
CREATE TABLE order_items (id bigserial PRIMARY KEY, order_id integer REFERENCES orders(id), sku text, gift_to text);
CREATE TABLE events (id uuid PRIMARY KEY, actor uuid, detail text)`
	dataSQL = `
INSERT INTO customers VALUES
  (1, ' Ann.Lee@Example.com', 'Ann Lee', 'u-100', '{"contact": {"email": "ann.lee@example.com"}}'),
  (2, 'bob@example.com', 'Bob Roe', 'u-200', '{"contact": {"email": "bob@example.com"}}'),
  (3, 'ann.lee@example.com.au', 'Ann Other', 'u-300', NULL);
INSERT INTO orders VALUES
  (10, 1, 'gift for ann.lee@example.com', 9.5),
  (11, 1, NULL, 12.0),
  (12, 2, 'call bob', 3.25),
  (13, 3, 'ship to ann.lee@example.com.au', 1.0);
INSERT INTO order_items (order_id, sku, gift_to) VALUES (10, 'A-1', 'Ann'), (10, 'A-2', NULL), (11, 'B-1', NULL), (12, 'C-1', 'Bob'), (13, 'D-1', NULL);
INSERT INTO events VALUES
  ('6f1c1d4e-0000-4000-8000-000000000001', '0b5e8a34-1111-4111-8111-000000000001', 'login'),
  ('6f1c1d4e-0000-4000-8000-000000000002', '0b5e8a34-1111-4111-8111-000000000002', 'login')`
)

func email(vals ...string) driver.Match {
	return driver.Match{Field: "email", Kind: piimap.KeyEmail, Values: vals}
}

func ref(field string, vals ...string) driver.Match {
	return driver.Match{Field: field, Kind: driver.KindRef, Values: vals}
}

// targets are the planted subject's targets children-first, as a plan
// orders them, and other subjects' targets.
func targets(mode driver.Mode) (subject, others []driver.Target) {
	items := driver.Target{Asset: "public.order_items", Mode: mode, Fields: []string{"gift_to"}, Match: []driver.Match{ref("order_id", "10", "11")}}
	ord := driver.Target{Asset: "public.orders", Mode: mode, Fields: []string{"note"}, Match: []driver.Match{ref("customer_id", "1")}}
	cust := driver.Target{Asset: "public.customers", Mode: mode, Fields: []string{"name"}, Match: []driver.Match{email("ann.lee@example.com")}}
	if mode == driver.ModeDelete {
		cust.Match = append(cust.Match, driver.Match{Field: "id", Kind: driver.KindKey, Values: []string{"1"}})
	}
	oi := driver.Target{Asset: "public.order_items", Match: []driver.Match{ref("order_id", "12", "13")}}
	oo := driver.Target{Asset: "public.orders", Match: []driver.Match{ref("customer_id", "2", "3")}}
	oc := driver.Target{Asset: "public.customers", Match: []driver.Match{email("bob@example.com", "ann.lee@example.com.au")}}
	return []driver.Target{items, ord, cust}, []driver.Target{oi, oo, oc}
}

func TestConformance(t *testing.T) {
	serverURL(t)
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeNull, driver.ModeMask} {
		t.Run(string(mode), func(t *testing.T) {
			executortest.Run(t, func(t *testing.T) executortest.Fixture {
				dbURL := newDB(t, schemaSQL, dataSQL)
				h := open(t, dbURL, driver.HandlerOptions{MaskKey: []byte("k")})
				subj, others := targets(mode)
				for i := range subj {
					if subj[i].Asset == "public.customers" {
						// every PII column of the row, not only the match field
						subj[i].Fields = []string{"name", "user_id", "profile"}
					}
				}
				return executortest.Fixture{Handler: h, Subject: subj, Others: others,
					Want: map[string]int64{"public.customers": 1, "public.orders": 2, "public.order_items": 3},
					SubjectKeys: map[string][]string{"public.customers": {"1"}, "public.orders": {"10", "11"},
						"public.order_items": {"1", "2", "3"}},
					Raw: func(t testing.TB, asset string) []executortest.Row { return rawRows(t, dbURL, asset) }}
			})
		})
	}
}

// rawRows reads every row of a table with pgx, as the server renders it
// (row_to_json), keyed by id: the suite's view independent of the handler.
func rawRows(t testing.TB, dbURL, asset string) []executortest.Row {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	schema, table, _ := strings.Cut(asset, ".")
	rows, err := conn.Query(ctx, "SELECT row_to_json(t)::text FROM "+pgx.Identifier{schema, table}.Sanitize()+" AS t")
	require.NoError(t, err)
	docs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	out := make([]executortest.Row, 0, len(docs))
	for _, d := range docs {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(d), &m))
		out = append(out, executortest.Row{Key: executortest.Str(m["id"]), Fields: m, Raw: d})
	}
	return out
}

// TestWrongOrderIsFixed: targets given parents first still erase, because
// Erase checks the order against the catalog's foreign keys.
func TestWrongOrderIsFixed(t *testing.T) {
	h := open(t, newDB(t, schemaSQL, dataSQL), driver.HandlerOptions{})
	defer h.Close()
	subj, _ := targets(driver.ModeDelete)
	rev := []driver.Target{subj[2], subj[1], subj[0]}
	res, err := h.Erase(context.Background(), rev, driver.EraseOptions{})
	require.NoError(t, err)
	require.Equal(t, []driver.Result{{Asset: "public.customers", Found: 1, Changed: 1},
		{Asset: "public.orders", Found: 2, Changed: 2}, {Asset: "public.order_items", Found: 3, Changed: 3}}, res)
}

// TestTransactionPerStore: when one target fails, nothing of the store is
// erased (Fides commits row by row).
func TestTransactionPerStore(t *testing.T) {
	h := open(t, newDB(t, schemaSQL, dataSQL), driver.HandlerOptions{})
	defer h.Close()
	subj, _ := targets(driver.ModeDelete)
	// orders of customer 1 are erased, but the customer row is still
	// referenced by an item outside the plan: the FK refuses the delete.
	subj[0].Match = []driver.Match{ref("order_id", "10")}
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
	h := open(t, newDB(t, schemaSQL, dataSQL), driver.HandlerOptions{MaskKey: []byte("secret")})
	defer h.Close()
	subj, _ := targets(driver.ModeMask)
	_, err := h.Erase(context.Background(), subj, driver.EraseOptions{})
	require.NoError(t, err)
	var rows [][]any
	var cols []driver.Column
	err = h.Find(context.Background(), driver.Target{Asset: "public.customers",
		Match: []driver.Match{{Field: "id", Kind: driver.KindKey, Values: []string{"1"}}}}, func(b driver.Batch) error {
		cols, rows = b.Table()
		return nil
	})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	got := map[string]any{}
	for i, c := range cols {
		got[c.Name] = rows[0][i]
	}
	require.Equal(t, driver.MaskToken([]byte("secret"), " Ann.Lee@Example.com"), got["email"])
	require.Regexp(t, `^tok_[0-9a-f]{16}@redacted\.invalid$`, got["email"])
	require.Equal(t, driver.MaskToken([]byte("secret"), "Ann Lee"), got["name"])
	require.Equal(t, "u-100", got["user_id"], "a column outside the target is untouched")
	require.Equal(t, json.Number("1"), got["id"])
}

func TestJSONPathAndUUIDMatches(t *testing.T) {
	h := open(t, newDB(t, schemaSQL, dataSQL), driver.HandlerOptions{})
	defer h.Close()
	ctx := context.Background()
	n, err := h.Count(ctx, driver.Target{Asset: "public.customers",
		Match: []driver.Match{{Field: "profile.contact.email", Kind: piimap.KeyEmail, Values: []string{"ANN.LEE@example.com"}}}})
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	n, err = h.Count(ctx, driver.Target{Asset: "public.events",
		Match: []driver.Match{ref("actor", "0b5e8a34-1111-4111-8111-000000000002", "not-a-uuid")}})
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	var profile any
	err = h.Find(ctx, driver.Target{Asset: "public.customers", Match: []driver.Match{email("bob@example.com")}}, func(b driver.Batch) error {
		cols, rows := b.Table()
		for i, c := range cols {
			if c.Name == "profile" {
				profile = rows[0][i]
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.IsType(t, json.RawMessage{}, profile, "jsonb cells are raw JSON, so paths resolve")
	_, err = h.Count(ctx, driver.Target{Asset: "public.customers", Match: []driver.Match{{Field: "profile.tags[]", Kind: driver.KindKey, Values: []string{"x"}}}})
	require.NoError(t, err, "a path into a JSON array is matched element by element")
	_, err = h.Count(ctx, driver.Target{Asset: "public.customers", Match: []driver.Match{{Field: "profile.a[].b[]", Kind: driver.KindKey, Values: []string{"x"}}}})
	require.ErrorIs(t, err, piimap.ErrUnsupported, "lists inside lists")
	_, err = h.Count(ctx, driver.Target{Asset: "public.nope", Match: []driver.Match{email("a@b.c")}})
	require.ErrorIs(t, err, piimap.ErrNotFound)
}

func TestCheckMode(t *testing.T) {
	h := open(t, newDB(t, schemaSQL, `CREATE TABLE short (id int PRIMARY KEY, code varchar(8), login text NOT NULL, ref text REFERENCES customers(user_id))`), driver.HandlerOptions{})
	defer h.Close()
	cases := []struct {
		name string
		t    driver.Target
		ok   bool
	}{
		{"delete always", driver.Target{Asset: "public.customers", Mode: driver.ModeDelete, Match: []driver.Match{{Field: "id", Kind: driver.KindKey}}}, true},
		{"null on a primary key", driver.Target{Asset: "public.customers", Mode: driver.ModeNull, Match: []driver.Match{{Field: "id", Kind: driver.KindKey}}}, false},
		{"null on a nullable fk", driver.Target{Asset: "public.orders", Mode: driver.ModeNull, Match: []driver.Match{ref("customer_id")}}, true},
		{"null on NOT NULL", driver.Target{Asset: "public.short", Mode: driver.ModeNull, Match: []driver.Match{{Field: "login", Kind: piimap.KeyUserID}}}, false},
		{"mask NOT NULL string", driver.Target{Asset: "public.short", Mode: driver.ModeMask, Match: []driver.Match{{Field: "login", Kind: piimap.KeyUserID}}}, true},
		{"mask too short", driver.Target{Asset: "public.short", Mode: driver.ModeMask, Fields: []string{"code"}, Match: []driver.Match{{Field: "login", Kind: piimap.KeyUserID}}}, false},
		{"mask email in varchar(80)", driver.Target{Asset: "public.customers", Mode: driver.ModeMask, Match: []driver.Match{email()}}, true},
		{"mask string fk", driver.Target{Asset: "public.short", Mode: driver.ModeMask, Match: []driver.Match{ref("ref")}}, false},
		{"mask json path", driver.Target{Asset: "public.customers", Mode: driver.ModeMask, Match: []driver.Match{{Field: "profile.contact.email", Kind: piimap.KeyEmail}}}, false},
		{"redact a table", driver.Target{Asset: "public.customers", Mode: driver.ModeRedact}, false},
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
	dbURL := newDB(t, schemaSQL, dataSQL)
	h := open(t, dbURL, driver.HandlerOptions{ReadOnly: true})
	defer h.Close()
	subj, _ := targets(driver.ModeDelete)
	_, err := h.Erase(context.Background(), subj, driver.EraseOptions{})
	require.ErrorIs(t, err, piimap.ErrInvalidState)
	res, err := h.Erase(context.Background(), subj, driver.EraseOptions{DryRun: true})
	require.NoError(t, err)
	require.EqualValues(t, 3, res[0].Found)
}

func TestRectify(t *testing.T) {
	h := open(t, newDB(t, schemaSQL, dataSQL), driver.HandlerOptions{})
	defer h.Close()
	ctx := context.Background()
	tg := driver.Target{Asset: "public.customers", Match: []driver.Match{email("ann.lee@example.com")},
		Changes: map[string]string{"name": "Ann Lee-Smith", "profile": `{"contact": {}}`}}
	res, err := h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{DryRun: true})
	require.NoError(t, err)
	require.Equal(t, driver.Result{Asset: "public.customers", Found: 1, Changed: 1}, res[0])
	res, err = h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 1, res[0].Changed)
	res, err = h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	require.Equal(t, driver.Result{Asset: "public.customers", Found: 1, Changed: 0}, res[0], "a second rectification changes nothing")
	tg.Changes = map[string]string{"nope": "x"}
	_, err = h.Rectify(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.True(t, errors.Is(err, piimap.ErrUnsupported), "%v", err)
}

// TestLockTimeout: a row held by another session makes the erasure fail
// within the URL's lock_timeout (SET LOCAL in the store transaction), and
// what it had already erased is rolled back.
func TestLockTimeout(t *testing.T) {
	dbURL := newDB(t, schemaSQL, dataSQL)
	ctx := context.Background()
	holder, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer holder.Close(ctx)
	tx, err := holder.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck
	_, err = tx.Exec(ctx, "SELECT 1 FROM customers WHERE id = 1 FOR UPDATE")
	require.NoError(t, err)

	h := open(t, dbURL+"&lock_timeout=300ms", driver.HandlerOptions{})
	defer h.Close()
	subj, _ := targets(driver.ModeDelete)
	// The error names the lock timeout; the bound only catches a wait
	// that never ends.
	hangcheck.NoHang(t, hangcheck.Limit(300*time.Millisecond), func() { _, err = h.Erase(ctx, subj, driver.EraseOptions{}) })
	require.ErrorContains(t, err, "lock timeout")
	n, err := h.Count(ctx, subj[0])
	require.NoError(t, err)
	require.EqualValues(t, 3, n, "the children deleted before the timeout were rolled back")
}

// TestViewsAndTablesWithoutKeys: a view in the plan is counted, never
// written (its base table is the target that erases), and a table without a
// primary key is erased in every mode (Fides reports such a table
// "completed with 0 rows masked").
func TestViewsAndTablesWithoutKeys(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeNull, driver.ModeMask} {
		dbURL := newDB(t, schemaSQL, dataSQL,
			`CREATE VIEW customer_emails AS SELECT id, lower(btrim(email)) AS email FROM customers`,
			`CREATE TABLE audit_log (at timestamptz DEFAULT now(), actor_email text, action text)`,
			`INSERT INTO audit_log (actor_email, action) VALUES ('ann.lee@example.com', 'login'), ('ANN.LEE@example.com', 'logout'), ('bob@example.com', 'login')`)
		h := open(t, dbURL, driver.HandlerOptions{MaskKey: []byte("k")})
		subj, _ := targets(mode)
		view := driver.Target{Asset: "public.customer_emails", Mode: mode, Match: []driver.Match{email("ann.lee@example.com")}}
		audit := driver.Target{Asset: "public.audit_log", Mode: mode, Fields: []string{"action"},
			Match: []driver.Match{{Field: "actor_email", Kind: piimap.KeyEmail, Values: []string{"ann.lee@example.com"}}}}
		ts := append([]driver.Target{view, audit}, subj...)
		require.NoError(t, h.CheckMode(view), mode)
		res, err := h.Erase(ctx, ts, driver.EraseOptions{})
		require.NoError(t, err, mode)
		require.Equal(t, driver.Result{Asset: "public.customer_emails", Found: 1}, res[0], "%s: the view is counted, not written", mode)
		require.Equal(t, driver.Result{Asset: "public.audit_log", Found: 2, Changed: 2}, res[1], mode)
		for _, tg := range ts {
			n, err := h.Count(ctx, tg)
			require.NoError(t, err)
			require.Zero(t, n, "%s: %s residual", mode, tg.Asset)
		}
		n, err := h.Count(ctx, driver.Target{Asset: "public.audit_log", Match: []driver.Match{{Field: "action", Kind: driver.KindKey, Values: []string{"login"}}}})
		require.NoError(t, err)
		require.EqualValues(t, 1, n, "%s: bob's audit row is untouched", mode)
		h.Close()
	}
}

// TestRecomputeMaterializedView: a materialized view keeps showing an
// erased subject until it is refreshed; Recompute refreshes it (and leaves
// a plain view alone), after which its residual is zero.
func TestRecomputeMaterializedView(t *testing.T) {
	ctx := context.Background()
	dbURL := newDB(t, schemaSQL, dataSQL,
		`CREATE MATERIALIZED VIEW customer_mv AS SELECT id, lower(btrim(email)) AS email FROM customers`,
		`CREATE VIEW customer_v AS SELECT id, email FROM customers`)
	h := open(t, dbURL, driver.HandlerOptions{MaskKey: []byte("k")})
	defer h.Close()
	subj, _ := targets(driver.ModeDelete)
	mv := driver.Target{Asset: "public.customer_mv", Match: []driver.Match{email("ann.lee@example.com")}}
	v := driver.Target{Asset: "public.customer_v", Match: []driver.Match{email("ann.lee@example.com")}}
	_, err := h.Erase(ctx, subj, driver.EraseOptions{})
	require.NoError(t, err)
	n, err := h.Count(ctx, mv)
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "stale until refreshed")
	require.NoError(t, h.Recompute(ctx, []driver.Target{mv, v}))
	for _, tg := range []driver.Target{mv, v} {
		n, err := h.Count(ctx, tg)
		require.NoError(t, err)
		require.Zero(t, n, tg.Asset)
	}
}
