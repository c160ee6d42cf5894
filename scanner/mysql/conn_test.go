package mysql_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner/mysql"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in                  string
		ns, db, net, addr   string
		user, pass          string
		stmt, lock, connect time.Duration
		maxConns            int
		params              map[string]string
		err                 bool
	}{
		{in: "mysql://root@127.0.0.1:3306/test", ns: "mysql://127.0.0.1:3306", db: "test", net: "tcp", addr: "127.0.0.1:3306",
			user: "root", stmt: 30 * time.Second, lock: 5 * time.Second, connect: 5 * time.Second, maxConns: 4},
		{in: "mariadb://app:p%40ss%2Fw@db.example/shop?statement_timeout=2m&lock_timeout=1500&pool_max_conns=9&connect_timeout=2",
			ns: "mysql://db.example:3306", db: "shop", net: "tcp", addr: "db.example:3306", user: "app", pass: "p@ss/w",
			stmt: 2 * time.Minute, lock: 1500 * time.Millisecond, connect: 2 * time.Second, maxConns: 9},
		{in: "mysql://u@[::1]:3307/", ns: "mysql://[::1]:3307", net: "tcp", addr: "[::1]:3307", user: "u",
			stmt: 30 * time.Second, lock: 5 * time.Second, connect: 5 * time.Second, maxConns: 4},
		{in: "mysql://u@/x?socket=/run/mysqld/mysqld.sock&sql_mode=ANSI", ns: "mysql://localhost:3306", db: "x", net: "unix",
			addr: "/run/mysqld/mysqld.sock", user: "u", stmt: 30 * time.Second, lock: 5 * time.Second, connect: 5 * time.Second,
			maxConns: 4, params: map[string]string{"sql_mode": "ANSI"}},
		{in: "postgres://u@h/x", err: true},
		{in: "mysql://u@h/x?statement_timeout=soon", err: true},
		{in: "mysql://u@h/x?pool_max_conns=0", err: true},
		{in: "mysql://u@h/x/y", err: true},
		{in: "mysql://u@h:0/x", err: true},
		{in: "mysql:///x", err: true},
		{in: "mysql://u:secret@h/x?tls=bogus-profile", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := mysql.ParseURL(tt.in)
			if tt.err {
				require.Error(t, err)
				assert.ErrorIs(t, err, piimap.ErrConfig)
				assert.NotContains(t, err.Error(), "secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.ns, c.Namespace())
			assert.Equal(t, tt.db, c.Database())
			assert.Equal(t, tt.net, c.Driver.Net)
			assert.Equal(t, tt.addr, c.Driver.Addr)
			assert.Equal(t, tt.user, c.Driver.User)
			assert.Equal(t, tt.pass, c.Driver.Passwd)
			assert.Equal(t, tt.stmt, c.StatementTimeout)
			assert.Equal(t, tt.lock, c.LockTimeout)
			assert.Equal(t, tt.connect, c.Driver.Timeout)
			assert.Equal(t, tt.maxConns, c.MaxConns)
			assert.True(t, c.Driver.InterpolateParams)
			assert.NotContains(t, c.Driver.Params, "statement_timeout", "piimap's own parameter is not a session variable")
			for k, v := range tt.params {
				assert.Equal(t, v, c.Driver.Params[k])
			}
		})
	}
}

func TestQuote(t *testing.T) {
	assert.Equal(t, "`users`", mysql.QuoteIdent("users"))
	assert.Equal(t, "`we``ird`", mysql.QuoteIdent("we`ird"))
	assert.Equal(t, "`shop`.`a.b`", mysql.QuoteTable("shop", "a.b"))
	db, tb, ok := mysql.SplitAsset("shop.a.b")
	assert.True(t, ok)
	assert.Equal(t, "shop", db)
	assert.Equal(t, "a.b", tb)
	for _, bad := range []string{"", "x", ".x", "x."} {
		_, _, ok := mysql.SplitAsset(bad)
		assert.False(t, ok, bad)
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"mysql://root@127.0.0.1:3306/test", "mariadb://u:p@h/db?statement_timeout=5s&lock_timeout=100",
		"mysql://", "mysql://u@[::1/db", "mysql://u@h/db?pool_max_conns=-1", "mysql://%zz@h/db",
		"mysql://u@h/db?socket=/tmp/s&charset=utf8mb4", "mysql://u@h:65536/db", "mysql://u@h/db?tls=true&timeout=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := mysql.ParseURL(s)
		if err != nil {
			if !strings.Contains(err.Error(), "mysql: url") {
				t.Fatalf("error does not name the url: %v", err)
			}
			return
		}
		if !strings.HasPrefix(c.Namespace(), "mysql://") || c.StatementTimeout < 0 || c.LockTimeout < 0 || c.MaxConns <= 0 ||
			c.Driver.Addr == "" || c.Driver.Timeout <= 0 || strings.Contains(c.Database(), "/") {
			t.Fatalf("ParseURL(%q) = %+v", s, c)
		}
	})
}

func FuzzQuoteIdent(f *testing.F) {
	for _, s := range []string{"a", "`", "a`b", "", "x; DROP TABLE y", "\x00", "``"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := mysql.QuoteIdent(s)
		if len(q) < 2 || q[0] != '`' || q[len(q)-1] != '`' || strings.ContainsRune(q, 0) {
			t.Fatalf("QuoteIdent(%q) = %q", s, q)
		}
		inner := q[1 : len(q)-1]
		if strings.Count(inner, "`")%2 != 0 || strings.ReplaceAll(inner, "``", "`") != strings.ReplaceAll(s, "\x00", "") {
			t.Fatalf("QuoteIdent(%q) = %q", s, q)
		}
	})
}
