package s3test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"

	ss3 "github.com/piimap/piimap/scanner/s3"
)

// EnvVar names the variable holding the test server's base URL.
const EnvVar = "PIIMAP_TEST_S3"

// Base returns the test server's base URL (no bucket), skipping the test
// when PIIMAP_TEST_S3 is unset.
func Base(t testing.TB) ss3.URL {
	t.Helper()
	raw := os.Getenv(EnvVar)
	if raw == "" {
		t.Skip(EnvVar + " is unset: no S3 server to test against (.ci/run starts versitygw and sets it)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	u.Host = "placeholder"
	p, err := ss3.ParseURL(u.String())
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	p.Bucket = ""
	return p
}

// Bucket is a test bucket on the real server.
type Bucket struct {
	*ss3.Conn
	base ss3.URL
}

// NewBucket creates a uniquely named bucket that is emptied and removed
// when the test ends.
func NewBucket(t testing.TB) *Bucket {
	t.Helper()
	base := Base(t)
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	base.Bucket = "piimap-" + hex.EncodeToString(rnd[:])
	ctx := context.Background()
	c, err := ss3.Dial(ctx, "test", base)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := c.Client.CreateBucket(cctx, &awss3.CreateBucketInput{Bucket: aws.String(base.Bucket)}); err != nil {
		c.Close()
		t.Fatalf("create bucket %s: %v", base.Bucket, ss3.Classify(err))
	}
	b := &Bucket{Conn: c, base: base}
	t.Cleanup(func() { b.remove(t) })
	return b
}

func (b *Bucket) remove(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	defer b.Close()
	it := b.Bucket.List(nil)
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("cleanup: list %s: %v", b.URL.Bucket, err)
			return
		}
		if err := b.Bucket.Delete(ctx, obj.Key); err != nil {
			t.Errorf("cleanup: delete %s: %v", obj.Key, err)
		}
	}
	if _, err := b.Client.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String(b.URL.Bucket)}); err != nil {
		t.Errorf("cleanup: delete bucket %s: %v", b.URL.Bucket, err)
	}
}

// StoreURL is the store URL for the objects under prefix ("" for the whole
// bucket).
func (b *Bucket) StoreURL(prefix string) string {
	u := b.base
	u.Prefix = ""
	if prefix != "" {
		u.Prefix = strings.Trim(prefix, "/") + "/"
	}
	return u.String()
}

// Put writes an object (opts may set its content type and metadata).
func (b *Bucket) Put(t testing.TB, key string, data []byte, opts *blob.WriterOptions) {
	t.Helper()
	if err := b.Bucket.WriteAll(context.Background(), key, data, opts); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// PutStream uploads an object from r without holding it in memory.
func (b *Bucket) PutStream(t testing.TB, key string, r io.Reader, opts *blob.WriterOptions) {
	t.Helper()
	if err := b.Bucket.Upload(context.Background(), key, r, opts); err != nil {
		t.Fatalf("upload %s: %v", key, err)
	}
}

// Get reads an object.
func (b *Bucket) Get(t testing.TB, key string) []byte {
	t.Helper()
	data, err := b.Bucket.ReadAll(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return data
}

// Attrs returns an object's attributes.
func (b *Bucket) Attrs(t testing.TB, key string) *blob.Attributes {
	t.Helper()
	a, err := b.Bucket.Attributes(context.Background(), key)
	if err != nil {
		t.Fatalf("stat %s: %v", key, err)
	}
	return a
}

// Checksum digests every object of the bucket: keys, ETags, sizes, content
// types, metadata and contents. Any write changes it.
func (b *Bucket) Checksum(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	h := sha256.New()
	it := b.Bucket.List(nil)
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("checksum: list: %v", err)
		}
		a := b.Attrs(t, obj.Key)
		fmt.Fprintf(h, "%s %s %d %s %s\n", obj.Key, a.ETag, a.Size, a.ContentType, a.ModTime.UTC())
		for _, k := range slices.Sorted(maps.Keys(a.Metadata)) {
			fmt.Fprintf(h, "  %s=%s\n", k, a.Metadata[k])
		}
		h.Write(b.Get(t, obj.Key))
	}
	return hex.EncodeToString(h.Sum(nil))
}
