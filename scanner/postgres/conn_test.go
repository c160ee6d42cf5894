package postgres_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner/postgres"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in            string
		ns, db        string
		stmt, lock    time.Duration
		maxConns      int32
		connect       time.Duration
		runtimeParams map[string]string
		err           bool
	}{
		{in: "postgres://u@db.example:5433/app?sslmode=disable", ns: "postgres://db.example:5433", db: "app",
			stmt: 30 * time.Second, lock: 5 * time.Second, maxConns: 4, connect: 5 * time.Second},
		{in: "postgresql://u:p%40ss@10.0.0.1/app?sslmode=disable&statement_timeout=2m&lock_timeout=250&pool_max_conns=9&connect_timeout=2",
			ns: "postgres://10.0.0.1:5432", db: "app", stmt: 2 * time.Minute, lock: 250 * time.Millisecond, maxConns: 9, connect: 2 * time.Second},
		{in: "postgres://u@[::1]:5432/x?sslmode=disable&statement_timeout=0", ns: "postgres://[::1]:5432", db: "x", lock: 5 * time.Second, maxConns: 4, connect: 5 * time.Second},
		{in: "POSTGRES://u@h/x?sslmode=disable&application_name=piimap", ns: "postgres://h:5432", db: "x", stmt: 30 * time.Second,
			lock: 5 * time.Second, maxConns: 4, connect: 5 * time.Second, runtimeParams: map[string]string{"application_name": "piimap"}},
		{in: "mysql://u@h/x", err: true},
		{in: "postgres://u@h/x?statement_timeout=soon", err: true},
		{in: "postgres://u@h/x?statement_timeout=-1s", err: true},
		{in: "postgres://u@h/x?pool_max_conns=zero", err: true},
		{in: "postgres://u@h/x?sslmode=bogus", err: true},
		{in: "postgres://u:secret@h:99999/x", err: true},
		{in: "h:5432", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := postgres.ParseURL(tt.in)
			if tt.err {
				require.Error(t, err)
				assert.ErrorIs(t, err, piimap.ErrConfig)
				assert.NotContains(t, err.Error(), "secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.ns, c.Namespace())
			assert.Equal(t, tt.db, c.Database())
			assert.Equal(t, tt.stmt, c.StatementTimeout)
			assert.Equal(t, tt.lock, c.LockTimeout)
			assert.Equal(t, tt.maxConns, c.Pool.MaxConns)
			assert.Equal(t, tt.connect, c.Pool.ConnConfig.ConnectTimeout)
			assert.NotContains(t, c.Pool.ConnConfig.RuntimeParams, "statement_timeout", "piimap's own parameter is not a session setting")
			for k, v := range tt.runtimeParams {
				assert.Equal(t, v, c.Pool.ConnConfig.RuntimeParams[k])
			}
		})
	}
}

func TestParseTimeout(t *testing.T) {
	for in, want := range map[string]time.Duration{"0": 0, "1500": 1500 * time.Millisecond, "45s": 45 * time.Second, "1h": time.Hour} {
		got, err := postgres.ParseTimeout(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "x", "-5", "-1s", "48h", "99999999999"} {
		_, err := postgres.ParseTimeout(in)
		assert.ErrorIs(t, err, piimap.ErrConfig, in)
	}
}

func TestQuote(t *testing.T) {
	assert.Equal(t, `"users"`, postgres.QuoteIdent("users"))
	assert.Equal(t, `"we""ird"`, postgres.QuoteIdent(`we"ird`))
	assert.Equal(t, `"public"."a.b"`, postgres.QuoteTable("public", "a.b"))
	assert.Equal(t, `'it''s'`, postgres.QuoteLiteral("it's"))
	s, tb, ok := postgres.SplitAsset("public.a.b")
	assert.True(t, ok)
	assert.Equal(t, "public", s)
	assert.Equal(t, "a.b", tb)
	for _, bad := range []string{"", "x", ".x", "x."} {
		_, _, ok := postgres.SplitAsset(bad)
		assert.False(t, ok, bad)
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"postgres://u@h:5432/db?sslmode=disable", "postgresql://u:p@h/db?statement_timeout=5s&lock_timeout=100",
		"postgres://", "postgres://u@[::1/db", "postgres://u@h/db?pool_max_conns=-1", "postgres://%zz@h/db",
		"postgres://u@h/db?statement_timeout=9999999999999", "postgres:///db?host=/var/run/postgresql",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := postgres.ParseURL(s)
		if err != nil {
			if !strings.Contains(err.Error(), "postgres: url") {
				t.Fatalf("error does not name the url: %v", err)
			}
			return
		}
		if !strings.HasPrefix(c.Namespace(), "postgres://") || c.StatementTimeout < 0 || c.LockTimeout < 0 || c.Pool.MaxConns <= 0 {
			t.Fatalf("ParseURL(%q) = ns %q, timeouts %v/%v, max %d", s, c.Namespace(), c.StatementTimeout, c.LockTimeout, c.Pool.MaxConns)
		}
	})
}

func FuzzQuoteIdent(f *testing.F) {
	for _, s := range []string{"a", `"`, `a"b`, "", "x; DROP TABLE y", "\x00", `""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := postgres.QuoteIdent(s)
		if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' || strings.ContainsRune(q, 0) {
			t.Fatalf("QuoteIdent(%q) = %q", s, q)
		}
		inner := q[1 : len(q)-1]
		// Every quote inside is doubled, so the identifier cannot end early.
		if strings.Count(inner, `"`)%2 != 0 || strings.ReplaceAll(inner, `""`, `"`) != strings.ReplaceAll(s, "\x00", "") {
			t.Fatalf("QuoteIdent(%q) = %q", s, q)
		}
		l := postgres.QuoteLiteral(s)
		if strings.ReplaceAll(l[1:len(l)-1], "''", "'") != strings.ReplaceAll(s, "\x00", "") {
			t.Fatalf("QuoteLiteral(%q) = %q", s, l)
		}
	})
}
