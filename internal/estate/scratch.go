package estate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"

	ss3 "github.com/piimap/piimap/scanner/s3"
)

// Scratch stores: the helpers every generated estate (the demo's, the
// lookup and copy benchmarks') uses to name, create and remove its own
// databases and buckets on the loopback servers. Names are the caller's
// (unique per estate); removing what is already gone is not an error.

// PostgresURL is the Postgres admin URL with its database set to db.
func PostgresURL(admin, db string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + db
	return u.String(), nil
}

// MySQLDSN is the go-sql-driver DSN of database db ("" none) on the server
// of the mysql:// admin URL.
func MySQLDSN(admin, db string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	return u.User.String() + "@tcp(" + u.Host + ")/" + db, nil
}

// S3URL is the store URL of bucket on the server of the s3:// base URL
// (its endpoint and options kept).
func S3URL(base, bucket string) (ss3.URL, error) {
	u, err := url.Parse(base)
	if err != nil {
		return ss3.URL{}, err
	}
	u.Host = bucket
	return ss3.ParseURL(u.String())
}

// DropPostgres drops database db (connections to it included).
func DropPostgres(ctx context.Context, admin, db string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)")
	return err
}

// DropMySQL drops database db on the server of the mysql:// admin URL.
func DropMySQL(ctx context.Context, admin, db string) error {
	dsn, err := MySQLDSN(admin, "")
	if err != nil {
		return err
	}
	conn, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+db+"`")
	return err
}

// RemoveBucket deletes every object of bucket, then the bucket.
func RemoveBucket(ctx context.Context, base, bucket string) error {
	u, err := S3URL(base, bucket)
	if err != nil {
		return err
	}
	c, err := ss3.Dial(ctx, "piimap-estate", u)
	if err != nil {
		return err
	}
	defer c.Close()
	noBucket := func(err error) bool {
		var nf interface{ ErrorCode() string }
		return errors.As(err, &nf) && nf.ErrorCode() == "NoSuchBucket"
	}
	it := c.Bucket.List(nil)
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if noBucket(err) {
			return nil
		}
		if err != nil {
			return ss3.Classify(err)
		}
		if err := c.Bucket.Delete(ctx, obj.Key); err != nil {
			return ss3.Classify(err)
		}
	}
	if _, err := c.Client.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil && !noBucket(err) {
		return fmt.Errorf("delete bucket %s: %w", bucket, ss3.Classify(err))
	}
	return nil
}
