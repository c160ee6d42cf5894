package copyestate

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/piimap/piimap/internal/estate"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	_ "github.com/marcboeker/go-duckdb" // the "duckdb" database/sql driver

	ss3 "github.com/piimap/piimap/scanner/s3"
)

// write creates every store and table of the estate and fills e.Stores.
func (e *Estate) write(ctx context.Context, tables []*table, log func(string, ...any)) error {
	byKind := map[string][]*table{}
	for _, t := range tables {
		byKind[t.Kind] = append(byKind[t.Kind], t)
	}
	steps := []struct {
		kind string
		fn   func(context.Context, []*table) (string, error)
	}{
		{KindPostgres, e.writePostgres},
		{KindMySQL, e.writeMySQL},
		{KindDuckDB, e.writeDuckDB},
		{KindFiles, e.writeFiles},
		{KindS3, e.writeS3},
	}
	for _, s := range steps {
		ts := byKind[s.kind]
		if len(ts) == 0 {
			continue
		}
		t0 := time.Now()
		u, err := s.fn(ctx, ts)
		if err != nil {
			return fmt.Errorf("copyestate: %s: %w", s.kind, err)
		}
		rows := 0
		for _, t := range ts {
			rows += len(t.Rows)
		}
		log("%-8s %3d tables/objects, %7d rows, %.1fs", s.kind, len(ts), rows, time.Since(t0).Seconds())
		e.Stores = append(e.Stores, Store{Name: storeName[s.kind], Kind: s.kind, URL: u})
	}
	return nil
}

func sqlType(c column, pk bool, mysql bool) string {
	switch {
	case c.Int && pk:
		return "INTEGER PRIMARY KEY"
	case c.Int:
		return "INTEGER"
	case mysql:
		return "VARCHAR(255)"
	}
	return "VARCHAR"
}

func createSQL(t *table, mysql bool) string {
	var cols []string
	for i, c := range t.Cols {
		cols = append(cols, c.Name+" "+sqlType(c, i == 0, mysql))
	}
	return "CREATE TABLE " + t.Name + " (" + strings.Join(cols, ", ") + ")"
}

func colNames(t *table) []string {
	out := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		out[i] = c.Name
	}
	return out
}

func (e *Estate) writePostgres(ctx context.Context, ts []*table) (string, error) {
	conn, err := pgx.Connect(ctx, e.PGAdmin)
	if err != nil {
		return "", err
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+e.PGDB)
	_ = conn.Close(ctx)
	if err != nil {
		e.PGDB = "" // not ours to drop
		return "", err
	}
	dsn, err := estate.PostgresURL(e.PGAdmin, e.PGDB)
	if err != nil {
		return "", err
	}
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	for _, t := range ts {
		if _, err := c.Exec(ctx, createSQL(t, false)); err != nil {
			return "", fmt.Errorf("%s: %w", t.Name, err)
		}
		if _, err := c.CopyFrom(ctx, pgx.Identifier{t.Name}, colNames(t), pgx.CopyFromRows(t.Rows)); err != nil {
			return "", fmt.Errorf("%s: %w", t.Name, err)
		}
	}
	_, err = c.Exec(ctx, "ANALYZE")
	return dsn, err
}

// insertChunks inserts t's rows with multi-row INSERTs of ? placeholders.
func insertChunks(ctx context.Context, db *sql.DB, t *table) error {
	const chunk = 500
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.Cols)), ",") + ")"
	for lo := 0; lo < len(t.Rows); lo += chunk {
		rows := t.Rows[lo:min(lo+chunk, len(t.Rows))]
		q := "INSERT INTO " + t.Name + " VALUES " + strings.TrimSuffix(strings.Repeat(one+",", len(rows)), ",")
		args := make([]any, 0, len(rows)*len(t.Cols))
		for _, r := range rows {
			args = append(args, r...)
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
	}
	return nil
}

func (e *Estate) writeMySQL(ctx context.Context, ts []*table) (string, error) {
	dsn, err := estate.MySQLDSN(e.MyAdmin, "")
	if err != nil {
		return "", err
	}
	adm, err := sql.Open("mysql", dsn)
	if err != nil {
		return "", err
	}
	defer adm.Close()
	if _, err := adm.ExecContext(ctx, "CREATE DATABASE "+e.MyDB); err != nil {
		e.MyDB = ""
		return "", err
	}
	if dsn, err = estate.MySQLDSN(e.MyAdmin, e.MyDB); err != nil {
		return "", err
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	for _, t := range ts {
		if _, err := db.ExecContext(ctx, createSQL(t, true)); err != nil {
			return "", fmt.Errorf("%s: %w", t.Name, err)
		}
		if err := insertChunks(ctx, db, t); err != nil {
			return "", err
		}
	}
	return estate.PostgresURL(e.MyAdmin, e.MyDB)
}

func (e *Estate) writeDuckDB(ctx context.Context, ts []*table) (string, error) {
	path := filepath.Join(e.Dir, "warehouse.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	for _, t := range ts {
		if _, err := db.ExecContext(ctx, createSQL(t, false)); err != nil {
			return "", fmt.Errorf("%s: %w", t.Name, err)
		}
		if err := insertChunks(ctx, db, t); err != nil {
			return "", err
		}
	}
	if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return "", err
	}
	return "duckdb://" + path, nil
}

// encode renders a table as CSV (with a header) or JSONL by its name.
func encode(t *table) ([]byte, error) {
	var b bytes.Buffer
	if strings.HasSuffix(t.Name, ".jsonl") {
		enc := json.NewEncoder(&b)
		for _, r := range t.Rows {
			m := make(map[string]any, len(r))
			for i, v := range r {
				m[t.Cols[i].Name] = v
			}
			if err := enc.Encode(m); err != nil {
				return nil, err
			}
		}
		return b.Bytes(), nil
	}
	w := csv.NewWriter(&b)
	_ = w.Write(colNames(t))
	rec := make([]string, len(t.Cols))
	for _, r := range t.Rows {
		for i, v := range r {
			switch v := v.(type) {
			case int:
				rec[i] = strconv.Itoa(v)
			default:
				rec[i] = fmt.Sprint(v)
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func (e *Estate) writeFiles(_ context.Context, ts []*table) (string, error) {
	root := filepath.Join(e.Dir, "files")
	for _, t := range ts {
		data, err := encode(t)
		if err != nil {
			return "", err
		}
		p := filepath.Join(root, filepath.FromSlash(t.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
	}
	abs, err := filepath.Abs(root)
	return "file://" + abs, err
}

func (e *Estate) writeS3(ctx context.Context, ts []*table) (string, error) {
	u, err := estate.S3URL(e.S3Base, e.Bucket)
	if err != nil {
		return "", err
	}
	c, err := ss3.Dial(ctx, "copyestate", u)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := c.Client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(e.Bucket)}); err != nil {
		e.Bucket = ""
		return "", fmt.Errorf("create bucket: %w", ss3.Classify(err))
	}
	for _, t := range ts {
		data, err := encode(t)
		if err != nil {
			return "", err
		}
		if err := c.Bucket.WriteAll(ctx, t.Name, data, nil); err != nil {
			return "", fmt.Errorf("put %s: %w", t.Name, ss3.Classify(err))
		}
	}
	return u.String(), nil
}

// Clean removes the databases, the bucket and the estate's directory. It
// carries on past failures and reports them all.
func (e *Estate) Clean(ctx context.Context) error {
	var errs []error
	note := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
	}
	if e.PGDB != "" {
		note("postgres "+e.PGDB, estate.DropPostgres(ctx, e.PGAdmin, e.PGDB))
	}
	if e.MyDB != "" {
		note("mariadb "+e.MyDB, estate.DropMySQL(ctx, e.MyAdmin, e.MyDB))
	}
	if e.Bucket != "" {
		note("s3 "+e.Bucket, estate.RemoveBucket(ctx, e.S3Base, e.Bucket))
	}
	if e.Dir != "" && strings.Contains(filepath.Base(e.Dir), "copyestate-") {
		if len(errs) > 0 {
			// Keep what a later Load and Clean needs to finish the job.
			state := filepath.Join(e.Dir, "estate.json")
			if err := e.Save(state); err == nil {
				errs = append(errs, fmt.Errorf("kept %s to retry the cleanup", state))
			}
		} else {
			note("dir "+e.Dir, os.RemoveAll(e.Dir))
		}
	}
	return errors.Join(errs...)
}
