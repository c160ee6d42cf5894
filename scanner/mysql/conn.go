package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

// Connection defaults; the URL can override each of them.
const (
	DefaultStatementTimeout = 30 * time.Second // statement_timeout=…
	DefaultLockTimeout      = 5 * time.Second  // lock_timeout=… (rounded up to whole seconds)
	DefaultConnectTimeout   = 5 * time.Second  // connect_timeout=… (seconds or a duration)
	DefaultMaxConns         = 4                // pool_max_conns=…
	DefaultPort             = 3306
)

// Config is a parsed mysql:// URL: the driver configuration plus piimap's
// own parameters (statement_timeout, lock_timeout, pool_max_conns,
// connect_timeout, socket), which are not sent to the server as session
// variables. Every other query parameter is a go-sql-driver/mysql DSN
// parameter (tls, charset, collation, …) or, if unknown to the driver, a
// session variable set on connect.
type Config struct {
	Driver           *mysql.Config
	StatementTimeout time.Duration // max_execution_time (MySQL) / max_statement_time (MariaDB); 0 disables
	LockTimeout      time.Duration // lock_wait_timeout and innodb_lock_wait_timeout
	MaxConns         int
	Host             string
	Port             int
}

// ParseURL parses mysql://user:pass@host:port/db?params (scheme mysql or
// mariadb). The database is optional: without one, every non-system
// database is scanned. `?socket=/path` connects over a unix socket.
func ParseURL(raw string) (*Config, error) {
	redacted := scanner.RedactURL(raw)
	bad := func(why string) error {
		return fmt.Errorf("mysql: url %s: %s: %w", redacted, why, piimap.ErrConfig)
	}
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok || (!strings.EqualFold(scheme, "mysql") && !strings.EqualFold(scheme, "mariadb")) {
		return nil, bad("want mysql://user:pass@host:port/db")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bad("malformed")
	}
	q := u.Query()
	c := &Config{StatementTimeout: DefaultStatementTimeout, LockTimeout: DefaultLockTimeout, MaxConns: DefaultMaxConns}
	connect := DefaultConnectTimeout
	for _, p := range []struct {
		name string
		dst  *time.Duration
	}{{"statement_timeout", &c.StatementTimeout}, {"lock_timeout", &c.LockTimeout}, {"connect_timeout", &connect}} {
		if !q.Has(p.name) {
			continue
		}
		v := q.Get(p.name)
		if p.name == "connect_timeout" {
			if n, err := strconv.Atoi(v); err == nil { // libpq style: seconds
				v = strconv.Itoa(n) + "s"
			}
		}
		d, err := ParseTimeout(v)
		if err != nil {
			return nil, bad(p.name + ": " + err.Error())
		}
		*p.dst = d
		q.Del(p.name)
	}
	if connect <= 0 {
		connect = DefaultConnectTimeout
	}
	if q.Has("pool_max_conns") {
		n, err := strconv.Atoi(q.Get("pool_max_conns"))
		if err != nil || n <= 0 || n > 1000 {
			return nil, bad("pool_max_conns: want 1..1000")
		}
		c.MaxConns = n
		q.Del("pool_max_conns")
	}
	socket := q.Get("socket")
	q.Del("socket")

	dc, err := mysql.ParseDSN("/?" + q.Encode())
	if err != nil {
		return nil, bad("parameters: " + scanner.ScrubError(err).Error())
	}
	if !q.Has("interpolateParams") {
		dc.InterpolateParams = true // one round trip per query, text results
	}
	dc.Timeout = connect
	if u.User != nil {
		dc.User = u.User.Username()
		dc.Passwd, _ = u.User.Password()
	}
	db := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(db, "/") {
		return nil, bad("the path names one database")
	}
	dc.DBName = db
	host := u.Hostname()
	c.Port = DefaultPort
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return nil, bad("port out of range")
		}
		c.Port = n
	}
	switch {
	case socket != "":
		dc.Net, dc.Addr = "unix", socket
		if host == "" {
			host = "localhost"
		}
	case host == "":
		return nil, bad("no host")
	default:
		dc.Net, dc.Addr = "tcp", net.JoinHostPort(host, strconv.Itoa(c.Port))
	}
	c.Host = host
	c.Driver = dc
	return c, nil
}

// ParseTimeout reads a timeout: a Go duration ("30s", "250ms") or an
// integer number of milliseconds.
func ParseTimeout(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > int64(24*time.Hour/time.Millisecond) {
			return 0, fmt.Errorf("timeout %d ms out of range", n)
		}
		return time.Duration(n) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("timeout %q: want a duration like 30s or milliseconds", s)
	}
	return d, nil
}

// Namespace is the store's OpenLineage namespace, mysql://host:port.
func (c *Config) Namespace() string {
	return "mysql://" + net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// Database is the database the URL names ("" for all).
func (c *Config) Database() string { return c.Driver.DBName }

// DB is an open, bounded pool with what Begin needs to know about the
// server.
type DB struct {
	*sql.DB
	Config  *Config
	MariaDB bool   // MariaDB rather than MySQL: max_statement_time instead of max_execution_time
	Version string // SELECT VERSION()
}

// Open parses rawURL and opens a bounded pool, checking that the server
// answers within the connect timeout. An unreachable server or a refused
// login is an error wrapping piimap.ErrUnreachable (and piimap.ErrNotFound
// for a missing database).
func Open(ctx context.Context, rawURL string) (*DB, error) {
	c, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return c.Open(ctx)
}

// Open opens a pool for a parsed Config.
func (c *Config) Open(ctx context.Context) (*DB, error) {
	conn, err := mysql.NewConnector(c.Driver)
	if err != nil {
		return nil, fmt.Errorf("mysql: %s: %w: %w", c.Namespace(), piimap.ErrConfig, err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(c.MaxConns)
	db.SetMaxIdleConns(c.MaxConns)
	db.SetConnMaxLifetime(30 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, c.Driver.Timeout+time.Second)
	defer cancel()
	var version string
	if err := db.QueryRowContext(pctx, "SELECT VERSION()").Scan(&version); err != nil {
		db.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.unreachable(err)
	}
	return &DB{DB: db, Config: c, MariaDB: strings.Contains(strings.ToLower(version), "mariadb"), Version: version}, nil
}

func (c *Config) unreachable(err error) error {
	where := c.Namespace() + "/" + c.Database()
	if errorNumber(err) == erBadDB {
		return fmt.Errorf("mysql: connect %s: %w: %w: %w", where, piimap.ErrUnreachable, piimap.ErrNotFound, scanner.ScrubError(err))
	}
	return fmt.Errorf("mysql: connect %s: %w: %w", where, piimap.ErrUnreachable, scanner.ScrubError(err))
}

// Begin starts a transaction (START TRANSACTION READ ONLY when readOnly)
// and sets the configured statement and lock timeouts on its connection:
// max_execution_time in milliseconds on MySQL, max_statement_time in
// seconds on MariaDB, lock_wait_timeout and innodb_lock_wait_timeout in
// whole seconds. The settings stay on the pooled connection; every
// transaction of the pool sets them again.
func (d *DB) Begin(ctx context.Context, readOnly bool) (*sql.Tx, error) {
	tx, err := d.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return nil, err
	}
	lock := max(1, int64(math.Ceil(d.Config.LockTimeout.Seconds())))
	var set string
	if d.MariaDB {
		set = "SET SESSION max_statement_time = " + strconv.FormatFloat(d.Config.StatementTimeout.Seconds(), 'f', 3, 64)
	} else {
		set = "SET SESSION max_execution_time = " + strconv.FormatInt(d.Config.StatementTimeout.Milliseconds(), 10)
	}
	set += ", lock_wait_timeout = " + strconv.FormatInt(lock, 10) + ", innodb_lock_wait_timeout = " + strconv.FormatInt(lock, 10)
	if _, err := tx.ExecContext(ctx, set); err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// QuoteIdent quotes one identifier with backticks, embedded backticks
// doubled; NUL bytes, which identifiers cannot hold, are dropped.
func QuoteIdent(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// QuoteTable quotes db.table.
func QuoteTable(db, table string) string { return QuoteIdent(db) + "." + QuoteIdent(table) }

// SplitAsset splits an asset name `db.table` at its first dot.
func SplitAsset(name string) (db, table string, ok bool) { return sqlcatalog.SplitAsset(name) }

// Asset names a table as the map does: `db.table`.
func Asset(db, table string) string { return sqlcatalog.Asset(db, table) }

// Server error numbers the scanner and executor branch on.
const (
	erBadDB              = 1049
	ErNoSuchTable        = 1146
	ErLockWaitTimeout    = 1205
	ErQueryTimeoutMySQL  = 3024 // max_execution_time exceeded
	ErStatementTimeoutMD = 1969 // MariaDB max_statement_time exceeded
	ErReadOnlyTx         = 1792 // cannot execute statement in a READ ONLY transaction
)

// ErrorNumber returns the server error number of err, or 0.
func ErrorNumber(err error) uint16 { return errorNumber(err) }

func errorNumber(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// WrapError names the failing step and classifies a server error: a
// missing table or database wraps piimap.ErrNotFound, a lost connection
// piimap.ErrUnreachable, and a statement or lock timeout says so. A
// cancelled context is returned as is; quoted fragments are scrubbed.
func WrapError(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	err = scanner.ScrubError(err)
	switch n := errorNumber(err); {
	case errors.Is(err, piimap.ErrNotFound):
		return fmt.Errorf("mysql: %s: %w", what, err)
	case n == ErNoSuchTable || n == erBadDB:
		return fmt.Errorf("mysql: %s: %w: %w", what, piimap.ErrNotFound, err)
	case n == ErQueryTimeoutMySQL || n == ErStatementTimeoutMD:
		return fmt.Errorf("mysql: %s: statement timeout: %w", what, err)
	case n == ErLockWaitTimeout:
		return fmt.Errorf("mysql: %s: lock timeout: %w", what, err)
	case errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || isNetErr(err):
		return fmt.Errorf("mysql: %s: %w: %w", what, piimap.ErrUnreachable, err)
	}
	return fmt.Errorf("mysql: %s: %w", what, err)
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}
