package main

import (
	"context"
	"database/sql"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/internal/estate"
)

// scratchPostgres creates a Postgres database named prefix plus a unique
// suffix on the admin server, drops it (forcing out connections) when the
// test ends, and returns its URL.
func scratchPostgres(t *testing.T, admin, prefix string) string {
	t.Helper()
	ctx := context.Background()
	name := prefix + xsSuffix()
	conn, err := pgx.Connect(ctx, admin)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))
	t.Cleanup(func() {
		if err := estate.DropPostgres(context.Background(), admin, name); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}

// scratchMySQL creates a MariaDB/MySQL database named prefix plus a unique
// suffix, drops it when the test ends, and returns its mysql:// URL and
// the go-sql-driver DSN of it.
func scratchMySQL(t *testing.T, admin, prefix string) (rawURL, dsn string) {
	t.Helper()
	u, err := url.Parse(admin)
	require.NoError(t, err)
	name := prefix + xsSuffix()
	adminDSN, err := estate.MySQLDSN(admin, "")
	require.NoError(t, err)
	adm, err := sql.Open("mysql", adminDSN)
	require.NoError(t, err)
	defer adm.Close()
	_, err = adm.ExecContext(context.Background(), "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := estate.DropMySQL(context.Background(), admin, name); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	dsn, err = estate.MySQLDSN(admin, name)
	require.NoError(t, err)
	return u.String(), dsn
}
