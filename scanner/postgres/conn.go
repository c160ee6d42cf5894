package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

// Connection defaults; the URL can override each of them.
const (
	DefaultStatementTimeout = 30 * time.Second // statement_timeout=…
	DefaultLockTimeout      = 5 * time.Second  // lock_timeout=…
	DefaultConnectTimeout   = 5 * time.Second  // connect_timeout=… (seconds, libpq style)
	DefaultMaxConns         = 4                // pool_max_conns=…
)

// Config is a parsed postgres:// URL: the pgx pool configuration plus the
// per-transaction timeouts piimap applies with SET LOCAL. The URL's
// statement_timeout and lock_timeout parameters (Go durations such as
// "45s", or plain integers in milliseconds as Postgres reads them; 0
// disables) are piimap's and are not sent to the server as session
// settings.
type Config struct {
	Pool             *pgxpool.Config
	StatementTimeout time.Duration
	LockTimeout      time.Duration
}

// ParseURL parses postgres://user:pass@host:port/db?params (scheme
// postgres or postgresql). Every libpq/pgx/pgxpool parameter is honoured
// (sslmode, connect_timeout, pool_max_conns, application_name, …); a
// missing connect_timeout defaults to 5 s and pool_max_conns to 4, so an
// unreachable server fails fast and the pool is bounded.
func ParseURL(raw string) (*Config, error) {
	redacted := scanner.RedactURL(raw)
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok || (!strings.EqualFold(scheme, "postgres") && !strings.EqualFold(scheme, "postgresql")) {
		return nil, fmt.Errorf("postgres: url %s: want postgres://user@host:port/db: %w", redacted, piimap.ErrConfig)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("postgres: url %s: malformed: %w", redacted, piimap.ErrConfig)
	}
	q := u.Query()
	c := &Config{StatementTimeout: DefaultStatementTimeout, LockTimeout: DefaultLockTimeout}
	for _, p := range []struct {
		name string
		dst  *time.Duration
	}{{"statement_timeout", &c.StatementTimeout}, {"lock_timeout", &c.LockTimeout}} {
		if !q.Has(p.name) {
			continue
		}
		d, err := ParseTimeout(q.Get(p.name))
		if err != nil {
			return nil, fmt.Errorf("postgres: url %s: %s: %w", redacted, p.name, err)
		}
		*p.dst = d
		q.Del(p.name)
	}
	hasMax := q.Has("pool_max_conns")
	hasConnect := q.Has("connect_timeout")
	u.RawQuery = q.Encode()
	pc, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		// pgx quotes the offending input, which may hold a password.
		return nil, fmt.Errorf("postgres: url %s: %w: %w", redacted, piimap.ErrConfig, scanner.ScrubError(stripSecrets(err, u)))
	}
	if !hasMax {
		pc.MaxConns = DefaultMaxConns
	}
	if !hasConnect || pc.ConnConfig.ConnectTimeout <= 0 {
		pc.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	c.Pool = pc
	return c, nil
}

// stripSecrets removes the URL's password from a parse error's text.
func stripSecrets(err error, u *url.URL) error {
	if u.User == nil {
		return err
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}

// ParseTimeout reads a timeout the way the URL accepts it: a Go duration
// ("30s", "250ms") or an integer number of milliseconds ("30000").
func ParseTimeout(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > int64(24*time.Hour/time.Millisecond) {
			return 0, fmt.Errorf("timeout %d ms out of range: %w", n, piimap.ErrConfig)
		}
		return time.Duration(n) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("timeout %q: want a duration like 30s or milliseconds: %w", s, piimap.ErrConfig)
	}
	return d, nil
}

// Namespace is the store's OpenLineage namespace, postgres://host:port
// (the first host of a multi-host URL).
func (c *Config) Namespace() string {
	cc := c.Pool.ConnConfig
	host := cc.Host
	if strings.HasPrefix(host, "/") { // unix socket directory
		return "postgres://" + url.PathEscape(host) + ":" + strconv.Itoa(int(cc.Port))
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	return "postgres://" + host + ":" + strconv.Itoa(int(cc.Port))
}

// Database is the database the URL names.
func (c *Config) Database() string { return c.Pool.ConnConfig.Database }

// Open parses rawURL and opens a bounded connection pool, checking that the
// server answers. readOnly pools set default_transaction_read_only, so even
// a statement outside Begin cannot write. An unreachable server, a refused
// login or a missing database is an error wrapping piimap.ErrUnreachable
// (and piimap.ErrNotFound for a missing database) within the connect
// timeout.
func Open(ctx context.Context, rawURL string, readOnly bool) (*pgxpool.Pool, *Config, error) {
	c, err := ParseURL(rawURL)
	if err != nil {
		return nil, nil, err
	}
	pool, err := c.Open(ctx, readOnly)
	if err != nil {
		return nil, nil, err
	}
	return pool, c, nil
}

// Open opens a pool for a parsed Config (see the package-level Open).
func (c *Config) Open(ctx context.Context, readOnly bool) (*pgxpool.Pool, error) {
	pc := c.Pool.Copy()
	if readOnly {
		pc.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, c.unreachable(err)
	}
	pctx, cancel := context.WithTimeout(ctx, pc.ConnConfig.ConnectTimeout+time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.unreachable(err)
	}
	return pool, nil
}

func (c *Config) unreachable(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name
		return fmt.Errorf("postgres: connect %s/%s: %w: %w: %w", c.Namespace(), c.Database(), piimap.ErrUnreachable, piimap.ErrNotFound, scanner.ScrubError(err))
	}
	return fmt.Errorf("postgres: connect %s/%s: %w: %w", c.Namespace(), c.Database(), piimap.ErrUnreachable, scanner.ScrubError(err))
}

// Begin starts a transaction in the given access mode and applies the
// configured statement_timeout and lock_timeout with SET LOCAL semantics
// (set_config(…, true)), so they end with the transaction and never leak
// into the pool. The scanner always begins pgx.ReadOnly.
func (c *Config) Begin(ctx context.Context, db interface {
	BeginTx(context.Context, pgx.TxOptions) (pgx.Tx, error)
}, mode pgx.TxAccessMode) (pgx.Tx, error) {
	tx, err := db.BeginTx(ctx, pgx.TxOptions{AccessMode: mode, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)`,
		strconv.FormatInt(c.StatementTimeout.Milliseconds(), 10), strconv.FormatInt(c.LockTimeout.Milliseconds(), 10))
	if err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, err
	}
	return tx, nil
}

// QuoteIdent quotes one identifier: "name", embedded quotes doubled. NUL
// bytes, which Postgres identifiers cannot hold, are dropped.
func QuoteIdent(s string) string { return sqlcatalog.QuoteIdent(strings.ReplaceAll(s, "\x00", "")) }

// QuoteTable quotes schema.table.
func QuoteTable(schema, table string) string { return QuoteIdent(schema) + "." + QuoteIdent(table) }

// QuoteLiteral quotes a string literal with standard_conforming_strings
// semantics: 'it”s'. NUL bytes are dropped.
func QuoteLiteral(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// SplitAsset splits an asset name `schema.table` at its first dot (schema
// names holding a dot are not addressable in piimap's naming; table names
// can hold dots).
func SplitAsset(name string) (schema, table string, ok bool) { return sqlcatalog.SplitAsset(name) }

// Asset names a relation as the map does: `schema.table`.
func Asset(schema, table string) string { return sqlcatalog.Asset(schema, table) }

// Error codes the scanner and executor branch on.
const (
	CodeUndefinedTable   = "42P01"
	CodeUndefinedColumn  = "42703"
	CodeInvalidSchema    = "3F000"
	CodeQueryCanceled    = "57014" // statement_timeout or cancel
	CodeLockNotAvailable = "55P03" // lock_timeout
	CodeReadOnlySQLTx    = "25006"
	CodeInsufficientPriv = "42501"
)

// ErrorCode returns the SQLSTATE of a server error, or "".
func ErrorCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// WrapError names the failing step and classifies a server error: a
// missing relation wraps piimap.ErrNotFound, a lost connection
// piimap.ErrUnreachable, and a statement or lock timeout says so. A
// cancelled context is returned as is. Quoted fragments are scrubbed
// (server messages may quote values).
func WrapError(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	err = scanner.ScrubError(err)
	switch code := ErrorCode(err); {
	case errors.Is(err, piimap.ErrNotFound):
		return fmt.Errorf("postgres: %s: %w", what, err)
	case code == CodeUndefinedTable || code == CodeInvalidSchema:
		return fmt.Errorf("postgres: %s: %w: %w", what, piimap.ErrNotFound, err)
	case code == CodeQueryCanceled:
		return fmt.Errorf("postgres: %s: statement timeout: %w", what, err)
	case code == CodeLockNotAvailable:
		return fmt.Errorf("postgres: %s: lock timeout: %w", what, err)
	case code == "" && pgconn.SafeToRetry(err), isConnErr(err):
		return fmt.Errorf("postgres: %s: %w: %w", what, piimap.ErrUnreachable, err)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

func isConnErr(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	return ErrorCode(err) == "" && (strings.Contains(err.Error(), "conn closed") ||
		strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "unexpected EOF"))
}
