package estate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"
	goredis "github.com/redis/go-redis/v9"
	"gocloud.dev/blob"

	sduck "github.com/piimap/piimap/scanner/duckdb"
	snats "github.com/piimap/piimap/scanner/nats"
	ss3 "github.com/piimap/piimap/scanner/s3"
)

// The modest structured parts of the estate, all holding the same people:
// Postgres customers (with declared identities) and orders, a MariaDB CRM,
// a DuckDB warehouse dimension, Redis sessions and a NATS stream of signup
// events. Every name is unique per estate (LookupState) and removed by
// clean.

func loadPostgres(ctx context.Context, admin, db string, ps []LookupPerson) (string, error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+db)
	_ = conn.Close(ctx)
	if err != nil {
		return "", err
	}
	dsn, err := PostgresURL(admin, db)
	if err != nil {
		return "", err
	}
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, user_id text NOT NULL, phone text, full_name text);
CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), amount numeric(10,2));`); err != nil {
		return "", err
	}
	rows := make([][]any, len(ps))
	for i, p := range ps {
		rows[i] = []any{p.ID, p.Email, p.UserID, p.Phone, p.Name}
	}
	if _, err := c.CopyFrom(ctx, pgx.Identifier{"customers"}, []string{"id", "email", "user_id", "phone", "full_name"}, pgx.CopyFromRows(rows)); err != nil {
		return "", err
	}
	if _, err := c.Exec(ctx, "INSERT INTO orders (customer_id, amount) SELECT id, 10 + g FROM customers, generate_series(1, 3) g"); err != nil {
		return "", err
	}
	return dsn, nil
}

func loadMariaDB(ctx context.Context, admin, db string, ps []LookupPerson) (string, error) {
	dsn, err := MySQLDSN(admin, "")
	if err != nil {
		return "", err
	}
	adm, err := sql.Open("mysql", dsn)
	if err != nil {
		return "", err
	}
	defer adm.Close()
	if _, err := adm.ExecContext(ctx, "CREATE DATABASE "+db); err != nil {
		return "", err
	}
	if dsn, err = MySQLDSN(admin, db); err != nil {
		return "", err
	}
	c, err := sql.Open("mysql", dsn)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "CREATE TABLE accounts (account_id INT PRIMARY KEY, email VARCHAR(120) NOT NULL, tier VARCHAR(20))"); err != nil {
		return "", err
	}
	for lo := 0; lo < len(ps); lo += 500 {
		var q strings.Builder
		var args []any
		q.WriteString("INSERT INTO accounts VALUES ")
		for i, p := range ps[lo:min(lo+500, len(ps))] {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?,?,?)")
			args = append(args, 70000+p.ID, p.Email, []string{"gold", "silver", "bronze"}[p.ID%3])
		}
		if _, err := c.ExecContext(ctx, q.String(), args...); err != nil {
			return "", err
		}
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + db
	return u.String(), nil
}

func loadDuckDB(ctx context.Context, path string, ps []LookupPerson) (string, error) {
	dsn := "duckdb://" + path
	db, err := sduck.Open(ctx, dsn, false)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TABLE dim_customer (customer_key INTEGER, email VARCHAR, country VARCHAR)"); err != nil {
		return "", err
	}
	var q strings.Builder
	q.WriteString("INSERT INTO dim_customer VALUES ")
	for i, p := range ps {
		if i > 0 {
			q.WriteByte(',')
		}
		fmt.Fprintf(&q, "(%d, '%s', '%s')", p.ID, p.Email, []string{"GB", "DE", "FR", "US"}[p.ID%4])
	}
	if _, err := db.ExecContext(ctx, q.String()); err != nil {
		return "", err
	}
	return dsn, nil
}

func loadRedis(ctx context.Context, base, prefix string, ps []LookupPerson) (string, error) {
	opt, err := goredis.ParseURL(base)
	if err != nil {
		return "", err
	}
	c := goredis.NewClient(opt)
	defer c.Close()
	pipe := c.Pipeline()
	for _, p := range ps {
		pipe.HSet(ctx, prefix+"session:"+p.UserID, "email", p.Email, "user_id", p.UserID, "plan", "pro")
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return "", err
	}
	return base + "?match=" + url.QueryEscape(prefix+"*"), nil
}

func loadNATS(ctx context.Context, base, stream string, ps []LookupPerson) (string, error) {
	cfg, err := snats.ParseURL(base)
	if err != nil {
		return "", err
	}
	conn, err := snats.Connect(ctx, cfg, "piimap-estategen")
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.JS.CreateStream(ctx, jetstream.StreamConfig{Name: stream, Subjects: []string{stream + ".>"},
		Storage: jetstream.FileStorage, AllowDirect: true}); err != nil {
		return "", err
	}
	for _, p := range ps {
		msg, _ := json.Marshal(map[string]any{"event": "signup", "plan": "pro", "user": map[string]string{"email": p.Email, "id": p.UserID}})
		if _, err := conn.JS.PublishAsync(stream+".signup", msg); err != nil {
			return "", err
		}
	}
	select {
	case <-conn.JS.PublishAsyncComplete():
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return strings.TrimRight(base, "/") + "?stream=" + stream, nil
}

// s3Bucket creates the bucket and returns its connection and store URL.
func s3Bucket(ctx context.Context, base, bucket string) (*ss3.Conn, string, error) {
	u, err := S3URL(base, bucket)
	if err != nil {
		return nil, "", err
	}
	c, err := ss3.Dial(ctx, "estategen", u)
	if err != nil {
		return nil, "", err
	}
	if _, err := c.Client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		c.Close()
		return nil, "", fmt.Errorf("create bucket %s: %w", bucket, ss3.Classify(err))
	}
	return c, u.String(), nil
}

func putObject(ctx context.Context, c *ss3.Conn, key string, write func(io.Writer) error) error {
	w, err := c.Bucket.NewWriter(ctx, key, &blob.WriterOptions{BufferSize: 8 << 20})
	if err != nil {
		return err
	}
	if err := write(w); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}

// clean removes every part of the estate that st names; it carries on past
// failures and reports them all.
func clean(ctx context.Context, st LookupState) error {
	var errs []error
	note := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
	}
	if st.PGDB != "" {
		note("postgres "+st.PGDB, DropPostgres(ctx, st.Postgres, st.PGDB))
	}
	if st.MyDB != "" {
		note("mariadb "+st.MyDB, DropMySQL(ctx, st.MySQL, st.MyDB))
	}
	if st.RedisPrefix != "" {
		opt, err := goredis.ParseURL(st.Redis)
		if err == nil {
			c := goredis.NewClient(opt)
			it := c.Scan(ctx, 0, st.RedisPrefix+"*", 1000).Iterator()
			var keys []string
			for it.Next(ctx) {
				keys = append(keys, it.Val())
			}
			err = it.Err()
			for lo := 0; err == nil && lo < len(keys); lo += 1000 {
				err = c.Del(ctx, keys[lo:min(lo+1000, len(keys))]...).Err()
			}
			_ = c.Close()
		}
		note("redis "+st.RedisPrefix, err)
	}
	if st.Stream != "" {
		cfg, err := snats.ParseURL(st.NATS)
		if err == nil {
			var conn *snats.Conn
			if conn, err = snats.Connect(ctx, cfg, "piimap-estategen"); err == nil {
				err = conn.JS.DeleteStream(ctx, st.Stream)
				if errors.Is(err, jetstream.ErrStreamNotFound) {
					err = nil
				}
				_ = conn.Close()
			}
		}
		note("nats "+st.Stream, err)
	}
	if st.Bucket != "" {
		note("s3 "+st.Bucket, RemoveBucket(ctx, st.S3, st.Bucket))
	}
	return errors.Join(errs...)
}
