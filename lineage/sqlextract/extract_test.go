package sqlextract

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
)

var testSchema = Schema{
	"public.users":  {"id", "email", "first_name", "last_name", "phone", "ssn"},
	"public.orders": {"id", "user_id", "card", "total"},
	"app.accounts":  {"account_id", "owner_email"},
}

// render lists column edges as "target ← source [transform] funcs".
func render(r *Result) []string {
	out := []string{}
	for _, e := range r.Columns {
		s := fmt.Sprintf("%s ← %s [%s]", e.Target, e.Source, e.Transform)
		if len(e.Functions) > 0 {
			s += " " + strings.Join(e.Functions, ",")
		}
		out = append(out, s)
	}
	return out
}

func TestExtract(t *testing.T) {
	for _, c := range []struct {
		name       string
		sql        string
		schema     Schema
		want       []string
		tables     []string
		reads      []string
		unresolved []string
	}{
		{
			name: "view with identity, masking and transformation",
			sql: `CREATE VIEW analytics.user_view AS
			      SELECT id, email, md5(lower(email)) AS email_hash, first_name || ' ' || last_name AS full_name,
			             u.phone::text AS phone
			      FROM public.users u`,
			want: []string{
				"analytics.user_view.email ← public.users.email [identity]",
				"analytics.user_view.email_hash ← public.users.email [masked] md5,lower",
				"analytics.user_view.full_name ← public.users.first_name [transformation]",
				"analytics.user_view.full_name ← public.users.last_name [transformation]",
				"analytics.user_view.id ← public.users.id [identity]",
				"analytics.user_view.phone ← public.users.phone [identity]",
			},
			tables: []string{"analytics.user_view ← public.users"},
			reads:  []string{"public.users"},
		},
		{
			name:   "whole-row references flow every column, transformed",
			sql:    `CREATE TABLE audit.snap AS SELECT row_to_json(u.*) AS j, md5(o::text) AS h, count(*) AS n FROM public.users u JOIN public.orders o ON o.user_id = u.id`,
			schema: testSchema,
			want: []string{
				"audit.snap.h ← public.orders.card [transformation] md5",
				"audit.snap.h ← public.orders.id [transformation] md5",
				"audit.snap.h ← public.orders.total [transformation] md5",
				"audit.snap.h ← public.orders.user_id [transformation] md5",
				"audit.snap.j ← public.users.email [transformation] row_to_json",
				"audit.snap.j ← public.users.first_name [transformation] row_to_json",
				"audit.snap.j ← public.users.id [transformation] row_to_json",
				"audit.snap.j ← public.users.last_name [transformation] row_to_json",
				"audit.snap.j ← public.users.phone [transformation] row_to_json",
				"audit.snap.j ← public.users.ssn [transformation] row_to_json",
			},
			tables: []string{"audit.snap ← public.orders", "audit.snap ← public.users"},
		},
		{
			name:       "a whole-row reference to a relation of unknown columns is unresolved",
			sql:        `CREATE TABLE s AS SELECT row_to_json(t.*) AS j FROM t`,
			want:       []string{},
			unresolved: []string{"s.j ← t.*"},
		},
		{
			name: "view column aliases rename outputs",
			sql:  `CREATE OR REPLACE VIEW v (user_email, n) AS SELECT email, count(*) FROM users GROUP BY email`,
			want: []string{"v.user_email ← users.email [identity]"},
		},
		{
			name:   "CTAS with join: unqualified columns resolved by the schema",
			sql:    `CREATE TABLE wh.order_facts AS SELECT email, card, total * 100 AS cents FROM public.users JOIN public.orders o ON o.user_id = users.id`,
			schema: testSchema,
			want: []string{
				"wh.order_facts.card ← public.orders.card [identity]",
				"wh.order_facts.cents ← public.orders.total [transformation]",
				"wh.order_facts.email ← public.users.email [identity]",
			},
			tables: []string{"wh.order_facts ← public.orders", "wh.order_facts ← public.users"},
		},
		{
			name:       "unqualified columns across two tables without a schema are unresolved",
			sql:        `CREATE TABLE t2 AS SELECT email FROM public.users JOIN public.orders ON orders.user_id = users.id`,
			want:       []string{},
			unresolved: []string{"t2.email ← email"},
		},
		{
			name: "INSERT … SELECT with masking functions",
			sql: `INSERT INTO wh.customers (cust_id, email_sha, card_last4, phone_masked, ssn_tail)
			      SELECT users.id, encode(digest(lower(email), 'sha256'), 'hex'), right(o.card, 4),
			             regexp_replace(phone, '\d', 'X', 'g'), substring(ssn from 6 for 4)
			      FROM public.users JOIN public.orders o ON o.user_id = users.id`,
			schema: testSchema,
			want: []string{
				"wh.customers.card_last4 ← public.orders.card [masked] right",
				"wh.customers.cust_id ← public.users.id [identity]",
				"wh.customers.email_sha ← public.users.email [masked] encode,digest,lower",
				"wh.customers.phone_masked ← public.users.phone [masked] regexp_replace",
				"wh.customers.ssn_tail ← public.users.ssn [masked] pg_catalog.substring",
			},
		},
		{
			name:   "INSERT without a column list takes the target's schema columns",
			sql:    `INSERT INTO app.accounts SELECT id, email FROM public.users`,
			schema: testSchema,
			want: []string{
				"app.accounts.account_id ← public.users.id [identity]",
				"app.accounts.owner_email ← public.users.email [identity]",
			},
		},
		{
			name: "INSERT VALUES has no lineage",
			sql:  `INSERT INTO users (email) VALUES ('ann@example.com')`,
			want: []string{},
		},
		{
			name: "CTE and subquery compose transforms",
			sql: `CREATE MATERIALIZED VIEW mv AS
			      WITH base AS (SELECT email AS e, lower(first_name) AS fn FROM public.users)
			      SELECT sha256(e::bytea) AS h, fn, s.x
			      FROM base, (SELECT upper(last_name) AS x FROM public.users) s`,
			want: []string{
				"mv.fn ← public.users.first_name [transformation] lower",
				"mv.h ← public.users.email [masked] sha256",
				"mv.x ← public.users.last_name [transformation] upper",
			},
		},
		{
			name:   "star expansion with a schema",
			sql:    `CREATE VIEW acc AS SELECT a.* FROM app.accounts a`,
			schema: testSchema,
			want: []string{
				"acc.account_id ← app.accounts.account_id [identity]",
				"acc.owner_email ← app.accounts.owner_email [identity]",
			},
		},
		{
			name:       "star without a schema is unresolved",
			sql:        `CREATE VIEW acc AS SELECT * FROM app.accounts`,
			want:       []string{},
			unresolved: []string{"acc.* ← accounts.*"},
		},
		{
			name: "star over a CTE",
			sql:  `CREATE VIEW v AS WITH c AS (SELECT email, md5(phone) p FROM users) SELECT * FROM c`,
			want: []string{"v.email ← users.email [identity]", "v.p ← users.phone [masked] md5"},
		},
		{
			name: "UNION merges positionally",
			sql:  `CREATE VIEW all_emails AS SELECT email FROM public.users UNION SELECT owner_email FROM app.accounts`,
			want: []string{
				"all_emails.email ← app.accounts.owner_email [identity]",
				"all_emails.email ← public.users.email [identity]",
			},
		},
		{
			name: "CASE results are sources, conditions are not",
			sql:  `CREATE VIEW v AS SELECT CASE WHEN u.id > 10 THEN u.email ELSE '***' END AS e FROM users u`,
			want: []string{"v.e ← users.email [transformation]"},
		},
		{
			name: "scalar subquery",
			sql:  `CREATE VIEW v AS SELECT o.id, (SELECT max(email) FROM users u WHERE u.id = o.user_id) AS e FROM orders o`,
			want: []string{"v.e ← users.email [transformation] max", "v.id ← orders.id [identity]"},
		},
		{
			name:  "SELECT INTO",
			sql:   `SELECT email, left(ssn, 3) AS area INTO TEMP export FROM users`,
			want:  []string{"export.area ← users.ssn [masked] left", "export.email ← users.email [identity]"},
			reads: []string{"users"},
		},
		{
			name:   "query log: a plain SELECT reads, persists nothing",
			sql:    `SELECT id, email FROM public.users WHERE email = $1; UPDATE public.users SET phone = NULL WHERE id = $2`,
			want:   []string{".email ← public.users.email [identity]", ".id ← public.users.id [identity]"},
			tables: []string{},
			reads:  []string{"public.users"},
		},
		{
			name: "quoted identifiers keep case; anon schema masks",
			sql:  `CREATE VIEW "Masked" AS SELECT anon.partial("Email", 2, '***', 2) AS "E" FROM "CRM"."Contacts"`,
			want: []string{`Masked.E ← CRM.Contacts.Email [masked] anon.partial`},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Extract(c.sql, c.schema)
			require.NoError(t, err)
			require.Equal(t, c.want, render(r))
			if c.tables != nil {
				got := []string{}
				for _, e := range r.Tables {
					got = append(got, e.Target.Table+" ← "+e.Source.Table)
				}
				require.Equal(t, c.tables, got)
			}
			if c.reads != nil {
				require.Equal(t, c.reads, r.Reads)
			}
			require.Equal(t, c.unresolved, r.Unresolved)
		})
	}
}

func TestExtractErrorsDoNotQuoteSQL(t *testing.T) {
	_, err := Extract(`SELECT * FROM users WHERE email = 'ann@example.com' AND AND`, nil)
	require.Error(t, err)
	require.True(t, errors.Is(err, piimap.ErrCorrupt))
	require.NotContains(t, err.Error(), "ann@example.com")
	require.NotContains(t, err.Error(), "AND")
}
